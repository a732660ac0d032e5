"""Deep Sets (Zaheer et al. 2017) on sets stored as (B, n, C): the set axis is -2, channels last.

Group: S_n permuting the set axis.
"""

from __future__ import annotations

import torch
from torch import nn

from orbitlearn.nn.pooling import pool


class DeepSetsEquivariant(nn.Module):
    """S_n-equivariant linear layer: y = x Λ + pool(x) Γ 1ᵀ + b, i.e. (λI + γ11ᵀ) per channel pair.

    x: (B, n, C_in) -> (B, n, C_out). Permuting the n elements of x permutes the rows of y.
    """

    def __init__(self, in_features: int, out_features: int, pool: str = "mean"):
        super().__init__()
        self.own = nn.Linear(in_features, out_features)
        self.shared = nn.Linear(in_features, out_features, bias=False)
        self.pool = pool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.own(x) + self.shared(pool(x, -2, self.pool)).unsqueeze(-2)


class DeepSetsInvariant(nn.Module):
    """S_n-invariant map ρ(⊕_i φ(x_i)) with ⊕ a sum/mean/max pooling over the set axis.

    x: (B, n, C_in) -> (B, C_out). φ is a per-element MLP (or a stack of equivariant layers).
    """

    def __init__(self, phi: nn.Module, rho: nn.Module, pool: str = "sum"):
        super().__init__()
        self.phi = phi
        self.rho = rho
        self.pool = pool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rho(pool(self.phi(x), -2, self.pool))
