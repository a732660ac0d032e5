"""The N-body data-efficiency curve: test MSE against 100 / 300 / 1000 / 3000 training simulations
for Haar augmentation, frame averaging and the EGNN (see `orbitlearn.apps.nbody.data_efficiency`).

    python benchmarks/nbody_data_efficiency.py --seeds 0 [--sizes 100 300 1000 3000]
    python benchmarks/nbody_data_efficiency.py --report-only

Resumable cell by cell; writes benchmarks/results/nbody-data/{table.csv,table.md,data_efficiency.png}.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from orbitlearn.apps.nbody.data_efficiency import DATA_SIZES, run_data_efficiency, write_reports

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--sizes", nargs="+", type=int, default=list(DATA_SIZES))
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "nbody-data")
    ap.add_argument("--main-out", type=Path, default=ROOT / "benchmarks" / "results" / "nbody")
    ap.add_argument("--report-only", action="store_true", help="only rebuild the reports")
    args = ap.parse_args(argv)
    if args.report_only:
        records = write_reports(args.out, args.main_out, tuple(args.sizes))
    else:
        torch.set_num_threads(1)
        log = lambda s: print(f"nbody-data: {s}", file=sys.stderr, flush=True)  # noqa: E731
        records = run_data_efficiency(
            args.out, args.main_out, tuple(args.seeds), tuple(args.sizes), log=log
        )
    for r in records:
        print(f"{r['row']:10s} n={r['n_train']:5d} seeds {r['seeds']:6s} mse {r['mse']:.5f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
