"""Canonicalisers π: one representative per orbit, `project(batch) -> batch`.

* `LexCanonical` — exact for S_m × S_n (rows × columns), lexicographic.
* `Dirichlet` — approximate: ascent to a local maximum of ⟨x0, g·x⟩ over generators.
* `PolytopeNormalForm` — exact for GL(d,Z) × S_n, via `orbitlearn.geometry.normal_forms`.

`invariance_rate(canon, group, batch, rng)` measures the share of inputs with π(g·x) = π(x).
"""

from orbitlearn.canon.base import Canonicalizer, invariance_rate
from orbitlearn.canon.dirichlet import Dirichlet
from orbitlearn.canon.lex import LexCanonical
from orbitlearn.canon.normal import PolytopeNormalForm

METHODS = {"lex": LexCanonical, "dirichlet": Dirichlet, "normal": PolytopeNormalForm}

__all__ = [
    "Canonicalizer",
    "LexCanonical",
    "Dirichlet",
    "PolytopeNormalForm",
    "invariance_rate",
    "METHODS",
]
