"""Lattice reduction of a point matrix: a GL(d,Z) image with small coordinates.

Hodge numbers, point counts and normal forms are GL(d,Z)-invariant, so the engine may work on
U·V for any unimodular U. LLL-reducing the d rows of V (a basis of a rank-d lattice in Z^n)
finds one with short rows, i.e. small coordinates: a GL(4,Z) image of a small polytope with
coordinates in the thousands comes back to coordinates near the original ones, and the cost of
enumerating lattice points (a box of lattice lines) falls with it.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def box_lines(mat: np.ndarray) -> int:
    """Lattice lines the point enumeration scans for the points (columns of `mat`, (d, n)): the
    product of the d-1 smallest coordinate extents of the bounding box (the widest is last)."""
    mat = np.asarray(mat)
    extents = sorted(int(a) - int(b) + 1 for a, b in zip(mat.max(axis=1), mat.min(axis=1)))
    out = 1
    for e in extents[:-1]:
        out *= e
    return out


def lll_rows(mat: np.ndarray, delta: Fraction = Fraction(3, 4)) -> np.ndarray:
    """U·mat for a unimodular U making the rows of `mat` ((d, n) integers, rows linearly
    independent) an LLL-reduced basis of the lattice they span (exact rational arithmetic)."""
    return lll_basis(mat, delta)[1]


def lll_basis(mat: np.ndarray, delta: Fraction = Fraction(3, 4)) -> tuple[np.ndarray, np.ndarray]:
    """(U, U·mat) of `lll_rows`, U the (d, d) unimodular matrix (object arrays of ints)."""
    b = [[int(x) for x in row] for row in np.asarray(mat)]
    k = len(b)
    u = [[int(i == j) for j in range(k)] for i in range(k)]  # the same row operations

    def gram_schmidt() -> tuple[list[list[Fraction]], list[Fraction]]:
        mu = [[Fraction(0)] * k for _ in range(k)]
        star: list[list[Fraction]] = []
        norms: list[Fraction] = []
        for i in range(k):
            v = [Fraction(x) for x in b[i]]
            for j in range(i):
                mu[i][j] = sum(Fraction(x) * y for x, y in zip(b[i], star[j])) / norms[j]
                v = [x - mu[i][j] * y for x, y in zip(v, star[j])]
            star.append(v)
            norms.append(sum(x * x for x in v))
        return mu, norms

    mu, norms = gram_schmidt()
    i = 1
    steps = 0
    while i < k and steps < 10_000:
        steps += 1
        for j in range(i - 1, -1, -1):  # size reduction
            q = round(mu[i][j])
            if q:
                b[i] = [x - q * y for x, y in zip(b[i], b[j])]
                u[i] = [x - q * y for x, y in zip(u[i], u[j])]
                mu, norms = gram_schmidt()
        if norms[i] >= (delta - mu[i][i - 1] ** 2) * norms[i - 1]:
            i += 1
        else:
            b[i], b[i - 1] = b[i - 1], b[i]
            u[i], u[i - 1] = u[i - 1], u[i]
            mu, norms = gram_schmidt()
            i = max(i - 1, 1)
    return np.array(u, dtype=object), np.array(b, dtype=object)


def unimodular_inverse(u: np.ndarray) -> np.ndarray:
    """The integer inverse of a unimodular (d, d) matrix (exact: Gauss-Jordan over fractions)."""
    k = len(u)
    a = [[Fraction(int(x)) for x in row] + [Fraction(int(i == j)) for j in range(k)]
         for i, row in enumerate(u)]  # fmt: skip
    for c in range(k):
        p = next(r for r in range(c, k) if a[r][c] != 0)
        a[c], a[p] = a[p], a[c]
        a[c] = [x / a[c][c] for x in a[c]]
        for r in range(k):
            if r != c and a[r][c] != 0:
                f = a[r][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    return np.array([[int(x) for x in row[k:]] for row in a], dtype=object)


def reduced(mat: np.ndarray) -> np.ndarray:
    """`mat` ((d, n) int64 points as columns) with its rows LLL-reduced, when that shrinks the
    box of lattice lines; `mat` itself otherwise. Returned as int64 (reduction never grows the
    rows beyond what int64 holds for inputs within the engine's coordinate limits)."""
    out = lll_rows(mat)
    small = np.array(out.tolist(), dtype=np.int64)
    return small if box_lines(small) < box_lines(mat) else mat
