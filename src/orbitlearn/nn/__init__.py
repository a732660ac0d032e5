"""Torch layers and wrappers for invariant and equivariant models.

Every layer declares its symmetry as data in `symmetry` (an `Invariance` or `Equivariance` of
`orbitlearn.groups.claims`), which `orbitlearn.testing.assert_equivariant` checks. Set layers
work on (B, n, C) with the set axis -2 (any n) and take `mask` (B, n), True for real elements.
Point-cloud layers (`EGNNLayer`, `EGNN`) take (h, x[, v]) and are E(d)-equivariant;
`FrameAveraging` makes any model exactly E(d)-invariant or -equivariant by PCA sign frames.
"""

from orbitlearn.nn.attention import AttentionPooling, SetAttentionBlock
from orbitlearn.nn.canonicalize import CanonicalizeModule
from orbitlearn.nn.egnn import EGNN, EGNNLayer
from orbitlearn.nn.exchangeable import ExchangeableMatrixLayer
from orbitlearn.nn.frame_averaging import FrameAveraging
from orbitlearn.nn.gconv import (
    GroupConv2d,
    GroupPool,
    LiftingConv2d,
    RelaxedGroupConv2d,
    RelaxedLiftingConv2d,
    relaxation_penalty,
)
from orbitlearn.nn.pointnet import PointNet, mlp
from orbitlearn.nn.pooling import InvariantPool, pool
from orbitlearn.nn.sets import DeepSetsEquivariant, DeepSetsInvariant, SetSequential
from orbitlearn.nn.symmetrize import Symmetrized

__all__ = [
    # sets
    "DeepSetsEquivariant",
    "DeepSetsInvariant",
    "SetSequential",
    "PointNet",
    "SetAttentionBlock",
    "AttentionPooling",
    "InvariantPool",
    "pool",
    "mlp",
    # matrices
    "ExchangeableMatrixLayer",
    # images (group convolutions)
    "LiftingConv2d",
    "GroupConv2d",
    "RelaxedGroupConv2d",
    "RelaxedLiftingConv2d",
    "GroupPool",
    "relaxation_penalty",
    # point clouds (E(n))
    "EGNNLayer",
    "EGNN",
    # wrappers
    "Symmetrized",
    "FrameAveraging",
    "CanonicalizeModule",
]
