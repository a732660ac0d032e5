"""Numba kernels of the exact lattice-polytope engine: integer arithmetic only, no tolerance.

All kernels take and return int64 arrays; they are compiled once and cached on disk
(``cache=True``) so that a fresh process pays the compile cost only the first time.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def gcd(a: int, b: int) -> int:
    """gcd(|a|, |b|) by Euclid; gcd(0, 0) = 0."""
    a = abs(a)
    b = abs(b)
    while b != 0:
        a, b = b, a % b
    return a


@njit(cache=True)
def _det_bareiss(m: np.ndarray) -> int:
    """det(m) of a square int64 matrix by fraction-free (Bareiss) elimination, exactly."""
    k = m.shape[0]
    a = m.copy()
    sign = 1
    prev = 1
    for i in range(k - 1):
        if a[i, i] == 0:
            piv = -1
            for r in range(i + 1, k):
                if a[r, i] != 0:
                    piv = r
                    break
            if piv < 0:
                return 0
            for col in range(k):
                t = a[i, col]
                a[i, col] = a[piv, col]
                a[piv, col] = t
            sign = -sign
        for r in range(i + 1, k):
            for col in range(i + 1, k):
                a[r, col] = (a[r, col] * a[i, i] - a[r, i] * a[i, col]) // prev
        prev = a[i, i]
    if k == 0:
        return 1
    return sign * a[k - 1, k - 1]


@njit(cache=True)
def int_rank(m: np.ndarray) -> int:
    """Rank of an integer matrix by row reduction with gcd-normalised integer rows (exact)."""
    a = m.copy()
    rows, cols = a.shape
    rank = 0
    for col in range(cols):
        piv = -1
        for r in range(rank, rows):
            if a[r, col] != 0:
                piv = r
                break
        if piv < 0:
            continue
        for c in range(cols):
            t = a[rank, c]
            a[rank, c] = a[piv, c]
            a[piv, c] = t
        for r in range(rank + 1, rows):
            if a[r, col] != 0:
                f = a[r, col]
                p = a[rank, col]
                g = 0
                for c in range(cols):
                    a[r, c] = a[r, c] * p - a[rank, c] * f
                    g = gcd(g, a[r, c])
                if g > 1:
                    for c in range(cols):
                        a[r, c] //= g
        rank += 1
        if rank == rows:
            break
    return rank


@njit(cache=True)
def hyperplane_normal(pts: np.ndarray, idx: np.ndarray, out: np.ndarray) -> bool:
    """Primitive integer normal of the hyperplane through the d points pts[idx] (cofactors of the
    differences p_i - p_0); False if they are affinely dependent."""
    d = pts.shape[1]
    diff = np.empty((d - 1, d), dtype=np.int64)
    for i in range(1, d):
        for k in range(d):
            diff[i - 1, k] = pts[idx[i], k] - pts[idx[0], k]
    minor = np.empty((d - 1, d - 1), dtype=np.int64)
    g = 0
    for k in range(d):
        for i in range(d - 1):
            cc = 0
            for j in range(d):
                if j != k:
                    minor[i, cc] = diff[i, j]
                    cc += 1
        det = _det_bareiss(minor)
        out[k] = det if k % 2 == 0 else -det
        g = gcd(g, out[k])
    if g == 0:
        return False
    for k in range(d):
        out[k] //= g
    return True


@njit(cache=True)
def facets_from_simplices(pts: np.ndarray, simplices: np.ndarray):
    """For each candidate simplex (d point indices), the inner primitive normal u and offset c with
    <u, x> + c >= 0 for every point and = 0 on the simplex; ok[i] False if not a supporting plane."""
    m = simplices.shape[0]
    n, d = pts.shape
    normals = np.zeros((m, d), dtype=np.int64)
    offsets = np.zeros(m, dtype=np.int64)
    ok = np.zeros(m, dtype=np.bool_)
    u = np.empty(d, dtype=np.int64)
    for s in range(m):
        if not hyperplane_normal(pts, simplices[s], u):
            continue
        p0 = simplices[s, 0]
        h0 = 0
        for k in range(d):
            h0 += u[k] * pts[p0, k]
        npos = 0
        nneg = 0
        for j in range(n):
            h = -h0
            for k in range(d):
                h += u[k] * pts[j, k]
            if h > 0:
                npos += 1
            elif h < 0:
                nneg += 1
            if npos > 0 and nneg > 0:
                break
        if npos > 0 and nneg > 0:
            continue
        if npos == 0 and nneg == 0:
            continue
        sgn = 1 if nneg == 0 else -1
        for k in range(d):
            normals[s, k] = sgn * u[k]
        offsets[s] = -sgn * h0
        ok[s] = True
    return normals, offsets, ok


@njit(cache=True)
def facets_brute_force(pts: np.ndarray):
    """All facets of conv(pts) by testing every d-subset of points (exact, O(C(n, d) n d));
    a reference and fallback for the qhull-seeded path. Returns (normals, offsets), duplicates kept."""
    n, d = pts.shape
    cap = 64
    normals = np.zeros((cap, d), dtype=np.int64)
    offsets = np.zeros(cap, dtype=np.int64)
    count = 0
    idx = np.arange(d).astype(np.int64)
    u = np.empty(d, dtype=np.int64)
    while True:
        if hyperplane_normal(pts, idx, u):
            h0 = 0
            for k in range(d):
                h0 += u[k] * pts[idx[0], k]
            npos = 0
            nneg = 0
            for j in range(n):
                h = -h0
                for k in range(d):
                    h += u[k] * pts[j, k]
                if h > 0:
                    npos += 1
                elif h < 0:
                    nneg += 1
                if npos > 0 and nneg > 0:
                    break
            if not (npos > 0 and nneg > 0) and (npos + nneg) > 0:
                sgn = 1 if nneg == 0 else -1
                if count == cap:
                    cap *= 2
                    nn = np.zeros((cap, d), dtype=np.int64)
                    oo = np.zeros(cap, dtype=np.int64)
                    nn[:count] = normals[:count]
                    oo[:count] = offsets[:count]
                    normals = nn
                    offsets = oo
                for k in range(d):
                    normals[count, k] = sgn * u[k]
                offsets[count] = -sgn * h0
                count += 1
        # next combination
        i = d - 1
        while i >= 0 and idx[i] == n - d + i:
            i -= 1
        if i < 0:
            break
        idx[i] += 1
        for j in range(i + 1, d):
            idx[j] = idx[j - 1] + 1
    return normals[:count], offsets[:count]


@njit(cache=True)
def _ceildiv(a: int, b: int) -> int:
    return -((-a) // b)


@njit(cache=True)
def lattice_points(normals: np.ndarray, offsets: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """All x in Z^d with <u_f, x> + c_f >= 0 for every facet f, x in the box [lo, hi].

    Odometer over the first d-1 coordinates of the box; the last coordinate's exact integer
    interval comes from the facet inequalities (cost: box of d-1 coordinates x facets + output).
    """
    nf, d = normals.shape
    cap = 256
    out = np.empty((cap, d), dtype=np.int64)
    count = 0
    x = lo.copy()
    partial = np.empty(nf, dtype=np.int64)
    last = d - 1
    while True:
        # partial sums over the first d-1 coordinates
        for f in range(nf):
            s = offsets[f]
            for k in range(last):
                s += normals[f, k] * x[k]
            partial[f] = s
        a = lo[last]
        b = hi[last]
        feasible = True
        for f in range(nf):
            w = normals[f, last]
            r = -partial[f]
            if w > 0:
                t = _ceildiv(r, w)
                if t > a:
                    a = t
            elif w < 0:
                # w*x >= r with w < 0  <=>  x <= floor(-r / |w|)
                t = (-r) // (-w)
                if t < b:
                    b = t
            else:
                if r > 0:
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
        # advance odometer over coordinates 0..d-2 (last varies fastest among them)
        k = last - 1
        while k >= 0:
            x[k] += 1
            if x[k] <= hi[k]:
                break
            x[k] = lo[k]
            k -= 1
        if k < 0:
            break
    return out[:count]


@njit(cache=True)
def hermite_normal_form(m: np.ndarray) -> np.ndarray:
    """Row-style Hermite normal form H = U m (U in GL(d, Z)): echelon, pivots > 0, entries above a
    pivot reduced to [0, pivot), zero rows last."""
    a = m.copy()
    rows, cols = a.shape
    r = 0
    for col in range(cols):
        if r == rows:
            break
        # Euclid on column col among rows r..rows-1
        while True:
            piv = -1
            best = 0
            for i in range(r, rows):
                v = abs(a[i, col])
                if v != 0 and (piv < 0 or v < best):
                    piv = i
                    best = v
            if piv < 0:
                break
            if piv != r:
                for c in range(cols):
                    t = a[r, c]
                    a[r, c] = a[piv, c]
                    a[piv, c] = t
            done = True
            for i in range(r + 1, rows):
                if a[i, col] != 0:
                    q = a[i, col] // a[r, col]
                    for c in range(col, cols):
                        a[i, c] -= q * a[r, c]
                    if a[i, col] != 0:
                        done = False
            if done:
                break
        if piv < 0 and a[r, col] == 0:
            continue
        if a[r, col] < 0:
            for c in range(col, cols):
                a[r, c] = -a[r, c]
        p = a[r, col]
        for i in range(r):
            q = a[i, col] // p
            if q != 0:
                for c in range(col, cols):
                    a[i, c] -= q * a[r, c]
        r += 1
    return a
