"""Normal form of lattice polytopes under GL(d, Z) x S_n (the algorithm of PALP's ``poly.x -N``).

1. The pairing matrix PM[f, j] = ⟨u_f, v_j⟩ + c_f is made lexicographically maximal (row-major)
   under row and column permutations. The search goes row by row: a state is a sequence of rows
   chosen so far plus an ordered partition of the columns into blocks that those rows cannot tell
   apart; the next row is any unused row, its entries sorted descending inside each block; only
   states whose new row is the maximum over all states survive (ties are kept: they are the
   symmetries). At the end every block is one column, and each surviving state is a column order
   sigma with PM[rows, sigma] = PM_max; together they are all of them (a coset of Aut(PM_max)).
2. The columns of PM_max are then ordered by (column maximum, column sum), ascending, by the
   selection sort PALP uses; for each sigma the vertex matrix in that column order is put in
   Hermite normal form (row operations = GL(d, Z)); the lexicographically smallest is the normal form.

Cost: O(F^2 n log n) per surviving state for the search (F facets, n vertices), plus one HNF,
O(d^2 n), per symmetry of the pairing matrix.
"""

from __future__ import annotations

import numpy as np

from orbitlearn.errors import GeometryError
from orbitlearn.geometry import _kernels as K
from orbitlearn.geometry.polytope import LatticePolytope, as_point_matrix


def pm_max_orders(pm: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """(PM_max, column orders sigma with PM_max = PM[rows, sigma]) for a pairing matrix PM (F, n).

    PM_max is the lexicographic (row-major) maximum of PM under row and column permutations;
    all sigma achieving it are returned (one per symmetry), each an int array of length n.
    """
    pm = np.asarray(pm, dtype=np.int64)
    nf, n = pm.shape
    big = int(np.abs(pm).max()) * 2 + 3
    # state: (unused-row mask, column order, block id per position along the order)
    states = [(np.ones(nf, dtype=bool), np.arange(n), np.zeros(n, dtype=np.int64))]
    rows_max = []
    for _ in range(nf):
        cand_rows = []
        cand_meta = []
        for si, (unused, order, blocks) in enumerate(states):
            r_idx = np.flatnonzero(unused)
            sub = pm[r_idx][:, order]
            key = blocks[None, :] * big - sub  # blocks ascend along the order; values descend
            perm = np.argsort(key, axis=1, kind="stable")
            srt = np.take_along_axis(sub, perm, axis=1)
            cand_rows.append(srt)
            cand_meta.extend((si, int(r), perm[i]) for i, r in enumerate(r_idx))
        allrows = np.concatenate(cand_rows, axis=0)
        best_i = np.lexsort(allrows.T[::-1])[-1]
        best = allrows[best_i]
        winners = np.flatnonzero(np.all(allrows == best, axis=1))
        rows_max.append(best)
        new_states = []
        for w in winners:
            si, r, perm = cand_meta[w]
            unused, order, blocks = states[si]
            new_order = order[perm]
            # refine: a new block starts where the old block or the value changes
            change = np.empty(n, dtype=bool)
            change[0] = False
            change[1:] = (blocks[1:] != blocks[:-1]) | (best[1:] != best[:-1])
            new_blocks = np.cumsum(change)
            nu = unused.copy()
            nu[r] = False
            new_states.append((nu, new_order, new_blocks))
        states = new_states
    pm_max = np.array(rows_max, dtype=np.int64)
    orders = []
    seen = set()
    for _, order, blocks in states:
        if blocks[-1] != n - 1:
            raise GeometryError("pairing matrix has two equal columns: repeated vertices")
        t = order.tobytes()
        if t not in seen:
            seen.add(t)
            orders.append(order)
    return pm_max, orders


def palp_column_order(pm_max: np.ndarray) -> np.ndarray:
    """PALP's final column order of PM_max: ascending by (column max, column sum), by selection
    sort with swaps (its tie order is part of the definition)."""
    n = pm_max.shape[1]
    mx = pm_max.max(axis=0).tolist()
    sm = pm_max.sum(axis=0).tolist()
    pc = list(range(n))
    for i in range(n):
        k = i
        for j in range(i + 1, n):
            if mx[j] < mx[k] or (mx[j] == mx[k] and sm[j] < sm[k]):
                k = j
        if k != i:
            mx[i], mx[k] = mx[k], mx[i]
            sm[i], sm[k] = sm[k], sm[i]
            pc[i], pc[k] = pc[k], pc[i]
    return np.array(pc, dtype=np.int64)


def normal_form_of_polytope(p: LatticePolytope) -> np.ndarray:
    """min over sigma in Aut-coset of HNF(V[:, sigma o pc]) — the canonical (d, n) vertex matrix."""
    return p.normal_form()


def normal_form_reference(p: LatticePolytope) -> np.ndarray:
    """The same normal form by the plain numpy search above (slower; a cross-check for the kernel)."""
    verts = p._verts  # (n, d)
    pm_max, orders = pm_max_orders(p.pairing_matrix())
    pc = palp_column_order(pm_max)
    best = None
    for sigma in orders:
        cols = sigma[pc]
        h = K.hermite_normal_form(np.ascontiguousarray(verts[cols].T))
        if best is None or _lex_less(h, best):
            best = h
    return best


def _lex_less(a: np.ndarray, b: np.ndarray) -> bool:
    diff = np.flatnonzero(a.ravel() != b.ravel())
    return bool(len(diff)) and a.ravel()[diff[0]] < b.ravel()[diff[0]]


def normal_form(vertices: np.ndarray) -> np.ndarray:
    """Canonical representative of conv(columns) under GL(d, Z) x S_n: (d, n_vertices) int64.

    Equal for lattice-equivalent polytopes, different otherwise; non-vertex and repeated
    columns are dropped, so the result has one column per vertex.
    """
    mat = as_point_matrix(vertices)
    status, nf = K.normal_form_raw(np.ascontiguousarray(mat.T))
    if status != 0:
        # the class gives the precise message (which dimension the points span)
        LatticePolytope(mat)
        raise GeometryError("not full-dimensional")
    return nf


def normal_forms(batch: np.ndarray) -> np.ndarray:
    """normal_form of each (d, n) matrix of an (N, d, n) batch, as (N, d, n) int64.

    Every column of every matrix must be a vertex (else the shapes could not agree):
    GeometryError otherwise.
    """
    arr = np.asarray(batch)
    if arr.ndim != 3:
        raise GeometryError(f"expected a batch of shape (N, d, n), got {arr.shape}")
    out = np.empty(arr.shape, dtype=np.int64)
    for i in range(arr.shape[0]):
        nf = normal_form(arr[i])
        if nf.shape != arr.shape[1:]:
            raise GeometryError(
                f"batch entry {i}: {nf.shape[1]} of its {arr.shape[2]} columns are vertices; "
                "normal_forms needs every column to be a vertex"
            )
        out[i] = nf
    return out
