"""PointNet (Qi et al. 2017): a shared per-point MLP, then max pooling over the points.

Points are (B, n, C) with the point axis -2. Group: S_n permuting the points (invariant).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def mlp(
    sizes: Sequence[int], activation: type[nn.Module] = nn.ReLU, last_activation: bool = False
) -> nn.Sequential:
    """Linear layers of the given widths with activations between them."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2 or last_activation:
            layers.append(activation())
    return nn.Sequential(*layers)


class PointNet(nn.Module):
    """S_n-invariant: head(max_i φ(x_i)) with φ a per-point MLP; (B, n, C_in) -> (B, C_out)."""

    def __init__(
        self, in_features: int, hidden: Sequence[int], out_features: int, head: Sequence[int] = ()
    ):
        super().__init__()
        self.phi = mlp([in_features, *hidden], last_activation=True)
        self.head = mlp([hidden[-1], *head, out_features])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.phi(x).max(dim=-2).values)
