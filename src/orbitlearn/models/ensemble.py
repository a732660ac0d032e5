"""Ensembles of pipelines: average the members' class probabilities.

If every member is exactly invariant under a group, so is the average; the ensemble claims what
all its members' claims share (`Invariance.meet`, a subgroup comparison: S4 x S26 and
GL(4,Z) x S26 share S4 x S26; S26 and a C4 on images share nothing).
A checkpoint holds every member's own checkpoint; `load_pipeline` reads either kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups.claims import Invariance
from orbitlearn.models.pipeline import (
    CHECKPOINT_FORMAT,
    ModelPipeline,
    checkpoint_contents,
    distinct_pipelines,
    read_checkpoint,
)
from orbitlearn.torch_io import save_atomic
from orbitlearn.version import __version__

ENSEMBLE_FORMAT = "orbitlearn-ensemble/1"


class EnsemblePipeline:
    """The mean of several pipelines' predicted probabilities (same classes, same input shape).

    A member is a single-model pipeline or a `MirrorPipeline` (a model of the other Hodge number
    applied to the polar dual), so one ensemble can read the same number off Δ and off Δ*."""

    def __init__(self, members: list[Any]):
        if not members:
            raise OrbitlearnError("an ensemble needs at least one member")
        classes = np.asarray(members[0].classes)
        for m in members[1:]:
            if m.target != members[0].target:
                raise OrbitlearnError(
                    f"ensemble members predict different targets ({members[0].target}, {m.target})"
                )
            if not np.array_equal(np.asarray(m.classes), classes):
                raise OrbitlearnError("ensemble members predict different class lists")
        self.members = list(members)
        self.classes = classes
        self.target = members[0].target
        self.metadata: dict[str, Any] = {}

    def predict_proba(
        self, x: np.ndarray, cache: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Mean of the members' probabilities; members with the same canonicaliser share one π(x)
        (through `cache`, which a caller may pass to share it further)."""
        cache = {} if cache is None else cache
        return sum(m.predict_proba(x, cache) for m in self.members) / len(self.members)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The class index with the highest mean probability, (N,)."""
        return self.predict_proba(x).argmax(axis=1)

    def to(self, device) -> EnsemblePipeline:
        """Move every member's computation to a torch device."""
        for m in self.members:
            m.to(device)
        return self

    def shape_refusal(self, shape: tuple[int, ...]) -> str | None:
        """The first member's reason not to take matrices of this shape, or None."""
        return next((r for m in self.members if (r := m.shape_refusal(shape))), None)

    def check_input_shape(self, shape: tuple[int, ...]) -> None:
        """OrbitlearnError unless every member takes matrices of this (B, m, n) shape."""
        reason = self.shape_refusal(shape[1:])
        if reason is not None:
            raise OrbitlearnError(reason)

    def claimed_invariance(self) -> Invariance:
        """What every member claims (the meet of their claims)."""
        return Invariance.meet_all([m.claimed_invariance() for m in self.members])

    def pipelines(self) -> list[ModelPipeline]:
        """The distinct single-model pipelines inside (a mirror member's base opened; one model
        serving two members is listed once)."""
        return distinct_pipelines(self.members)

    def accepts_any_vertex_count(self) -> bool:
        """Whether every member is a set model (any number of vertices)."""
        return all(p.accepts_any_vertex_count() for p in self.pipelines())

    def parameter_count(self) -> int:
        """The parameters of the distinct models inside."""
        return int(sum(p.parameter_count() for p in self.pipelines()))

    def describe(self) -> dict:
        """A JSON-friendly summary: classes, claim, parameters and each member's description."""
        return {
            "model": "ensemble",
            "target": self.target,
            "classes": [int(c) for c in self.classes],
            "claimed_invariance": self.claimed_invariance().label,
            "parameters": self.parameter_count(),
            "members": [m.describe() for m in self.members],
        }

    def checkpoint_payload(self) -> dict:
        """Every member's own checkpoint payload, under the ensemble format."""
        return {
            "format": ENSEMBLE_FORMAT,
            "library_version": __version__,
            "claimed_invariance": self.claimed_invariance().label,
            "metadata": self.metadata,
            "members": [m.checkpoint_payload() for m in self.members],
        }

    def save(self, path: str | Path) -> Path:
        """Write the ensemble checkpoint atomically; the path."""
        return save_atomic(self.checkpoint_payload(), path)


def load_pipeline(path: str | Path) -> Any:
    """Read a single-model, an ensemble, a mirror or a multi-target checkpoint written by `save`."""
    from orbitlearn.models.mirror import MIRROR_FORMAT
    from orbitlearn.models.multi import MULTI_FORMAT

    path = Path(path)
    payload = read_checkpoint(path)
    with checkpoint_contents(path):
        pipe = pipeline_from_payload(payload)
    if pipe is None:
        raise OrbitlearnError(
            f"{path}: not an orbitlearn checkpoint (expected format {CHECKPOINT_FORMAT}, "
            f"{ENSEMBLE_FORMAT}, {MIRROR_FORMAT} or {MULTI_FORMAT})"
        )
    return pipe


def pipeline_from_payload(payload: dict) -> Any:
    """The pipeline of a checkpoint payload of any of the four formats (None for another)."""
    from orbitlearn.models.mirror import MIRROR_FORMAT, MirrorPipeline
    from orbitlearn.models.multi import MULTI_FORMAT, MultiTargetPipeline

    fmt = payload.get("format")
    if fmt == MIRROR_FORMAT:
        base = payload.get("base")
        inner = pipeline_from_payload(base) if isinstance(base, dict) else None
        if not isinstance(inner, (ModelPipeline, EnsemblePipeline)):
            raise OrbitlearnError("field 'base' is not a single-model or ensemble checkpoint")
        mirror = MirrorPipeline(inner)
        if payload.get("target") != mirror.target:
            raise OrbitlearnError("field 'target' is not the mirror of the base's target")
        mirror.metadata = payload.get("metadata", {})
        return mirror
    if fmt == CHECKPOINT_FORMAT:
        return ModelPipeline.from_payload(payload)
    if fmt == ENSEMBLE_FORMAT:
        if not isinstance(payload.get("members"), list):
            raise OrbitlearnError("field 'members' has the wrong kind of value")
        members = []
        for p in payload["members"]:
            member = pipeline_from_payload(p) if isinstance(p, dict) else None
            if not isinstance(member, (ModelPipeline, MirrorPipeline)):
                raise OrbitlearnError(
                    "field 'members': each member must be a single-model or a mirror checkpoint"
                )
            members.append(member)
        ensemble = EnsemblePipeline(members)
        ensemble.metadata = payload.get("metadata", {})
        return ensemble
    if fmt == MULTI_FORMAT:
        targets = payload.get("targets")
        if not isinstance(targets, dict) or not all(isinstance(p, dict) for p in targets.values()):
            raise OrbitlearnError("field 'targets' has the wrong kind of value")
        members = {}
        for t, p in targets.items():
            member = pipeline_from_payload(p)
            if member is None or isinstance(member, MultiTargetPipeline):
                raise OrbitlearnError(f"field 'targets': the {t} member is not a pipeline")
            members[t] = member
        multi = MultiTargetPipeline(members)
        multi.metadata = payload.get("metadata", {})
        return multi
    return None
