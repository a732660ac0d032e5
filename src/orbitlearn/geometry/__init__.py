"""Exact lattice-polytope engine: facets, lattice points, faces, duality, Hodge numbers, normal form.

Points are the columns of a (d, n) integer matrix, 2 <= d <= 5 (the Kreuzer-Skarke layout).
The names below are imported on first use (the kernels are compiled by numba).
"""

from orbitlearn._lazy import lazy_exports

_EXPORTS = {
    "Face": "polytope",
    "LatticePolytope": "polytope",
    "hodge_many": "batch",
    "hodge_record": "batch",
    "normal_form": "normalform",
    "normal_form_many": "batch",
    "normal_forms": "normalform",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
