"""Three of the four ways to E(3) around any N-body backbone f(loc, vel, charges) → loc, on the core's
groups, actions and PCA frames.

E(3) acts on an input by `point_cloud_inputs(E3(), "position", "vector", "scalar")` (x ↦ xRᵀ + t,
v ↦ vRᵀ, q ↦ q) and on the output by `PointCloud(E3())`. With c the centroid and U S the PCA axes
of x under signs S (`orbitlearn.frames`):

- `haar_move`: one Haar-random O(3) element and a N(0, 1) shift per example, the same for the
  input and the target (augmentation, `orbitlearn.augment.random_action`).
- `CanonicalFrame`: f((x − c)US, vUS, q)(US)ᵀ + c with S from the core's third-moment sign rule
  (canonicalisation: one frame).
- `FrameAveraged`: the mean of that over all 8 sign choices (`orbitlearn.averaging.frame_average`;
  Puny et al. 2022); in training one S drawn at random per example (`sample_frames`).
- `LayerwiseFrameGNN`: Puny et al.'s own N-body FA-GNN, which averages over the 8 frames inside
  the network, at every layer, not around it (see its docstring).
- `HaarAveraged`: the mean of g⁻¹ f(g(x − c), gv, q) + c over k Haar samples g ∈ O(3) (Monte Carlo
  symmetrisation; exact only as k → ∞).

Frames are computed in float64 from the float32 inputs, the backbone runs in its own dtype.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from orbitlearn.apps.nbody.models import GNN, off_diagonal
from orbitlearn.averaging import frame_average
from orbitlearn.frames import pca_frames, sign_frames
from orbitlearn.groups import E3, O3, PointCloud, point_cloud_inputs

#: E(3) on the inputs (positions, velocities, charges) and on the output (positions)
INPUT_ACTION = point_cloud_inputs(E3(), "position", "vector", "scalar")
OUTPUT_ACTION = PointCloud(E3(), "position")
#: E(3) on (positions, velocities, target positions): the same element moves all three
_TRAINING_ACTION = point_cloud_inputs(E3(), "position", "vector", "position")
_ROLES_IN = ("position", "vector", "scalar")


def haar_move(loc, vel, target, rng: np.random.Generator):
    """The batch moved by one random E(3) element per example (Haar O(3), N(0, 1) shift)."""
    from orbitlearn.augment import random_action

    moved, _ = random_action((loc, vel, target), _TRAINING_ACTION, rng)
    return moved


def _float_backbone(backbone: nn.Module, dtype: torch.dtype):
    def f(loc, vel, charges):
        return backbone(loc.to(dtype), vel.to(dtype), charges.to(dtype)).double()

    return f


class CanonicalFrame(nn.Module):
    """The backbone behind the sign-fixed PCA frame (exactly E(3)-equivariant off degeneracies)."""

    def __init__(self, backbone: nn.Module):
        super().__init__()
        self.backbone = backbone

    def forward(self, loc, vel, charges):
        fr = pca_frames(loc.double())
        y = self.backbone(
            fr.to_frame(loc.double()).to(loc.dtype),
            fr.to_frame(vel.double(), "vector").to(loc.dtype),
            charges,
        )
        return fr.from_frame(y.double()).to(loc.dtype)


class FrameAveraged(nn.Module):
    """Mean of the backbone over the 8 PCA sign frames (exact E(3)); with `sample_frames` (set in
    training) one of the 8, drawn per example from `generator`, instead."""

    def __init__(self, backbone: nn.Module):
        super().__init__()
        self.backbone = backbone
        self.sample_frames = False
        self.generator: torch.Generator | None = None

    def forward(self, loc, vel, charges):
        fr = pca_frames(loc.double())
        if self.sample_frames:
            signs = torch.as_tensor(sign_frames(3))
            s = signs[torch.randint(0, 8, (loc.shape[0],), generator=self.generator)]
            y = self.backbone(
                fr.to_frame(loc.double(), signs=s).to(loc.dtype),
                fr.to_frame(vel.double(), "vector", signs=s).to(loc.dtype),
                charges,
            )
            return fr.from_frame(y.double(), signs=s).to(loc.dtype)
        inputs = (loc.double(), vel.double(), charges.double())
        f = _float_backbone(self.backbone, loc.dtype)
        return frame_average(f, inputs, _ROLES_IN, "position", fr).to(loc.dtype)


def _sign_frames(points: torch.Tensor, detach: bool) -> torch.Tensor:
    """(B, 8, 3, 3): the PCA axes of each example's 3-vectors `points` (B, m, 3) about their mean
    (the columns of eigh's eigenvectors of the 3 × 3 scatter matrix, computed in float64) under
    all 8 sign choices, in the dtype of `points`; without gradient where `detach`."""
    p = (points.detach() if detach else points).double()
    p = p - p.mean(1, keepdim=True)
    axes = torch.linalg.eigh(p.mT @ p).eigenvectors  # (B, 3, 3), ascending eigenvalues
    signs = torch.as_tensor(sign_frames(3), dtype=p.dtype, device=p.device)  # (8, 3)
    return (axes.unsqueeze(1) * signs[None, :, None, :]).to(points.dtype)


class LayerwiseFrameGNN(GNN):
    """Puny et al.'s FA-GNN for the N-body task (ICLR 2022; omri1348/Frame-Averaging,
    `nbody/n_body_system/model_FA.py`): the published GNN run in all 8 PCA sign frames of the
    centred positions at once, and between layers its hidden features read as `hidden / 3`
    3-vectors per node, brought back to world axes (the mean over the 8 frames), then put in the
    8 sign frames of those vectors' own PCA (about their mean) for the next layer; the decoder's
    3-vector is brought back the same way and the centroid added. Edge inputs q_i q_j and
    |x_i − x_j|²; input [x − c, v] in each frame. Exactly E(3)-equivariant off inputs whose
    scatter matrices have repeated eigenvalues. In training the frames carry no gradient, as in
    their code; in evaluation they do, so that derivatives of the output (the Lie-derivative ε)
    are the function's own. The values are the same either way."""

    def __init__(self, hidden: int = 60, layers: int = 4):
        if hidden % 3:
            raise ValueError(f"hidden must be a multiple of 3 (3-vectors), not {hidden}")
        super().__init__(hidden, layers, edge_dim=2)

    def forward(self, loc, vel, charges):
        b, n, _ = loc.shape
        c = loc.mean(1, keepdim=True)
        x = loc - c
        frames = _sign_frames(x, detach=self.training)  # (B, 8, 3, 3)

        def into(vectors):  # (B, m, 3) world → (B, 8, m, 3) coordinates in each frame
            return vectors.unsqueeze(1) @ frames

        def back(coords):  # (B, 8, m, 3) → (B, m, 3) world, the mean over the frames
            return (coords @ frames.mT).mean(1)

        qq = (charges.unsqueeze(2) * charges.unsqueeze(1)).unsqueeze(-1)
        d2 = ((loc.unsqueeze(2) - loc.unsqueeze(1)) ** 2).sum(-1, keepdim=True)
        e = torch.cat([qq, d2], -1).repeat_interleave(8, dim=0)  # (8B, n, n, 2)
        mask = off_diagonal(n, loc.device, loc.dtype)
        h = self.embed(torch.cat([into(x), into(vel)], -1).reshape(b * 8, n, 6))
        last = len(self.node) - 1
        for k in range(len(self.node)):
            h = self.message_pass(k, h, e, mask)
            if k < last:  # to world axes and into the frames of the latent vectors
                w = back(h.reshape(b, 8, n * h.shape[-1] // 3, 3))  # (B, n·F/3, 3)
                frames = _sign_frames(w, detach=self.training)
                w = w - w.mean(1, keepdim=True)
                h = into(w).reshape(b * 8, n, -1)
        return back(self.decode(h).reshape(b, 8, n, 3)) + c


class HaarAveraged(nn.Module):
    """Mean of g⁻¹ f(g(x − c), gv, q) + c over k Haar samples g ∈ O(3) (fresh ones each call)."""

    def __init__(self, backbone: nn.Module, k: int = 8, seed: int = 0):
        super().__init__()
        self.backbone = backbone
        self.k = k
        self.rng = np.random.default_rng(seed)

    def forward(self, loc, vel, charges):
        b, n = loc.shape[:2]
        rot = torch.as_tensor(O3().sample_array(b * self.k, self.rng))  # (bk, 3, 3), float64

        def rep(t):
            return t.unsqueeze(1).expand(b, self.k, *t.shape[1:]).reshape(-1, *t.shape[1:])

        c = loc.double().mean(1, keepdim=True)
        x = (rep(loc).double() - rep(c)) @ rot.mT
        v = rep(vel).double() @ rot.mT
        y = self.backbone(x.to(loc.dtype), v.to(loc.dtype), rep(charges)).double() @ rot + rep(c)
        return y.reshape(b, self.k, n, 3).mean(1).to(loc.dtype)


__all__ = [
    "INPUT_ACTION",
    "OUTPUT_ACTION",
    "CanonicalFrame",
    "FrameAveraged",
    "HaarAveraged",
    "LayerwiseFrameGNN",
    "haar_move",
]
