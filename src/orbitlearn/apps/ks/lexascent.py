"""The Dirichlet projection of the published Kreuzer–Skarke study: a lexicographic hill climb.

Ewert et al. (Phys. Lett. B 858 (2024) 138996; repository danielplatt/kreuzer-skarke-ML,
utils/projections.py) project a matrix towards a fundamental domain of S_m × S_n by first-
improvement hill climbing: the generators are the adjacent row transpositions (rows 0↔1, 1↔2,
...) and then the adjacent column transpositions, scanned in that order; the first generator that
makes the matrix larger in the lexicographic order of its row-major entries is applied and the
scan starts again; the climb stops when no generator improves it. Swapping adjacent rows i, i+1
improves the matrix exactly when row i+1 is lexicographically larger than row i; swapping adjacent
columns j, j+1 improves it exactly when column j+1 (read top to bottom) is larger than column j.
So the end point has its rows, and its columns, in descending lexicographic order. Which such
matrix is reached depends on the start: the projection is approximate (`exact = False`), and the
study's "+ π" rows use it. The climb is computed here for a whole batch at once.
"""

from __future__ import annotations

import numpy as np

from orbitlearn.canon.base import RowColumnCanonicalizer

MAX_STEPS = 1_000_000


def _first_greater(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether a > b lexicographically along the last axis (elementwise over leading axes)."""
    diff = (
        np.sign(a.astype(np.int64) - b.astype(np.int64))
        if a.dtype.kind in "biu"
        else np.sign(a - b)
    )
    nonzero = diff != 0
    first = np.argmax(nonzero, axis=-1)
    value = np.take_along_axis(diff, first[..., None], axis=-1)[..., 0]
    return nonzero.any(axis=-1) & (value > 0)


class LexAscentDirichlet(RowColumnCanonicalizer):
    """The study's Dirichlet projection (see the module docstring) for (B, m, n) batches of any size.

    Parameters
    ----------
    shape : (m, n), optional
        Only needed by `transform` for flattened (B, m·n) input.
    chunk : int
        Matrices climbed at once.
    """

    exact = False

    def __init__(self, shape: tuple[int, int] | None = None, chunk: int = 8192):
        self.shape = shape
        self.chunk = chunk

    def _project(self, batch: np.ndarray) -> np.ndarray:
        x = np.array(batch, copy=True)
        for s in range(0, len(x), max(1, int(self.chunk))):
            x[s : s + self.chunk] = self._climb(x[s : s + self.chunk])
        return x

    @staticmethod
    def _climb(x: np.ndarray) -> np.ndarray:
        b, m, n = x.shape
        active = np.arange(b)
        for _ in range(MAX_STEPS):
            if len(active) == 0:
                return x
            cur = x[active]
            # improving moves in scan order: row swaps (m - 1), then column swaps (n - 1)
            rows_up = _first_greater(cur[:, 1:, :], cur[:, :-1, :])  # (a, m - 1)
            cols_up = _first_greater(
                np.swapaxes(cur, 1, 2)[:, 1:, :], np.swapaxes(cur, 1, 2)[:, :-1, :]
            )  # (a, n - 1)
            moves = np.concatenate([rows_up, cols_up], axis=1)
            has = moves.any(axis=1)
            if not has.any():
                return x
            which = np.argmax(moves, axis=1)
            idx = active[has]
            k = which[has]
            row = k < m - 1
            for i in np.unique(k[row]):
                sel = idx[row & (k == i)]
                x[sel, i], x[sel, i + 1] = x[sel, i + 1].copy(), x[sel, i].copy()
            for kk in np.unique(k[~row]):
                j = kk - (m - 1)
                sel = idx[~row & (k == kk)]
                x[sel, :, j], x[sel, :, j + 1] = x[sel, :, j + 1].copy(), x[sel, :, j].copy()
            active = idx
        raise RuntimeError("the lexicographic climb did not stop")  # pragma: no cover


__all__ = ["LexAscentDirichlet"]
