"""The exchangeable matrix layer (Hartford et al. 2018) for S_m × S_n acting on rows × columns.

Input and output are (B, C, m, n). Every entry is mapped from itself, its row mean, its column
mean and the global mean with weights shared across all positions, which is the most general
linear S_m × S_n-equivariant map between such tensors (plus a bias). A `mask` (B, n), True for
real columns, lets matrices with different numbers of columns batch together: padded columns do
not enter any mean, and their outputs are zero.
"""

from __future__ import annotations

import torch
from torch import nn

from orbitlearn.groups.claims import Equivariance
from orbitlearn.groups.concrete import rows_and_columns


class ExchangeableMatrixLayer(nn.Module):
    """S_m × S_n-equivariant linear layer on (B, C, m, n):
    y = W₁x + W₂ mean_cols(x) + W₃ mean_rows(x) + W₄ mean_all(x) + b (each W mixes channels).
    """

    takes_mask = True

    def __init__(self, in_channels: int, out_channels: int, pool: str = "mean"):
        super().__init__()
        if pool not in ("mean", "sum"):
            raise ValueError("pool must be 'mean' or 'sum' (a linear map needs a linear pooling)")
        self.pool = pool
        self.entry = nn.Linear(in_channels, out_channels)
        self.row = nn.Linear(in_channels, out_channels, bias=False)
        self.col = nn.Linear(in_channels, out_channels, bias=False)
        self.all = nn.Linear(in_channels, out_channels, bias=False)

    @property
    def symmetry(self) -> Equivariance:
        """S_m × S_n-equivariant on rows (-2) and columns (-1), any m and n."""
        return Equivariance(rows_and_columns(), rows_and_columns())

    def _reduce(self, h: torch.Tensor, dims: tuple[int, ...], cols: torch.Tensor | None):
        """Mean or sum of h (B, m, n, C) over `dims`, counting only real columns."""
        if cols is None:
            if self.pool == "mean":
                return h.mean(dim=dims, keepdim=True)
            return h.sum(dim=dims, keepdim=True)
        total = (h * cols).sum(dim=dims, keepdim=True)
        if self.pool == "sum":
            return total
        count = torch.ones_like(cols).expand(-1, h.shape[1], -1, -1) * cols
        return total / count.sum(dim=dims, keepdim=True).clamp(min=1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        h = x.movedim(1, -1)  # (B, m, n, C): channels last for the Linear maps
        cols = None
        if mask is not None:
            if mask.shape != (x.shape[0], x.shape[-1]):
                raise ValueError(
                    f"mask must have shape (batch, columns) = ({x.shape[0]}, {x.shape[-1]}), "
                    f"got {tuple(mask.shape)}"
                )
            cols = mask.to(h.dtype)[:, None, :, None]  # (B, 1, n, 1)
        out = (
            self.entry(h)
            + self.row(self._reduce(h, (2,), cols))  # mean over columns: one value per row
            + self.col(self._reduce(h, (1,), None))  # mean over rows: one value per column
            + self.all(self._reduce(h, (1, 2), cols))
        )
        if cols is not None:
            out = out * cols
        return out.movedim(-1, 1)


__all__ = ["ExchangeableMatrixLayer"]
