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

from orbitlearn.canon.base import RowColumnCanonicalizer
from orbitlearn.groups.algebra import Element

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


class LexCanonical(RowColumnCanonicalizer):
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
        row_idx = np.empty((B, work.shape[1]), dtype=np.int64) if elements else None
        col_idx = np.empty((B, work.shape[2]), dtype=np.int64) if elements else None
        step = max(1, self.chunk)
        for s in range(0, B, step):
            blk = work[s : s + step]
            res, r, c = self._chunk(blk, perms, elements)
            out[s : s + len(blk)] = res
            if elements:
                row_idx[s : s + len(blk)] = r
                col_idx[s : s + len(blk)] = c
        if transpose:
            out = np.swapaxes(out, 1, 2)
            row_idx, col_idx = col_idx, row_idx
        elems = [(row_idx[i], col_idx[i]) for i in range(B)] if elements else None
        return np.ascontiguousarray(out), elems

    @staticmethod
    def _chunk(
        blk: np.ndarray, perms: np.ndarray, elements: bool
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """(π of a chunk with m <= n, chosen row permutations (b, m), column orders (b, n))."""
        b, m, n = blk.shape
        if b == 0:
            return blk.copy(), np.zeros((0, m), np.int64), np.zeros((0, n), np.int64)
        vals = None
        if np.issubdtype(blk.dtype, np.integer):
            lo = int(blk.min())
            base = int(blk.max()) - lo + 1
            digits = blk.astype(np.int64) - lo
        else:
            lo = 0
            vals, inv = np.unique(blk, return_inverse=True)
            base = len(vals)
            digits = inv.reshape(blk.shape).astype(np.int64)
        bits = m * math.log2(max(base, 2))
        if bits < 52:
            # key[p, col] = Σ_i base^(m-1-i) digits[perm_p[i], col] = (K @ digits)[p, col]
            w = float(base) ** np.arange(m - 1, -1, -1)
            kmat = np.zeros((len(perms), m))
            kmat[np.arange(len(perms))[:, None], perms] = w[None, :]
            keys = np.rint(kmat @ digits.astype(np.float64)).astype(np.int64)  # (b, p, n), exact
            skeys = np.sort(keys, axis=-1)[..., ::-1]
            choice = _lex_argmax(_pack(skeys, bits))
            best = skeys[np.arange(b), choice]  # (b, n) descending column keys
            dec = (
                best[:, None, :]
                // (base ** np.arange(m - 1, -1, -1, dtype=np.int64))[None, :, None]
            ) % base
            res = (vals[dec] if vals is not None else dec + lo).astype(blk.dtype)
            if not elements:
                return res, None, None
            order = np.argsort(-keys[np.arange(b), choice], axis=-1, kind="stable")
            return res, perms[choice], order
        # lexsort path: sort columns of every (b, p) matrix by all m rows, descending
        xp = digits[:, perms, :]  # (b, p, m, n)
        p = len(perms)
        cols = xp.transpose(0, 1, 3, 2).reshape(b * p * n, m)
        group_id = np.repeat(np.arange(b * p), n)
        flat = np.lexsort([-cols[:, i] for i in range(m - 1, -1, -1)] + [group_id])
        order_all = (flat.reshape(b * p, n) % n).reshape(b, p, n)
        sx = np.take_along_axis(xp, order_all[:, :, None, :], axis=-1)
        choice = _lex_argmax_multi(sx)
        rows, order = perms[choice], order_all[np.arange(b), choice]
        res = np.take_along_axis(np.take_along_axis(blk, rows[:, :, None], 1), order[:, None, :], 2)
        return res, rows, order


def _pack(keys: np.ndarray, bits: float) -> np.ndarray:
    """Pack consecutive keys of `bits` bits each into int64 words, order preserved (fewer comparisons)."""
    width = int(math.ceil(bits)) or 1
    per = max(1, 62 // width)
    if per == 1:
        return keys
    b, p, n = keys.shape
    words = -(-n // per)
    pad = words * per - n
    if pad:
        keys = np.concatenate([keys, np.zeros((b, p, pad), np.int64)], axis=-1)
    k = keys.reshape(b, p, words, per)
    shifts = (width * np.arange(per - 1, -1, -1)).astype(np.int64)
    return (k << shifts).sum(axis=-1)
