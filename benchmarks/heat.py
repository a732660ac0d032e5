"""Heat-equation benchmark: CNN, CNN + rotation augmentation, strict and relaxed G-CNN across
symmetry-breaking levels; one-step and rollout RMSE and the measured equivariance error ε.

Writes benchmarks/results/heat/ (table.csv, table.md, errors.png, fields.png, results.json and
results.md with machine info). Finished (model, level, seed) cells are cached under
<out>/cells, so an interrupted run resumes where it stopped.

    python benchmarks/heat.py --profile quick
    python benchmarks/heat.py --profile full          # 3 seeds, mean ± std; resumable
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orbitlearn.bench.heat import PROFILES, markdown_table, parse_settings, run_heat_bench

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "heat"))
    parser.add_argument("--threads", type=int, default=None, help="torch threads per training")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="override the seeds")
    parser.add_argument(
        "--train-stretch",
        type=float,
        default=None,
        help="training fields stretched along y by this factor (1 = isotropic; default: profile's)",
    )
    parser.add_argument(
        "--unroll",
        type=int,
        default=None,
        help="train on the mean MSE of this many autoregressive model steps (default: the "
        "profile's; 1 = one-step loss)",
    )
    parser.add_argument(
        "--set",
        action="append",
        metavar="FIELD=VALUE",
        default=None,
        help="override any profile field, e.g. --set epochs=100 --set group=p4m "
        "--set levels=0,0.1 (repeatable; the fields are those of HeatProfile)",
    )
    args = parser.parse_args(argv)
    given = {
        "threads": args.threads,
        "seeds": tuple(args.seeds) if args.seeds else None,
        "train_stretch": args.train_stretch,
        "unroll": args.unroll,
    }
    overrides = parse_settings(args.set, given)
    rows = run_heat_bench(args.profile, out=args.out, show_progress=True, **overrides)
    sys.stdout.write(markdown_table(rows))
    print(f"results in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
