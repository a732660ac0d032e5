"""Groups (algebra) and their actions on arrays: what G is and how ρ(g) moves an input.

`orbitlearn.groups.algebra` holds the groups themselves (S_n, B_n, GL(n,Z), C_n, D_n,
translations, direct products): elements, products, inverses, sampling and subgroup tests.
`orbitlearn.groups.action` and `.concrete` say where and how a group moves an array: permuting an
axis, matrices on a coordinate axis, rotations and flips of a grid, shifts, and products of those
on disjoint axes (`Permutation`, `SignedPermutation`, `GLnZ`, `C4`, `D4`, `CyclicShift`,
`Product`); `.lie` the continuous groups (`SO2`, `O2`, `SO3`, `O3`, `SE2`, `E2`, `SE3`, `E3`,
`Translations`: float matrices with a Lie algebra, Haar sampling and testing elements) and
`.pointcloud` their actions on point clouds (`PointCloud`, `Joint`); `.regular` the regular representation of p4/p4m on feature maps. Elements are plain
data (index arrays, integer matrices, tuples for products). ``act(g, x)`` applies one element to
every item of a batch; ``act_batch(gs, x)`` applies ``gs[b]`` to ``x[b]``. Axes are negative
(counted from the end), so leading batch axes are free.

`GROUPS` names the actions the command line and the benchmarks use (the one registry of names).
"""

from orbitlearn.groups.action import Action
from orbitlearn.groups.algebra import (
    GLZ,
    CyclicGroup,
    DihedralGroup,
    DirectProduct,
    Element,
    Group,
    HyperoctahedralGroup,
    SymmetricGroup,
    TranslationGroup,
    Trivial,
    integer_inverse,
)
from orbitlearn.groups.backend import is_torch
from orbitlearn.groups.concrete import (
    C4,
    D4,
    CyclicShift,
    GLnZ,
    Permutation,
    Product,
    SignedPermutation,
)
from orbitlearn.groups.lie import (
    E2,
    E3,
    O2,
    O3,
    SE2,
    SE3,
    SO2,
    SO3,
    LieGroup,
    Translations,
)
from orbitlearn.groups.pointcloud import Joint, PointCloud, point_cloud_inputs
from orbitlearn.groups.registry import GROUPS, get_group

__all__ = [
    # algebra
    "Element",
    "Group",
    "Trivial",
    "SymmetricGroup",
    "HyperoctahedralGroup",
    "GLZ",
    "CyclicGroup",
    "DihedralGroup",
    "TranslationGroup",
    "DirectProduct",
    "integer_inverse",
    # Lie groups
    "LieGroup",
    "SO2",
    "O2",
    "SO3",
    "O3",
    "SE2",
    "E2",
    "SE3",
    "E3",
    "Translations",
    # actions
    "Action",
    "Permutation",
    "SignedPermutation",
    "GLnZ",
    "C4",
    "D4",
    "CyclicShift",
    "Product",
    "PointCloud",
    "Joint",
    "point_cloud_inputs",
    "is_torch",
    # names
    "GROUPS",
    "get_group",
]
