"""Mirror pairs inside one KS list, and the training inputs they would leak across a split.

Entry j is the mirror partner of entry i when Δ_j is GL(d,Z)-equivalent to the polar dual Δ_i*
(equal normal forms); then Δ_i is equivalent to Δ_j* too (Δ** = Δ), and i = j when Δ_i is
self-dual. A benchmark that trains on an entry's dual therefore trains on its partner, which
may sit in another part of the split. `leak_free_parts` drops such inputs.
"""

from __future__ import annotations

import numpy as np

#: what `leak_free_parts` does, recorded in every cell of a profile that trains on duals
MIRROR_PAIR_FIX = (
    "training inputs GL(4,Z)-equivalent to a val or test input, and val inputs equivalent to a "
    "test input, are dropped"
)


def _key(nf: np.ndarray) -> bytes:
    return np.ascontiguousarray(nf, dtype=np.int64).tobytes()


def mirror_partners(data) -> np.ndarray:
    """partner[i] = j when Δ_j ≅ Δ_i* (equal GL(d,Z) × S_n normal forms), i when Δ_i is
    self-dual, −1 when no entry is; `data` a `KSDataset` of one vertex count n.

    Only entries whose header says Δ_i* has n vertices are dualised, and only entries whose
    header M counts and Hodge numbers are Δ_i*'s (N counts, h11 and h21 swapped) are compared
    (both necessary for equivalence); without headers (−1) every entry is. The comparison
    itself is exact, by the engine's normal form."""
    from orbitlearn.geometry import LatticePolytope, normal_form

    v = np.asarray(data.vertices, dtype=np.int64)
    n = v.shape[2]
    lab = data.labels
    partner = np.full(len(v), -1, dtype=np.int64)
    unknown = (lab["n_vertices"] < 0) | (lab["m_points"] < 0)
    sources = np.flatnonzero(unknown | (lab["n_vertices"] == n))
    forms: dict[int, bytes] = {}  # entry -> key of its normal form, computed on demand

    def form(j: int) -> bytes:
        if j not in forms:
            forms[j] = _key(normal_form(v[j]))
        return forms[j]

    for i in sources:
        dual = normal_form(LatticePolytope(v[i]).dual().vertices)
        if dual.shape[1] != n:
            continue
        fits = unknown | (
            (lab["m_points"] == lab["n_points"][i])
            & (lab["m_vertices"] == n)
            & (lab["h11"] == lab["h21"][i])
            & (lab["h21"] == lab["h11"][i])
        )
        key = _key(dual)
        match = [j for j in np.flatnonzero(fits) if form(int(j)) == key]
        if match:  # the entries of a KS list are pairwise inequivalent: at most one
            partner[i] = match[0]
    return partner


def input_classes(partner: np.ndarray, with_duals: bool) -> np.ndarray:
    """An equivalence-class id for every input of a dataset (entry i at position i and, with
    duals, Δ_i* at position N + i): an entry is its own class, a dual the class of its partner
    when it has one."""
    n = len(partner)
    classes = np.arange(n, dtype=np.int64)
    if not with_duals:
        return classes
    duals = np.where(partner >= 0, partner, n + np.arange(n))
    return np.concatenate([classes, duals])


def leak_free_parts(
    parts: dict[str, np.ndarray], classes: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """(parts with train inputs whose class is also in val or a test part dropped, and val
    inputs whose class is in a test part dropped; how many were dropped from each). Parts whose
    name starts with "test" are never changed: the scored inputs stay the same."""
    held_out = {name: pos for name, pos in parts.items() if name.startswith("test")}
    test_classes = np.unique(np.concatenate([classes[p] for p in held_out.values()]))
    out = dict(parts)
    out["val"] = parts["val"][~np.isin(classes[parts["val"]], test_classes)]
    seen = np.union1d(test_classes, classes[parts["val"]])
    out["train"] = parts["train"][~np.isin(classes[parts["train"]], seen)]
    dropped = {k: int(len(parts[k]) - len(out[k])) for k in ("train", "val")}
    return out, dropped


__all__ = ["MIRROR_PAIR_FIX", "input_classes", "leak_free_parts", "mirror_partners"]
