"""PALP's normal form: the pairing-matrix search and the Hermite-normal-form minimum."""

from __future__ import annotations

import numpy as np

from orbitlearn.geometry._jit import njit
from orbitlearn.geometry._kernels.hull import exact_hull
from orbitlearn.geometry._kernels.linalg import hermite_normal_form
from orbitlearn.geometry._kernels.points import distinct_rows, flat_points, vertex_mask


@njit
def _insertion_sort_desc(vals, order, start: int, end: int) -> None:
    """Sort vals[start:end] descending (stable), order alongside."""
    for j in range(start + 1, end):
        v = vals[j]
        o = order[j]
        i = j - 1
        while i >= start and vals[i] < v:
            vals[i + 1] = vals[i]
            order[i + 1] = order[i]
            i -= 1
        vals[i + 1] = v
        order[i + 1] = o


@njit
def _sorted_cmp(pm, r, orders, s, blocks, out_vals, out_order, best, have) -> int:
    """Sort row r of pm, in column order orders[s], descending inside each block (blocks[s]),
    block by block, comparing with `best` as it goes (arrays and indices rather than views:
    this runs per candidate): returns -1 as soon as the prefix is smaller (out_vals / out_order then hold only the
    part looked at), else 0 / +1 with the sorted row and its column order in out_vals /
    out_order.

    A block is copied out of the row only when it is reached, so a candidate dropped early costs
    little. While the prefix still ties with `best`, each position is filled by selection (the
    largest remaining value of its block, the first of equals), so a smaller candidate is
    dropped at its first smaller entry without sorting the rest; once it is larger, the rest is
    insertion-sorted. Both give the stable descending order."""
    n = orders.shape[1]
    cmp = 0 if have else 1
    start = 0
    while start < n:
        end = start + 1
        b = blocks[s, start]
        while end < n and blocks[s, end] == b:
            end += 1
        for j in range(start, end):
            o = orders[s, j]
            out_order[j] = o
            out_vals[j] = pm[r, o]
        if cmp != 0:
            _insertion_sort_desc(out_vals, out_order, start, end)
        else:
            for j in range(start, end):
                k = j
                for i in range(j + 1, end):
                    if out_vals[i] > out_vals[k]:
                        k = i
                if k != j:  # move the first maximum to j, keeping the others' order (stable)
                    v = out_vals[k]
                    o = out_order[k]
                    for i in range(k, j, -1):
                        out_vals[i] = out_vals[i - 1]
                        out_order[i] = out_order[i - 1]
                    out_vals[j] = v
                    out_order[j] = o
                if out_vals[j] != best[j]:
                    if out_vals[j] < best[j]:
                        return -1
                    cmp = 1
                    _insertion_sort_desc(out_vals, out_order, j + 1, end)
                    break
        start = end
    return cmp


@njit
def _counted_cmp(pm, r, hist, best_hist, out_vals, out_order, have) -> int:
    """`_sorted_cmp` for the first row of the search (one block, the identity order) when the
    values are small non-negative integers: rows are compared by their value counts, highest
    value first (more of a higher value sorts larger), and a kept row is sorted by a stable
    counting sort (descending, equal values in column order). best_hist holds the counts of the
    best row so far and is updated when this row beats it."""
    n = pm.shape[1]
    top = hist.shape[0] - 1
    for v in range(top + 1):
        hist[v] = 0
    for j in range(n):
        hist[pm[r, j]] += 1
    cmp = 1
    if have:
        cmp = 0
        for v in range(top, -1, -1):
            if hist[v] != best_hist[v]:
                if hist[v] < best_hist[v]:
                    return -1
                cmp = 1
                break
    if cmp > 0:
        for v in range(top + 1):
            best_hist[v] = hist[v]
    pos = 0
    for v in range(top, -1, -1):  # counts -> first position of each value
        c = hist[v]
        hist[v] = pos
        pos += c
    for j in range(n):
        v = pm[r, j]
        q = hist[v]
        out_order[q] = j
        out_vals[q] = v
        hist[v] = q + 1
    return cmp


@njit
def pm_max_search(pm: np.ndarray):
    """Row-by-row search for the lexicographically maximal PM under row and column permutations.

    Returns (pm_max (F, n), orders (S, n)): every column order sigma with PM[rows, sigma] = pm_max
    (one per symmetry of the pairing matrix; see normal_form.py for the algorithm).
    """
    nf, n = pm.shape
    cap = 16
    # two generations of search states (used rows, column order, blocks), swapped every level
    used = np.zeros((cap, nf), dtype=np.bool_)
    order = np.zeros((cap, n), dtype=np.int64)
    blocks = np.zeros((cap, n), dtype=np.int64)
    n_used = np.zeros((cap, nf), dtype=np.bool_)
    n_order = np.zeros((cap, n), dtype=np.int64)
    n_blocks = np.zeros((cap, n), dtype=np.int64)
    for j in range(n):
        order[0, j] = j
    ns = 1
    pm_max = np.zeros((nf, n), dtype=np.int64)
    best = np.empty(n, dtype=np.int64)
    vals = np.empty(n, dtype=np.int64)
    tord = np.empty(n, dtype=np.int64)
    lo = 0
    hi = 0
    for f in range(nf):
        for j in range(n):
            lo = min(lo, pm[f, j])
            hi = max(hi, pm[f, j])
    counting = lo >= 0 and hi <= 4 * n  # the first row by value counts (always, for vertices)
    hist = np.zeros(hi + 1 if counting else 1, dtype=np.int64)
    best_hist = np.zeros(hist.shape[0], dtype=np.int64)
    for level in range(nf):
        nn = 0
        have = False
        for s in range(ns):
            single = blocks[s, n - 1] == n - 1  # block ids count up: all blocks of one column
            for r in range(nf):
                if used[s, r]:
                    continue
                if level == 0 and counting:
                    cmp = _counted_cmp(pm, r, hist, best_hist, vals, tord, have)
                elif single:  # the sorted row is the row in this order: compared in place
                    # (written out here: a call per candidate costs more than the comparison)
                    cmp = 0 if have else 1
                    if have:
                        for j in range(n):
                            v = pm[r, order[s, j]]
                            if v != best[j]:
                                cmp = 1 if v > best[j] else -1
                                break
                    if cmp < 0:
                        continue
                    for j in range(n):
                        tord[j] = order[s, j]
                        vals[j] = pm[r, tord[j]]
                else:
                    cmp = _sorted_cmp(pm, r, order, s, blocks, vals, tord, best, have)
                if cmp < 0:
                    continue
                if cmp > 0:
                    have = True
                    for j in range(n):
                        best[j] = vals[j]
                    nn = 0
                if nn == n_used.shape[0]:
                    grow = 2 * nn
                    u2 = np.zeros((grow, nf), dtype=np.bool_)
                    o2 = np.zeros((grow, n), dtype=np.int64)
                    b2 = np.zeros((grow, n), dtype=np.int64)
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
        used, n_used = n_used, used
        order, n_order = n_order, order
        blocks, n_blocks = n_blocks, blocks
        ns = nn
        if n_used.shape[0] < used.shape[0]:  # the spare generation keeps up with the capacity
            n_used = np.zeros(used.shape, dtype=np.bool_)
            n_order = np.zeros(order.shape, dtype=np.int64)
            n_blocks = np.zeros(blocks.shape, dtype=np.int64)
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


@njit
def normal_form_flat(values: np.ndarray, offsets: np.ndarray, rows: np.ndarray, cols: np.ndarray):
    """`normal_form_raw` over many point sets in one call (stored as for `hodge_flat`: set i is
    values[offsets[i]:][:rows[i] * cols[i]], rows[i] x cols[i], its columns the points, or its
    rows when rows[i] > cols[i]). Returns (status (B,), n_vertices (B,), forms): the normal form
    of set i is forms[start:start + d * n_vertices[i]], start the sum of the earlier sets'
    d * n_vertices, d = min(rows[i], cols[i]), in the set's layout: the (d, n_vertices) matrix
    row by row, or its transpose row by row when rows[i] > cols[i]."""
    b = offsets.shape[0]
    status = np.zeros(b, dtype=np.int64)
    nverts = np.zeros(b, dtype=np.int64)
    total = 0
    for i in range(b):
        total += rows[i] * cols[i]
    forms = np.empty(total, dtype=np.int64)
    w = 0
    for i in range(b):
        pts = flat_points(values, offsets[i], rows[i], cols[i])
        st, nf = normal_form_raw(pts)
        status[i] = st
        if st != 0:
            continue
        d, nv = nf.shape
        nverts[i] = nv
        if rows[i] > cols[i]:  # the transposed layout: one vertex a row
            for j in range(nv):
                for k in range(d):
                    forms[w] = nf[k, j]
                    w += 1
        else:
            for k in range(d):
                for j in range(nv):
                    forms[w] = nf[k, j]
                    w += 1
    return status, nverts, forms[:w]
