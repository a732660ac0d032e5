"""Hodge numbers of a reflexive 4-polytope's Calabi-Yau hypersurface (Batyrev's formula)."""

from __future__ import annotations

import numpy as np

from orbitlearn.geometry._jit import njit
from orbitlearn.geometry._kernels.hull import exact_hull
from orbitlearn.geometry._kernels.linalg import gcd
from orbitlearn.geometry._kernels.points import (
    _points_widest_last,
    distinct_rows,
    flat_points,
    vertex_mask,
)
from orbitlearn.limits import ENGINE_MAX_LINES

HODGE_OK = 0
HODGE_NOT_FULL_DIM = 1
HODGE_ORIGIN_NOT_INTERIOR = 2
HODGE_NOT_REFLEXIVE = 3
HODGE_TOO_LARGE = 4  # the point enumeration would scan more than ENGINE_MAX_LINES lattice lines
_MAX_LINES = ENGINE_MAX_LINES


@njit
def _box_lines(lo: np.ndarray, hi: np.ndarray) -> float:
    """Lattice lines `_points_widest_last` scans in the box [lo, hi]: the product of all its
    extents but the widest (as a float: no overflow)."""
    total = 1.0
    widest = 0.0
    for k in range(lo.shape[0]):
        e = float(hi[k] - lo[k] + 1)
        total *= e
        if e > widest:
            widest = e
    return total / widest


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

    status: 0 ok, 1 not full-dimensional, 2 origin not interior, 3 not reflexive, 4 a box of
    lattice points too large to scan (more than ENGINE_MAX_LINES lines, for Δ or Δ*).
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
    lo_dual = np.empty(pts.shape[1], dtype=np.int64)
    hi_dual = np.empty(pts.shape[1], dtype=np.int64)
    for k in range(pts.shape[1]):
        lo_dual[k] = normals[:, k].min()
        hi_dual[k] = normals[:, k].max()
    if _box_lines(lo, hi) > _MAX_LINES or _box_lines(lo_dual, hi_dual) > _MAX_LINES:
        return HODGE_TOO_LARGE, 0, 0, 0, 0, 0, 0
    p_delta, nrm = _points_widest_last(normals, offsets, lo, hi)
    ones = np.ones(nv, dtype=np.int64)
    p_dual, vrt = _points_widest_last(verts, ones, lo_dual, hi_dual)
    h21 = _batyrev_side(p_delta, nrm)
    h11 = _batyrev_side(p_dual, vrt)
    return HODGE_OK, h11, h21, p_delta.shape[0], nv, p_dual.shape[0], nf


@njit
def hodge_flat(values: np.ndarray, offsets: np.ndarray, rows: np.ndarray, cols: np.ndarray):
    """`hodge_kernel` over many point sets in one call: set i is values[offsets[i]:][:rows[i] *
    cols[i]] read as a rows[i] x cols[i] matrix, its columns the points (its rows when rows[i] >
    cols[i], the transposed layout). Returns (B, 7) int64: status, h11, h21, l(Δ), vertices of
    Δ, l(Δ*), vertices of Δ* (what `hodge_kernel` returns, one row per set)."""
    b = offsets.shape[0]
    out = np.zeros((b, 7), dtype=np.int64)
    for i in range(b):
        pts = flat_points(values, offsets[i], rows[i], cols[i])
        status, h11, h21, mp, mv, np_, nv = hodge_kernel(pts)
        out[i, 0] = status
        out[i, 1] = h11
        out[i, 2] = h21
        out[i, 3] = mp
        out[i, 4] = mv
        out[i, 5] = np_
        out[i, 6] = nv
    return out
