"""Invariant poolings: reductions over the axes a permutation group acts on.

pool(x)[...] = ⊕_{i ∈ axis} x[..., i, ...] with ⊕ ∈ {sum, mean, max}: any permutation of the
pooled axes leaves the result unchanged, so pooling turns an equivariant map into an invariant one.
With a `mask` (B, n) (True = a real element) over one pooled axis, padded elements are ignored:
a set padded with any values gives the same result as the set itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from orbitlearn.groups.claims import Invariance
from orbitlearn.groups.concrete import Permutation, Product

POOLS = ("sum", "mean", "max")


def _dims(dims: int | Sequence[int]) -> tuple[int, ...]:
    dims = (dims,) if isinstance(dims, int) else tuple(int(d) for d in dims)
    if not dims or any(d >= 0 for d in dims):
        raise ValueError(
            f"pooled dims are counted from the end and must be negative (got {dims}), "
            "e.g. -2 for the set axis of (B, n, C)"
        )
    return dims


def _mask_like(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    """mask (B, n) reshaped to broadcast against x with n on `dim` (negative)."""
    if mask.shape != (x.shape[0], x.shape[dim]):
        raise ValueError(
            f"mask must have shape (batch, set size) = ({x.shape[0]}, {x.shape[dim]}), "
            f"got {tuple(mask.shape)}"
        )
    shape = [1] * x.ndim
    shape[0], shape[dim] = x.shape[0], x.shape[dim]
    return mask.to(torch.bool).reshape(shape)


def pool(
    x: torch.Tensor,
    dims: int | Sequence[int],
    kind: str = "mean",
    mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Reduce `x` over `dims` (negative) by sum, mean or max (invariant under permutations of
    those dims). `mask` (B, n), True for real elements, applies to the first pooled dim."""
    dims = _dims(dims)
    if kind not in POOLS:
        raise ValueError(f"unknown pooling {kind!r}: expected one of {POOLS}")
    if mask is not None:
        m = _mask_like(x, mask, dims[0])
        if kind == "max":
            x = x.masked_fill(~m, float("-inf"))
        else:
            x = x * m
            if kind == "mean":
                count = m.sum(dim=dims[0], keepdim=True).clamp(min=1)
                for d in dims[1:]:
                    count = count * x.shape[d]
                return (x.sum(dim=dims, keepdim=True) / count).squeeze(dims)
    if kind == "sum":
        return x.sum(dim=dims)
    if kind == "mean":
        return x.mean(dim=dims)
    out = x
    for d in sorted((d % x.ndim for d in dims), reverse=True):
        out = out.max(dim=d).values
    return out


class InvariantPool(nn.Module):
    """Concatenation of poolings over `dims` (e.g. mean and max): S-invariant on those dims.

    Declares `Invariance` under permutations of every pooled dim, of any size.
    """

    def __init__(self, dims: int | Sequence[int], kinds: Sequence[str] = ("mean",)):
        super().__init__()
        for k in kinds:
            if k not in POOLS:
                raise ValueError(f"unknown pooling {k!r}: expected one of {POOLS}")
        self.dims = _dims(dims)
        self.kinds = tuple(kinds)

    @property
    def symmetry(self) -> Invariance:
        """Invariant under permutations of every pooled dim, any size."""
        factors = [Permutation(None, axis=d) for d in sorted(self.dims)]
        return Invariance(factors[0] if len(factors) == 1 else Product(*factors))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return torch.cat([pool(x, self.dims, k, mask) for k in self.kinds], dim=-1)


__all__ = ["POOLS", "InvariantPool", "pool"]
