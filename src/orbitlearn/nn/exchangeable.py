"""The exchangeable matrix layer (Hartford et al. 2018) for S_m × S_n acting on rows × columns.

Input and output are (B, C, m, n). Every entry is mapped from itself, its row mean, its column
mean and the global mean with weights shared across all positions, which is the most general
linear S_m × S_n-equivariant map between such tensors (plus a bias).
"""

from __future__ import annotations

import torch
from torch import nn


class ExchangeableMatrixLayer(nn.Module):
    """S_m × S_n-equivariant linear layer on (B, C, m, n):
    y = W₁x + W₂ mean_cols(x) + W₃ mean_rows(x) + W₄ mean_all(x) + b (each W mixes channels).
    """

    def __init__(self, in_channels: int, out_channels: int, pool: str = "mean"):
        super().__init__()
        if pool not in ("mean", "sum"):
            raise ValueError("pool must be 'mean' or 'sum' (a linear map needs a linear pooling)")
        self.pool = pool
        self.entry = nn.Linear(in_channels, out_channels)
        self.row = nn.Linear(in_channels, out_channels, bias=False)
        self.col = nn.Linear(in_channels, out_channels, bias=False)
        self.all = nn.Linear(in_channels, out_channels, bias=False)

    def _reduce(self, x: torch.Tensor, dims: tuple[int, ...]) -> torch.Tensor:
        return (
            x.mean(dim=dims, keepdim=True) if self.pool == "mean" else x.sum(dim=dims, keepdim=True)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.movedim(1, -1)  # (B, m, n, C): channels last for the Linear maps
        out = (
            self.entry(h)
            + self.row(self._reduce(h, (2,)))  # mean over columns: one value per row
            + self.col(self._reduce(h, (1,)))  # mean over rows: one value per column
            + self.all(self._reduce(h, (1, 2)))
        )
        return out.movedim(-1, 1)
