"""Tensor Field Network and SE(3)-Transformer for the N-body task, built on e3nn (extra ``e3nn``).

Both follow the design the EGNN paper ran for its Table 2 (Fuchs et al.'s implementation, as
configured in vgsatorras/egnn): node inputs the charge (a scalar, irrep 0e) and the velocity (a
vector, 1o); every ordered pair i ≠ j an edge with r_ij = x_j − x_i; 4 layers; the prediction
x_i + (a 1o output). Hidden features hold `channels` copies of each irrep of degree < `degrees`
(0e, 1o, 2e, …: the parities of the spherical harmonics, so reflections are respected too and the
model is E(3)-, not only SE(3)-equivariant). The published settings: TFN `degrees=2`,
`channels=16` (nf 32 / degree 2), lr 1e-3; SE(3)-Transformer `degrees=3`, `channels=21`
(nf 64 / degree 3), lr 5e-3.

* `TFNConv`: m_ij = W(|r_ij|) ⊗ (h_j, Y(r_ij)) — an e3nn tensor product of the neighbour's
  features with the spherical harmonics of r_ij, its weights from a radial MLP of |r_ij| — averaged
  over j, plus a linear self-interaction of h_i.
* `SE3Attention`: values and keys as TFN messages, a query a linear map of h_i; weights
  softmax_j(q_i · k_ij / √dim) (the dot product of two features of the same irreps is invariant:
  the real Wigner matrices are orthogonal), output Σ_j α_ij v_ij plus a linear map of h_i (the
  skip connection of Fuchs et al.'s attention block; `skip=False` drops it).
* `SE3Transformer` is ours (with the skip connection); `PublishedSE3Transformer` is the build the
  EGNN paper's code ran (no skip connection, layer norms, one more block, a scaled output: see
  its docstring), the reference row. The skip connection alone halves the test MSE at 100 epochs
  (docs/nbody.md).
* `pathwise=True` (the SE(3)-Transformer's default): the same convolution computed one
  tensor-product path at a time, each path's weights from its own rows of the radial MLP's last
  layer. The function and the parameters are the fused ones; what changes is the backward pass,
  which no longer scatters the gradient of every path's slice of the (edges × weights) radial
  output into a full-size zero tensor (most of an SE(3)-Transformer step's CPU time with e3nn
  0.6's fused product). The TFN keeps the fused product, which trained its committed cells
  (the two differ in the float summation order of one gradient).
* Between layers `e3nn.nn.NormActivation` (each irrep scaled by a function of its norm, as in
  Fuchs et al.'s norm nonlinearity); the last layer a `TFNConv` to one 1o output.

Dense and batched: (B, n, ·) tensors; the B·n·(n − 1) edges are flattened for e3nn.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from orbitlearn.extras import import_optional


def _e3nn():
    """e3nn's o3 and nn, or a user error naming the extra."""
    needed_by = "the TFN and SE(3)-Transformer rows"
    return import_optional("e3nn.o3", needed_by), import_optional("e3nn.nn", needed_by)


def hidden_irreps(channels: int, degrees: int) -> str:
    """`channels` copies of each irrep l < `degrees` with the parity of Y^l: 0e, 1o, 2e, …"""
    return " + ".join(f"{channels}x{d}{'e' if d % 2 == 0 else 'o'}" for d in range(degrees))


def _edges(loc: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Indices (i, j) of the n(n − 1) ordered pairs i ≠ j and r_ij = x_j − x_i, (B, E, 3)."""
    n = loc.shape[1]
    i, j = torch.nonzero(~torch.eye(n, dtype=torch.bool, device=loc.device), as_tuple=True)
    return i, j, loc[:, j] - loc[:, i]


class _Radial(nn.Module):
    """|r| ↦ tensor-product weights: a 2-hidden-layer ReLU MLP of width 32 (Fuchs et al.'s radial
    function; their layer norm after each hidden linear layer only with `layer_norm`)."""

    def __init__(self, out: int, hidden: int = 32, layer_norm: bool = False):
        super().__init__()
        layers: list[nn.Module] = []
        for a in (1, hidden):  # no placeholder modules: the default's parameter names stay
            layers += [nn.Linear(a, hidden), *([nn.LayerNorm(hidden)] if layer_norm else [])]
            layers.append(nn.ReLU())
        self.net = nn.Sequential(*layers, nn.Linear(hidden, out))

    def forward(self, dist: torch.Tensor) -> torch.Tensor:
        return self.net(dist)

    def hidden(self, dist: torch.Tensor) -> torch.Tensor:
        """The MLP up to its last linear layer (`head`)."""
        return self.net[:-1](dist)

    @property
    def head(self) -> nn.Linear:
        return self.net[-1]


class TFNConv(nn.Module):
    """One tensor-field convolution between irreps features (see the module docstring)."""

    def __init__(
        self,
        irreps_in: str,
        irreps_out: str,
        sh_degree: int,
        pathwise: bool = False,
        radial_norm: bool = False,
    ):
        super().__init__()
        o3, _ = _e3nn()
        self.irreps_in, self.irreps_out = o3.Irreps(irreps_in), o3.Irreps(irreps_out)
        self.irreps_sh = o3.Irreps.spherical_harmonics(sh_degree)
        self.tp = o3.FullyConnectedTensorProduct(
            self.irreps_in, self.irreps_sh, self.irreps_out, shared_weights=False
        )
        self.radial = _Radial(self.tp.weight_numel, layer_norm=radial_norm)
        self.self_interaction = o3.Linear(self.irreps_in, self.irreps_out)
        self.pathwise = pathwise
        if pathwise:  # built last: no parameters, so the initialisation is the fused one's
            self.paths, self.spans = self._paths(o3)

    def _paths(self, o3) -> tuple[nn.ModuleList, list[tuple[int, int]]]:
        """One weighted tensor product per path of `tp`, with `tp`'s normalisation (its
        instructions store √α; a path given weight α and no further normalisation gets the
        same), and each path's span in `tp`'s flat weight vector."""
        paths, spans, start = nn.ModuleList(), [], 0
        for ins in self.tp.instructions:
            size = math.prod(ins.path_shape)
            paths.append(
                o3.TensorProduct(
                    self.irreps_in, self.irreps_sh, self.irreps_out,
                    [(ins.i_in1, ins.i_in2, ins.i_out, ins.connection_mode, True,
                      ins.path_weight**2)],
                    irrep_normalization="none", path_normalization="none",
                    shared_weights=False,
                )
            )  # fmt: skip
            spans.append((start, start + size))
            start += size
        if start != self.tp.weight_numel:
            raise AssertionError("the paths do not cover the fused product's weights")
        return paths, spans

    def messages(self, h: torch.Tensor, sh: torch.Tensor, dist: torch.Tensor, j: torch.Tensor):
        """m_ij for every edge: (B, E, irreps_out.dim)."""
        hj = h[:, j]
        if not self.pathwise:
            return self.tp(hj, sh, self.radial(dist))
        hidden, head = self.radial.hidden(dist), self.radial.head
        out = 0
        for path, (a, b) in zip(self.paths, self.spans):
            out = out + path(hj, sh, F.linear(hidden, head.weight[a:b], head.bias[a:b]))
        return out

    def forward(self, h, sh, dist, i, j, n):
        m = self.messages(h, sh, dist, j)
        out = torch.zeros(h.shape[0], n, m.shape[-1], dtype=m.dtype, device=m.device)
        out = out.index_add(1, i, m) / (n - 1)
        return out + self.self_interaction(h)


class SE3Attention(nn.Module):
    """One SE(3)-Transformer attention layer (see the module docstring).

    `skip=False` is the layer as the EGNN paper ran it (vgsatorras/egnn, whose `GSE3Res` has its
    skip connection commented out): the output is Σ_j α_ij v_ij alone, so node i's own features
    reach it only through the attention weights; keys and query then carry only the degrees of
    the input (their `f_mid_in`), and `radial_norm` puts Fuchs et al.'s layer norms in the radial
    MLPs."""

    def __init__(
        self,
        irreps_in: str,
        irreps_out: str,
        sh_degree: int,
        pathwise: bool = True,
        skip: bool = True,
        radial_norm: bool = False,
    ):
        super().__init__()
        o3, _ = _e3nn()
        irreps_key = o3.Irreps(irreps_out)
        if not skip:  # keys and query only of the degrees the input has
            degrees = {ir.l for _, ir in o3.Irreps(irreps_in)}
            irreps_key = o3.Irreps([(m, ir) for m, ir in irreps_key if ir.l in degrees])
        self.value = TFNConv(irreps_in, irreps_out, sh_degree, pathwise, radial_norm)
        self.key = TFNConv(irreps_in, str(irreps_key), sh_degree, pathwise, radial_norm)
        self.query = o3.Linear(o3.Irreps(irreps_in), irreps_key)
        self.skip = o3.Linear(o3.Irreps(irreps_in), o3.Irreps(irreps_out)) if skip else None
        self.scale = float(irreps_key.dim) ** -0.5

    def forward(self, h, sh, dist, i, j, n):
        v = self.value.messages(h, sh, dist, j)  # (B, E, D)
        k = self.key.messages(h, sh, dist, j)
        q = self.query(h)[:, i]  # the receiving node's query on each edge
        logits = (q * k).sum(-1) * self.scale  # (B, E), invariant
        # softmax over the n − 1 edges into each node: edges are grouped by i, n − 1 each
        b = h.shape[0]
        alpha = torch.softmax(logits.view(b, n, n - 1), dim=-1).view(b, -1, 1)
        out = torch.zeros(b, n, v.shape[-1], dtype=v.dtype, device=v.device)
        out = out.index_add(1, i, alpha * v)
        return out if self.skip is None else out + self.skip(h)


class NormLayerNormReLU(nn.Module):
    """Fuchs et al.'s norm nonlinearity as the EGNN paper ran it (`GNormSE3`, no linear layers):
    for each irrep type l, the norms of its `mul` copies go through a LayerNorm over the copies and
    a ReLU, and each copy is rescaled to that length: v ↦ relu(LN(‖v‖))·v/‖v‖ (‖v‖ clamped at
    1e-12). Norms are invariant and v/‖v‖ keeps v's parity, so it commutes with O(3)."""

    def __init__(self, irreps: str, eps: float = 1e-12):
        super().__init__()
        o3, _ = _e3nn()
        # (copies, dimension) per irrep as plain ints (torch.compile cannot guard e3nn's Irreps)
        self.blocks = tuple((int(mul), int(ir.dim)) for mul, ir in o3.Irreps(irreps))
        self.eps = eps
        self.norms = nn.ModuleList(nn.LayerNorm(mul) for mul, _ in self.blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, start = [], 0
        for (mul, dim), ln in zip(self.blocks, self.norms):
            block = x[..., start : start + mul * dim].reshape(*x.shape[:-1], mul, dim)
            start += mul * dim
            norm = block.norm(dim=-1, keepdim=True).clamp_min(self.eps)
            scaled = torch.relu(ln(norm.squeeze(-1))).unsqueeze(-1) * block / norm
            out.append(scaled.reshape(*x.shape[:-1], mul * dim))
        return torch.cat(out, dim=-1)


class _FieldNet(nn.Module):
    """Shared skeleton: input (charge 0e, velocity 1o) → hidden blocks `layer`, each followed by
    the nonlinearity `act` (e3nn's sigmoid `NormActivation` by default) → a TFN convolution to one
    1o vector (its radial MLP with layer norms where `radial_norm`), times a learned scalar that
    starts at `out_scale` where one is given, added to the positions. `layers` counts the output
    convolution (`layers − 1` hidden blocks) unless `out_counts=False` (`layers` blocks)."""

    def __init__(
        self,
        layer: Callable[..., nn.Module],
        channels: int,
        degrees: int,
        layers: int,
        pathwise: bool,
        *,
        out_counts: bool = True,
        act: Callable[[str], nn.Module] | None = None,
        radial_norm: bool = False,
        out_scale: float | None = None,
    ):
        super().__init__()
        o3, enn = _e3nn()
        least = 2 if out_counts else 1
        if layers < least or degrees < 1 or channels < 1:
            raise ValueError(f"need layers >= {least}, degrees >= 1 and channels >= 1")
        blocks = layers - 1 if out_counts else layers
        if act is None:

            def act(irreps: str) -> nn.Module:
                return enn.NormActivation(o3.Irreps(irreps), torch.sigmoid, bias=True)

        self.sh_degree = degrees - 1
        hidden = hidden_irreps(channels, degrees)
        sizes = ["1x0e + 1x1o"] + [hidden] * blocks
        self.layers = nn.ModuleList(
            layer(a, b, self.sh_degree, pathwise) for a, b in zip(sizes[:-1], sizes[1:])
        )
        self.acts = nn.ModuleList(act(hidden) for _ in range(blocks))
        self.out = TFNConv(hidden, "1x1o", self.sh_degree, pathwise, radial_norm)
        if out_scale is not None:  # registered only then: the other builds' parameters stay
            self.out_scale = nn.Parameter(torch.full((1,), out_scale))
        else:
            self.out_scale = None
        self.sh = o3.SphericalHarmonics(
            o3.Irreps.spherical_harmonics(self.sh_degree), normalize=True, normalization="component"
        )

    def forward(self, loc, vel, charges):
        b, n, _ = loc.shape
        i, j, rel = _edges(loc)
        dist = rel.norm(dim=-1, keepdim=True)
        sh = self.sh(rel)
        h = torch.cat([charges.reshape(b, n, 1).to(loc.dtype), vel], dim=-1)
        for layer, act in zip(self.layers, self.acts):
            h = act(layer(h, sh, dist, i, j, n))
        step = self.out(h, sh, dist, i, j, n)
        return loc + (step if self.out_scale is None else step * self.out_scale)


class TensorFieldNetwork(_FieldNet):
    """TFN (Thomas et al. 2018) as run in the EGNN paper's Table 2 (published: degrees 2, 16
    channels, 4 layers, lr 1e-3)."""

    def __init__(
        self, channels: int = 16, degrees: int = 2, layers: int = 4, pathwise: bool = False
    ):
        super().__init__(TFNConv, channels, degrees, layers, pathwise)


class SE3Transformer(_FieldNet):
    """SE(3)-Transformer (Fuchs et al. 2020) as run in the EGNN paper's Table 2 (published:
    degrees 3, 21 channels, 4 layers, one head, lr 5e-3)."""

    def __init__(
        self,
        channels: int = 21,
        degrees: int = 3,
        layers: int = 4,
        pathwise: bool = True,
        skip: bool = True,
    ):
        super().__init__(
            functools.partial(SE3Attention, skip=skip), channels, degrees, layers, pathwise
        )


class PublishedSE3Transformer(_FieldNet):
    """The SE(3)-Transformer as configured in the EGNN paper's code (vgsatorras/egnn,
    `n_body_system/se3_dynamics`, `--degree 3 --nf 64 --div 1`), where it differs from
    `SE3Transformer`: `layers` attention blocks (4: `num_layers` of them, then the output
    convolution, five message-passing steps in all), each without skip connection and followed by
    `NormLayerNormReLU`; layer norms in every radial MLP; the output vector times a learned scalar
    that starts at 0.01 (their `scalar_trick`). Kept from `SE3Transformer`: e3nn's products, the
    parity of the hidden irreps (E(3), not only SE(3)), r_ij = x_j − x_i."""

    def __init__(
        self, channels: int = 21, degrees: int = 3, layers: int = 4, pathwise: bool = True
    ):
        super().__init__(
            functools.partial(SE3Attention, skip=False, radial_norm=True),
            channels,
            degrees,
            layers,
            pathwise,
            out_counts=False,
            act=NormLayerNormReLU,
            radial_norm=True,
            out_scale=0.01,
        )


__all__ = [
    "NormLayerNormReLU",
    "PublishedSE3Transformer",
    "SE3Attention",
    "SE3Transformer",
    "TFNConv",
    "TensorFieldNetwork",
    "hidden_irreps",
]
