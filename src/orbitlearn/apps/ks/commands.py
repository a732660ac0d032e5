"""`orbitlearn bench ks`: run (or resume) a profile of the Kreuzer-Skarke table and write its reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orbitlearn.apps.ks.model_commands import add_device
from orbitlearn.apps.ks.rows import PROFILES, PROTOCOLS
from orbitlearn.argtypes import nonnegative_int, positive_int
from orbitlearn.dist import cluster_spec, jobs_or_auto
from orbitlearn.errors import OrbitlearnError
from orbitlearn.train.config import DEFAULT_CLI_THREADS, THREADS_HELP


def cmd_ks(args: argparse.Namespace) -> int:
    """`orbitlearn bench ks`: run or resume a profile (or only rebuild its reports) and print the table."""
    from orbitlearn.apps.ks.bench import ACC_COLUMNS, KSBenchmark, select_rows
    from orbitlearn.apps.ks.report import write_reports
    from orbitlearn.apps.ks.rows import get_profile
    from orbitlearn.datasets.commands import load_dataset
    from orbitlearn.datasets.ks_dataset import load_ks
    from orbitlearn.report import emit

    profile = get_profile(args.profile)
    rows = select_rows(profile, args.rows)
    if args.protocol:
        rows = [r for r in rows if r.protocol == args.protocol]
        if not rows:
            raise OrbitlearnError(f"no rows of protocol {args.protocol!r} in this selection")
    seeds = tuple(args.seeds) if args.seeds else None
    data = load_dataset(args.data, "raise") if args.data else load_ks(vertices=26)
    out = Path(args.out or profile.out or f"runs/bench/ks-{profile.name}")

    def log(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    bench = KSBenchmark(
        data,
        profile,
        out,
        split_seed=0,
        threads=args.threads,
        device=args.device,
        log=log,
        save_models=args.save_models,
    )
    bench.data_source = args.data  # workers of --cluster read the data again (None: v26)
    if args.report_only:
        table = bench.table(rows)
    else:
        jobs = args.jobs
        if jobs == "auto":
            from orbitlearn.dist import auto_jobs
            from orbitlearn.train.devices import resolve_device

            # an accelerator is one device for all cells (and must not be forked): one process
            on_cpu = resolve_device(args.device).type == "cpu"
            pending = len(bench.pending(rows, seeds))
            jobs = auto_jobs(pending) if on_cpu and not args.cluster else 1
        if jobs > 1 and not args.cluster:
            log(f"bench ks: cells side by side in {jobs} worker processes (--jobs)")
        table = bench.run(rows, seeds, cluster=args.cluster, jobs=jobs)
    paths = write_reports(bench, bench.table(include_unrun=True))
    log(f"bench ks: reports in {out} ({', '.join(p.name for p in paths.values())})")
    records = [
        {
            k: r[k]
            for k in (
                "row",
                "protocol",
                *ACC_COLUMNS,
                "eps_max_dp",
                "train_seconds",
                "parameters",
                "seeds",
            )
        }
        for r in table
    ]

    def text(rs: list[dict]) -> str:
        return (out / "table.md").read_text()

    emit(records, args.json, text)
    return 0


def register(bench_sub: argparse._SubParsersAction) -> None:
    """Add the ``ks`` subcommand to `orbitlearn bench`."""
    ks = bench_sub.add_parser("ks", help="the Kreuzer-Skarke h11 table (resumable cell by cell)")
    ks.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        default="quick",
        help="; ".join(f"{p.name}: {p.summary}" for p in PROFILES.values()),
    )
    ks.add_argument("--data", help="KS file (default: the cached v26 list)")
    ks.add_argument(
        "--out",
        help="results folder (default runs/bench/ks-PROFILE; "
        + ", ".join(f"{p.name}: {p.out}" for p in PROFILES.values() if p.out)
        + ")",
    )
    ks.add_argument("--rows", nargs="+", metavar="ROW", help="run only these rows (names or slugs)")
    ks.add_argument("--seeds", type=nonnegative_int, nargs="+", help="run only these seeds")
    ks.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        help="run only rows of this protocol: ours (stratified 70/10/20, selection on val) or "
        "reference (the published 80/20 split, selection on the test part)",
    )
    ks.add_argument("--threads", type=positive_int, default=DEFAULT_CLI_THREADS, help=THREADS_HELP)
    ks.add_argument(
        "--cluster",
        type=cluster_spec,
        help="run the missing cells as Dask tasks: local:N worker processes, or tcp://HOST:PORT "
        "(workers sharing this folder's disk); threads per cell default to 1",
    )
    ks.add_argument(
        "--jobs",
        type=jobs_or_auto,
        default="auto",
        help="run the missing cells side by side in this many local worker processes, each "
        "with --threads threads (default auto: one per usable core when torch computes on the "
        "CPU, which was faster on 2 cores both idle and beside a busy process, else 1; 1 = one "
        "after another in this process)",
    )
    add_device(ks)
    ks.add_argument(
        "--report-only",
        action="store_true",
        help="rebuild the reports from finished cells, run nothing",
    )
    ks.add_argument(
        "--save-models",
        action="store_true",
        help="keep every orig-trained pipeline under OUT/models/",
    )
    ks.add_argument("--quiet", action="store_true", help="no per-cell log lines on stderr")
    ks.add_argument("--json", action="store_true", help="print the table as JSON rows")
    ks.set_defaults(func=cmd_ks)
