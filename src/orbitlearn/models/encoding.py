"""Input encodings of integer matrices (B, m, n) -> (B, C, m, n), applied entrywise.

An entrywise map commutes with every permutation of rows and columns, so an encoding never
breaks an S_m × S_n symmetry. raw: C = 1, the integers; scaled: C = 1, x / scale;
onehot: C = 2·max_abs + 1 indicator channels for the values −max_abs … max_abs (others clipped).
"""

from __future__ import annotations

import torch
from torch import nn

ENCODINGS = ("raw", "scaled", "onehot")


class Encoding(nn.Module):
    """Entrywise encoding of a (B, m, n) integer-valued tensor as (B, C, m, n) float features."""

    def __init__(self, kind: str = "scaled", scale: float = 8.0, max_abs: int = 8):
        super().__init__()
        if kind not in ENCODINGS:
            raise ValueError(f"unknown encoding {kind!r}: expected one of {ENCODINGS}")
        self.kind = kind
        self.scale = float(scale)
        self.max_abs = int(max_abs)

    @property
    def channels(self) -> int:
        """Channels per matrix entry after encoding: 1 for scaled, 2·max_abs + 1 for one-hot."""
        return 2 * self.max_abs + 1 if self.kind == "onehot" else 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.float()
        if self.kind == "raw":
            return x.unsqueeze(1)
        if self.kind == "scaled":
            return (x / self.scale).unsqueeze(1)
        idx = x.round().clamp(-self.max_abs, self.max_abs).long() + self.max_abs
        return nn.functional.one_hot(idx, self.channels).movedim(-1, 1).float()
