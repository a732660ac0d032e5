"""Groups and their actions on arrays: what G is and how ρ(g) moves an input.

Elements are plain data (index arrays, integer matrices, tuples of them for products).
``act(g, x)`` applies one element to every item of a batch; ``act_batch(gs, x)`` applies
``gs[b]`` to ``x[b]``. Axes are negative (counted from the end), so leading batch axes are free.
"""

from orbitlearn.groups.base import Element, Group, is_torch
from orbitlearn.groups.concrete import (
    C4,
    D4,
    CyclicShift,
    GLnZ,
    Permutation,
    Product,
    SignedPermutation,
    integer_inverse,
)
from orbitlearn.groups.registry import GROUPS, get_group

__all__ = [
    "Element",
    "Group",
    "is_torch",
    "Permutation",
    "SignedPermutation",
    "GLnZ",
    "C4",
    "D4",
    "CyclicShift",
    "Product",
    "integer_inverse",
    "GROUPS",
    "get_group",
]
