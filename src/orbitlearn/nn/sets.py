"""Deep Sets (Zaheer et al. 2017) on sets stored as (B, n, C): the set axis is -2, channels last.

Group: S_n permuting the set axis, for any n. Every layer takes an optional `mask` (B, n), True
for real elements, so sets of different sizes can be padded to one n and batched together: the
outputs of real elements (and pooled outputs) do not depend on the padding, and padded rows of an
equivariant output are zero.
"""

from __future__ import annotations

import torch
from torch import nn

from orbitlearn.groups.claims import Equivariance, Invariance
from orbitlearn.groups.concrete import Permutation
from orbitlearn.nn.pooling import pool


def set_action() -> Permutation:
    """S_n of any n permuting the set axis (-2) of (B, n, C)."""
    return Permutation(None, axis=-2)


def zero_padding(y: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """y (B, n, C) with the rows of padded elements set to 0."""
    return y if mask is None else y * mask.to(y.dtype).unsqueeze(-1)


def call_with_mask(module: nn.Module, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """module(x, mask=mask) for set layers (`takes_mask`), module(x) for per-element maps."""
    if getattr(module, "takes_mask", False):
        return module(x, mask=mask)
    return module(x)


class SetSequential(nn.Sequential):
    """nn.Sequential that hands `mask` to the set layers among its children (per-element maps
    such as nn.Linear or activations are called as usual)."""

    takes_mask = True

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """The layers in order, the mask handed to those that take one."""
        for layer in self:
            x = call_with_mask(layer, x, mask)
        return x


class DeepSetsEquivariant(nn.Module):
    """S_n-equivariant linear layer: y = x Λ + pool(x) Γ 1ᵀ + b, i.e. (λI + γ11ᵀ) per channel pair.

    x: (B, n, C_in) -> (B, n, C_out). Permuting the n elements of x permutes the rows of y.
    """

    takes_mask = True

    def __init__(self, in_features: int, out_features: int, pool: str = "mean"):
        super().__init__()
        self.own = nn.Linear(in_features, out_features)
        self.shared = nn.Linear(in_features, out_features, bias=False)
        self.pool = pool

    @property
    def symmetry(self) -> Equivariance:
        """S_n-equivariant on the set axis (-2), any n."""
        return Equivariance(set_action(), set_action())

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        y = self.own(x) + self.shared(pool(x, -2, self.pool, mask)).unsqueeze(-2)
        return zero_padding(y, mask)


class DeepSetsInvariant(nn.Module):
    """S_n-invariant map ρ(⊕_i φ(x_i)) with ⊕ a sum/mean/max pooling over the set axis.

    x: (B, n, C_in) -> (B, C_out). φ is a per-element MLP or a stack of equivariant layers
    (`SetSequential`, which passes the mask on).
    """

    takes_mask = True

    def __init__(self, phi: nn.Module, rho: nn.Module, pool: str = "sum"):
        super().__init__()
        self.phi = phi
        self.rho = rho
        self.pool = pool

    @property
    def symmetry(self) -> Invariance:
        """S_n-invariant on the set axis (-2), any n."""
        return Invariance(set_action())

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.rho(pool(call_with_mask(self.phi, x, mask), -2, self.pool, mask))


__all__ = [
    "DeepSetsEquivariant",
    "DeepSetsInvariant",
    "SetSequential",
    "call_with_mask",
    "set_action",
    "zero_padding",
]
