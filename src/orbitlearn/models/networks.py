"""The torch architectures of the zoo. Every network maps a (B, m, n) integer matrix batch
(m coordinates × n vertices for KS) to (B, classes) logits and declares, in `invariant_axes`,
the axes of the (B, m, n) input whose permutations leave its output unchanged: () for none,
(-1,) for S_n (the columns, i.e. vertices) or (-2, -1) for S_m × S_n (rows and columns). A set
network reads them off its invariant read-out layer's declared `symmetry` (`orbitlearn.nn`), so
the claim is stated once, by the layer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from orbitlearn.models.encoding import Encoding
from orbitlearn.models.network_names import NETWORK_CLASSES
from orbitlearn.nn.attention import AttentionPooling, SetAttentionBlock
from orbitlearn.nn.exchangeable import ExchangeableMatrixLayer
from orbitlearn.nn.pointnet import PointNet, mlp
from orbitlearn.nn.pooling import InvariantPool
from orbitlearn.nn.sets import DeepSetsEquivariant


def _vertex_tokens(h: torch.Tensor) -> torch.Tensor:
    """(B, C, m, n) -> (B, n, C·m): one token per vertex (column)."""
    b, c, m, n = h.shape
    return h.permute(0, 3, 1, 2).reshape(b, n, c * m)


#: where vertex tokens (B, n, C·m) keep the input's axes: their set axis -2 is the vertex axis -1
_TOKEN_AXES = {-2: -1}


def _input_axes(readout: nn.Module, to_input: dict[int, int]) -> tuple[int, ...]:
    """The input axes whose permutations a network forgets, read off its invariant read-out
    layer's declared `symmetry` (the axes it permutes, mapped back to the input's axes by
    `to_input`); the layers before the read-out are equivariant under them by construction."""
    return tuple(sorted(to_input[a] for a in readout.symmetry.action.axes))


def _vertex_mask(x: torch.Tensor, padded: bool) -> torch.Tensor | None:
    """(B, n) True for real vertices when the batch is zero-padded (mixed vertex counts), else
    None. A zero column marks padding: the origin is interior to a reflexive polytope, so it is
    never one of its vertices."""
    return (x != 0).any(dim=-2) if padded else None


def _dropout_mlp(width: int, hidden: Sequence[int], classes: int, dropout: float) -> nn.Sequential:
    """Linear -> ReLU -> Dropout for each hidden width, then a linear read-out."""
    return mlp([width, *hidden, classes], dropout=dropout)


class MLPNet(nn.Module):
    """Flattened input -> MLP. No symmetry."""

    invariant_axes: tuple[int, ...] = ()

    def __init__(
        self,
        shape: tuple[int, int],
        classes: int,
        encoding: Encoding,
        hidden: Sequence[int] = (512, 256),
        dropout: float = 0.1,
    ):
        super().__init__()
        self.encoding = encoding
        m, n = shape
        self.net = nn.Sequential(
            nn.Flatten(), *_dropout_mlp(encoding.channels * m * n, hidden, classes, dropout)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.encoding(x))


class CNNMLPNet(nn.Module):
    """orbitlearn's convolutional MLP (ours, not the published "MLP(CNN)", which is
    `orbitlearn.apps.ks.reference.RefCNNMLPNet`): 1-wide convolutions along each column (over the
    m rows) and along each row (over the n columns), their flattened outputs concatenated, then an
    MLP. No symmetry."""

    invariant_axes: tuple[int, ...] = ()

    def __init__(
        self,
        shape: tuple[int, int],
        classes: int,
        encoding: Encoding,
        channels: int = 32,
        hidden: Sequence[int] = (512, 256),
        dropout: float = 0.1,
    ):
        super().__init__()
        self.encoding = encoding
        m, n = shape
        c = encoding.channels
        self.over_rows = nn.Conv2d(c, channels, kernel_size=(m, 1))  # -> (B, k, 1, n)
        self.over_cols = nn.Conv2d(c, channels, kernel_size=(1, n))  # -> (B, k, m, 1)
        self.head = _dropout_mlp(channels * (m + n), hidden, classes, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.encoding(x)
        a = torch.relu(self.over_rows(h)).flatten(1)
        b = torch.relu(self.over_cols(h)).flatten(1)
        return self.head(torch.cat([a, b], dim=1))


class ViTNet(nn.Module):
    """orbitlearn's small vision transformer (ours, not the published ViT, which is
    `orbitlearn.apps.ks.reference.RefViTNet`): one token per column (vertex) plus a class token,
    learned position embeddings, pre-norm encoder layers. The position embeddings break S_n: no
    symmetry."""

    invariant_axes: tuple[int, ...] = ()

    def __init__(
        self,
        shape: tuple[int, int],
        classes: int,
        encoding: Encoding,
        dim: int = 64,
        depth: int = 4,
        heads: int = 4,
        dropout: float = 0.1,
    ):
        super().__init__()
        self.encoding = encoding
        m, n = shape
        self.embed = nn.Linear(encoding.channels * m, dim)
        self.pos = nn.Parameter(torch.randn(1, n + 1, dim) * 0.02)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        layer = nn.TransformerEncoderLayer(
            dim, heads, 2 * dim, dropout, batch_first=True, norm_first=True, activation="gelu"
        )
        self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = self.embed(_vertex_tokens(self.encoding(x)))
        t = torch.cat([self.cls.expand(t.shape[0], -1, -1), t], dim=1) + self.pos
        return self.head(self.norm(self.encoder(t)[:, 0]))


class DeepSetsNet(nn.Module):
    """Deep Sets over the vertices: equivariant (λI + γ11ᵀ) layers on vertex tokens, sum+max
    pooling, an MLP head. Invariant under S_n (vertex permutations)."""

    def __init__(
        self,
        shape: tuple[int, int],
        classes: int,
        encoding: Encoding,
        width: int = 128,
        depth: int = 3,
        head: Sequence[int] = (128,),
        padded: bool = False,
    ):
        super().__init__()
        self.encoding = encoding
        self.padded = bool(padded)  # zero columns are padding (mixed vertex counts)
        m, _ = shape
        dims = [encoding.channels * m] + [width] * depth
        self.layers = nn.ModuleList(DeepSetsEquivariant(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.pool = InvariantPool(-2, ("mean", "max"))
        self.head = mlp([2 * width, *head, classes])

    @property
    def invariant_axes(self) -> tuple[int, ...]:
        """(-1,): the pooling forgets the order of the vertex tokens."""
        return _input_axes(self.pool, _TOKEN_AXES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mask = _vertex_mask(x, self.padded)
        h = _vertex_tokens(self.encoding(x))
        for layer in self.layers:
            h = torch.relu(layer(h, mask))
        return self.head(self.pool(h, mask))


class PointNetNet(nn.Module):
    """PointNet over the vertices (each a point with m coordinates). Invariant under S_n.

    With `vertex_features`, each vertex token also carries the exact engine's GL(m,Z)-invariant
    features of that vertex (`orbitlearn.geometry.features`: facet-distance counts, edges, edge
    lattice lengths; divided by FEATURE_SCALE), computed from the input matrix itself and kept
    per distinct matrix; behind the polytope normal form the model stays exactly GL(m,Z) × S_n-
    invariant. `pools` ("max", "sum", "mean") are concatenated before the head.
    """

    FEATURE_SCALE = 8.0

    def __init__(
        self,
        shape: tuple[int, int],
        classes: int,
        encoding: Encoding,
        hidden: Sequence[int] = (64, 128, 256),
        head: Sequence[int] = (256, 128),
        padded: bool = False,
        pools: Sequence[str] = ("max",),
        vertex_features: bool = False,
    ):
        super().__init__()
        self.encoding = encoding
        self.padded = bool(padded)  # zero columns are padding (mixed vertex counts)
        self.vertex_features = bool(vertex_features)
        self._features = None  # the engine's feature cache, made on first use
        m, _ = shape
        extra = _feature_count() if self.vertex_features else 0
        self.net = PointNet(encoding.channels * m + extra, hidden, classes, head, pools=pools)

    @property
    def invariant_axes(self) -> tuple[int, ...]:
        """(-1,): PointNet forgets the order of the vertex tokens."""
        return _input_axes(self.net, _TOKEN_AXES)

    def _engine_features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, n, K) float features of each vertex from the exact engine, on x's device."""
        if self._features is None:
            from orbitlearn.geometry.features import FeatureCache

            self._features = FeatureCache()
        ints = np.rint(x.detach().cpu().double().numpy()).astype(np.int64)
        feats = self._features(ints, padded=self.padded)
        return torch.as_tensor(feats, dtype=x.dtype, device=x.device).transpose(1, 2) / (
            self.FEATURE_SCALE
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = _vertex_tokens(self.encoding(x))
        if self.vertex_features:
            tokens = torch.cat([tokens, self._engine_features(x)], dim=-1)
        return self.net(tokens, _vertex_mask(x, self.padded))


def _feature_count() -> int:
    """How many engine features each vertex carries (`orbitlearn.geometry.features`)."""
    from orbitlearn.geometry.features import VERTEX_FEATURES

    return len(VERTEX_FEATURES)


class ExchangeableNet(nn.Module):
    """Hartford-style network: exchangeable matrix layers with ReLU on (B, C, m, n), then mean and
    max pooling over both axes and an MLP head. Invariant under S_m × S_n (rows and columns)."""

    def __init__(
        self,
        shape: tuple[int, int],
        classes: int,
        encoding: Encoding,
        width: int = 64,
        depth: int = 4,
        head: Sequence[int] = (128,),
    ):
        super().__init__()
        self.encoding = encoding
        dims = [encoding.channels] + [width] * depth
        self.layers = nn.ModuleList(
            ExchangeableMatrixLayer(a, b) for a, b in zip(dims[:-1], dims[1:])
        )
        self.pool = InvariantPool((-3, -2), ("mean", "max"))
        self.head = mlp([2 * width, *head, classes])

    @property
    def invariant_axes(self) -> tuple[int, ...]:
        """(-2, -1): the pooling over (B, m, n, C) forgets rows and columns."""
        return _input_axes(self.pool, {-3: -2, -2: -1})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.encoding(x)
        for layer in self.layers:
            h = torch.relu(layer(h))
        return self.head(self.pool(h.movedim(1, -1)))


class SetTransformerNet(nn.Module):
    """Set Transformer over the vertices: embedding, set attention blocks, attention pooling, head.
    No positional encoding: invariant under S_n."""

    def __init__(
        self,
        shape: tuple[int, int],
        classes: int,
        encoding: Encoding,
        dim: int = 64,
        depth: int = 3,
        heads: int = 4,
        seeds: int = 2,
    ):
        super().__init__()
        self.encoding = encoding
        m, _ = shape
        self.embed = nn.Linear(encoding.channels * m, dim)
        self.blocks = nn.Sequential(*(SetAttentionBlock(dim, heads) for _ in range(depth)))
        self.pool = AttentionPooling(dim, heads, seeds)
        self.head = mlp([seeds * dim, dim, classes])

    @property
    def invariant_axes(self) -> tuple[int, ...]:
        """(-1,): the attention pooling forgets the order of the vertex tokens."""
        return _input_axes(self.pool, _TOKEN_AXES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.pool(self.blocks(self.embed(_vertex_tokens(self.encoding(x))))))


#: the networks by name (the names and classes of `orbitlearn.models.network_names.NETWORK_CLASSES`)
NETWORKS: dict[str, type[nn.Module]] = {
    name: globals()[cls] for name, cls in NETWORK_CLASSES.items()
}
