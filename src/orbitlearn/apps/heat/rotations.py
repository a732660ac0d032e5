"""The rotation symmetry each steerable row of the heat benchmark is built for (no torch here,
so the profile and the command line can name the rows without importing it)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from orbitlearn.groups.algebra import CyclicGroup, Element, Group
from orbitlearn.groups.lie import SO2

#: highest angular frequency of the SO(2) row's fields (band limit)
SO2_FREQUENCY = 2


@dataclass(frozen=True)
class RotationSymmetry:
    """The rotations a field network is built to commute with: C_n (order n) or SO(2) (order
    None); `strict` False for a relaxed network (equivariant only at equal mixing weights)."""

    order: int | None
    strict: bool = True

    @property
    def group(self) -> Group:
        """CyclicGroup(n), or SO2() for every angle."""
        return SO2() if self.order is None else CyclicGroup(self.order)

    def rotation(self, k: Element) -> np.ndarray:
        """The 2 × 2 rotation of element k of C_n (θ = 2πk/n), or k itself for SO(2)."""
        if self.order is None:
            return np.asarray(k, dtype=np.float64)
        return SO2().exp(np.array([2 * math.pi * int(k) / self.order]))

    def __str__(self) -> str:
        name = "SO(2)" if self.order is None else f"C{self.order}"
        return name if self.strict else f"{name} (relaxed)"


@dataclass(frozen=True)
class SteerableSpec:
    """What a steerable row is: its rotation symmetry and whether its layers are relaxed."""

    symmetry: RotationSymmetry
    relaxed: bool = False


#: the steerable rows by name (one place; `profile.MODELS` lists them after the grid models)
STEERABLE_ROWS: dict[str, SteerableSpec] = {
    "steerable_c8": SteerableSpec(RotationSymmetry(8)),
    "steerable_c16": SteerableSpec(RotationSymmetry(16)),
    "steerable_so2": SteerableSpec(RotationSymmetry(None)),
    "relaxed_steerable": SteerableSpec(RotationSymmetry(8, strict=False), relaxed=True),
}


__all__ = ["SO2_FREQUENCY", "STEERABLE_ROWS", "RotationSymmetry", "SteerableSpec"]
