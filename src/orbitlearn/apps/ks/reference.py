"""The networks of the published Kreuzer–Skarke study, rebuilt from its description and public code.

Source: Ewert, Magruder, Maiboroda, Shen, Singh, Platt, "Group-invariant machine learning on the
Kreuzer–Skarke dataset", Phys. Lett. B 858 (2024) 138996, and its repository
danielplatt/kreuzer-skarke-ML (file named on each class). These exist so that a published number
can stand beside a row that runs the published model under the published protocol
(`orbitlearn.apps.ks`, protocol "reference"); orbitlearn's own networks are in
`orbitlearn.models.networks`. Every network maps a (B, m, n) integer batch to (B, outputs).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from orbitlearn.models.encoding import Encoding
from orbitlearn.nn.pointnet import mlp as mlp_layers  # (RefViTNet has an argument named mlp)


def _pointwise(widths: Sequence[int]) -> nn.Sequential:
    """1 × 1 convolutions (Conv1d, kernel 1) of the given channel widths, each followed by ReLU."""
    layers: list[nn.Module] = []
    for a, b in zip(widths[:-1], widths[1:], strict=True):
        layers += [nn.Conv1d(a, b, kernel_size=1), nn.ReLU()]
    return nn.Sequential(*layers)


class EncoderDecoderNet(nn.Module):
    """The encoder–decoder of the study (`invariantmlp`, src/models/invariantmlp.py): two encoders
    of 1 × 1 convolutions with ReLU, one reading each row's n entries as channels (n → 256 → 256 →
    256, then the maximum over the m rows), one reading each column's m entries as channels (m →
    256 → 256 → 256, then the maximum over the n columns); the two 256-vectors are added and decoded
    by Linear–BatchNorm–ReLU blocks (256 → 256, three times) and a linear read-out. The first
    encoder is invariant under row permutations, the second under column permutations; their sum
    under neither (the study calls it partially invariant): no exact symmetry is claimed.
    """

    invariant_axes: tuple[int, ...] = ()

    def __init__(
        self,
        shape: tuple[int, int],
        classes: int,
        encoding: Encoding,
        width: int = 256,
        encoder_depth: int = 3,
        decoder_depth: int = 3,
    ):
        super().__init__()
        self.encoding = encoding
        if encoding.channels != 1:
            raise ValueError(
                "the encoder–decoder reads one number per entry (encoding raw or scaled)"
            )
        m, n = shape
        self.rows = _pointwise([n, *[width] * encoder_depth])  # a row's n entries as channels
        self.cols = _pointwise([m, *[width] * encoder_depth])  # a column's m entries as channels
        blocks: list[nn.Module] = []
        for _ in range(decoder_depth):
            blocks += [nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU()]
        self.decoder = nn.Sequential(*blocks, nn.Linear(width, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.encoding(x)[:, 0]  # (B, m, n)
        over_rows = self.rows(h.transpose(1, 2)).amax(
            dim=2
        )  # channels n, positions m: max over rows
        over_cols = self.cols(h).amax(dim=2)  # channels m, positions n: max over columns
        return self.decoder(over_rows + over_cols)


class RefCNNMLPNet(nn.Module):
    """The study's "MLP(CNN)" (the PyTorch `VanillaCNN` of src/models/vanilla_nn.py, August 2023,
    whose logs hold the published 56.71%): the matrix as a one-channel image, Conv2d(1 → 32, kernel 2,
    padding 1), ReLU, Conv2d(32 → 64, kernel 2, padding 1), ReLU, 2 × 2 max pooling, then an MLP
    (2688 → 128 → 50 → classes for 4 × 26, ReLU between). No symmetry."""

    invariant_axes: tuple[int, ...] = ()

    def __init__(
        self,
        shape: tuple[int, int],
        classes: int,
        encoding: Encoding,
        channels: Sequence[int] = (32, 64),
        hidden: Sequence[int] = (128, 50),
    ):
        super().__init__()
        self.encoding = encoding
        m, n = shape
        c1, c2 = channels
        self.features = nn.Sequential(
            nn.Conv2d(encoding.channels, c1, kernel_size=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(c1, c2, kernel_size=2, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2, 2),
            nn.Flatten(),
        )
        flat = c2 * ((m + 2) // 2) * ((n + 2) // 2)  # 64 · 3 · 14 = 2688 for 4 × 26
        self.head = mlp_layers([flat, *hidden, classes])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(self.encoding(x)))


def vit_image(x: torch.Tensor, column_shuffle_seed: int = 4) -> torch.Tensor:
    """The study's ViT input for (B, m, n) matrices: a (B, (2n // m)·m, 2n) image of 2n // m blocks
    of m rows, block j holding the rows permuted by the (j mod 12)-th permutation of
    itertools.permutations (lexicographic order; mod m! when m! < 12), its left n columns the matrix
    and its right n columns the matrix with one fixed column shuffle (Python's random.Random(4));
    52 × 52 for 4 × 26."""
    import itertools
    import random

    b, m, n = x.shape
    perms = list(itertools.permutations(range(m)))
    cycle = min(12, len(perms))
    shuffle = list(range(n))
    random.Random(column_shuffle_seed).shuffle(shuffle)
    rows = torch.cat([x[:, list(perms[j % cycle]), :] for j in range((2 * n) // m)], dim=1)
    return torch.cat([rows, rows[:, :, shuffle]], dim=2)


class _KerasAttention(nn.Module):
    """Multi-head self-attention with `heads` heads of `key_dim` each (Keras' MultiHeadAttention:
    the per-head width does not shrink with the number of heads), dropout on the weights."""

    def __init__(self, dim: int, heads: int, key_dim: int, dropout: float):
        super().__init__()
        self.heads, self.key_dim = heads, key_dim
        self.q = nn.Linear(dim, heads * key_dim)
        self.k = nn.Linear(dim, heads * key_dim)
        self.v = nn.Linear(dim, heads * key_dim)
        self.out = nn.Linear(heads * key_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape

        def split(z: torch.Tensor) -> torch.Tensor:
            return z.view(b, t, self.heads, self.key_dim).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        w = self.drop(torch.softmax(q @ k.transpose(-1, -2) / self.key_dim**0.5, dim=-1))
        return self.out((w @ v).transpose(1, 2).reshape(b, t, self.heads * self.key_dim))


class _ViTBlock(nn.Module):
    def __init__(self, dim: int, heads: int, key_dim: int, widths: Sequence[int], dropout: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = _KerasAttention(dim, heads, key_dim, dropout)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = mlp_layers([dim, *widths], nn.GELU, last_activation=True, dropout=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class RefViTNet(nn.Module):
    """The study's vision transformer (src/models/vision_transformer.py, after the keras-io ViT
    example): `vit_image` (52 × 52 for 4 × 26), 4 × 4 patches (169) projected to 64 with learned
    position embeddings, 8 blocks (LayerNorm, 4-head attention of key width 64 with dropout 0.1,
    residual; LayerNorm, MLP 128 → 64 with GELU and dropout 0.1, residual), then LayerNorm, flatten,
    dropout 0.5, 2048 and 1024 GELU layers each followed by dropout 0.5, and the read-out. The
    permuted copies in the image do not make it invariant: no symmetry."""

    invariant_axes: tuple[int, ...] = ()

    def __init__(
        self,
        shape: tuple[int, int],
        classes: int,
        encoding: Encoding,
        patch: int = 4,
        dim: int = 64,
        depth: int = 8,
        heads: int = 4,
        key_dim: int = 64,
        mlp: Sequence[int] = (128, 64),
        head: Sequence[int] = (2048, 1024),
        dropout: float = 0.1,
        head_dropout: float = 0.5,
    ):
        super().__init__()
        if encoding.channels != 1:
            raise ValueError("the ViT reads one number per entry (encoding raw or scaled)")
        self.encoding = encoding
        m, n = shape
        height, width = ((2 * n) // m) * m, 2 * n
        if height % patch or width % patch:
            raise ValueError(
                f"a {height} x {width} image does not split into {patch} x {patch} patches"
            )
        self.patch = patch
        tokens = (height // patch) * (width // patch)
        self.embed = nn.Linear(patch * patch, dim)
        self.pos = nn.Parameter(torch.randn(1, tokens, dim) * 0.02)
        self.blocks = nn.Sequential(
            *[_ViTBlock(dim, heads, key_dim, mlp, dropout) for _ in range(depth)]
        )
        layers: list[nn.Module] = [
            nn.LayerNorm(dim, eps=1e-6),
            nn.Flatten(),
            nn.Dropout(head_dropout),
        ]
        width_in = tokens * dim
        for h in head:
            layers += [nn.Linear(width_in, h), nn.GELU(), nn.Dropout(head_dropout)]
            width_in = h
        self.head = nn.Sequential(*layers, nn.Linear(width_in, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        img = vit_image(self.encoding(x)[:, 0])  # (B, H, W)
        p = self.patch
        b, h, w = img.shape
        patches = img.reshape(b, h // p, p, w // p, p).permute(0, 1, 3, 2, 4).reshape(b, -1, p * p)
        return self.head(self.blocks(self.embed(patches) + self.pos))


__all__ = ["EncoderDecoderNet", "RefCNNMLPNet", "RefViTNet", "vit_image"]
