"""The `orbitlearn` command line: it parses arguments and wires library calls, nothing more.

Each area adds its subcommands through one `_add_*` function listed in `_SUBCOMMANDS`.
A user error (`OrbitlearnError`) prints one line on stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from orbitlearn import __version__
from orbitlearn.errors import OrbitlearnError

EXIT_USER_ERROR = 2


def emit(obj: Any, as_json: bool, text: Callable[[Any], str] | None = None) -> None:
    """Print a report: JSON with --json, else the human-readable `text(obj)`."""
    if as_json or text is None:
        sys.stdout.write(json.dumps(obj, indent=None if as_json else 2) + "\n")
    else:
        sys.stdout.write(text(obj).rstrip("\n") + "\n")


# --------------------------------------------------------------------------- data


def _add_data(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.datasets import commands as data_commands

    data_commands.register(sub)


# --------------------------------------------------------------------------- models


def _add_models(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.models import commands as model_commands

    model_commands.register(sub)


# --------------------------------------------------------------------------- canon


def _add_canon(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.canon import commands as canon_commands

    canon_commands.register(sub)


# --------------------------------------------------------------------------- geometry


def _add_geometry(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.geometry import commands as geometry_commands

    geometry_commands.register(sub)


# --------------------------------------------------------------------------- stats


def _add_stats(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.stats import commands as stats_commands

    stats_commands.register(sub)


# --------------------------------------------------------------------------- bench


def _add_bench(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.bench import commands as bench_commands

    bench_commands.register(sub)


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_data,
    _add_canon,
    _add_geometry,
    _add_models,
    _add_stats,
    _add_bench,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orbitlearn",
        description="Invariant and equivariant machine learning, measured.",
    )
    parser.add_argument("--version", action="version", version=f"orbitlearn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USER_ERROR
    try:
        return int(args.func(args) or 0)
    except OrbitlearnError as exc:
        print(f"orbitlearn: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("orbitlearn: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
