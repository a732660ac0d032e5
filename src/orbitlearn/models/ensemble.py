"""Ensembles of pipelines: average the members' class probabilities.

If every member is exactly invariant under a group, so is the average; the ensemble claims what
all its members' claims share (`Invariance.meet`, a subgroup comparison: S_d x S_n and
GL(d,Z) x S_n share S_d x S_n; S_n and a C4 on images share nothing).
A checkpoint holds every member's own checkpoint; `load_pipeline` reads either kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups.claims import Invariance
from orbitlearn.models.pipeline import (
    CHECKPOINT_FORMAT,
    ModelPipeline,
    Resolver,
    checkpoint_contents,
    distinct_pipelines,
    read_checkpoint,
)
from orbitlearn.torch_io import save_atomic
from orbitlearn.version import __version__

ENSEMBLE_FORMAT = "orbitlearn-ensemble/1"


class EnsemblePipeline:
    """The mean of several pipelines' predicted probabilities (same classes, same input shape).

    A member is a single-model pipeline or any pipeline of one target (e.g. an application's
    wrapper that applies a model to transformed inputs)."""

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
        """The distinct single-model pipelines inside (a wrapping member opened; one model
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


#: a checkpoint kind an application adds: reader(payload, read) -> its pipeline, where `read`
#: rebuilds a nested payload of any kind (e.g. the pipeline a wrapper holds)
Reader = Callable[[dict, Callable[[dict], Any]], Any]


def load_pipeline(
    path: str | Path,
    resolve: Resolver,
    readers: Mapping[str, Reader] | None = None,
    payload: dict | None = None,
) -> Any:
    """Read a single-model or an ensemble checkpoint written by `save`, or a kind in `readers`;
    `resolve` turns recorded part names into parts (see `ModelPipeline.from_payload`). `payload`:
    the file's contents when the caller has read them already (`read_checkpoint`)."""
    readers = dict(readers or {})
    path = Path(path)
    if payload is None:
        payload = read_checkpoint(path)
    with checkpoint_contents(path):
        pipe = pipeline_from_payload(payload, resolve, readers)
    if pipe is None:
        formats = list(dict.fromkeys([CHECKPOINT_FORMAT, ENSEMBLE_FORMAT, *readers]))
        expected = ", ".join(formats[:-1]) + " or " + formats[-1]
        raise OrbitlearnError(f"{path}: not an orbitlearn checkpoint (expected format {expected})")
    return pipe


def pipeline_from_payload(
    payload: dict, resolve: Resolver, readers: Mapping[str, Reader] | None = None
) -> Any:
    """The pipeline of a single-model or ensemble payload, or of a kind in `readers` (None for
    another format)."""
    readers = dict(readers or {})

    def read(nested: dict) -> Any:
        return pipeline_from_payload(nested, resolve, readers)

    fmt = payload.get("format")
    if fmt in readers:
        return readers[fmt](payload, read)
    if fmt == CHECKPOINT_FORMAT:
        return ModelPipeline.from_payload(payload, resolve)
    if fmt == ENSEMBLE_FORMAT:
        if not isinstance(payload.get("members"), list):
            raise OrbitlearnError("field 'members' has the wrong kind of value")
        members = []
        for p in payload["members"]:
            member = read(p) if isinstance(p, dict) else None
            if isinstance(member, EnsemblePipeline) or not isinstance(
                getattr(member, "target", None), str
            ):
                raise OrbitlearnError(
                    "field 'members': each member must be a checkpoint of one target (not an ensemble)"
                )
            members.append(member)
        ensemble = EnsemblePipeline(members)
        ensemble.metadata = payload.get("metadata", {})
        return ensemble
    return None
