"""Exact lattice-polytope engine: facets, lattice points, faces, duality, Hodge numbers, normal form.

Points are the columns of a (d, n) integer matrix, 2 <= d <= 5 (the Kreuzer-Skarke layout).
"""

from orbitlearn.geometry.batch import hodge_many, hodge_record, normal_form_many
from orbitlearn.geometry.normal_form import normal_form, normal_forms
from orbitlearn.geometry.polytope import Face, LatticePolytope

__all__ = [
    "Face",
    "LatticePolytope",
    "hodge_many",
    "hodge_record",
    "normal_form",
    "normal_form_many",
    "normal_forms",
]
