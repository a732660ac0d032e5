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

from orbitlearn.apps.heat.bench import run_heat_bench
from orbitlearn.apps.heat.commands import add_profile_options, profile_overrides
from orbitlearn.apps.heat.profile import PROFILES
from orbitlearn.apps.heat.report import markdown_table
from orbitlearn.errors import OrbitlearnError

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "heat"))
    add_profile_options(parser)
    args = parser.parse_args(argv)
    try:
        rows = run_heat_bench(
            args.profile, out=args.out, show_progress=True, **profile_overrides(args)
        )
    except OrbitlearnError as exc:
        print(f"benchmarks/heat.py: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(markdown_table(rows))
    print(f"results in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
