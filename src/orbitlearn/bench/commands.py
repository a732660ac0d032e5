"""`orbitlearn bench ...`: one parent command, one subcommand per benchmark."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.bench import heat_commands, ks_commands

    bench = sub.add_parser(
        "bench", help="run a benchmark and write its results (CSV, Markdown, PNG)"
    )
    bench_sub = bench.add_subparsers(dest="bench_command", metavar="BENCHMARK", required=True)
    ks_commands.register(bench_sub)
    heat_commands.register(bench_sub)
    # other benchmarks add their own `register(bench_sub)` line here
