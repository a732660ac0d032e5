"""Torch layers and wrappers for invariant and equivariant models."""

from orbitlearn.nn.gconv import (
    GroupConv2d,
    GroupPool,
    LiftingConv2d,
    RelaxedGroupConv2d,
    RelaxedLiftingConv2d,
)
from orbitlearn.nn.symmetrize import Symmetrized

__all__ = ["Symmetrized"]
__all__ += [
    "LiftingConv2d",
    "GroupConv2d",
    "RelaxedGroupConv2d",
    "RelaxedLiftingConv2d",
    "GroupPool",
]
