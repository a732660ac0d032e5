"""One Hodge number read off the polar dual: h21(Δ) = h11(Δ*) and h11(Δ) = h21(Δ*).

`MirrorPipeline(base)` predicts `MIRROR[base.target]` of a reflexive polytope Δ as `base`'s
prediction for Δ*, whose vertices the exact engine computes (the facet normals of Δ). With
`base` a set model that takes any vertex count, `MultiTargetPipeline({"h11": base, "h21":
MirrorPipeline(base)})` is equivariant under the swap Δ ↔ Δ* by construction: its (h11, h21)
for Δ* is its (h21, h11) for Δ, exactly, because Δ** = Δ. It is invariant under what `base` is:
(gΔ)* = g^(-T) Δ* for g in GL(d,Z), and relabelling Δ's vertices leaves Δ* as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.apps.ks.targets import MIRROR
from orbitlearn.errors import GeometryError, OrbitlearnError
from orbitlearn.groups.claims import Invariance
from orbitlearn.torch_io import save_atomic
from orbitlearn.version import __version__

MIRROR_FORMAT = "orbitlearn-mirror/1"


def polar_duals(x: np.ndarray) -> np.ndarray:
    """The vertices of the polar dual of each (d, n) matrix of a (B, d, n) batch, zero-padded to
    the largest dual's vertex count; zero columns of the input are padding (the origin is never
    a vertex of a reflexive polytope). OrbitlearnError naming the first matrix whose polytope has
    no lattice dual (`LatticePolytope.dual` says why)."""
    from orbitlearn.geometry.polytope import LatticePolytope

    x = np.asarray(x, dtype=np.int64)
    if x.ndim != 3:
        raise OrbitlearnError(f"expected a (B, d, n) batch of vertex matrices, got shape {x.shape}")
    duals = []
    for i, mat in enumerate(x):
        real = mat[:, (mat != 0).any(axis=0)]
        try:
            duals.append(LatticePolytope(real).dual().vertices)
        except GeometryError as exc:
            raise OrbitlearnError(f"matrix {i}: {exc}") from None
    width = max((d.shape[1] for d in duals), default=0)
    out = np.zeros((len(duals), x.shape[1], width), dtype=np.int64)
    for i, d in enumerate(duals):
        out[i, :, : d.shape[1]] = d
    return out


class MirrorPipeline:
    """`base` applied to the polar duals: predicts the mirror target of `base.target`."""

    def __init__(self, base: Any):
        if not base.accepts_any_vertex_count():
            raise OrbitlearnError(
                "a mirror model needs a base that takes any vertex count (a set model): the "
                "polar dual has its own number of vertices"
            )
        self.base = base
        self.target = MIRROR[base.target]
        self.classes = np.asarray(base.classes)
        self.metadata: dict[str, Any] = {}

    def predict_proba(self, x: np.ndarray, cache: dict | None = None) -> np.ndarray:
        """base's class probabilities for the polar duals of x, (N, len(classes)). `cache` (what
        an ensemble shares for π(x)) is not used: base sees other inputs, the duals."""
        self.check_input_shape(np.shape(x))
        return self.base.predict_proba(polar_duals(x))

    def pipelines(self) -> list:
        """The single-model pipelines of base."""
        return self.base.pipelines()

    def accepts_any_vertex_count(self) -> bool:
        """True: base is a set model (checked on construction)."""
        return True

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The most probable class index of every input, (N,)."""
        return self.predict_proba(x).argmax(axis=1)

    def to(self, device) -> MirrorPipeline:
        """Move base's computation to a torch device."""
        self.base.to(device)
        return self

    def shape_refusal(self, shape: tuple[int, ...]) -> str | None:
        """base's reason not to take (d, n) matrices, or None (base is a set model: any n, so the
        dual's own vertex count fits too)."""
        return self.base.shape_refusal(tuple(shape))

    def check_input_shape(self, shape: tuple[int, ...]) -> None:
        """OrbitlearnError unless base takes (B, d, n) matrices of this d."""
        reason = self.shape_refusal(tuple(shape[1:]))
        if reason is not None:
            raise OrbitlearnError(reason)

    def claimed_invariance(self) -> Invariance:
        """What base claims: Δ ↦ Δ* carries GL(d,Z) to GL(d,Z) and forgets the vertex order."""
        return self.base.claimed_invariance()

    def parameter_count(self) -> int:
        """base's parameters."""
        return self.base.parameter_count()

    def describe(self) -> dict:
        """A JSON-friendly summary: the target, the claim and base's description."""
        return {
            "model": "mirror",
            "target": self.target,
            "classes": [int(c) for c in self.classes],
            "claimed_invariance": self.claimed_invariance().label,
            "parameters": self.parameter_count(),
            "base": self.base.describe(),
        }

    def checkpoint_payload(self) -> dict:
        """base's own checkpoint payload under the mirror format."""
        return {
            "format": MIRROR_FORMAT,
            "library_version": __version__,
            "target": self.target,
            "claimed_invariance": self.claimed_invariance().label,
            "metadata": self.metadata,
            "base": self.base.checkpoint_payload(),
        }

    def save(self, path: str | Path) -> Path:
        """Write the checkpoint atomically; the path."""
        return save_atomic(self.checkpoint_payload(), path)


__all__ = ["MIRROR_FORMAT", "MirrorPipeline", "polar_duals"]
