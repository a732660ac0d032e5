"""`orbitlearn canon PATH --method lex|dirichlet|dirichlet_lex|normal -o OUT`: canonicalise every vertex matrix of a KS file.

The output is a KS file with the same entries, in the same order, with the same headers and
layout; only each vertex matrix is replaced by π(matrix). The report gives the count and the
projection speed (entries per second, reading and writing excluded).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from orbitlearn.apps.ks.canon_names import METHOD_NAMES, canonicalizer_class
from orbitlearn.argtypes import LIMIT_HELP_FIRST, nonnegative_int, positive_int
from orbitlearn.datasets.commands import add_on_error
from orbitlearn.errors import OrbitlearnError

if TYPE_CHECKING:
    from orbitlearn.canon.base import Canonicalizer

CHUNK = 1024


class CanonError(OrbitlearnError):
    """A canonicalisation request that cannot be carried out as asked."""


def make_canonicalizer(method: str, seed: int = 0, restarts: int = 0) -> Canonicalizer:
    """The canonicaliser of a registered method name (`apps.ks.canon_names`); Dirichlet's seed and
    restarts from the command line."""
    from orbitlearn.canon.normal import geometry_normal_forms

    try:
        cls = canonicalizer_class(method)
    except KeyError as exc:
        raise CanonError(str(exc.args[0])) from None
    if method == "dirichlet":
        return cls(seed=seed, restarts=restarts)
    if method == "normal" and geometry_normal_forms() is None:
        raise CanonError(
            "--method normal needs orbitlearn.geometry.normal_forms, which is not installed"
        )
    return cls()


def project_matrices(matrices: list, canon: Canonicalizer) -> tuple[list, float]:
    """(π of each (d, n) matrix, seconds spent in π); matrices of different shapes are batched apart."""
    by_shape: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for i, m in enumerate(matrices):
        by_shape[tuple(m.shape)].append(i)
    out = list(matrices)
    seconds = 0.0
    for idx in by_shape.values():
        for s in range(0, len(idx), CHUNK):
            part = idx[s : s + CHUNK]
            t0 = time.perf_counter()
            projected = canon.project(np.stack([matrices[i] for i in part]))
            seconds += time.perf_counter() - t0
            for i, v in zip(part, projected, strict=True):
                out[i] = np.ascontiguousarray(v, dtype=np.int64)
    return out, seconds


def _project_block(block, canon: Canonicalizer) -> tuple[list, float]:
    """`project_matrices` of a block's entries; an entry it refuses is named by file, line and
    index (found one by one when the block's projection fails)."""
    matrices = [block.matrix(i) for i in range(len(block))]
    try:
        return project_matrices(matrices, canon)
    except OrbitlearnError as exc:
        for i, m in enumerate(matrices):
            try:
                canon.project(np.asarray(m)[None])
            except OrbitlearnError as one:
                raise OrbitlearnError(
                    f"{block.source}:{int(block.line[i])}: entry {int(block.index[i])}: {one}"
                ) from None
        raise exc


def _text(report: dict) -> str:
    return (
        f"canonicalised {report['count']} entries with {report['method']} -> {report['output']}\n"
        f"projection   {report['seconds']:.3f} s, {report['entries_per_second']:.0f} entries/s\n"
        f"total        {report['total_seconds']:.3f} s (reading and writing included)"
        + (f"\nskipped      {report['skipped']} malformed entries" if report["skipped"] else "")
    )


def cmd_canon(args: argparse.Namespace) -> int:
    """`orbitlearn canon`: project every entry of a KS file with one canonicaliser and write the result."""
    from orbitlearn.datasets.commands import report_skipped, skipped_entries
    from orbitlearn.datasets.ks import iter_input_blocks
    from orbitlearn.fileio import is_stdout, output_stream
    from orbitlearn.progress import progress_bar
    from orbitlearn.report import emit

    canon = make_canonicalizer(args.method, seed=args.seed, restarts=args.restarts)
    t_start = time.perf_counter()
    count = 0
    seconds = 0.0
    bar = progress_bar(desc=f"canon {args.method}", unit=" entries")
    # streamed: one block of entries at a time, written as it goes (renamed into place at the end)
    with (
        skipped_entries(args.errors_to) as errors,
        output_stream(args.output, "w") as fh,
    ):
        blocks = iter_input_blocks(
            args.paths, limit=args.limit, on_error=args.on_error, errors=errors
        )
        for block in blocks:
            projected, spent = _project_block(block, canon)
            seconds += spent
            fh.write(block.replace_vertices(projected).to_text())
            count += len(block)
            bar.update(len(block))
    bar.close()
    report = {
        "method": args.method,
        "input": args.paths[0] if len(args.paths) == 1 else list(args.paths),
        "output": str(args.output),
        "count": count,
        "skipped": len(errors),
        "seconds": seconds,
        "entries_per_second": count / seconds if seconds > 0 else float("inf"),
        "total_seconds": time.perf_counter() - t_start,
        "exact": bool(canon.exact),
    }
    report_skipped(errors, args.errors_to)
    emit(report, args.json, _text, to_stderr=is_stdout(args.output))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `canon` subcommand."""
    p = sub.add_parser(
        "canon",
        help="replace every vertex matrix of a KS file by a canonical representative",
        description=(
            "Canonicalise the vertex matrices of a KS file: lex (exact for S_m x S_n), "
            "dirichlet (approximate, S_m x S_n), dirichlet_lex (Dirichlet, then a lexicographic "
            "ascent), normal (exact for GL(d,Z) x S_n). "
            "Writes the same entries, order and headers."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="KS files (plain or .gz; - for stdin)")
    p.add_argument("--method", choices=METHOD_NAMES, default="lex")
    p.add_argument(
        "-o", "--output", required=True, help="output KS file (.gz to compress; - for stdout)"
    )
    p.add_argument("--limit", type=positive_int, default=None, help=LIMIT_HELP_FIRST)
    p.add_argument(
        "--seed", type=nonnegative_int, default=0, help="seed of the Dirichlet reference point"
    )
    p.add_argument("--restarts", type=nonnegative_int, default=0, help="Dirichlet random restarts")
    add_on_error(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_canon)
