"""Approximate projection onto a Dirichlet fundamental domain of S_m × S_n (Aslan, Platt, Sheard).

The Dirichlet domain of a generic reference point x0 is {x : ⟨x0, x⟩ >= ⟨x0, g·x⟩ for all g}.
π(x) climbs towards it: starting from x, repeatedly apply the generator (a transposition of two
adjacent rows or two adjacent columns) that increases s(x) = ⟨x0, x⟩ the most, until none
increases it strictly. The result is a local maximum of s on the orbit, not always the global one,
so π(g·x) = π(x) holds only for part of the inputs: measure it with `invariance_rate`.

What is guaranteed: π is a deterministic function of x (ties broken by the first generator),
π(x) lies in the orbit of x, and without restarts π is idempotent (a local maximum stays put).
With `restarts` > 0 the ascent also starts from fixed random images g_r·x (drawn once from
`seed`) and the best end point is kept; this raises the invariance rate but π(π(x)) = π(x) is
no longer guaranteed.
"""

from __future__ import annotations

import numpy as np

from orbitlearn.canon.base import RowColumnCanonicalizer
from orbitlearn.groups.algebra import Element


class Dirichlet(RowColumnCanonicalizer):
    """Greedy ascent of ⟨x0, g·x⟩ over adjacent row/column transpositions (approximate π for S_m × S_n)."""

    exact = False

    def __init__(
        self,
        seed: int = 0,
        restarts: int = 0,
        max_steps: int = 100_000,
        shape: tuple[int, int] | None = None,
        chunk: int = 4096,
        moves: str = "all",
        reference: str = "rank1",
    ):
        self.reference = reference
        self.moves = moves
        self.seed = seed
        self.restarts = restarts
        self.max_steps = max_steps
        self.shape = shape
        self.chunk = chunk

    def _check_params(self) -> None:
        if self.reference not in ("gaussian", "rank1"):
            raise ValueError(f"reference must be 'gaussian' or 'rank1', not {self.reference!r}")
        if self.moves not in ("all", "adjacent"):
            raise ValueError(f"moves must be 'all' or 'adjacent', not {self.moves!r}")

    def reference_point(self, m: int, n: int) -> np.ndarray:
        """The reference point x0 ∈ R^{m×n} from `seed`: i.i.d. normal entries, or u vᵀ ("rank1").

        Both have trivial stabiliser almost surely. With the rank-1 point ⟨x0, x⟩ = uᵀ x v, and a
        local maximum over column transpositions is a global one over column permutations
        (rearrangement inequality), so only the row part of the ascent can stop early.
        """
        rng = np.random.default_rng([self.seed, m, n])
        if self.reference == "rank1":
            return np.outer(rng.standard_normal(m), rng.standard_normal(n))
        return rng.standard_normal((m, n))

    def _starts(self, m: int, n: int) -> list[Element]:
        g = self.group(m, n)
        rng = np.random.default_rng([self.seed, m, n, 1])
        return [g.identity(), *g.sample(self.restarts, rng)]

    def _project(self, batch: np.ndarray) -> np.ndarray:
        return self.project_with_elements(batch)[0]

    def project_with_elements(self, batch: np.ndarray) -> tuple[np.ndarray, list[Element]]:
        """(π(batch), [g_b]) with π(x_b) = g_b · x_b, g_b = (row permutation, column permutation)."""
        x = np.asarray(batch)
        B, m, n = x.shape
        x0 = self.reference_point(m, n)
        best_score = np.full(B, -np.inf)
        best_r = np.zeros((B, m), np.int64)
        best_c = np.zeros((B, n), np.int64)
        for r0, c0 in self._starts(m, n):
            for s in range(0, B, self.chunk):
                blk = x[s : s + self.chunk]
                rr = np.tile(r0, (len(blk), 1))
                cc = np.tile(c0, (len(blk), 1))
                rr, cc, score = self._ascend(blk, x0, rr, cc)
                better = score > best_score[s : s + len(blk)] + 1e-9 * (1 + np.abs(score))
                idx = np.nonzero(better)[0] + s
                best_score[idx] = score[better]
                best_r[idx] = rr[better]
                best_c[idx] = cc[better]
        rows = np.take_along_axis(x, best_r[:, :, None], axis=1)
        out = np.take_along_axis(rows, best_c[:, None, :], axis=2)
        return out, [(best_r[i], best_c[i]) for i in range(B)]

    def _gains(self, c: np.ndarray, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Score gains of every allowed row move (b, m, m) and column move (b, n, n); -inf if not allowed."""
        b, m, n = c.shape
        # swap rows i, k: gain = R[i,k] + R[k,i] − R[i,i] − R[k,k], R = x0 · xᵀ
        r = np.einsum("ij,bkj->bik", x0, c)
        dr = np.diagonal(r, axis1=1, axis2=2)
        gr = r + r.transpose(0, 2, 1) - dr[:, :, None] - dr[:, None, :]
        # swap columns j, k: gain = M[j,k] + M[k,j] − M[j,j] − M[k,k], M = x0ᵀ · x
        mm = np.einsum("ij,bik->bjk", x0, c)
        dm = np.diagonal(mm, axis1=1, axis2=2)
        gc = mm + mm.transpose(0, 2, 1) - dm[:, :, None] - dm[:, None, :]
        if self.moves == "adjacent":
            gr = np.where(self._adjacent(m)[None], gr, -np.inf)
            gc = np.where(self._adjacent(n)[None], gc, -np.inf)
        return gr, gc

    @staticmethod
    def _adjacent(k: int) -> np.ndarray:
        i = np.arange(k)
        return np.abs(i[:, None] - i[None, :]) == 1

    def _ascend(
        self, blk: np.ndarray, x0: np.ndarray, rr: np.ndarray, cc: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        b, m, n = blk.shape
        xf = blk.astype(np.float64)
        cur = np.take_along_axis(np.take_along_axis(xf, rr[:, :, None], 1), cc[:, None, :], 2)
        active = np.arange(b)
        for _ in range(self.max_steps):
            if len(active) == 0:
                break
            c = cur[active]
            gr, gc = self._gains(c, x0)
            gains = np.concatenate([gr.reshape(len(c), -1), gc.reshape(len(c), -1)], axis=1)
            k = gains.argmax(axis=1)
            g = gains[np.arange(len(active)), k]
            scale = np.abs(c).sum(axis=(1, 2)) * np.abs(x0).max()
            move = g > 1e-9 * (1 + scale)
            if not move.any():
                break
            act, k = active[move], k[move]
            is_row = k < m * m
            ia, ka = act[is_row], k[is_row]
            if len(ia):
                i, j = np.divmod(ka, m)
                perm = np.tile(np.arange(m), (len(ia), 1))
                perm[np.arange(len(ia)), i] = j
                perm[np.arange(len(ia)), j] = i
                cur[ia] = np.take_along_axis(cur[ia], perm[:, :, None], 1)
                rr[ia] = np.take_along_axis(rr[ia], perm, 1)
            ic, kc = act[~is_row], k[~is_row] - m * m
            if len(ic):
                i, j = np.divmod(kc, n)
                perm = np.tile(np.arange(n), (len(ic), 1))
                perm[np.arange(len(ic)), i] = j
                perm[np.arange(len(ic)), j] = i
                cur[ic] = np.take_along_axis(cur[ic], perm[:, None, :], 2)
                cc[ic] = np.take_along_axis(cc[ic], perm, 1)
            active = act
        score = (cur * x0[None]).sum(axis=(1, 2))
        return rr, cc, score
