"""Three of the four ways to E(3) around any N-body backbone f(loc, vel, charges) → loc.

E(3) acts on an input by x ↦ xR + t, v ↦ vR, q ↦ q (R ∈ O(3), row vectors) and on the output by
y ↦ yR + t. With c the centroid of x:

- `haar_move`: one Haar-random O(3) element and a Gaussian shift per example (augmentation).
- `CanonicalFrame`: f((x − c)U, vU, q)Uᵀ + c with U the PCA axes of x, each axis's sign fixed by
  the third moment of the points along it (canonicalisation: one frame).
- `FrameAveraged`: the mean of that over the 8 sign choices of the PCA axes (frame averaging,
  Puny et al. 2022); in training one frame drawn at random per example (`sample_frames`).
- `HaarAveraged`: the mean of g⁻¹ f(g(x − c), gv, q) + c over k Haar samples g (Monte Carlo
  symmetrisation; exact only as k → ∞).

PCA frames are computed in float64 (eigenvectors of the 3 × 3 covariance; degenerate spectra,
which random point clouds avoid, leave the frame undefined).
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

#: the 8 sign patterns of three axes, (8, 3)
SIGNS = torch.tensor(list(itertools.product((1.0, -1.0), repeat=3)))


def random_orthogonal(batch: int, generator: torch.Generator | None = None, dtype=torch.float32):
    """(batch, 3, 3) Haar-random elements of O(3) (QR of a Gaussian, signs of R's diagonal fixed)."""
    a = torch.randn(batch, 3, 3, generator=generator, dtype=torch.float64)
    q, r = torch.linalg.qr(a)
    q = q * torch.sign(torch.diagonal(r, dim1=-2, dim2=-1)).unsqueeze(-2)
    return q.to(dtype)


def haar_move(loc, vel, target, generator=None, shift: float = 1.0):
    """The batch moved by one random E(3) element per example: R Haar on O(3), t ~ N(0, shift²)."""
    b = loc.shape[0]
    rot = random_orthogonal(b, generator, loc.dtype)
    t = shift * torch.randn(b, 1, 3, generator=generator, dtype=torch.float64).to(loc.dtype)
    return loc @ rot + t, vel @ rot, target @ rot + t


def pca_axes(loc: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(centroid (B, 1, 3), axes U (B, 3, 3) as columns, float64) of each point cloud."""
    x = loc.double()
    c = x.mean(1, keepdim=True)
    p = x - c
    _, u = torch.linalg.eigh(p.transpose(1, 2) @ p)
    return c, u


def canonical_axes(loc: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The PCA axes with each sign chosen so the third moment along it is ≥ 0."""
    c, u = pca_axes(loc)
    proj = (loc.double() - c) @ u
    s = torch.sign((proj**3).sum(1, keepdim=True))
    s = torch.where(s == 0, torch.ones_like(s), s)
    return c, u * s


def _in_frame(f, loc, vel, charges, c, u):
    """f seen through the frame (c, u): f((x − c)u, vu, q)uᵀ + c, in the input's dtype."""
    dt = loc.dtype
    uf = u.to(dt)
    y = f((loc - c.to(dt)) @ uf, vel @ uf, charges)
    return y @ uf.transpose(1, 2) + c.to(dt)


class CanonicalFrame(nn.Module):
    """The backbone behind the sign-fixed PCA frame (exactly E(3)-equivariant off degeneracies)."""

    def __init__(self, backbone: nn.Module):
        super().__init__()
        self.backbone = backbone

    def forward(self, loc, vel, charges):
        c, u = canonical_axes(loc)
        return _in_frame(self.backbone, loc, vel, charges, c, u)


class FrameAveraged(nn.Module):
    """Mean of the backbone over the 8 PCA sign frames (exact E(3)); `sample_frames=True` (used in
    training) draws one of the 8 per example instead."""

    def __init__(self, backbone: nn.Module):
        super().__init__()
        self.backbone = backbone
        self.sample_frames = False
        self.generator: torch.Generator | None = None

    def forward(self, loc, vel, charges):
        c, u = pca_axes(loc)
        b, n = loc.shape[:2]
        if self.sample_frames:
            pick = torch.randint(0, 8, (b,), generator=self.generator)
            return _in_frame(self.backbone, loc, vel, charges, c, u * SIGNS[pick].double()[:, None])
        frames = u.unsqueeze(1) * SIGNS.double()[None, :, None, :]  # (B, 8, 3, 3)

        def rep(t):
            return t.unsqueeze(1).expand(b, 8, *t.shape[1:]).reshape(b * 8, *t.shape[1:])

        y = _in_frame(
            self.backbone,
            rep(loc),
            rep(vel),
            rep(charges),
            rep(c),
            frames.reshape(b * 8, 3, 3),
        )
        return y.reshape(b, 8, n, 3).mean(1)


class HaarAveraged(nn.Module):
    """Mean of g⁻¹ f(g(x − c), gv, q) + c over k Haar samples g ∈ O(3) (fresh ones each call)."""

    def __init__(self, backbone: nn.Module, k: int = 8, seed: int = 0):
        super().__init__()
        self.backbone = backbone
        self.k = k
        self.generator = torch.Generator().manual_seed(seed)

    def forward(self, loc, vel, charges):
        b, n = loc.shape[:2]
        rot = random_orthogonal(b * self.k, self.generator, torch.float64)
        c = loc.double().mean(1, keepdim=True)

        def rep(t):
            return t.unsqueeze(1).expand(b, self.k, *t.shape[1:]).reshape(-1, *t.shape[1:])

        y = _in_frame(self.backbone, rep(loc), rep(vel), rep(charges), rep(c), rot)
        return y.reshape(b, self.k, n, 3).mean(1)


__all__ = [
    "CanonicalFrame",
    "FrameAveraged",
    "HaarAveraged",
    "canonical_axes",
    "haar_move",
    "pca_axes",
    "random_orthogonal",
]
