"""`orbitlearn bench heat`: run (or resume) a heat-equation profile and report its rows."""

from __future__ import annotations

import argparse
import sys

from orbitlearn.argtypes import nonnegative_int, positive_float, positive_int


def _text(rows: list[dict]) -> str:
    from orbitlearn.apps.heat.report import markdown_table

    return markdown_table(rows)


def add_profile_options(p: argparse.ArgumentParser) -> None:
    """The options that change a heat profile (shared with benchmarks/heat.py)."""
    from orbitlearn.apps.heat.profile import MODELS

    p.add_argument("--threads", type=positive_int, default=None, help="torch threads per training")
    p.add_argument(
        "--device",
        default=None,
        help="where torch trains: auto, cpu, cuda, cuda:N or mps (default: the profile's, cpu)",
    )
    p.add_argument(
        "--seeds", type=nonnegative_int, nargs="+", default=None, help="override the seeds"
    )
    p.add_argument(
        "--models", nargs="+", choices=list(MODELS), default=None, help="run only these models"
    )
    p.add_argument(
        "--train-stretch",
        type=positive_float,
        default=None,
        help="orientation of the training fields: correlation length x this factor along y "
        "(test fields stay isotropic; 1 = isotropic training data; default: the profile's, 2)",
    )
    p.add_argument(
        "--unroll",
        type=positive_int,
        default=None,
        help="train on the mean MSE of this many autoregressive model steps (default: the "
        "profile's; 1 = one-step loss)",
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="FIELD=VALUE",
        default=None,
        help="override any profile field, e.g. --set epochs=100 --set group=p4m "
        "--set levels=0,0.1 (repeatable; the fields are those of HeatProfile)",
    )


def profile_overrides(args: argparse.Namespace) -> dict:
    """The profile overrides those options give (see `add_profile_options`)."""
    from orbitlearn.apps.heat.profile import parse_settings

    given = {
        "threads": args.threads,
        "device": getattr(args, "device", None),
        "seeds": tuple(args.seeds) if args.seeds else None,
        "models": tuple(args.models) if args.models else None,
        "train_stretch": args.train_stretch,
        "unroll": args.unroll,
    }
    return parse_settings(args.set, given)


def cmd_heat(args: argparse.Namespace) -> int:
    """`orbitlearn bench heat`: run or resume a profile, write the reports, print the rows."""
    from orbitlearn.apps.heat.bench import run_heat_bench
    from orbitlearn.report import emit

    rows = run_heat_bench(args.profile, out=args.out, **profile_overrides(args))
    emit(rows, args.json, _text)
    if args.out:
        print(f"orbitlearn: results in {args.out}", file=sys.stderr)
    return 0


def register(bench_sub: argparse._SubParsersAction) -> None:
    """Add the ``heat`` subcommand to `orbitlearn bench`."""
    from orbitlearn.apps.heat.profile import PROFILES

    p = bench_sub.add_parser(
        "heat",
        help="CNN / augmented CNN / (relaxed) G-CNN / (relaxed) steerable CNN on the heat equation "
        "with broken symmetry",
        description=(
            "Learn u_t -> u_{t+dt} of a periodic heat equation at several symmetry-breaking levels; "
            "report one-step and rollout RMSE and the measured equivariance error of every model "
            "(under C4, D4 and SO(2))."
        ),
    )
    p.add_argument(
        "--profile",
        choices=list(PROFILES),
        default="quick",
        help="quick: minutes, one seed; full: 3 seeds, mean ± std; mini: seconds (smoke tests)",
    )
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.add_argument(
        "--out",
        default=None,
        help="write table.csv, table.md, plots and results.json here (finished cells are cached "
        "there, so a rerun resumes); without it nothing is written",
    )
    add_profile_options(p)
    p.set_defaults(func=cmd_heat)
