"""Permutation-equivariant attention (Set Transformer, Lee et al. 2019) on sets (B, n, D).

No positional encoding anywhere, so the group is S_n on the set axis: `SetAttentionBlock` is
equivariant, `AttentionPooling` (PMA with learned seeds) is invariant. Both take `mask` (B, n),
True for real elements: padded elements are never attended to.
"""

from __future__ import annotations

import torch
from torch import nn

from orbitlearn.groups.claims import Equivariance, Invariance
from orbitlearn.nn.sets import set_action, zero_padding


def _padding(mask: torch.Tensor | None) -> torch.Tensor | None:
    """torch's key_padding_mask: True where an element is padding."""
    return None if mask is None else ~mask.to(torch.bool)


class SetAttentionBlock(nn.Module):
    """S_n-equivariant: x + MHA(x, x, x), then x + FFN(x), each pre-normalised; (B, n, D) -> (B, n, D)."""

    takes_mask = True

    def __init__(self, dim: int, heads: int = 4, ff_mult: int = 2, dropout: float = 0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(
            nn.Linear(dim, ff_mult * dim), nn.GELU(), nn.Linear(ff_mult * dim, dim)
        )

    @property
    def symmetry(self) -> Equivariance:
        """S_n-equivariant on the set axis (-2), any n."""
        return Equivariance(set_action(), set_action())

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        h = self.norm1(x)
        x = x + self.attn(h, h, h, key_padding_mask=_padding(mask), need_weights=False)[0]
        return zero_padding(x + self.ff(self.norm2(x)), mask)


class AttentionPooling(nn.Module):
    """S_n-invariant pooling by multi-head attention: k learned queries attend over the set;
    (B, n, D) -> (B, k·D)."""

    takes_mask = True

    def __init__(self, dim: int, heads: int = 4, seeds: int = 1):
        super().__init__()
        self.seeds = nn.Parameter(torch.randn(1, seeds, dim) / dim**0.5)
        self.norm = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)

    @property
    def symmetry(self) -> Invariance:
        """S_n-invariant on the set axis (-2), any n."""
        return Invariance(set_action())

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        h = self.norm(x)
        q = self.seeds.expand(x.shape[0], -1, -1)
        out = self.attn(q, h, h, key_padding_mask=_padding(mask), need_weights=False)[0]
        return out.flatten(1)


__all__ = ["AttentionPooling", "SetAttentionBlock"]
