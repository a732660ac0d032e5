"""The N-body networks on dense, batched graphs: every tensor is (B, n, ...) or (B, n, n, ...).

All take loc, vel (B, n, 3) and charges (B, n) and return predicted positions (B, n, 3). Edges are
all ordered pairs i ≠ j (a fully connected graph, as in the published experiment); the diagonal is
masked. Layer sizes and inputs follow the EGNN paper's N-body setup (4 layers, 64 features):

- `LinearDynamics`: x + t·v with one learned t (E(3)-equivariant).
- `GNN`: message passing on (x, v) as plain features, edge input q_i q_j (not equivariant).
- `RadialField`: x_i ← x_i + mean_j (x_i − x_j) φ(|x_ij|, q_i q_j, |x_ij⁰|²) + ψ(|v_i|) v_i.
- `EGNN`: h from |v|, messages φ_e(h_i, h_j, |x_ij|², q_i q_j, |x_ij⁰|²), x_i ← x_i + mean_j x_ij
  φ_x(m_ij) + φ_v(h_i) v_i, h_i ← h_i + φ_h(h_i, Σ_j m_ij) (velocities as in the paper).
- `EGNNPlus`: EGNN whose messages also see the relative velocity (x_ij·v_ij, |v_ij|², v_i·v_j) and
  whose position update also moves along v_ij; still exactly E(3)-equivariant.
"""

from __future__ import annotations

import torch
from torch import nn


def _mlp(sizes: list[int], last_act: bool = False) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2 or last_act:
            layers.append(nn.SiLU())
    return nn.Sequential(*layers)


def _small_head(hidden: int, gain: float = 0.001) -> nn.Sequential:
    """Linear → SiLU → Linear(→1, no bias) with a tiny last layer (a gentle start for x updates)."""
    last = nn.Linear(hidden, 1, bias=False)
    nn.init.xavier_uniform_(last.weight, gain=gain)
    return nn.Sequential(nn.Linear(hidden, hidden), nn.SiLU(), last)


def off_diagonal(n: int, device=None, dtype=torch.float32) -> torch.Tensor:
    """(n, n, 1) mask, 0 on the diagonal and 1 elsewhere."""
    return (1.0 - torch.eye(n, device=device, dtype=dtype)).unsqueeze(-1)


class PairLinear(nn.Module):
    """Linear map of cat(h_i, h_j, e_ij) for all pairs, computed as A h_i + B h_j + C e_ij + b."""

    def __init__(self, node_dim: int, edge_dim: int, out: int):
        super().__init__()
        self.src = nn.Linear(node_dim, out, bias=True)
        self.dst = nn.Linear(node_dim, out, bias=False)
        self.edge = nn.Linear(edge_dim, out, bias=False) if edge_dim else None

    def forward(self, h: torch.Tensor, e: torch.Tensor | None, at=None) -> torch.Tensor:
        """All pairs (i, j), or with `at` (a map (B, n, F) → (B, n, k, F) to each node's
        neighbours) the pairs of that graph."""
        dst = self.dst(h)
        z = self.src(h).unsqueeze(2) + (dst.unsqueeze(1) if at is None else at(dst))
        return z if self.edge is None else z + self.edge(e)


class LinearDynamics(nn.Module):
    """x + t·v with one learned scalar t (started at 0.7, near the least-squares value)."""

    def __init__(self):
        super().__init__()
        self.t = nn.Parameter(torch.tensor(0.7))

    def forward(self, loc, vel, charges):
        return loc + self.t * vel


class GNN(nn.Module):
    """Plain message passing: h⁰ = W[x, v]; m_ij = φ_e(h_i, h_j, q_i q_j); h_i += φ_h(h_i, Σ m);
    output a decoder of h (absolute positions; no symmetry)."""

    def __init__(self, hidden: int = 64, layers: int = 4, in_dim: int = 6, edge_dim: int = 1):
        super().__init__()
        self.embed = nn.Linear(in_dim, hidden)
        self.edge_in = nn.ModuleList(PairLinear(hidden, edge_dim, hidden) for _ in range(layers))
        self.edge_out = nn.ModuleList(_mlp([hidden, hidden], last_act=True) for _ in range(layers))
        self.node = nn.ModuleList(_mlp([2 * hidden, hidden, hidden]) for _ in range(layers))
        self.decode = _mlp([hidden, hidden, 3])

    def message_pass(self, k: int, h: torch.Tensor, e: torch.Tensor, mask: torch.Tensor):
        """Layer k: h_i += φ_h(h_i, Σ_j φ_e(h_i, h_j, e_ij)) over the pairs `mask` keeps."""
        m = self.edge_out[k](torch.nn.functional.silu(self.edge_in[k](h, e))) * mask
        return h + self.node[k](torch.cat([h, m.sum(2)], -1))

    def forward(self, loc, vel, charges):
        n = loc.shape[1]
        mask = off_diagonal(n, loc.device, loc.dtype)
        qq = (charges.unsqueeze(2) * charges.unsqueeze(1)).unsqueeze(-1)
        h = self.embed(torch.cat([loc, vel], -1))
        for k in range(len(self.node)):
            h = self.message_pass(k, h, qq, mask)
        return self.decode(h)


class RadialField(nn.Module):
    """x_i ← x_i + mean_j x_ij φ(|x_ij|, q_i q_j, |x_ij⁰|²) + ψ(|v_i|) v_i, `layers` times (φ ends
    in tanh, as in the published model)."""

    def __init__(self, hidden: int = 64, layers: int = 4):
        super().__init__()
        self.phi = nn.ModuleList()
        self.psi = nn.ModuleList()
        for _ in range(layers):
            last = nn.Linear(hidden, 1, bias=False)
            nn.init.xavier_uniform_(last.weight, gain=0.001)
            self.phi.append(nn.Sequential(nn.Linear(3, hidden), nn.SiLU(), last, nn.Tanh()))
            self.psi.append(_mlp([1, hidden, 1]))

    def forward(self, loc, vel, charges):
        n = loc.shape[1]
        mask = off_diagonal(n, loc.device, loc.dtype)
        qq = (charges.unsqueeze(2) * charges.unsqueeze(1)).unsqueeze(-1)
        speed = vel.norm(dim=-1, keepdim=True)
        d0 = ((loc.unsqueeze(2) - loc.unsqueeze(1)) ** 2).sum(-1, keepdim=True)
        x = loc
        for phi, psi in zip(self.phi, self.psi):
            diff = x.unsqueeze(2) - x.unsqueeze(1)
            r = ((diff**2).sum(-1, keepdim=True) + 1e-12).sqrt()  # 1e-12: finite gradient at i = j
            w = phi(torch.cat([r, qq, d0], -1)) * mask
            x = x + (diff * w).sum(2) / (n - 1) + psi(speed) * vel
        return x


def nearest(loc: torch.Tensor, k: int) -> torch.Tensor:
    """(B, n, k) indices of each particle's k nearest other particles (by distance, so the choice
    moves with any E(3) element; ties, of measure zero, broken by index)."""
    d = torch.cdist(loc, loc)
    d = d + torch.diag_embed(torch.full(d.shape[:-1], float("inf"), dtype=d.dtype, device=d.device))
    return d.topk(k, dim=-1, largest=False).indices


def gather_nodes(t: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """t (B, n, F) at the neighbours idx (B, n, k): (B, n, k, F)."""
    b, n, k = idx.shape
    flat = idx.reshape(b, n * k, 1).expand(b, n * k, t.shape[-1])
    return t.gather(1, flat).reshape(b, n, k, t.shape[-1])


class EGNN(nn.Module):
    """E(n)-equivariant GNN with velocities (Satorras et al. 2021, N-body variant), dense.

    With `plus=True` the messages also see x_ij·v_ij, |v_ij|², v_i·v_j and the positions also move
    along v_ij (`EGNNPlus`). With `neighbours=k` each particle receives messages from its k nearest
    particles at the input (a k-nearest-neighbour graph: O(n k) messages instead of O(n²), for
    systems where the fully connected graph is too dear; None: every other particle)."""

    def __init__(
        self, hidden: int = 64, layers: int = 4, plus: bool = False, neighbours: int | None = None
    ):
        super().__init__()
        self.plus = plus
        self.neighbours = neighbours
        edge_dim = 2 + 1 + (3 if plus else 0)  # q_i q_j, |x_ij⁰|², |x_ij|² (+ velocity invariants)
        self.embed = nn.Linear(1, hidden)
        self.edge_in = nn.ModuleList(PairLinear(hidden, edge_dim, hidden) for _ in range(layers))
        self.edge_out = nn.ModuleList(_mlp([hidden, hidden], last_act=True) for _ in range(layers))
        self.coord = nn.ModuleList(_small_head(hidden) for _ in range(layers))
        self.coord_v = nn.ModuleList(_small_head(hidden) for _ in range(layers)) if plus else None
        self.vel = nn.ModuleList(_mlp([hidden, hidden, 1]) for _ in range(layers))
        self.node = nn.ModuleList(_mlp([2 * hidden, hidden, hidden]) for _ in range(layers))

    def forward(self, loc, vel, charges):
        n = loc.shape[1]
        if self.neighbours is not None and self.neighbours < n - 1:
            idx = nearest(loc, self.neighbours)
            return self._layers(loc, vel, charges, lambda t: gather_nodes(t, idx), None)
        return self._layers(loc, vel, charges, None, off_diagonal(n, loc.device, loc.dtype))

    def _layers(self, loc, vel, charges, at, mask):
        """The layers on all pairs i ≠ j (`at` None, `mask` the off-diagonal) or on a graph: `at`
        maps (B, n, F) to each node's k neighbours (B, n, k, F), no mask; means over the edges."""

        def other(t: torch.Tensor) -> torch.Tensor:  # t_j on every edge (i, j)
            return t.unsqueeze(1) if at is None else at(t)

        count = loc.shape[1] - 1 if at is None else self.neighbours
        q = charges.unsqueeze(-1)
        qq = q.unsqueeze(2) * other(q)
        diff0 = loc.unsqueeze(2) - other(loc)
        fixed = [qq, (diff0**2).sum(-1, keepdim=True)]
        if self.plus:
            vdiff = vel.unsqueeze(2) - other(vel)
            vv = (vel.unsqueeze(2) * other(vel)).sum(-1, keepdim=True)
            fixed += [(vdiff**2).sum(-1, keepdim=True), vv]
        h = self.embed(vel.norm(dim=-1, keepdim=True))
        x = loc
        for k in range(len(self.node)):
            diff = diff0 if k == 0 else x.unsqueeze(2) - other(x)
            e = [*fixed, (diff**2).sum(-1, keepdim=True)]
            if self.plus:
                e.append((diff * vdiff).sum(-1, keepdim=True))
            z = self.edge_in[k](h, torch.cat(e, -1), at)
            m = self.edge_out[k](torch.nn.functional.silu(z))
            if mask is not None:
                m = m * mask
            shift = diff * self.coord[k](m)
            if self.plus:
                shift = shift + vdiff * self.coord_v[k](m)
            x = x + shift.sum(2) / count + self.vel[k](h) * vel
            h = h + self.node[k](torch.cat([h, m.sum(2)], -1))
        return x


class EGNNPlus(EGNN):
    """`EGNN` with relative-velocity invariants and moves along v_ij (see the module docstring)."""

    def __init__(self, hidden: int = 64, layers: int = 4):
        super().__init__(hidden, layers, plus=True)


class Ensemble(nn.Module):
    """The mean prediction of several networks (E(3)-equivariant when every member is)."""

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, loc, vel, charges):
        return torch.stack([m(loc, vel, charges) for m in self.members]).mean(0)


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


__all__ = [
    "EGNN",
    "Ensemble",
    "GNN",
    "EGNNPlus",
    "LinearDynamics",
    "RadialField",
    "count_parameters",
    "gather_nodes",
    "nearest",
    "off_diagonal",
]
