"""Exact integer linear algebra: gcd, rank, determinants, hyperplane normals, Hermite normal form."""

from __future__ import annotations

import numpy as np

from orbitlearn.geometry._jit import njit


@njit
def gcd(a: int, b: int) -> int:
    """gcd(|a|, |b|) by Euclid; gcd(0, 0) = 0."""
    a = abs(a)
    b = abs(b)
    if a == 1 or b == 1:
        return 1
    while b != 0:
        a, b = b, a % b
    return a


@njit
def int_rank(m: np.ndarray) -> int:
    """Rank of an integer matrix by row reduction with gcd-normalised integer rows (exact)."""
    return _rank_inplace(m.copy(), m.shape[0])


@njit
def _rank_inplace(a: np.ndarray, rows: int) -> int:
    """Rank of the first `rows` rows of a (destroyed), exactly."""
    cols = a.shape[1]
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
                    if g != 1:
                        g = gcd(g, a[r, c])
                if g > 1:
                    for c in range(cols):
                        a[r, c] //= g
        rank += 1
        if rank == rows:
            break
    return rank


@njit
def _det_inplace(a: np.ndarray, k: int) -> int:
    """det of the leading k x k block of a (destroyed) by fraction-free (Bareiss) elimination."""
    if k == 0:
        return 1
    if k == 1:
        return a[0, 0]
    if k == 2:
        return a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]
    if k == 3:
        return (
            a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1])
            - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
            + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0])
        )
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
    return sign * a[k - 1, k - 1]


@njit
def hyperplane_normal(pts: np.ndarray, idx: np.ndarray, out: np.ndarray) -> bool:
    """Primitive integer normal of the hyperplane through the d points pts[idx] (cofactors of the
    differences p_i - p_0); False if they are affinely dependent."""
    d = pts.shape[1]
    diff = np.empty((d - 1, d), dtype=np.int64)
    minor = np.empty((d - 1, d - 1), dtype=np.int64)
    return hyperplane_normal_buf(pts, idx, out, diff, minor)


@njit
def _normal4(a, out) -> None:
    """out[k] = (-1)^k det(a without column k) for a 3 x 4 integer matrix a."""
    m01 = a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]
    m02 = a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0]
    m03 = a[1, 0] * a[2, 3] - a[1, 3] * a[2, 0]
    m12 = a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]
    m13 = a[1, 1] * a[2, 3] - a[1, 3] * a[2, 1]
    m23 = a[1, 2] * a[2, 3] - a[1, 3] * a[2, 2]
    out[0] = a[0, 1] * m23 - a[0, 2] * m13 + a[0, 3] * m12
    out[1] = -(a[0, 0] * m23 - a[0, 2] * m03 + a[0, 3] * m02)
    out[2] = a[0, 0] * m13 - a[0, 1] * m03 + a[0, 3] * m01
    out[3] = -(a[0, 0] * m12 - a[0, 1] * m02 + a[0, 2] * m01)


@njit
def hyperplane_normal_buf(pts, idx, out, diff, minor) -> bool:
    """`hyperplane_normal` with caller-provided scratch diff (d-1, d) and minor (d-1, d-1)."""
    d = pts.shape[1]
    for i in range(1, d):
        for k in range(d):
            diff[i - 1, k] = pts[idx[i], k] - pts[idx[0], k]
    if d == 4:  # cofactors of the 3 x 4 differences from the 2 x 2 minors of their last two rows
        _normal4(diff, out)
    else:
        for k in range(d):
            for i in range(d - 1):
                cc = 0
                for j in range(d):
                    if j != k:
                        minor[i, cc] = diff[i, j]
                        cc += 1
            det = _det_inplace(minor, d - 1)
            out[k] = det if k % 2 == 0 else -det
    g = 0
    for k in range(d):
        if g != 1:
            g = gcd(g, out[k])
    if g == 0:
        return False
    if g > 1:
        for k in range(d):
            out[k] //= g
    return True


@njit
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
