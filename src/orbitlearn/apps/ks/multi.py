"""Both Hodge numbers from one checkpoint: one pipeline (or ensemble) per target.

`MultiTargetPipeline({"h11": p, "h21": q})` predicts every target of `orbitlearn.apps.ks.targets` it
holds, each by its own member; it takes the inputs every member takes and is exactly invariant
under what all members are (the meet of their claims). A checkpoint holds each member's own
checkpoint under its target; `orbitlearn.models.ensemble.load_pipeline` reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.apps.ks.targets import TARGETS
from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups.claims import Invariance
from orbitlearn.models.pipeline import distinct_pipelines
from orbitlearn.torch_io import save_atomic
from orbitlearn.version import __version__

MULTI_FORMAT = "orbitlearn-multi/1"


class MultiTargetPipeline:
    """Pipelines by target (each a ModelPipeline or an EnsemblePipeline), in TARGETS order."""

    def __init__(self, members: dict[str, Any]):
        if not members:
            raise OrbitlearnError("a multi-target model needs at least one member")
        for target, member in members.items():
            if target not in TARGETS:
                raise OrbitlearnError(f"unknown target {target!r}; known: {', '.join(TARGETS)}")
            if member.target != target:
                raise OrbitlearnError(f"the member for {target} predicts {member.target}")
        self.members = {t: members[t] for t in TARGETS if t in members}
        self.targets = tuple(self.members)
        self.classes = {t: np.asarray(m.classes) for t, m in self.members.items()}
        self.metadata: dict[str, Any] = {}

    def predict_proba(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Each target's class probabilities, (N, its number of classes)."""
        return {t: m.predict_proba(x) for t, m in self.members.items()}

    def predict(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Each target's most probable class index, (N,)."""
        return {t: p.argmax(axis=1) for t, p in self.predict_proba(x).items()}

    def to(self, device) -> MultiTargetPipeline:
        """Move every member's computation to a torch device."""
        for m in self.members.values():
            m.to(device)
        return self

    def pipelines(self) -> list[Any]:
        """The distinct single-model pipelines inside (ensembles and mirrors opened; a pipeline
        that serves two targets, e.g. h11 directly and h21 through the dual, is listed once)."""
        return distinct_pipelines(list(self.members.values()))

    def shape_refusal(self, shape: tuple[int, ...]) -> str | None:
        """The first member's reason not to take matrices of this shape, or None."""
        return next((r for m in self.members.values() if (r := m.shape_refusal(shape))), None)

    def check_input_shape(self, shape: tuple[int, ...]) -> None:
        """OrbitlearnError unless every member takes matrices of this (B, m, n) shape."""
        reason = self.shape_refusal(shape[1:])
        if reason is not None:
            raise OrbitlearnError(reason)

    def claimed_invariance(self) -> Invariance:
        """What every member claims (the meet of their claims)."""
        return Invariance.meet_all([m.claimed_invariance() for m in self.members.values()])

    def parameter_count(self) -> int:
        """The members' parameters together."""
        return int(sum(p.parameter_count() for p in self.pipelines()))

    def describe(self) -> dict:
        """A JSON-friendly summary: targets, claim, parameters and each member's description."""
        return {
            "model": "multi-target",
            "targets": list(self.targets),
            "claimed_invariance": self.claimed_invariance().label,
            "parameters": self.parameter_count(),
            "members": {t: m.describe() for t, m in self.members.items()},
        }

    def checkpoint_payload(self) -> dict:
        """Every member's own checkpoint payload, by target, under the multi-target format."""
        return {
            "format": MULTI_FORMAT,
            "library_version": __version__,
            "claimed_invariance": self.claimed_invariance().label,
            "metadata": self.metadata,
            "targets": {t: m.checkpoint_payload() for t, m in self.members.items()},
        }

    def save(self, path: str | Path) -> Path:
        """Write the checkpoint atomically; the path."""
        return save_atomic(self.checkpoint_payload(), path)


__all__ = ["MULTI_FORMAT", "MultiTargetPipeline"]
