"""Torch layers and wrappers for invariant and equivariant models."""

from orbitlearn.nn.symmetrize import Symmetrized

__all__ = ["Symmetrized"]
