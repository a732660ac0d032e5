"""Lattice points of a polytope given by its facets; distinct rows; which points are vertices."""

from __future__ import annotations

import numpy as np

from orbitlearn.geometry._jit import njit


@njit
def _ceildiv(a: int, b: int) -> int:
    return -((-a) // b)


@njit
def lattice_points(normals: np.ndarray, offsets: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """All x in Z^d with <u_f, x> + c_f >= 0 for every facet f, x in the box [lo, hi].

    Odometer over the first d-1 coordinates of the box, the facets' partial sums kept up to
    date as it turns; the last coordinate's exact integer interval comes from the facet
    inequalities (cost: box of d-1 coordinates x facets + output).
    """
    nf, d = normals.shape
    cap = 256
    out = np.empty((cap, d), dtype=np.int64)
    count = 0
    x = lo.copy()
    last = d - 1
    # partial[f] = c_f + sum over the first d-1 coordinates of u_f,k x_k
    partial = np.empty(nf, dtype=np.int64)
    for f in range(nf):
        s = offsets[f]
        for k in range(last):
            s += normals[f, k] * x[k]
        partial[f] = s
    while True:
        a = lo[last]
        b = hi[last]
        feasible = True
        for f in range(nf):
            w = normals[f, last]
            r = -partial[f]  # need w * x_last >= r
            if w == 1:
                if r > a:
                    a = r
            elif w == -1:
                if -r < b:
                    b = -r
            elif w > 0:
                t = _ceildiv(r, w)
                if t > a:
                    a = t
            elif w < 0:
                # w*x >= r with w < 0  <=>  x <= floor(-r / |w|)
                t = (-r) // (-w)
                if t < b:
                    b = t
            elif r > 0:
                feasible = False
                break
            if a > b:
                feasible = False
                break
        if feasible:
            for v in range(a, b + 1):
                if count == cap:
                    cap *= 2
                    nn = np.empty((cap, d), dtype=np.int64)
                    nn[:count] = out[:count]
                    out = nn
                for k in range(last):
                    out[count, k] = x[k]
                out[count, last] = v
                count += 1
        # advance the odometer over coordinates 0..d-2 (the last of them fastest)
        k = last - 1
        while k >= 0:
            if x[k] < hi[k]:
                x[k] += 1
                for f in range(nf):
                    partial[f] += normals[f, k]
                break
            span = x[k] - lo[k]
            x[k] = lo[k]
            for f in range(nf):
                partial[f] -= normals[f, k] * span
            k -= 1
        if k < 0:
            break
    return out[:count]


@njit
def flat_points(values: np.ndarray, off: int, rows: int, cols: int) -> np.ndarray:
    """The points of the rows x cols matrix stored row by row at values[off:], as an (n, d)
    int64 array: its columns, or its rows when rows > cols (the transposed layout)."""
    if rows > cols:  # points are the rows already
        pts = np.empty((rows, cols), dtype=np.int64)
        for a in range(rows):
            for k in range(cols):
                pts[a, k] = values[off + a * cols + k]
    else:  # points are the columns
        pts = np.empty((cols, rows), dtype=np.int64)
        for a in range(rows):
            for k in range(cols):
                pts[k, a] = values[off + a * cols + k]
    return pts


@njit
def distinct_rows(pts: np.ndarray) -> np.ndarray:
    """Rows of pts without repeats, first occurrences in input order (O(n^2 d))."""
    n, d = pts.shape
    keep = np.ones(n, dtype=np.bool_)
    for i in range(n):
        for j in range(i):
            if keep[j]:
                same = True
                for k in range(d):
                    if pts[i, k] != pts[j, k]:
                        same = False
                        break
                if same:
                    keep[i] = False
                    break
    return pts[keep]


@njit
def vertex_mask(pts: np.ndarray, normals: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """True for the points of pts that are vertices of their hull (given by its facets); a
    repeated vertex is True at every copy.

    The facets through a point meet in the smallest face holding it; the point is a vertex iff
    that face holds no other point (a face of dimension >= 1 has at least two distinct points).
    Tested on bit sets: the facets' point sets ANDed over the facets through the point."""
    n, d = pts.shape
    nf = normals.shape[0]
    nw = (n + 63) // 64
    on = np.zeros((nf, nw), dtype=np.uint64)
    for f in range(nf):
        for j in range(n):
            v = offsets[f]
            for k in range(d):
                v += normals[f, k] * pts[j, k]
            if v == 0:
                on[f, j // 64] |= np.uint64(1) << np.uint64(j % 64)
    out = np.zeros(n, dtype=np.bool_)
    meet = np.empty(nw, dtype=np.uint64)
    for j in range(n):
        w0 = j // 64
        bit = np.uint64(1) << np.uint64(j % 64)
        for w in range(nw):
            meet[w] = ~np.uint64(0)
        tight = 0
        for f in range(nf):
            if on[f, w0] & bit:
                tight += 1
                for w in range(nw):
                    meet[w] &= on[f, w]
        if tight < d:
            continue
        alone = True
        for w in range(nw):
            rest = meet[w] & ~bit if w == w0 else meet[w]
            b = 0
            while rest and alone:
                if rest & np.uint64(1):
                    i = w * 64 + b
                    for k in range(d):
                        if pts[i, k] != pts[j, k]:
                            alone = False  # another point on the smallest face: not a vertex
                            break
                rest >>= np.uint64(1)
                b += 1
            if not alone:
                break
        out[j] = alone
    return out


@njit
def _points_widest_last(normals: np.ndarray, offsets: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Lattice points with the coordinates permuted so that the widest one is swept innermost;
    returns (points in permuted coordinates, permuted normals)."""
    order = np.argsort(hi - lo)
    nrm = np.ascontiguousarray(normals[:, order])
    return lattice_points(nrm, offsets, lo[order].copy(), hi[order].copy()), nrm
