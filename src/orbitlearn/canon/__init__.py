"""Canonicalisers π: one representative per orbit, `project(batch) -> batch`.

* `LexCanonical` — exact for S_m × S_n (rows × columns), lexicographic.
* `Dirichlet` — approximate: ascent to a local maximum of ⟨x0, g·x⟩ over generators.
* `PolytopeNormalForm` — exact for GL(d,Z) × S_n, via `orbitlearn.geometry.normal_forms`.
* `LexAscentDirichlet` — approximate: the published study's lexicographic hill climb ("+ π").
* `PCAFrame` — point clouds (B, n, d): the PCA frame, exact for E(d) on non-degenerate inputs.

`invariance_rate(canon, group, batch, rng)` measures the share of inputs with π(g·x) = π(x).
The names below are imported on first use (scikit-learn comes with them).
"""

from orbitlearn._lazy import lazy_exports

_EXPORTS = {
    "Canonicalizer": "base",
    "LexCanonical": "lex",
    "Dirichlet": "dirichlet",
    "PolytopeNormalForm": "normal",
    "LexAscentDirichlet": "lexascent",
    "PCAFrame": "pca",
    "invariance_rate": "base",
    "METHODS": "methods",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
