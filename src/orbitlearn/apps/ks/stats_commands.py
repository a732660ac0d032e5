"""`orbitlearn stats exchangeable|separation`: distributional symmetry tests and orbit separation on a KS file.

* ``stats exchangeable PATH --axis rows|columns|both`` — the paired swap test of H0: V =d g·V for
  the vertex matrices V, g uniform on S4 (rows), S26 (columns) or S4 × S26 (both).
  ``--randomize`` first replaces every matrix by a random image under the same group (a positive
  control: the data are then exchangeable and the p-value is uniform).
* ``stats separation PATH --features F [--group s4xs26|gl4z]`` — computes F on the matrices and
  on one random group image of each (orbit id = entry), and reports colliding orbits, the
  largest collision class, and the share of entries whose features change under the image.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np

from orbitlearn.apps.ks.names import DEFAULT_GROUP, VERTEX_MATRIX_GROUPS
from orbitlearn.argtypes import LIMIT_HELP_FIRST, nonnegative_int, positive_int
from orbitlearn.errors import OrbitlearnError
from orbitlearn.stats.exchangeability import (
    AXES,
    DEFAULT_MAX_SAMPLES,
    DEFAULT_RESAMPLES,
    STATISTICS,
    axis_exchangeability_test,
    axis_group,
)


def load_vertices(path: str, limit: int | None) -> np.ndarray:
    """The (N, d, n) vertex matrices of the first `limit` entries (all when None) of a KS file."""
    from orbitlearn.datasets.ks import iter_ks
    from orbitlearn.datasets.ks_dataset import KSDataset
    from orbitlearn.progress import progress

    if not Path(path).exists():
        raise OrbitlearnError(f"{path}: no such file")
    it = iter_ks(path)
    entries = list(
        progress(itertools.islice(it, limit) if limit is not None else it, desc=f"reading {path}")
    )
    if not entries:
        raise OrbitlearnError(f"{path}: no entries")
    return KSDataset.from_entries(entries, source=str(path)).vertices


# --------------------------------------------------------------------------- exchangeable


def _exchangeable_text(r: dict) -> str:
    q = r["null_quantiles"]
    return "\n".join(
        [
            f"H0: vertex matrices =d g·V, g uniform on {r['group']} ({r['axis']})",
            f"data          {r['source']} ({r['entries']} entries, {r['n_samples']} tested"
            + (", randomized first" if r["randomized"] else "")
            + ")",
            f"statistic     {r['statistic_name']} = {r['statistic']:.6g}"
            + (f" (bandwidth {r['bandwidth']:.4g})" if r["bandwidth"] else ""),
            f"null          mean {r['null_mean']:.3g}, sd {r['null_std']:.3g}, "
            f"q95 {q['q95']:.3g}, q99 {q['q99']:.3g} ({r['n_resamples']} swap resamples)",
            f"p-value       {r['p_value']:.4g}",
        ]
    )


def cmd_exchangeable(args: argparse.Namespace) -> int:
    """`orbitlearn stats exchangeable`: the swap randomisation test of X =d g·X on a KS file."""
    from orbitlearn.report import emit

    V = load_vertices(args.path, args.limit)
    rng = np.random.default_rng(args.seed)
    if args.randomize:
        group = axis_group(V.shape[1:], args.axis)
        V = group.act_batch(group.sample(len(V), rng), V)
    result = axis_exchangeability_test(
        V,
        args.axis,
        statistic=args.statistic,
        n_resamples=args.resamples,
        rng=rng,
        max_samples=args.max_samples,
    )
    report = {
        "source": str(args.path),
        "entries": int(len(V)),
        "axis": args.axis,
        "randomized": bool(args.randomize),
        "seed": args.seed,
        **result.to_dict(),
    }
    emit(report, args.json, _exchangeable_text)
    return 0


# --------------------------------------------------------------------------- separation


def _separation_text(r: dict) -> str:
    return "\n".join(
        [
            f"features      {r['features']} ({r['n_features']} numbers, {'exact' if r['exact'] else 'rounded'})",
            f"data          {r['source']}: {r['orbits']} entries, each with one random {r['group']} image",
            f"collisions    {r['colliding_orbits']} of {r['orbits']} orbits ({100 * r['collision_share']:.3f}%), "
            f"{r['collision_classes']} classes, largest {r['largest_collision_class']}",
            f"invariance    features changed under the image for {r['changed']} entries "
            f"({100 * r['changed_share']:.3f}%)",
            f"time          {r['seconds']:.2f} s",
        ]
    )


def separation_group(name: str, shape: tuple[int, ...]):
    """The --group for (d, n) matrices: s4xs26 → S_d × S_n, signed → B_d × S_n, gl4z →
    GL(d,Z) × S_n (4 × 26 for v26), from the one registry of names."""
    from orbitlearn.apps.ks.names import get_group

    d, n = shape
    if name == "gl4z" and d < 2:
        raise OrbitlearnError(
            f"--group gl4z needs at least 2 coordinates, the matrices are {d} x {n}"
        )
    return get_group(name, shape=(d, n))


def cmd_separation(args: argparse.Namespace) -> int:
    """`orbitlearn stats separation`: how well a feature map separates orbits, and its invariance."""
    from orbitlearn.report import emit
    from orbitlearn.stats.features import feature_map
    from orbitlearn.stats.separation import image_separation

    fmap = feature_map(args.features)
    V = load_vertices(args.path, args.limit)
    group = separation_group(args.group, V.shape[1:])
    start = time.perf_counter()
    rep = image_separation(V, fmap, group, rng=np.random.default_rng(args.seed))
    seconds = time.perf_counter() - start
    report = {
        "source": str(args.path),
        "features": args.features,
        "n_features": int(np.asarray(fmap.features(V[:1])).size),
        "seed": args.seed,
        **rep.to_dict(),
        "seconds": seconds,
    }
    emit(report, args.json, _separation_text)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``stats`` command and its subcommands."""
    stats = sub.add_parser(
        "stats", help="probabilistic symmetry: exchangeability tests and orbit separation"
    )
    ssub = stats.add_subparsers(dest="stats_command", metavar="STATS_COMMAND", required=True)

    ex = ssub.add_parser(
        "exchangeable",
        help="paired swap test of H0: V =d g·V for the vertex matrices of a KS file",
    )
    ex.add_argument("path", help="a KS-format file, plain or .gz")
    ex.add_argument(
        "--axis", choices=AXES, default="columns", help="permuted axis (default columns)"
    )
    ex.add_argument(
        "--statistic", choices=STATISTICS, default="mmd", help="mmd (default) or energy"
    )
    ex.add_argument(
        "--resamples",
        type=positive_int,
        default=DEFAULT_RESAMPLES,
        help=f"random swap patterns B (default {DEFAULT_RESAMPLES}; the smallest p is 1/(B+1))",
    )
    ex.add_argument(
        "--max-samples",
        type=positive_int,
        default=DEFAULT_MAX_SAMPLES,
        help=f"test a random subset of this many entries (default {DEFAULT_MAX_SAMPLES})",
    )
    ex.add_argument(
        "--randomize",
        action="store_true",
        help="replace each matrix by a random image first (a control where H0 holds)",
    )
    ex.add_argument(
        "--seed", type=nonnegative_int, default=0, help="seed of every random draw (default 0)"
    )
    ex.add_argument("--limit", type=positive_int, help=LIMIT_HELP_FIRST)
    ex.add_argument("--json", action="store_true", help="print the report as JSON")
    ex.set_defaults(func=cmd_exchangeable)

    sep = ssub.add_parser(
        "separation", help="do invariant features separate the orbits of a KS file's entries?"
    )
    sep.add_argument("path", help="a KS-format file, plain or .gz")
    sep.add_argument(
        "--features",
        required=True,
        help="power-sums:K, sorted, poly:K (K <= 6), lex, normal, dets[:M], or raw (not invariant)",
    )
    sep.add_argument(
        "--group",
        choices=VERTEX_MATRIX_GROUPS,
        default=DEFAULT_GROUP,
        help="group of the random images: s4xs26 = S_d x S_n, gl4z = GL(d,Z) x S_n "
        f"on d x n matrices (default {DEFAULT_GROUP})",
    )
    sep.add_argument(
        "--seed", type=nonnegative_int, default=0, help="seed of the random images (default 0)"
    )
    sep.add_argument("--limit", type=positive_int, help=LIMIT_HELP_FIRST)
    sep.add_argument("--json", action="store_true", help="print the report as JSON")
    sep.set_defaults(func=cmd_separation)
