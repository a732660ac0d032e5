"""A bridge from e3nn: an e3nn module with declared irreps, checked like any orbitlearn layer.

`E3nnModule(module)` wraps a torch module whose input and output are e3nn irreps features
(..., irreps_in.dim) → (..., irreps_out.dim) — an `e3nn.o3.Linear`, a tensor product, a whole
network — and declares its symmetry as `Equivariance(RepAction(ρ_in, -1), RepAction(ρ_out, -1))`
with ρ the O(3) representation of the irreps (`orbitlearn.groups.reps.irreps`, e3nn's basis), so
`orbitlearn.testing.assert_equivariant` checks it with testing elements, Haar samples, the
adversarial search and the Lie derivative. The irreps are read from the module (`irreps_in`,
`irreps_out`) unless given as strings; e3nn itself is not imported here (the `e3nn` extra).
"""

from __future__ import annotations

from typing import Any

from torch import nn

from orbitlearn.groups.claims import Equivariance
from orbitlearn.groups.lie import O3, LieGroup
from orbitlearn.groups.reps import RepAction, irreps


class E3nnModule(nn.Module):
    """x ↦ module(x) on irreps features, declared O(3)- (or SO(3)-) equivariant by its irreps."""

    def __init__(
        self,
        module: nn.Module,
        irreps_in: Any = None,
        irreps_out: Any = None,
        group: LieGroup | None = None,
    ):
        super().__init__()
        self.module = module
        spec_in = irreps_in if irreps_in is not None else getattr(module, "irreps_in", None)
        spec_out = irreps_out if irreps_out is not None else getattr(module, "irreps_out", None)
        if spec_in is None or spec_out is None:
            raise ValueError("give irreps_in and irreps_out (the module declares none)")
        self.group = group if group is not None else O3()
        self.rep_in = irreps(spec_in, self.group)
        self.rep_out = irreps(spec_out, self.group)
        self.symmetry = Equivariance(RepAction(self.rep_in, -1), RepAction(self.rep_out, -1))

    def forward(self, x: Any) -> Any:
        return self.module(x)


__all__ = ["E3nnModule"]
