"""`orbitlearn data info|split|fetch`: wiring from the command line to the dataset layer."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from orbitlearn.argtypes import (
    fraction,
    nonnegative_int,
    positive_float,
    positive_int,
)
from orbitlearn.datasets.fetch import fetch_ks, ks_cache_path
from orbitlearn.datasets.ks import KEPT_ERRORS, KSFile, SkippedEntries, read_ks
from orbitlearn.datasets.ks_dataset import DEFAULT_FRACTIONS, KSDataset
from orbitlearn.fileio import output_stream


def add_on_error(parser: argparse.ArgumentParser) -> None:
    """The --on-error and --errors-to options of every command that reads a KS file."""
    parser.add_argument(
        "--on-error",
        choices=("raise", "skip"),
        default="raise",
        help="on a malformed entry: stop with its error (default) or skip it and report where "
        f"(the first {KEPT_ERRORS} on stderr, and a count)",
    )
    parser.add_argument(
        "--errors-to",
        metavar="FILE",
        help="with --on-error skip: write every skipped entry's error to FILE, one per line",
    )


@contextmanager
def skipped_entries(errors_to: str | None) -> Iterator[SkippedEntries]:
    """Where a command records what --on-error skip skips; with --errors-to FILE every error is
    also written to FILE (atomically, when the block ends)."""
    if errors_to is None:
        yield SkippedEntries()
        return
    with output_stream(errors_to, "w") as sink:  # "-": standard output
        yield SkippedEntries(sink=sink)


def read_with_progress(path: str, on_error: str, errors_to: str | None = None) -> KSFile:
    """Read a KS file, with a progress bar on a terminal; what was skipped is in `.skipped`."""
    with skipped_entries(errors_to) as skipped:
        return read_ks(path, on_error=on_error, show_progress=None, skipped=skipped)


def report_skipped(skipped: SkippedEntries, errors_to: str | None = None) -> None:
    """The first skipped entries on stderr, one line each, then a count: never silent."""
    if not skipped:
        return
    for err in skipped:
        print(f"orbitlearn: skipped: {err}", file=sys.stderr)
    hidden = len(skipped) - len(skipped.kept)
    more = f" ({hidden} not shown" if hidden else ""
    if more:
        more += f"; all are in {errors_to})" if errors_to else "; --errors-to FILE lists all)"
    print(f"orbitlearn: skipped {len(skipped)} malformed entries{more}", file=sys.stderr)


def load_dataset(path: str, on_error: str, errors_to: str | None = None) -> KSDataset:
    """A KS file as a `KSDataset` (entries that fail to parse handled by `on_error`: raise or skip)."""
    ks = read_with_progress(path, on_error, errors_to)
    report_skipped(ks.skipped, errors_to)
    return KSDataset.from_file(ks)


def _info_text(info: dict) -> str:
    lines = [
        f"file              {info['source']}",
        f"entries           {info['count']}  (transposed in the file: {info['transposed']}, skipped: {info['skipped']})",
        f"matrix            {info['matrix_shape'][0]} x {info['matrix_shape'][1]}, coordinates in [{info['coordinate_range'][0]}, {info['coordinate_range'][1]}]",
        f"h11               {info['h11_range'][0]} .. {info['h11_range'][1]}  ({info['classes']} classes)",
        f"h21               {info['h21_range'][0]} .. {info['h21_range'][1]}",
        f"Euler number      {info['euler_range'][0]} .. {info['euler_range'][1]}",
        f"majority class    h11 = {info['majority_class']}: {info['majority_count']} entries ({100 * info['majority_share']:.2f}%)",
        f"random guess      {100 * info['random_guess_share']:.2f}%",
        f"M: points         {info['m_points_range'][0]} .. {info['m_points_range'][1]}, vertices {info['m_vertices_range'][0]} .. {info['m_vertices_range'][1]}",
        f"N: points (dual)  {info['n_points_range'][0]} .. {info['n_points_range'][1]}, vertices {info['n_vertices_range'][0]} .. {info['n_vertices_range'][1]}",
        "h11 class counts:",
    ]
    if len(info.get("matrix_shapes", {})) > 1:
        shapes = ", ".join(f"{k}: {v}" for k, v in info["matrix_shapes"].items())
        lines.insert(3, f"matrix shapes     {shapes}")
    if info.get("unlabelled"):
        lines.insert(3, f"unlabelled        {info['unlabelled']} entries without H:h11,h21")
    total = max(1, sum(info["h11_counts"].values()))
    width = max(info["h11_counts"].values(), default=1)
    for h11, count in info["h11_counts"].items():
        bar = "#" * max(1, round(40 * count / width)) if count else ""
        lines.append(f"  {h11:>4}  {count:>6}  {100 * count / total:6.2f}%  {bar}")
    return "\n".join(lines)


def cmd_info(args: argparse.Namespace) -> int:
    """`orbitlearn data info`: counts, shapes and label ranges of a KS file."""
    from orbitlearn.datasets.ks import iter_input_blocks
    from orbitlearn.datasets.summary import KSSummary
    from orbitlearn.progress import progress_bar
    from orbitlearn.report import emit

    summary = KSSummary(args.paths[0] if len(args.paths) == 1 else ", ".join(args.paths))
    bar = progress_bar(desc="reading", unit=" entries")
    with skipped_entries(args.errors_to) as skipped:
        for block in iter_input_blocks(args.paths, on_error=args.on_error, errors=skipped):
            summary.add(block)
            bar.update(len(block))
    bar.close()
    report_skipped(skipped, args.errors_to)
    emit(summary.info(skipped=len(skipped)), args.json, _info_text)
    return 0


def cmd_split(args: argparse.Namespace) -> int:
    """`orbitlearn data split`: write the train/val/test parts of a seeded stratified split."""
    from orbitlearn.report import emit

    data = load_dataset(args.path, args.on_error, args.errors_to)
    split = data.split(seed=args.seed, fractions=args.fractions)
    out = {name: data.indices[pos].tolist() for name, pos in split.parts().items()}

    def text(o: dict) -> str:
        return "\n".join(f"{name}\t{len(ix)}\t" + " ".join(map(str, ix)) for name, ix in o.items())

    emit(out, args.json, text)
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """`orbitlearn data fetch`: download a KS file into the cache and verify its checksum."""
    from orbitlearn.report import emit

    target = ks_cache_path(args.vertices)
    existed = target.exists() and not args.force
    bar = None
    if sys.stderr.isatty() and not existed:
        from tqdm.auto import tqdm

        bar = tqdm(unit="B", unit_scale=True, desc=target.name, file=sys.stderr)

    def report(done: int, total: int | None) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    try:
        path = fetch_ks(args.vertices, force=args.force, timeout=args.timeout, report=report)
    finally:
        if bar is not None:
            bar.close()
    out = {"path": str(path), "downloaded": not existed}
    emit(
        out,
        args.json,
        lambda o: f"{o['path']} ({'downloaded' if o['downloaded'] else 'already cached'})",
    )
    return 0


def _run_duals(args: argparse.Namespace) -> int:
    from orbitlearn.geometry.commands import run_duals

    return run_duals(args)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``data`` command and its subcommands."""
    data = sub.add_parser("data", help="inspect, split and fetch Kreuzer-Skarke files")
    dsub = data.add_subparsers(dest="data_command", metavar="DATA_COMMAND", required=True)

    info = dsub.add_parser("info", help="counts, label ranges and class shares of a KS file")
    info.add_argument(
        "paths", nargs="+", metavar="PATH", help="KS-format files, plain or .gz (- for stdin)"
    )
    info.add_argument("--json", action="store_true", help="print the report as JSON")
    add_on_error(info)
    info.set_defaults(func=cmd_info)

    split = dsub.add_parser(
        "split", help="the seeded stratified train/val/test split, as entry indices"
    )
    split.add_argument("path", help="a KS-format file, plain or .gz")
    split.add_argument("--seed", type=nonnegative_int, default=0, help="split seed (default 0)")
    split.add_argument(
        "--fractions",
        type=fraction,
        nargs=3,
        default=list(DEFAULT_FRACTIONS),
        metavar=("TRAIN", "VAL", "TEST"),
        help="part sizes (default 0.7 0.1 0.2)",
    )
    split.add_argument("--json", action="store_true", help="print {train, val, test} as JSON")
    add_on_error(split)
    split.set_defaults(func=cmd_split)

    duals = dsub.add_parser(
        "duals",
        help="the polar dual of every polytope, in normal form, with engine-computed headers",
        description=(
            "Write the polar dual Δ* of every entry (its vertices are Δ's facet normals) in PALP "
            "normal form, with the header M:/N:/H: computed by the engine, in input order (entry "
            "i of the output is the dual of entry i, so a split of the source applies to it). "
            "Mirror symmetry is checked on the way: Δ*'s h11, h21 and point counts must be Δ's "
            "h21, h11 and dual counts from the source header. Exit code 1 on a mismatch or a "
            "failed entry (e.g. not reflexive)."
        ),
    )
    from orbitlearn.geometry.commands import add_ks_output_arguments

    add_ks_output_arguments(duals)
    duals.set_defaults(func=_run_duals)

    fetch = dsub.add_parser("fetch", help="download a KS file into the cache, verified by sha256")
    fetch.add_argument(
        "dataset", choices=("ks",), help="which data set (ks: Kreuzer-Skarke 4d lists)"
    )
    fetch.add_argument(
        "--vertices", type=positive_int, default=26, help="vertex count of the list (5..33)"
    )
    fetch.add_argument("--force", action="store_true", help="download even if the file is cached")
    fetch.add_argument(
        "--timeout", type=positive_float, default=30.0, help="seconds per connection attempt"
    )
    fetch.add_argument("--json", action="store_true", help="print the result as JSON")
    fetch.set_defaults(func=cmd_fetch)

    from orbitlearn.datasets.nbody_commands import register_simulate

    register_simulate(dsub)
