"""`orbitlearn bench nbody`: run (or resume) an N-body profile and write its table."""

from __future__ import annotations

import argparse
import sys

from orbitlearn.argtypes import nonnegative_int, positive_int


def cmd_nbody(args: argparse.Namespace) -> int:
    """Run the profile's missing cells one at a time (each stored as it lands), then report."""
    from orbitlearn.apps.nbody.bench import run_nbody_bench
    from orbitlearn.apps.nbody.report import read_table
    from orbitlearn.report import emit

    run_nbody_bench(
        args.profile,
        out=args.out,
        seeds=tuple(args.seeds) if args.seeds else None,
        rows=tuple(args.rows) if args.rows else None,
        epochs=args.epochs,
        report=not args.no_report,
    )
    if not args.no_report:
        rows = read_table(args.out)
        emit(rows, args.json, lambda rs: "\n".join(f"{r['row']}: {r['mse']}" for r in rs))
    print(f"orbitlearn: results in {args.out}", file=sys.stderr)
    return 0


def register(bench_sub: argparse._SubParsersAction) -> None:
    """Add the ``nbody`` subcommand to `orbitlearn bench`."""
    from orbitlearn.apps.nbody.profile import PROFILES

    p = bench_sub.add_parser(
        "nbody",
        help="the charged-particle N-body table (EGNN paper): reference rows, the four ways, ours",
        description=(
            "Train every row of the N-body table under the published protocol, one cell (row, "
            "seed) at a time, resumable; then write table.csv / table.md / val_curves.png with "
            "test MSE, ε under E(3) and timings."
        ),
    )
    p.add_argument(
        "--profile",
        choices=list(PROFILES),
        default="quick",
        help="quick: 300 epochs a cell (a CPU session); full: the published 10,000; "
        "smoke: seconds (tests)",
    )
    p.add_argument("--out", default="benchmarks/results/nbody", help="results folder")
    p.add_argument("--seeds", type=nonnegative_int, nargs="+", default=None, help="these seeds")
    p.add_argument(
        "--rows",
        nargs="+",
        choices=list(dict.fromkeys(r for p in PROFILES.values() for r in p.rows)),
        default=None,
        help="these rows",
    )
    p.add_argument("--epochs", type=positive_int, default=None, help="override the budget")
    p.add_argument("--no-report", action="store_true", help="train only, write no tables")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=cmd_nbody)
