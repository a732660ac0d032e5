"""Exact lexicographic canonical form of a matrix under S_m × S_n (permute rows and columns).

π(X) = max over row permutations P of sortcols(P X), where sortcols sorts the columns in
decreasing lexicographic order (top entry first) and matrices with sorted columns are compared
column by column (column-major lexicographic order). For any Y = σ X τ in the orbit the set
{sortcols(P Y)} equals {sortcols(P X)} (sorting erases τ, and P σ runs over all of S_m), so π
is a function of the orbit; equal columns are interchangeable, and two row permutations that
reach the same maximum give the same matrix, so ties change nothing.

Vectorised over the batch and the m! row permutations: values are replaced by their rank
among the batch's distinct values (an order-preserving injective map, so the comparison is
unchanged, and floats work too), each column is packed into one int64 key
Σ_i rank_i · base^(m−1−i) and sorted; when base^m does not fit in int64 a lexsort path is used.
The permuted axis is the shorter one (rows when m <= n; the transpose otherwise).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from orbitlearn.canon.base import Canonicalizer
from orbitlearn.groups.base import Element, Group
from orbitlearn.groups.concrete import Permutation, Product

MAX_PERMUTATIONS = 5040  # 7!


def _lex_argmax(keys: np.ndarray) -> np.ndarray:
    """Index of the lexicographically largest row of keys[b] (shape (b, p, n)) for every b."""
    b, p, n = keys.shape
    alive = np.ones((b, p), dtype=bool)
    for j in range(n):
        col = np.where(alive, keys[:, :, j], np.iinfo(np.int64).min)
        best = col.max(axis=1, keepdims=True)
        alive &= col == best
    return alive.argmax(axis=1)


def _lex_argmax_multi(sorted_x: np.ndarray) -> np.ndarray:
    """Same as `_lex_argmax` for matrices (b, p, m, n) compared column by column, top entry first."""
    b, p, m, n = sorted_x.shape
    alive = np.ones((b, p), dtype=bool)
    for j in range(n):
        for i in range(m):
            col = np.where(alive, sorted_x[:, :, i, j], np.iinfo(np.int64).min)
            best = col.max(axis=1, keepdims=True)
            alive &= col == best
    return alive.argmax(axis=1)


class LexCanonical(Canonicalizer):
    """Exact canonical form for S_m × S_n: the lexicographically largest column-sorted row permutation.

    Parameters
    ----------
    shape : (m, n), optional
        Only needed by `transform` for flattened (B, m·n) input.
    chunk : int
        Matrices processed at once (memory ~ chunk · m! · m · n · 8 bytes).
    """

    exact = True

    def __init__(self, shape: tuple[int, int] | None = None, chunk: int = 2048):
        self.shape = shape
        self.chunk = chunk

    def group(self, m: int | None = None, n: int | None = None) -> Group:
        """S_m × S_n on the last two axes (m, n default to `shape`, else 4 × 26)."""
        if m is None or n is None:
            m, n = self.shape if self.shape is not None else (4, 26)
        return Product(Permutation(m, axis=-2), Permutation(n, axis=-1))

    def _project(self, batch: np.ndarray) -> np.ndarray:
        return self.project_with_elements(batch, elements=False)[0]

    def project_with_elements(
        self, batch: np.ndarray, elements: bool = True
    ) -> tuple[np.ndarray, list[Element] | None]:
        """(π(batch), [g_b]) with π(x_b) = g_b · x_b and g_b = (row permutation, column permutation)."""
        x = np.asarray(batch)
        if x.ndim != 3:
            raise ValueError(f"LexCanonical expects a (B, m, n) batch, got shape {x.shape}")
        B, m, n = x.shape
        transpose = m > n
        work = np.swapaxes(x, 1, 2) if transpose else x
        small = work.shape[1]
        if math.factorial(small) > MAX_PERMUTATIONS:
            raise ValueError(
                f"LexCanonical enumerates the {small}! permutations of the shorter axis; "
                f"{small} > 7 is too many"
            )
        perms = np.asarray(list(itertools.permutations(range(small))), dtype=np.int64)
        out = np.empty_like(work)
        row_idx = np.empty((B, work.shape[1]), dtype=np.int64)
        col_idx = np.empty((B, work.shape[2]), dtype=np.int64)
        for s in range(0, B, max(1, self.chunk)):
            blk = work[s : s + self.chunk]
            r, c = self._chunk(blk, perms)
            row_idx[s : s + len(blk)] = r
            col_idx[s : s + len(blk)] = c
            rows = np.take_along_axis(blk, r[:, :, None], axis=1)
            out[s : s + len(blk)] = np.take_along_axis(rows, c[:, None, :], axis=2)
        if transpose:
            out = np.swapaxes(out, 1, 2)
            row_idx, col_idx = col_idx, row_idx
        elems = [(row_idx[i], col_idx[i]) for i in range(B)] if elements else None
        return np.ascontiguousarray(out), elems

    @staticmethod
    def _chunk(blk: np.ndarray, perms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Chosen row permutation (b, m) and column order (b, n) for a chunk with m <= n."""
        b, m, n = blk.shape
        if b == 0:
            return np.zeros((0, m), np.int64), np.zeros((0, n), np.int64)
        vals, inv = np.unique(blk, return_inverse=True)
        ranks = inv.reshape(blk.shape).astype(np.int64)
        base = len(vals)
        xp = ranks[:, perms, :]  # (b, p, m, n)
        if m * math.log2(max(base, 2)) < 62:
            weights = base ** np.arange(m - 1, -1, -1, dtype=np.int64)
            keys = np.einsum("bpin,i->bpn", xp, weights)
            order = np.argsort(-keys, axis=-1)
            skeys = np.take_along_axis(keys, order, axis=-1)
            choice = _lex_argmax(skeys)
        else:  # lexsort path: sort columns of every (b, p) matrix by all m rows, descending
            p = len(perms)
            cols = xp.transpose(0, 1, 3, 2).reshape(b * p * n, m)
            group_id = np.repeat(np.arange(b * p), n)
            sort_keys = [-cols[:, i] for i in range(m - 1, -1, -1)] + [group_id]
            flat = np.lexsort(sort_keys)
            order = (flat.reshape(b * p, n) % n).reshape(b, p, n)
            sx = np.take_along_axis(xp, order[:, :, None, :], axis=-1)
            choice = _lex_argmax_multi(sx)
        ar = np.arange(b)
        return perms[choice], order[ar, choice]
