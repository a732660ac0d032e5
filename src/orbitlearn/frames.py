"""PCA frames of point clouds (Puny et al. 2022): centroid, covariance eigenvectors, sign choices.

For points x (B, n, d) (numpy or torch; `mask` (B, n) True for real points):

    c = mean_i x_i,   C = (1/n) Σ_i (x_i − c)(x_i − c)ᵀ = U diag(λ) Uᵀ,  λ_1 ≥ ... ≥ λ_d

A frame is g_S: x ↦ (x − c) U S for a sign matrix S = diag(±1). Under x ↦ x Rᵀ + t (R ∈ O(d)),
c ↦ R c + t and U ↦ R U S' for some signs S', so the set of 2^d frames {(x − c) U S} is the same
set for x and for its image: averaging over it is exactly E(d)-invariant (`sign_frames`).
Picking one S by the sign rule (make Σ_i p_ik³ > 0 for the projections p = (x − c)U) gives a
canonical form, exact when the third moments are nonzero.

Both are exact only when the eigenvalues are distinct (else U is not determined up to signs):
inputs with a relative gap (λ_k − λ_k+1)/λ_1 below `rel_gap` are flagged `degenerate`, and
inputs with a third moment |m_k| below `sign_tol`·λ_k^{3/2} are flagged `sign_ambiguous`.
Without centring (`center=False`) the frames are those of O(d) acting about the origin.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from orbitlearn.groups.backend import is_torch

DEFAULT_REL_GAP = 1e-6
DEFAULT_SIGN_TOL = 1e-6


def sign_frames(d: int) -> np.ndarray:
    """All 2^d sign vectors s ∈ {±1}^d, (2^d, d) float64, all-plus first."""
    return np.asarray(list(itertools.product((1.0, -1.0), repeat=d)))


def _weights(x: Any, mask: Any) -> Any:
    """(B, n, 1) weights summing to 1 over the real points of each item."""
    if mask is None:
        w = x[..., :1] * 0 + 1
    elif is_torch(x):
        w = mask.to(x.dtype)[..., None]
    else:
        w = np.asarray(mask, dtype=x.dtype)[..., None]
    return w / w.sum(-2, keepdims=True)


@dataclass
class PCAFrames:
    """The PCA frame of every item: x ↦ (x − c) U S, with S from the sign rule or all 2^d."""

    centroid: Any  # (B, d)
    axes: Any  # (B, d, d), columns = eigenvectors, decreasing eigenvalue
    eigenvalues: Any  # (B, d), decreasing
    signs: Any  # (B, d) ±1 from the sign rule
    degenerate: np.ndarray  # (B,) bool: eigenvalue gap below rel_gap
    sign_ambiguous: np.ndarray  # (B,) bool: a third moment below sign_tol

    @property
    def n_degenerate(self) -> int:
        """How many inputs have near-equal covariance eigenvalues."""
        return int(self.degenerate.sum())

    @property
    def n_unreliable(self) -> int:
        """How many inputs are degenerate or have an ambiguous sign (a canonical form may jump)."""
        return int((self.degenerate | self.sign_ambiguous).sum())

    def rotation(self, signs: Any = None) -> Any:
        """U S per item (B, d, d): the frame's linear part is x ↦ x (U S) = x Rᵀ with R = (U S)ᵀ."""
        s = self.signs if signs is None else signs
        return self.axes * s[..., None, :]

    def to_frame(self, x: Any, role: str = "position", signs: Any = None) -> Any:
        """(x − c) U S for positions, v U S for vectors, unchanged scalars; x (B, n, d)."""
        if role == "scalar":
            return x
        m = self.rotation(signs)
        if role == "position":
            x = x - self.centroid[..., None, :]
        return x @ m

    def from_frame(self, y: Any, role: str = "position", signs: Any = None) -> Any:
        """The inverse of `to_frame`: y (U S)ᵀ + c for positions, y (U S)ᵀ for vectors."""
        if role == "scalar":
            return y
        out = y @ self.rotation(signs).mT
        if role == "position":
            out = out + self.centroid[..., None, :]
        return out


def pca_frames(
    x: Any,
    mask: Any = None,
    *,
    center: bool = True,
    rel_gap: float = DEFAULT_REL_GAP,
    sign_tol: float = DEFAULT_SIGN_TOL,
) -> PCAFrames:
    """The PCA frame of each point cloud of x (B, n, d), numpy or torch (see the module docstring)."""
    w = _weights(x, mask)
    c = (w * x).sum(-2) if center else x.sum(-2) * 0
    xc = x - c[..., None, :]
    cov = (w * xc).mT @ xc
    if is_torch(x):
        import torch

        lam, u = torch.linalg.eigh(cov)
        lam, u = torch.flip(lam, [-1]), torch.flip(u, [-1])
        p = xc @ u
        m3 = (w * p**3).sum(-2)
        signs = torch.where(m3 < 0, -1.0, 1.0).to(x.dtype)
        lam_np = lam.detach().cpu().double().numpy()
        m3_np = m3.detach().cpu().double().numpy()
    else:
        lam, u = np.linalg.eigh(cov)
        lam, u = lam[..., ::-1], u[..., ::-1]
        p = xc @ u
        m3 = (w * p**3).sum(-2)
        signs = np.where(m3 < 0, -1.0, 1.0).astype(x.dtype)
        lam_np, m3_np = np.asarray(lam, np.float64), np.asarray(m3, np.float64)
    scale = np.maximum(lam_np[..., :1], np.finfo(np.float64).tiny)
    gaps = (lam_np[..., :-1] - lam_np[..., 1:]) / scale
    degenerate = (gaps < rel_gap).any(-1) if gaps.shape[-1] else np.zeros(len(lam_np), dtype=bool)
    ambiguous = (np.abs(m3_np) <= sign_tol * np.maximum(lam_np, 0.0) ** 1.5 + 1e-300).any(-1)
    return PCAFrames(c, u, lam, signs, degenerate, ambiguous)


__all__ = ["DEFAULT_REL_GAP", "PCAFrames", "pca_frames", "sign_frames"]
