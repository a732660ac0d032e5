"""KS pipelines by name, and every checkpoint kind the KS models are saved as.

`ks_pipeline(model, classes, canon="lex", augment="s4xs26", ...)` builds a `ModelPipeline` from
the names of the one registry (`apps.ks.names`); `load_pipeline(path)` reads a single-model,
ensemble, mirror (`apps.ks.mirror`) or multi-target (`apps.ks.multi`) checkpoint. Checkpoints
written before these lived here read the same: the payload formats and part names are unchanged,
and a single-model payload without a target (written before targets existed) learned h11.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.apps.ks.mirror import MIRROR_FORMAT, MirrorPipeline
from orbitlearn.apps.ks.models import build_model
from orbitlearn.apps.ks.multi import MULTI_FORMAT, MultiTargetPipeline
from orbitlearn.apps.ks.names import DEFAULT_GROUP, part
from orbitlearn.apps.ks.targets import DEFAULT_TARGET, TARGETS
from orbitlearn.errors import OrbitlearnError
from orbitlearn.models.base import Classifier
from orbitlearn.models.ensemble import EnsemblePipeline
from orbitlearn.models.ensemble import load_pipeline as _load_any
from orbitlearn.models.ensemble import pipeline_from_payload as _from_any
from orbitlearn.models.pipeline import CHECKPOINT_FORMAT, ModelPipeline, Named


def resolve(kind: str, name: str) -> Named | None:
    """A recorded part name as a part (`apps.ks.names.part`); OrbitlearnError for an unknown one."""
    try:
        return part(kind, name)
    except KeyError as exc:
        raise OrbitlearnError(str(exc.args[0])) from None


def ks_pipeline(
    model: Classifier,
    classes: np.ndarray,
    canon: str = "none",
    augment: str = "none",
    symmetrize: int = 0,
    symmetrize_group: str = DEFAULT_GROUP,
    seed: int = 0,
    target: str = DEFAULT_TARGET,
) -> ModelPipeline:
    """A `ModelPipeline` whose parts are given by their registered names."""
    if target not in TARGETS:
        raise OrbitlearnError(f"unknown target {target!r}; known: {', '.join(TARGETS)}")
    return ModelPipeline(
        model,
        classes,
        canon=resolve("canon", canon),
        augment=resolve("group", augment),
        symmetrize=symmetrize,
        symmetrize_group=resolve("group", symmetrize_group),
        seed=seed,
        target=target,
    )


def _single(payload: dict, read: Callable[[dict], Any]) -> ModelPipeline:
    if "target" not in payload:  # checkpoints before targets learned h11
        payload = {**payload, "target": DEFAULT_TARGET}
    if payload["target"] not in TARGETS:
        raise OrbitlearnError("field 'target' has the wrong kind of value")
    return ModelPipeline.from_payload(payload, resolve, build_model)


def _mirror(payload: dict, read: Callable[[dict], Any]) -> MirrorPipeline:
    base = payload.get("base")
    inner = read(base) if isinstance(base, dict) else None
    if not isinstance(inner, (ModelPipeline, EnsemblePipeline)):
        raise OrbitlearnError("field 'base' is not a single-model or ensemble checkpoint")
    mirror = MirrorPipeline(inner)
    if payload.get("target") != mirror.target:
        raise OrbitlearnError("field 'target' is not the mirror of the base's target")
    mirror.metadata = payload.get("metadata", {})
    return mirror


def _multi(payload: dict, read: Callable[[dict], Any]) -> MultiTargetPipeline:
    targets = payload.get("targets")
    if not isinstance(targets, dict) or not all(isinstance(p, dict) for p in targets.values()):
        raise OrbitlearnError("field 'targets' has the wrong kind of value")
    members = {}
    for t, p in targets.items():
        member = read(p)
        if member is None or isinstance(member, MultiTargetPipeline):
            raise OrbitlearnError(f"field 'targets': the {t} member is not a pipeline")
        members[t] = member
    multi = MultiTargetPipeline(members)
    multi.metadata = payload.get("metadata", {})
    return multi


#: the checkpoint kinds of the KS models beyond the core's single-model and ensemble ones
READERS = {CHECKPOINT_FORMAT: _single, MIRROR_FORMAT: _mirror, MULTI_FORMAT: _multi}


def pipeline_from_payload(payload: dict) -> Any:
    """The pipeline of a checkpoint payload of any of the four kinds (None for another)."""
    return _from_any(payload, resolve, READERS)


def load_pipeline(path: str | Path, payload: dict | None = None) -> Any:
    """Read a single-model, an ensemble, a mirror or a multi-target checkpoint written by `save`
    (`payload`: its contents, when already read)."""
    return _load_any(path, resolve, READERS, payload)


__all__ = ["READERS", "ks_pipeline", "load_pipeline", "pipeline_from_payload", "resolve"]
