"""Exact canonical form for GL(d,Z) × S_n: the lattice-polytope normal form.

π(V) = normal form of the polytope conv(columns of V): a function of the polytope up to
unimodular change of lattice basis and relabelling of vertices (PALP's normal form). The
computation lives in the geometry engine, `orbitlearn.geometry.normal_forms(batch)`,
(N, d, n) int → (N, d, n) int64; this class only adapts it to the canonicaliser interface.

For d = 1 the group is GL(1,Z) × S_n = {±1} × S_n, and the form is computed here for any real
row: the sorted values of x or of −x, whichever is lexicographically larger. (The engine takes
lattice polytopes of dimension 2 to 5.)
"""

from __future__ import annotations

import numpy as np

from orbitlearn.canon.base import Canonicalizer
from orbitlearn.groups.action import Action
from orbitlearn.groups.concrete import GLnZ, Permutation, Product, SignedPermutation


def geometry_normal_forms():
    """`orbitlearn.geometry.normal_forms`, or None when the geometry engine does not provide it."""
    try:
        from orbitlearn import geometry
    except ImportError:
        return None
    return getattr(geometry, "normal_forms", None)


class PolytopeNormalForm(Canonicalizer):
    """Exact π for GL(d,Z) × S_n on vertex matrices (d, n), by `orbitlearn.geometry.normal_forms`."""

    exact = True

    def __init__(self, shape: tuple[int, int] | None = None):
        self.shape = shape

    def group(self, d: int | None = None, n: int | None = None) -> Action:
        """GL(d,Z) on coordinates (axis -2) × S_n on vertices (axis -1); d and n default to `shape`
        (n may stay open: any number of vertices), d must be known."""
        if (d is None or n is None) and self.shape is not None:
            d, n = self.shape
        if d is None:
            raise ValueError("PolytopeNormalForm.group needs the dimension d (or shape=(d, n))")
        if d == 1:  # GL(1,Z) = {±1} = B_1
            return Product(SignedPermutation(1, axis=-2), Permutation(n, axis=-1))
        return Product(GLnZ(d, axis=-2), Permutation(n, axis=-1))

    def _project(self, batch: np.ndarray) -> np.ndarray:
        fn = geometry_normal_forms()
        if fn is None:
            raise ImportError(
                "PolytopeNormalForm needs orbitlearn.geometry.normal_forms, which this installation lacks"
            )
        a = np.asarray(batch)
        if a.ndim == 3 and a.shape[1] == 1:
            return _line_form(a)
        if not np.issubdtype(a.dtype, np.integer):
            if not np.array_equal(a, np.rint(a)):
                raise ValueError("PolytopeNormalForm needs integer vertex matrices")
            a = np.rint(a)
        return np.asarray(fn(a.astype(np.int64)), dtype=np.int64)


def _line_form(a: np.ndarray) -> np.ndarray:
    """The GL(1,Z) × S_n form of (B, 1, n) rows: sort(x) or sort(−x), the lexicographically larger."""
    if a.dtype.kind in "biu":
        a = a.astype(np.int64)
    up, down = np.sort(a, axis=-1), np.sort(-a, axis=-1)
    diff = (down - up).reshape(len(a), -1)
    first = np.argmax(diff != 0, axis=1)
    take_down = diff[np.arange(len(a)), first] > 0
    return np.where(take_down[:, None, None], down, up)
