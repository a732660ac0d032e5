"""E(n)-equivariant graph layers (EGNN kind, Satorras, Hoogeboom & Welling 2021), dense and batched.

Inputs: features h (B, n, F) (scalars), positions x (B, n, d), optional velocities v (B, n, d),
optional mask (B, n) (True for real nodes); every pair of real nodes is an edge.

    m_ij  = φ_e(h_i, h_j, ‖x_i − x_j‖²)                          (invariant messages)
    Δ_i   = (1/(n_i − 1)) Σ_{j≠i} (x_i − x_j)/(‖x_i − x_j‖ + 1) · φ_x(m_ij)
    v_i'  = φ_v(h_i) v_i + Δ_i,  x_i' = x_i + v_i'               (with velocities)
    x_i'  = x_i + Δ_i                                            (without)
    h_i'  = h_i + φ_h(h_i, Σ_j m_ij)

so (h, x, v) ↦ (h', x', v') is E(d)-equivariant: h invariant, x moved by x Rᵀ + t, v by v Rᵀ.
Padded nodes (mask False) send and receive nothing and keep their inputs.
"""

from __future__ import annotations

import torch
from torch import nn

from orbitlearn.groups.claims import Equivariance
from orbitlearn.groups.lie import euclidean_group
from orbitlearn.groups.pointcloud import point_cloud_inputs


def egnn_symmetry(d: int, velocity: bool) -> Equivariance:
    """E(d) acting on (h, x[, v]) as (scalar, position[, vector]), the same on the output."""
    roles = ("scalar", "position", "vector") if velocity else ("scalar", "position")
    action = point_cloud_inputs(euclidean_group(d), *roles)
    return Equivariance(action, action)


def _edge_mask(mask: torch.Tensor | None, b: int, n: int, device: torch.device) -> torch.Tensor:
    """(B, n, n) True for edges i ≠ j between real nodes."""
    off = ~torch.eye(n, dtype=torch.bool, device=device)
    if mask is None:
        return off.expand(b, n, n)
    m = mask.bool()
    return off & m[:, :, None] & m[:, None, :]


class EGNNLayer(nn.Module):
    """One E(d)-equivariant message-passing step (h, x[, v]) ↦ (h', x'[, v']); see the module docstring.

    Parameters
    ----------
    features : F, the width of h (kept: the feature update is residual).
    hidden : width of the message MLPs φ_e, φ_x, φ_h (and φ_v).
    velocity : whether the layer takes and returns velocities v.
    d : the dimension of the positions (E(d)).
    """

    def __init__(self, features: int, hidden: int = 64, *, velocity: bool = False, d: int = 3):
        super().__init__()
        self.features, self.velocity, self.d = int(features), bool(velocity), int(d)
        act = nn.SiLU
        self.phi_e = nn.Sequential(
            nn.Linear(2 * features + 1, hidden), act(), nn.Linear(hidden, hidden), act()
        )
        self.phi_x = nn.Sequential(nn.Linear(hidden, hidden), act(), nn.Linear(hidden, 1))
        self.phi_h = nn.Sequential(
            nn.Linear(features + hidden, hidden), act(), nn.Linear(hidden, features)
        )
        self.phi_v = (
            nn.Sequential(nn.Linear(features, hidden), act(), nn.Linear(hidden, 1))
            if velocity
            else None
        )
        self.symmetry = egnn_symmetry(self.d, self.velocity)

    def forward(
        self,
        h: torch.Tensor,
        x: torch.Tensor,
        v: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, ...]:
        """(h', x') or, with velocities, (h', x', v')."""
        if self.velocity and v is None:
            raise ValueError("this EGNNLayer was built with velocity=True: pass v")
        b, n, _ = x.shape
        edges = _edge_mask(mask, b, n, x.device)
        e = edges[..., None].to(x.dtype)
        rel = x[:, :, None, :] - x[:, None, :, :]  # x_i − x_j, (B, n, n, d)
        dist2 = (rel**2).sum(-1, keepdim=True)
        hi = h[:, :, None, :].expand(b, n, n, h.shape[-1])
        hj = h[:, None, :, :].expand(b, n, n, h.shape[-1])
        m = self.phi_e(torch.cat([hi, hj, dist2], -1)) * e
        count = e.sum(2).clamp(min=1.0)  # n_i − 1 real neighbours, (B, n, 1)
        # the norm only where there is an edge: sqrt has no derivative at 0 (the diagonal)
        dist = torch.where(edges[..., None], dist2, torch.ones_like(dist2)).sqrt()
        unit = rel / (dist + 1.0)
        delta = (unit * self.phi_x(m) * e).sum(2) / count
        node = mask[..., None].to(x.dtype) if mask is not None else None
        if node is not None:
            delta = delta * node
        h_new = h + self.phi_h(torch.cat([h, m.sum(2)], -1)) * (1.0 if node is None else node)
        if not self.velocity:
            return h_new, x + delta
        v_new = self.phi_v(h) * v + delta
        if node is None:
            return h_new, x + v_new, v_new
        return h_new, x + node * v_new, node * v_new + (1 - node) * v


class EGNN(nn.Module):
    """A stack of EGNN layers: h ↦ embed(h), L layers, then a linear read-out of h.

    forward(h, x, v=None, mask=None) returns (h_out, x_out) or (h_out, x_out, v_out) with
    h_out (B, n, out_features) invariant and x_out, v_out equivariant under E(d).
    """

    def __init__(
        self,
        in_features: int,
        hidden: int = 64,
        n_layers: int = 4,
        *,
        out_features: int | None = None,
        velocity: bool = False,
        d: int = 3,
    ):
        super().__init__()
        self.embed = nn.Linear(in_features, hidden)
        self.layers = nn.ModuleList(
            EGNNLayer(hidden, hidden, velocity=velocity, d=d) for _ in range(n_layers)
        )
        self.readout = nn.Linear(hidden, out_features or in_features)
        self.velocity, self.d = bool(velocity), int(d)
        self.symmetry = egnn_symmetry(self.d, self.velocity)

    def forward(
        self,
        h: torch.Tensor,
        x: torch.Tensor,
        v: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, ...]:
        """(h_out, x_out[, v_out]) after all layers."""
        h = self.embed(h)
        for layer in self.layers:
            if self.velocity:
                h, x, v = layer(h, x, v, mask)
            else:
                h, x = layer(h, x, mask=mask)
        h = self.readout(h)
        return (h, x, v) if self.velocity else (h, x)


__all__ = ["EGNN", "EGNNLayer", "egnn_symmetry"]
