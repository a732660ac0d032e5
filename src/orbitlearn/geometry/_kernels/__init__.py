"""Numba kernels of the exact lattice-polytope engine: integer arithmetic only, no tolerance.

All kernels take and return int64 arrays; they are compiled once and cached on disk
(see `orbitlearn.geometry._jit`: where, and what happens when no folder is writable) so that
a fresh process pays the compile cost only the first time. Split by job:

* `linalg` — gcd, rank, determinants, hyperplane normals, Hermite normal form;
* `hull` — the exact convex hull (and a brute-force cross-check);
* `points` — lattice points from facets, distinct rows, vertex tests;
* `hodge` — Batyrev's formula for h11 and h21;
* `normalform` — PALP's normal form.

Callers use the names re-exported here (``from orbitlearn.geometry import _kernels as K``).
"""

from orbitlearn.geometry._kernels.hodge import (
    HODGE_NOT_FULL_DIM,
    HODGE_NOT_REFLEXIVE,
    HODGE_OK,
    HODGE_ORIGIN_NOT_INTERIOR,
    HODGE_TOO_LARGE,
    hodge_flat,
    hodge_kernel,
)
from orbitlearn.geometry._kernels.hull import exact_hull, facets_brute_force
from orbitlearn.geometry._kernels.linalg import (
    gcd,
    hermite_normal_form,
    hyperplane_normal,
    hyperplane_normal_buf,
    int_rank,
)
from orbitlearn.geometry._kernels.normalform import (
    normal_form_flat,
    normal_form_kernel,
    normal_form_raw,
    palp_pc_order,
    pm_max_search,
)
from orbitlearn.geometry._kernels.points import distinct_rows, lattice_points, vertex_mask

__all__ = [
    "HODGE_NOT_FULL_DIM",
    "HODGE_NOT_REFLEXIVE",
    "HODGE_OK",
    "HODGE_ORIGIN_NOT_INTERIOR",
    "HODGE_TOO_LARGE",
    "distinct_rows",
    "exact_hull",
    "facets_brute_force",
    "gcd",
    "hermite_normal_form",
    "hodge_flat",
    "hodge_kernel",
    "hyperplane_normal",
    "hyperplane_normal_buf",
    "int_rank",
    "lattice_points",
    "normal_form_kernel",
    "normal_form_flat",
    "normal_form_raw",
    "palp_pc_order",
    "pm_max_search",
    "vertex_mask",
]
