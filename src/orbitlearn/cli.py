"""The `orbitlearn` command line: it parses arguments and wires library calls, nothing more.

Each area adds its subcommands through one `_add_*` function listed in `_SUBCOMMANDS`.
A user error (`OrbitlearnError`, a bad argument, a file that cannot be read or written) prints
one line on stderr and exits with code 2; Ctrl-C prints "orbitlearn: interrupted" and exits 130.
Command modules import their heavy dependencies (torch, scikit-learn, numba) only when run, so
`--version` and `--help` stay fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from orbitlearn.argtypes import OneLineArgumentParser
from orbitlearn.errors import OrbitlearnError
from orbitlearn.extras import missing_extra_text
from orbitlearn.version import __version__

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
VERSION_TEXT = f"orbitlearn {__version__}"


# --------------------------------------------------------------------------- data


def _add_data(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.datasets import commands as data_commands

    data_commands.register(sub)


# --------------------------------------------------------------------------- models


def _add_models(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.apps.ks import model_commands

    model_commands.register(sub)


# --------------------------------------------------------------------------- canon


def _add_canon(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.apps.ks import canon_commands

    canon_commands.register(sub)


# --------------------------------------------------------------------------- geometry


def _add_geometry(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.geometry import commands as geometry_commands

    geometry_commands.register(sub)


# --------------------------------------------------------------------------- stats


def _add_stats(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.apps.ks import stats_commands

    stats_commands.register(sub)


# --------------------------------------------------------------------------- bench


def _add_bench(sub: argparse._SubParsersAction) -> None:
    from orbitlearn.apps.heat import commands as heat_commands
    from orbitlearn.apps.ks import commands as ks_commands
    from orbitlearn.apps.nbody import commands as nbody_commands

    bench = sub.add_parser(
        "bench", help="run a benchmark and write its results (CSV, Markdown, PNG)"
    )
    bench_sub = bench.add_subparsers(dest="bench_command", metavar="BENCHMARK", required=True)
    ks_commands.register(bench_sub)
    heat_commands.register(bench_sub)
    nbody_commands.register(bench_sub)


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_data,
    _add_canon,
    _add_geometry,
    _add_models,
    _add_stats,
    _add_bench,
]


def build_parser() -> argparse.ArgumentParser:
    """The `orbitlearn` argument parser with every subcommand registered."""
    parser = OneLineArgumentParser(
        prog="orbitlearn",
        description="Invariant and equivariant machine learning, measured.",
    )
    parser.add_argument("--version", action="version", version=VERSION_TEXT)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(sub)
    return parser


def _os_error_text(exc: OSError) -> str:
    """`FILE: reason` for an OSError (permission denied, is a directory, disk full ...)."""
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    return reason


def _interrupted_in_compiled_code(exc: SystemError) -> bool:
    """A Ctrl-C that arrived inside compiled (numba) code surfaces as a SystemError."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return "KeyboardInterrupt" in str(exc)


#: the argument names (argparse dests) of the files a command writes and of those it reads
OUTPUT_ARGS = {"out": "--out", "output": "-o/--output", "errors_to": "--errors-to"}
INPUT_ARGS = ("paths", "path", "data", "checkpoint", "checkpoints", "indices", "config")


def _refuse_output_over_input(parsed: argparse.Namespace) -> None:
    """An output path that resolves to an input path is refused before anything runs."""
    from orbitlearn.fileio import refuse_output_over_input

    inputs: list = []
    for name in INPUT_ARGS:
        value = getattr(parsed, name, None)
        inputs.extend(value if isinstance(value, list | tuple) else [value])
    outputs = {flag: getattr(parsed, name, None) for name, flag in OUTPUT_ARGS.items()}
    refuse_output_over_input(outputs, [v for v in inputs if isinstance(v, str | os.PathLike)])


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every `finally` and temporary-file cleanup
    runs (like Ctrl-C)."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on `argv` (default: sys.argv); the exit status (0 ok, 1 some failures, 2 user error, 130 interrupted, 143 terminated)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args in (["--version"], ["-V"]):  # answered before any command module is imported
        sys.stdout.write(VERSION_TEXT + "\n")
        return 0
    import signal
    import threading

    in_main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGTERM, _raise_terminated) if in_main else None
    try:
        return _main(args)
    except Terminated:
        print("orbitlearn: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    finally:
        if in_main and before is not None:
            signal.signal(signal.SIGTERM, before)


def _main(args: list[str]) -> int:
    try:
        parser = build_parser()
        try:
            parsed = parser.parse_args(args)
        except SystemExit as exc:  # --help, or a usage error already printed on one line
            return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USER_ERROR
        if not getattr(parsed, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_USER_ERROR
        _refuse_output_over_input(parsed)
        return int(parsed.func(parsed) or 0)
    except OrbitlearnError as exc:
        print(f"orbitlearn: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except ModuleNotFoundError as exc:
        text = missing_extra_text(exc.name)
        if text is None:
            raise
        print(f"orbitlearn: error: {text}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("orbitlearn: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SystemError as exc:
        if not _interrupted_in_compiled_code(exc):
            raise
        print("orbitlearn: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file that cannot be read or written: the user's to fix
        print(f"orbitlearn: error: {_os_error_text(exc)}", file=sys.stderr)
        return EXIT_USER_ERROR


def run() -> None:
    """The console entry point: `main()`, then exit with its status. After a Ctrl-C the process
    ends at once (streams flushed, no interpreter teardown), so that the status is 130: a Ctrl-C
    that landed inside library code run through the C API can otherwise make the interpreter
    end itself by SIGINT at teardown, although `main` handled it."""
    code = main()
    if code == EXIT_INTERRUPTED:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
