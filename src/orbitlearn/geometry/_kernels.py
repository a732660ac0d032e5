"""Numba kernels of the exact lattice-polytope engine: integer arithmetic only, no tolerance.

All kernels take and return int64 arrays; they are compiled once and cached on disk
(see `orbitlearn.geometry._jit`: where, and what happens when no folder is writable) so that
a fresh process pays the compile cost only the first time.
"""

from __future__ import annotations

import numpy as np

from orbitlearn.geometry._jit import njit


@njit
def gcd(a: int, b: int) -> int:
    """gcd(|a|, |b|) by Euclid; gcd(0, 0) = 0."""
    a = abs(a)
    b = abs(b)
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
def hyperplane_normal_buf(pts, idx, out, diff, minor) -> bool:
    """`hyperplane_normal` with caller-provided scratch diff (d-1, d) and minor (d-1, d-1)."""
    d = pts.shape[1]
    for i in range(1, d):
        for k in range(d):
            diff[i - 1, k] = pts[idx[i], k] - pts[idx[0], k]
    g = 0
    for k in range(d):
        for i in range(d - 1):
            cc = 0
            for j in range(d):
                if j != k:
                    minor[i, cc] = diff[i, j]
                    cc += 1
        det = _det_inplace(minor, d - 1)
        out[k] = det if k % 2 == 0 else -det
        g = gcd(g, out[k])
    if g == 0:
        return False
    for k in range(d):
        out[k] //= g
    return True


@njit
def facets_brute_force(pts: np.ndarray):
    """All facets of conv(pts) by testing every d-subset of points (exact, O(C(n, d) n d));
    the reference the tests hold `exact_hull` to. Returns (normals, offsets), duplicates kept."""
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


@njit
def _ceildiv(a: int, b: int) -> int:
    return -((-a) // b)


@njit
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


# ----------------------------------------------------------------------------- exact hull


@njit
def _popcount(x: np.uint64) -> int:
    c = 0
    while x:
        x &= x - np.uint64(1)
        c += 1
    return c


@njit
def _affine_rank_of(pts: np.ndarray, idx: np.ndarray, m: int) -> int:
    """Affine rank (dimension) of the points pts[idx[:m]]."""
    buf = np.empty((max(m - 1, 1), pts.shape[1]), dtype=np.int64)
    return _affine_rank_buf(pts, idx, m, buf)


@njit
def _affine_rank_buf(pts: np.ndarray, idx: np.ndarray, m: int, buf: np.ndarray) -> int:
    """Affine rank of pts[idx[:m]] using buf (at least (m - 1, d)) as scratch."""
    if m <= 1:
        return 0
    d = pts.shape[1]
    for i in range(1, m):
        for k in range(d):
            buf[i - 1, k] = pts[idx[i], k] - pts[idx[0], k]
    return _rank_inplace(buf, m - 1)


@njit
def _mask_indices(mask: np.ndarray, out: np.ndarray) -> int:
    m = 0
    for w in range(mask.shape[0]):
        x = mask[w]
        b = 0
        while x:
            if x & np.uint64(1):
                out[m] = w * 64 + b
                m += 1
            x >>= np.uint64(1)
            b += 1
    return m


@njit
def exact_hull(pts: np.ndarray):
    """Facets of conv(pts), pts (n, d) distinct and full-dimensional, by exact beneath-beyond.

    Facets are kept as (primitive inner normal u, offset c) with <u, x> + c >= 0 and the bitmask
    of processed points on them, so non-simplicial facets are single facets. Adding a point p:
    the facets it sees (<u, p> + c < 0) go; each ridge between a seen facet f and an unseen g
    (common points of affine dimension d - 2) spans with p a new facet, unless p is on g's
    plane (then g just grows). f and g are adjacent iff no third facet contains all their common
    points (faces of lower dimension lie on at least three facets). Returns (normals, offsets, status): status 0 ok, 1 not
    full-dimensional.
    """
    n, d = pts.shape
    nw = (n + 63) // 64
    # initial simplex: greedy affinely independent points
    simp = np.empty(d + 1, dtype=np.int64)
    simp[0] = 0
    ns = 1
    for j in range(1, n):
        if ns == d + 1:
            break
        simp[ns] = j
        if _affine_rank_of(pts, simp, ns + 1) == ns:
            ns += 1
    if ns < d + 1:
        return np.zeros((0, d), dtype=np.int64), np.zeros(0, dtype=np.int64), 1
    # a strictly interior reference point, scaled: ref = sum of simplex points (= (d+1) centroid)
    ref = np.zeros(d, dtype=np.int64)
    for i in range(d + 1):
        for k in range(d):
            ref[k] += pts[simp[i], k]
    cap = 64
    normals = np.zeros((cap, d), dtype=np.int64)
    offsets = np.zeros(cap, dtype=np.int64)
    alive = np.zeros(cap, dtype=np.bool_)
    inc = np.zeros((cap, nw), dtype=np.uint64)
    nf = 0
    processed = np.zeros(n, dtype=np.bool_)
    for i in range(d + 1):
        processed[simp[i]] = True
    u = np.empty(d, dtype=np.int64)
    sub = np.empty(d, dtype=np.int64)
    for omit in range(d + 1):
        c = 0
        for i in range(d + 1):
            if i != omit:
                sub[c] = simp[i]
                c += 1
        hyperplane_normal(pts, sub, u)
        h0 = 0
        for k in range(d):
            h0 += u[k] * pts[sub[0], k]
        # orient: <u, ref> - (d+1) h0 > 0
        s = -(d + 1) * h0
        for k in range(d):
            s += u[k] * ref[k]
        sg = 1 if s > 0 else -1
        for k in range(d):
            normals[nf, k] = sg * u[k]
        offsets[nf] = -sg * h0
        alive[nf] = True
        for i in range(d):
            j = sub[i]
            inc[nf, j // 64] |= np.uint64(1) << np.uint64(j % 64)
        nf += 1
    vals = np.empty(cap, dtype=np.int64)
    common = np.empty(nw, dtype=np.uint64)
    ridge = np.empty(n, dtype=np.int64)
    chosen = np.empty(d, dtype=np.int64)
    rankbuf = np.empty((n, d), dtype=np.int64)
    hdiff = np.empty((d - 1, d), dtype=np.int64)
    hminor = np.empty((d - 1, d - 1), dtype=np.int64)
    for p in range(n):
        if processed[p]:
            continue
        processed[p] = True
        if vals.shape[0] < cap:
            vals = np.empty(cap, dtype=np.int64)
        nvis = 0
        for f in range(nf):
            if alive[f]:
                v = offsets[f]
                for k in range(d):
                    v += normals[f, k] * pts[p, k]
                vals[f] = v
                if v < 0:
                    nvis += 1
        pw = p // 64
        pb = np.uint64(1) << np.uint64(p % 64)
        if nvis == 0:
            for f in range(nf):
                if alive[f] and vals[f] == 0:
                    inc[f, pw] |= pb
            continue
        first_new = nf
        old_nf = nf
        for f in range(old_nf):
            if not (alive[f] and vals[f] < 0):
                continue
            for g in range(old_nf):
                if not alive[g] or vals[g] < 0:
                    continue
                cnt = 0
                for w in range(nw):
                    common[w] = inc[f, w] & inc[g, w]
                    cnt += _popcount(common[w])
                if cnt < d - 1:
                    continue
                # f and g meet in a ridge iff no third facet of the old hull contains their
                # common points (a face of dimension < d - 2 lies on at least 3 facets)
                ridge_ok = True
                for h in range(old_nf):
                    if h == f or h == g or not alive[h]:
                        continue
                    inside = True
                    for w in range(nw):
                        if (inc[h, w] & common[w]) != common[w]:
                            inside = False
                            break
                    if inside:
                        ridge_ok = False
                        break
                if not ridge_ok:
                    continue
                if vals[g] == 0:
                    continue  # p on g's plane: g grows (below), no new facet
                m = _mask_indices(common, ridge)
                # d-1 affinely independent ridge points + p
                chosen[0] = ridge[0]
                nc = 1
                for r in range(1, m):
                    if nc == d - 1:
                        break
                    chosen[nc] = ridge[r]
                    if _affine_rank_buf(pts, chosen, nc + 1, rankbuf) == nc:
                        nc += 1
                chosen[d - 1] = p
                hyperplane_normal_buf(pts, chosen, u, hdiff, hminor)
                h0 = 0
                for k in range(d):
                    h0 += u[k] * pts[p, k]
                s = -(d + 1) * h0
                for k in range(d):
                    s += u[k] * ref[k]
                sg = 1 if s > 0 else -1
                for k in range(d):
                    u[k] = sg * u[k]
                cc = -sg * h0
                dup = False
                for h in range(first_new, nf):
                    same = offsets[h] == cc
                    if same:
                        for k in range(d):
                            if normals[h, k] != u[k]:
                                same = False
                                break
                    if same:
                        dup = True
                        break
                if dup:
                    continue
                if nf == cap:
                    cap *= 2
                    n2 = np.zeros((cap, d), dtype=np.int64)
                    o2 = np.zeros(cap, dtype=np.int64)
                    a2 = np.zeros(cap, dtype=np.bool_)
                    i2 = np.zeros((cap, nw), dtype=np.uint64)
                    n2[:nf] = normals[:nf]
                    o2[:nf] = offsets[:nf]
                    a2[:nf] = alive[:nf]
                    i2[:nf] = inc[:nf]
                    normals, offsets, alive, inc = n2, o2, a2, i2
                    v2 = np.empty(cap, dtype=np.int64)
                    v2[:nf] = vals[:nf]
                    vals = v2
                for k in range(d):
                    normals[nf, k] = u[k]
                offsets[nf] = cc
                alive[nf] = True
                vals[nf] = 0
                for w in range(nw):
                    inc[nf, w] = np.uint64(0)
                for j in range(n):
                    if processed[j]:
                        v = cc
                        for k in range(d):
                            v += u[k] * pts[j, k]
                        if v == 0:
                            inc[nf, j // 64] |= np.uint64(1) << np.uint64(j % 64)
                nf += 1
        for f in range(old_nf):
            if alive[f]:
                if vals[f] < 0:
                    alive[f] = False
                elif vals[f] == 0:
                    inc[f, pw] |= pb
        # compact occasionally
        if nf > 3 * cap // 4:
            w = 0
            for f in range(nf):
                if alive[f]:
                    normals[w] = normals[f]
                    offsets[w] = offsets[f]
                    inc[w] = inc[f]
                    alive[w] = True
                    w += 1
            for f in range(w, nf):
                alive[f] = False
            nf = w
    count = 0
    for f in range(nf):
        if alive[f]:
            count += 1
    on = np.zeros((count, d), dtype=np.int64)
    oo = np.zeros(count, dtype=np.int64)
    w = 0
    for f in range(nf):
        if alive[f]:
            on[w] = normals[f]
            oo[w] = offsets[f]
            w += 1
    return on, oo, 0


# ----------------------------------------------------------------------------- Hodge numbers

HODGE_OK = 0
HODGE_NOT_FULL_DIM = 1
HODGE_ORIGIN_NOT_INTERIOR = 2
HODGE_NOT_REFLEXIVE = 3


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
    """True for the points that are vertices: the normals of the facets through them span R^d."""
    n, d = pts.shape
    nf = normals.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    tight = np.empty((nf, d), dtype=np.int64)
    for j in range(n):
        m = 0
        for f in range(nf):
            v = offsets[f]
            for k in range(d):
                v += normals[f, k] * pts[j, k]
            if v == 0:
                tight[m] = normals[f]
                m += 1
        if m >= d and int_rank(tight[:m]) == d:
            out[j] = True
    return out


@njit
def _points_widest_last(normals: np.ndarray, offsets: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Lattice points with the coordinates permuted so that the widest one is swept innermost;
    returns (points in permuted coordinates, permuted normals)."""
    order = np.argsort(hi - lo)
    nrm = np.ascontiguousarray(normals[:, order])
    return lattice_points(nrm, offsets, lo[order].copy(), hi[order].copy()), nrm


@njit
def _batyrev_side(points: np.ndarray, normals: np.ndarray) -> int:
    """l(P) - 5 - #{x on exactly one facet} + sum over x on exactly two facets u, w of
    (gcd(u - w) - 1), for reflexive 4-polytope P = {<u, x> >= -1}."""
    np_, d = points.shape
    nf = normals.shape[0]
    total = np_ - 5
    for j in range(np_):
        cnt = 0
        a = -1
        b = -1
        for f in range(nf):
            v = 0
            for k in range(d):
                v += normals[f, k] * points[j, k]
            if v == -1:
                cnt += 1
                if cnt == 1:
                    a = f
                elif cnt == 2:
                    b = f
                else:
                    break
        if cnt == 1:
            total -= 1
        elif cnt == 2:
            g = 0
            for k in range(d):
                g = gcd(g, normals[a, k] - normals[b, k])
            total += g - 1
    return total


@njit
def hodge_kernel(raw: np.ndarray):
    """(status, h11, h21, l(Δ), vertices of Δ, l(Δ*), vertices of Δ*) for the points raw (n, 4).

    status: 0 ok, 1 not full-dimensional, 2 origin not interior, 3 not reflexive.
    """
    pts = distinct_rows(raw)
    normals, offsets, status = exact_hull(pts)
    if status != 0:
        return HODGE_NOT_FULL_DIM, 0, 0, 0, 0, 0, 0
    for f in range(offsets.shape[0]):
        if offsets[f] <= 0:
            return HODGE_ORIGIN_NOT_INTERIOR, 0, 0, 0, 0, 0, 0
    for f in range(offsets.shape[0]):
        if offsets[f] != 1:
            return HODGE_NOT_REFLEXIVE, 0, 0, 0, 0, 0, 0
    verts = pts[vertex_mask(pts, normals, offsets)]
    nv = verts.shape[0]
    nf = normals.shape[0]
    lo = np.empty(pts.shape[1], dtype=np.int64)
    hi = np.empty(pts.shape[1], dtype=np.int64)
    for k in range(pts.shape[1]):
        lo[k] = verts[:, k].min()
        hi[k] = verts[:, k].max()
    p_delta, nrm = _points_widest_last(normals, offsets, lo, hi)
    for k in range(pts.shape[1]):
        lo[k] = normals[:, k].min()
        hi[k] = normals[:, k].max()
    ones = np.ones(nv, dtype=np.int64)
    p_dual, vrt = _points_widest_last(verts, ones, lo, hi)
    h21 = _batyrev_side(p_delta, nrm)
    h11 = _batyrev_side(p_dual, vrt)
    return HODGE_OK, h11, h21, p_delta.shape[0], nv, p_dual.shape[0], nf


# ----------------------------------------------------------------------------- normal form


@njit
def _sorted_cmp(row, order, blocks, out_vals, out_order, best, have) -> int:
    """Sort row[order] descending inside each block, block by block, comparing with `best` as it
    goes: returns -1 as soon as the prefix is smaller (the rest is left unsorted), else 0 / +1."""
    n = order.shape[0]
    for j in range(n):
        out_order[j] = order[j]
        out_vals[j] = row[order[j]]
    cmp = 0 if have else 1
    start = 0
    while start < n:
        end = start + 1
        while end < n and blocks[end] == blocks[start]:
            end += 1
        for j in range(start + 1, end):
            v = out_vals[j]
            o = out_order[j]
            i = j - 1
            while i >= start and out_vals[i] < v:
                out_vals[i + 1] = out_vals[i]
                out_order[i + 1] = out_order[i]
                i -= 1
            out_vals[i + 1] = v
            out_order[i + 1] = o
        if cmp == 0:
            for j in range(start, end):
                if out_vals[j] != best[j]:
                    cmp = 1 if out_vals[j] > best[j] else -1
                    break
            if cmp < 0:
                return -1
        start = end
    return cmp


@njit
def pm_max_search(pm: np.ndarray):
    """Row-by-row search for the lexicographically maximal PM under row and column permutations.

    Returns (pm_max (F, n), orders (S, n)): every column order sigma with PM[rows, sigma] = pm_max
    (one per symmetry of the pairing matrix; see normal_form.py for the algorithm).
    """
    nf, n = pm.shape
    cap = 16
    used = np.zeros((cap, nf), dtype=np.bool_)
    order = np.zeros((cap, n), dtype=np.int64)
    blocks = np.zeros((cap, n), dtype=np.int64)
    for j in range(n):
        order[0, j] = j
    ns = 1
    pm_max = np.zeros((nf, n), dtype=np.int64)
    best = np.empty(n, dtype=np.int64)
    vals = np.empty(n, dtype=np.int64)
    tord = np.empty(n, dtype=np.int64)
    for level in range(nf):
        ncap = cap
        n_used = np.zeros((ncap, nf), dtype=np.bool_)
        n_order = np.zeros((ncap, n), dtype=np.int64)
        n_blocks = np.zeros((ncap, n), dtype=np.int64)
        nn = 0
        have = False
        for s in range(ns):
            for r in range(nf):
                if used[s, r]:
                    continue
                cmp = _sorted_cmp(pm[r], order[s], blocks[s], vals, tord, best, have)
                if cmp < 0:
                    continue
                if cmp > 0:
                    have = True
                    for j in range(n):
                        best[j] = vals[j]
                    nn = 0
                if nn == ncap:
                    ncap *= 2
                    u2 = np.zeros((ncap, nf), dtype=np.bool_)
                    o2 = np.zeros((ncap, n), dtype=np.int64)
                    b2 = np.zeros((ncap, n), dtype=np.int64)
                    u2[:nn] = n_used[:nn]
                    o2[:nn] = n_order[:nn]
                    b2[:nn] = n_blocks[:nn]
                    n_used, n_order, n_blocks = u2, o2, b2
                for k in range(nf):
                    n_used[nn, k] = used[s, k]
                n_used[nn, r] = True
                for j in range(n):
                    n_order[nn, j] = tord[j]
                # blocks are refined after the winners are known (they depend on `best`)
                for j in range(n):
                    n_blocks[nn, j] = blocks[s, j]
                nn += 1
        for t in range(nn):
            b = 0
            prev = n_blocks[t, 0]
            n_blocks[t, 0] = 0
            for j in range(1, n):
                cur = n_blocks[t, j]
                if cur != prev or best[j] != best[j - 1]:
                    b += 1
                prev = cur
                n_blocks[t, j] = b
        for j in range(n):
            pm_max[level, j] = best[j]
        used, order, blocks, cap, ns = n_used, n_order, n_blocks, ncap, nn
    return pm_max, order[:ns].copy()


@njit
def palp_pc_order(pm_max: np.ndarray) -> np.ndarray:
    """PALP's final column order: ascending (column max, column sum) by selection sort with swaps."""
    nf, n = pm_max.shape
    mx = np.empty(n, dtype=np.int64)
    sm = np.empty(n, dtype=np.int64)
    for j in range(n):
        mx[j] = pm_max[0, j]
        sm[j] = 0
        for i in range(nf):
            if pm_max[i, j] > mx[j]:
                mx[j] = pm_max[i, j]
            sm[j] += pm_max[i, j]
    pc = np.arange(n).astype(np.int64)
    for i in range(n):
        k = i
        for j in range(i + 1, n):
            if mx[j] < mx[k] or (mx[j] == mx[k] and sm[j] < sm[k]):
                k = j
        if k != i:
            mx[i], mx[k] = mx[k], mx[i]
            sm[i], sm[k] = sm[k], sm[i]
            pc[i], pc[k] = pc[k], pc[i]
    return pc


@njit
def normal_form_kernel(verts: np.ndarray, normals: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """min over the symmetries sigma of HNF(V[:, sigma o pc]) (row-major lexicographic): the
    (d, n) normal form of the polytope with vertices verts (n, d) and facets (normals, offsets)."""
    n, d = verts.shape
    nf = normals.shape[0]
    pm = np.empty((nf, n), dtype=np.int64)
    for f in range(nf):
        for j in range(n):
            v = offsets[f]
            for k in range(d):
                v += normals[f, k] * verts[j, k]
            pm[f, j] = v
    pm_max, orders = pm_max_search(pm)
    pc = palp_pc_order(pm_max)
    best = np.zeros((d, n), dtype=np.int64)
    m = np.empty((d, n), dtype=np.int64)
    for s in range(orders.shape[0]):
        for j in range(n):
            col = orders[s, pc[j]]
            for k in range(d):
                m[k, j] = verts[col, k]
        h = hermite_normal_form(m)
        if s == 0:
            best[:] = h
            continue
        less = False
        done = False
        for k in range(d):
            for j in range(n):
                if h[k, j] != best[k, j]:
                    less = h[k, j] < best[k, j]
                    done = True
                    break
            if done:
                break
        if less:
            best[:] = h
    return best


@njit
def normal_form_raw(raw: np.ndarray):
    """(status, normal form (d, n_vertices)) of conv(rows of raw); status 1 if not full-dimensional."""
    pts = distinct_rows(raw)
    normals, offsets, status = exact_hull(pts)
    if status != 0:
        return status, np.zeros((raw.shape[1], 0), dtype=np.int64)
    verts = pts[vertex_mask(pts, normals, offsets)]
    return 0, normal_form_kernel(verts, normals, offsets)
