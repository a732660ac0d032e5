"""PointNet (Qi et al. 2017): a shared per-point MLP, then max pooling over the points.

Points are (B, n, C) with the point axis -2. Group: S_n permuting the points, any n (invariant).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from orbitlearn.groups.claims import Invariance
from orbitlearn.nn.pooling import POOLS, InvariantPool
from orbitlearn.nn.sets import set_action


def mlp(
    sizes: Sequence[int],
    activation: type[nn.Module] = nn.ReLU,
    last_activation: bool = False,
    dropout: float = 0.0,
) -> nn.Sequential:
    """Linear layers of the given widths with activations between them (and after the last one
    with `last_activation`), each activation followed by dropout when `dropout` > 0."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2 or last_activation:
            layers.append(activation())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class PointNet(nn.Module):
    """S_n-invariant: head(max_i φ(x_i)) with φ a per-point MLP; (B, n, C_in) -> (B, C_out).

    `pools` lists the symmetric reductions concatenated before the head: ("max",) is PointNet's
    own; adding "sum" lets the head count (a sum over points, as in Deep Sets).
    `mask` (B, n), True for real points: padded points never change the output.
    """

    takes_mask = True

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        out_features: int,
        head: Sequence[int] = (),
        pools: Sequence[str] = ("max",),
    ):
        super().__init__()
        pools = tuple(pools)
        if not pools or any(k not in POOLS for k in pools):
            raise ValueError(f"pools must be a non-empty list of {', '.join(POOLS)}, got {pools}")
        self.phi = mlp([in_features, *hidden], last_activation=True)
        self.pooling = InvariantPool(-2, pools)
        self.head = mlp([hidden[-1] * len(pools), *head, out_features])

    @property
    def symmetry(self) -> Invariance:
        """S_n-invariant on the point axis (-2), any n."""
        return Invariance(set_action())

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.pooling(self.phi(x), mask))


__all__ = ["PointNet", "mlp"]
