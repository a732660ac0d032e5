"""Per-point features of a lattice polytope from its facets: facet-distance counts and edges."""

from __future__ import annotations

import numpy as np

from orbitlearn.geometry._jit import njit
from orbitlearn.geometry._kernels.linalg import gcd
from orbitlearn.geometry._kernels.points import vertex_mask

#: distances 0 .. DISTANCE_BUCKETS - 2 are counted one by one, larger ones in the last bucket
DISTANCE_BUCKETS = 7
#: rows of the output: the distance buckets, then edges, edge lattice lengths summed, their max
FEATURE_ROWS = DISTANCE_BUCKETS + 3


@njit
def point_features(points: np.ndarray, normals: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(FEATURE_ROWS, n) for points (n, d) of a polytope with facets <u_f, x> + c_f >= 0.

    Rows 0 .. 6: how many facets lie at lattice distance 0, 1, ..., 5, and >= 6 from the point;
    row 7: the edges at the point, row 8: their lattice lengths summed, row 9: the longest
    (all three 0 for a point that is not a vertex). Two vertices span an edge iff some facet
    holds both and no third vertex lies on every facet that holds both (the smallest face
    through them has no other vertex). Equal points get equal features.
    """
    n, d = points.shape
    nf = normals.shape[0]
    words = (nf + 63) // 64
    out = np.zeros((FEATURE_ROWS, n), dtype=np.int64)
    # facets through each point as a bit set (words of 64 facets)
    on = np.zeros((n, words), dtype=np.int64)
    for j in range(n):
        for f in range(nf):
            h = offsets[f]
            for k in range(d):
                h += normals[f, k] * points[j, k]
            out[min(h, DISTANCE_BUCKETS - 1), j] += 1
            if h == 0:
                on[j, f // 64] |= np.int64(1) << np.int64(f % 64)
    vertex = vertex_mask(points, normals, offsets)
    for u in range(n):
        if not vertex[u]:
            continue
        for v in range(n):
            if v == u or not vertex[v] or _same(points, u, v) or _seen_before(points, vertex, v):
                continue
            common = False
            for k in range(words):
                if on[u, k] & on[v, k] != 0:
                    common = True
            if not common:
                continue
            edge = True
            for w in range(n):
                if not vertex[w] or _same(points, w, u) or _same(points, w, v):
                    continue
                if _covers(on, w, u, v):
                    edge = False
                    break
            if edge:
                g = 0
                for k in range(d):
                    g = gcd(g, points[u, k] - points[v, k])
                out[DISTANCE_BUCKETS, u] += 1
                out[DISTANCE_BUCKETS + 1, u] += g
                if g > out[DISTANCE_BUCKETS + 2, u]:
                    out[DISTANCE_BUCKETS + 2, u] = g
    return out


@njit
def _covers(on: np.ndarray, w: int, u: int, v: int) -> bool:
    """True when point w lies on every facet through both u and v."""
    for k in range(on.shape[1]):
        if (on[u, k] & on[v, k]) & ~on[w, k] != 0:
            return False
    return True


@njit
def _same(points: np.ndarray, a: int, b: int) -> bool:
    for k in range(points.shape[1]):
        if points[a, k] != points[b, k]:
            return False
    return True


@njit
def _seen_before(points: np.ndarray, vertex: np.ndarray, v: int) -> bool:
    """True when an earlier copy of vertex v (an equal point at a lower index) exists: each edge
    is counted once per endpoint, whatever the repeats in the input."""
    for w in range(v):
        if vertex[w] and _same(points, w, v):
            return True
    return False
