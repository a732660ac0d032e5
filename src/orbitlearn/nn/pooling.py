"""Invariant poolings: reductions over the axes a permutation group acts on.

pool(x)[...] = ⊕_{i ∈ axis} x[..., i, ...] with ⊕ ∈ {sum, mean, max}: any permutation of the
pooled axes leaves the result unchanged, so pooling turns an equivariant map into an invariant one.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

POOLS = ("sum", "mean", "max")


def pool(x: torch.Tensor, dims: int | Sequence[int], kind: str = "mean") -> torch.Tensor:
    """Reduce `x` over `dims` by sum, mean or max (invariant under permutations of those dims)."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if kind == "sum":
        return x.sum(dim=dims)
    if kind == "mean":
        return x.mean(dim=dims)
    if kind == "max":
        out = x
        for d in sorted((d % x.ndim for d in dims), reverse=True):
            out = out.max(dim=d).values
        return out
    raise ValueError(f"unknown pooling {kind!r}: expected one of {POOLS}")


class InvariantPool(nn.Module):
    """Concatenation of poolings over `dims` (e.g. mean and max): S-invariant on those dims."""

    def __init__(self, dims: int | Sequence[int], kinds: Sequence[str] = ("mean",)):
        super().__init__()
        for k in kinds:
            if k not in POOLS:
                raise ValueError(f"unknown pooling {k!r}: expected one of {POOLS}")
        self.dims = (dims,) if isinstance(dims, int) else tuple(dims)
        self.kinds = tuple(kinds)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([pool(x, self.dims, k) for k in self.kinds], dim=-1)
