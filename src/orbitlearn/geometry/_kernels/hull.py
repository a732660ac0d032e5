"""The exact convex hull (beneath-beyond in integer arithmetic) and a brute-force cross-check."""

from __future__ import annotations

import numpy as np

from orbitlearn.geometry._jit import njit
from orbitlearn.geometry._kernels.linalg import (
    _rank_inplace,
    hyperplane_normal,
    hyperplane_normal_buf,
)


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
def _popcount(x: np.uint64) -> int:
    c = 0
    while x:
        x &= x - np.uint64(1)
        c += 1
    return c


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
    """Write the indices of the set bits of mask into out, ascending; return their number."""
    m = 0
    one = np.uint64(1)
    for w in range(mask.shape[0]):
        x = mask[w]
        while x:
            low = x & (~x + one)  # lowest set bit
            out[m] = w * 64 + _popcount(low - one)
            m += 1
            x ^= low
    return m


@njit
def exact_hull(pts: np.ndarray):
    """Facets of conv(pts), pts (n, d) distinct and full-dimensional, by exact beneath-beyond.

    Facets are kept as (primitive inner normal u, offset c) with <u, x> + c >= 0 and the bitmask
    of the processed points on their plane, so non-simplicial facets are single facets. Adding a
    point p: the facets it sees (<u, p> + c < 0) go; each ridge between a seen facet f and an
    unseen g spans with p a new facet, unless p is on g's plane (then g just grows). f and g
    meet in a ridge iff their common points have affine dimension d - 2: with exactly d - 1
    common points that is one rank test, with more it is "no third facet contains them all" (a
    face of lower dimension lies on at least three facets). The new plane meets the old hull in
    that ridge face only (the faces of the old hull through a ridge are the ridge, f and g, and p
    is on neither f's nor g's plane), so the new facet's points are the ridge's and p: no rescan,
    and no two ridges give the same new facet. Returns (normals, offsets, status): status 0 ok, 1 not
    full-dimensional.
    """
    n, d = pts.shape
    nw = (n + 63) // 64
    # initial simplex: greedy affinely independent points
    simp = np.empty(d + 1, dtype=np.int64)
    rankbuf = np.empty((n, d), dtype=np.int64)
    simp[0] = 0
    ns = 1
    for j in range(1, n):
        if ns == d + 1:
            break
        simp[ns] = j
        if _affine_rank_buf(pts, simp, ns + 1, rankbuf) == ns:
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
    vis = np.empty(cap, dtype=np.int64)
    above = np.empty(cap, dtype=np.int64)
    common = np.empty(nw, dtype=np.uint64)
    ridge = np.empty(n, dtype=np.int64)
    chosen = np.empty(d, dtype=np.int64)
    hdiff = np.empty((d - 1, d), dtype=np.int64)
    hminor = np.empty((d - 1, d - 1), dtype=np.int64)
    for p in range(n):
        if processed[p]:
            continue
        processed[p] = True
        if vals.shape[0] < cap:
            vals = np.empty(cap, dtype=np.int64)
        if vis.shape[0] < cap:
            vis = np.empty(cap, dtype=np.int64)
            above = np.empty(cap, dtype=np.int64)
        # every facet 0..nf-1 is alive here (the hull is compacted after each point)
        nvis = 0
        nabove = 0
        for f in range(nf):
            v = offsets[f]
            for k in range(d):
                v += normals[f, k] * pts[p, k]
            vals[f] = v
            if v < 0:
                vis[nvis] = f
                nvis += 1
            elif v > 0:
                above[nabove] = f
                nabove += 1
        pw = p // 64
        pb = np.uint64(1) << np.uint64(p % 64)
        if nvis == 0:
            for f in range(nf):
                if vals[f] == 0:
                    inc[f, pw] |= pb
            continue
        old_nf = nf
        for a in range(nvis):
            f = vis[a]
            # only facets strictly below p can give a new facet: when p is on g's plane, g
            # grows (below) and the ridge gives none
            for bb in range(nabove):
                g = above[bb]
                # at least d - 1 common points? (clear the lowest set bit d - 2 times)
                enough = False
                for w in range(nw):
                    common[w] = inc[f, w] & inc[g, w]
                if nw == 1:
                    x = common[0]
                    for _ in range(d - 2):
                        x &= x - np.uint64(1)
                    enough = x != 0
                else:
                    cnt = 0
                    for w in range(nw):
                        cnt += _popcount(common[w])
                    enough = cnt >= d - 1
                if not enough:
                    continue
                m = _mask_indices(common, ridge)
                if m > d - 1:
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
                # the new plane through p and d - 1 common points: with exactly d - 1 of them, a
                # ridge iff they are affinely independent, i.e. iff they and p (off f's plane,
                # which holds them) span a hyperplane (a nonzero normal); with more (a ridge),
                # the first d - 1 usually are independent, else independent ones are chosen
                for r in range(d - 1):
                    chosen[r] = ridge[r]
                chosen[d - 1] = p
                if not hyperplane_normal_buf(pts, chosen, u, hdiff, hminor):
                    if m == d - 1:
                        continue  # d - 1 common points on a lower-dimensional face: no ridge
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
                # the processed points on the new plane are the ridge's and p (the plane meets
                # the old hull in the ridge face only)
                for w in range(nw):
                    inc[nf, w] = common[w]
                inc[nf, pw] |= pb
                nf += 1
        for f in range(old_nf):
            if alive[f]:
                if vals[f] < 0:
                    alive[f] = False
                elif vals[f] == 0:
                    inc[f, pw] |= pb
        # compact after every point: later scans see only live facets
        if nf > 0:
            w = 0
            for f in range(nf):
                if alive[f]:
                    if w != f:
                        for k in range(d):
                            normals[w, k] = normals[f, k]
                        offsets[w] = offsets[f]
                        for k in range(nw):
                            inc[w, k] = inc[f, k]
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
