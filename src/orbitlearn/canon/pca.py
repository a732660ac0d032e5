"""Canonicalisation of point clouds (B, n, d) by their PCA frame: π(x) = (x − c) U S.

c the centroid, U the covariance eigenvectors (decreasing eigenvalue), S the signs making every
third moment Σ_i p_ik³ positive (`orbitlearn.frames`). π(x Rᵀ + t) = π(x) for every R ∈ O(d) and
t ∈ R^d when the eigenvalues are distinct and the third moments nonzero; the inputs where either
fails are counted in `last_report` (never silent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from orbitlearn.canon.base import Canonicalizer
from orbitlearn.frames import DEFAULT_REL_GAP, DEFAULT_SIGN_TOL, PCAFrames, pca_frames
from orbitlearn.groups.action import Action
from orbitlearn.groups.lie import euclidean_group, rotation_group
from orbitlearn.groups.pointcloud import PointCloud


@dataclass(frozen=True)
class FrameReport:
    """How many inputs of the last batch had no reliable frame."""

    n_inputs: int
    n_degenerate: int  # near-equal covariance eigenvalues
    n_sign_ambiguous: int  # a near-zero third moment

    def summary(self) -> dict[str, int]:
        """JSON-friendly counts."""
        return {
            "n_inputs": self.n_inputs,
            "n_degenerate": self.n_degenerate,
            "n_sign_ambiguous": self.n_sign_ambiguous,
        }


class PCAFrame(Canonicalizer):
    """π(x) = (x − c) U S on (B, n, d) point clouds: exact for E(d) on non-degenerate inputs.

    Parameters
    ----------
    center : subtract the centroid (E(d)); False canonicalises O(d) about the origin.
    rel_gap, sign_tol : thresholds below which an input counts as degenerate / sign-ambiguous.
    """

    exact = True

    def __init__(
        self,
        center: bool = True,
        rel_gap: float = DEFAULT_REL_GAP,
        sign_tol: float = DEFAULT_SIGN_TOL,
    ):
        self.center = center
        self.rel_gap = rel_gap
        self.sign_tol = sign_tol
        self.last_report = FrameReport(0, 0, 0)

    def group(self, m: int | None = None, n: int | None = None) -> Action:
        """E(d) (or O(d) without centring) moving the points; d = n, the last axis (default 3)."""
        d = 3 if n is None else int(n)
        g = euclidean_group(d) if self.center else rotation_group(d, reflections=True)
        return PointCloud(g, "position")

    def frames(self, x: Any, mask: Any = None) -> PCAFrames:
        """The PCA frames of a (B, n, d) batch (numpy or torch), recorded in `last_report`."""
        f = pca_frames(x, mask, center=self.center, rel_gap=self.rel_gap, sign_tol=self.sign_tol)
        self.last_report = FrameReport(
            int(len(f.degenerate)), f.n_degenerate, int(f.sign_ambiguous.sum())
        )
        return f

    def canonicalize(self, x: Any, mask: Any = None) -> tuple[Any, PCAFrames]:
        """(π(x), frames): `frames.from_frame(y, role)` maps a prediction made in the canonical
        frame back to x's frame (positions y (U S)ᵀ + c, vectors y (U S)ᵀ)."""
        f = self.frames(x, mask)
        return f.to_frame(x, "position"), f

    def _project(self, batch: np.ndarray) -> np.ndarray:
        x = np.asarray(batch, dtype=np.float64)
        return self.canonicalize(x)[0]


__all__ = ["FrameReport", "PCAFrame"]
