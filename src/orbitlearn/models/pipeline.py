"""A model with its symmetry treatment: canonicalise (π), augment, symmetrise, then classify.

predict_proba(x) = mean over g in S of model.predict_proba(π(g·x)), where S is {e} without
symmetrisation, all of a small group (exact Reynolds operator) or k sampled elements (Monte Carlo).
Training sees π(x), and with augmentation π(g·x) for a fresh random g per item and batch.
Checkpoints carry everything needed to rebuild the pipeline and say what it was trained on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.augment import batch_augmenter
from orbitlearn.averaging import group_average
from orbitlearn.errors import OrbitlearnError, first_line
from orbitlearn.groups.claims import Invariance
from orbitlearn.limits import MAX_SYMMETRIZE_SAMPLES
from orbitlearn.models.base import Classifier
from orbitlearn.models.registry import build_model
from orbitlearn.torch_io import (
    content_checksum,
    non_finite_tensor,
    safe_torch_load,
    save_atomic,
)
from orbitlearn.train.config import TrainConfig
from orbitlearn.version import __version__

CHECKPOINT_FORMAT = "orbitlearn-checkpoint/1"
#: the target of a pipeline built without one (an application names its labels)
DEFAULT_LABEL = "label"
#: sha256 of every other field of a single-model payload (`orbitlearn.torch_io.content_checksum`)
CHECKSUM_FIELD = "checksum"


@dataclass(frozen=True)
class Named:
    """A part of a pipeline (a canonicaliser or an action) as the name registry hands it out:
    `build(shape)` makes it for (d, n) inputs; `name` is what a checkpoint records."""

    name: str
    build: Callable[[tuple[int, ...]], Any]


#: name -> Named part, or None for "none"; kind is "canon" or "group" (the registry's `part`)
Resolver = Callable[[str, str], "Named | None"]


def _name(part: Named | None) -> str:
    return "none" if part is None else part.name


def project_padded(canonicaliser: Any, x: np.ndarray) -> np.ndarray:
    """π of zero-padded (B, d, n_max) matrices: each matrix's non-zero columns projected (matrices
    of one vertex count together), then padded again with zero columns."""
    x = np.asarray(x, dtype=np.int64)
    real = (x != 0).any(axis=1)  # (B, n_max)
    counts = real.sum(axis=1)
    out = np.zeros_like(x)
    for k in np.unique(counts):
        rows = np.flatnonzero(counts == k)
        sub = np.stack([x[i][:, real[i]] for i in rows])
        out[rows, :, :k] = canonicaliser.project(sub)
    return out


class ModelPipeline:
    """canon ∘ (augment during training) ∘ model, optionally symmetrised at prediction time.

    `canon`, `augment` and `symmetrize_group` are `Named` parts (None: no such part), built for
    the model's input shape; `symmetrize` is 0 (none), k > 0 (k sampled elements) or -1 (all).
    """

    def __init__(
        self,
        model: Classifier,
        classes: np.ndarray,
        canon: Named | None = None,
        augment: Named | None = None,
        symmetrize: int = 0,
        symmetrize_group: Named | None = None,
        seed: int = 0,
        target: str = DEFAULT_LABEL,
    ):
        if symmetrize and symmetrize_group is None:
            raise OrbitlearnError("symmetrisation needs a group (symmetrize_group)")
        self.target = target
        self.model = model
        self.classes = np.asarray(classes)
        model.class_values = self.classes
        #: the parts' names, as checkpoints and reports give them ("none" for no part)
        self.canon = _name(canon)
        self.augment = _name(augment)
        self.symmetrize_group = _name(symmetrize_group)
        self._augment_part = augment
        self._symmetry_part = symmetrize_group
        self.symmetrize = int(symmetrize)
        if not -1 <= self.symmetrize <= MAX_SYMMETRIZE_SAMPLES:
            raise OrbitlearnError(
                f"symmetrize must be -1 (all elements) or 0 .. {MAX_SYMMETRIZE_SAMPLES} group "
                f"elements, got {self.symmetrize}"
            )
        self.seed = int(seed)
        self._canonicaliser = None if canon is None else canon.build(tuple(model.shape))
        self.metadata: dict[str, Any] = {}

    # ------------------------------------------------------------------ the maps

    def project(self, x: np.ndarray, cache: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """π(x) for the configured canonicaliser (identity for canon="none").

        With `cache` (a dict shared by pipelines that see the same x, e.g. ensemble members),
        π(x) is computed once per canonicaliser and then read back.
        """
        x = np.asarray(x)
        if self._canonicaliser is None:
            return x
        if cache is not None and self.canon in cache:
            return cache[self.canon]
        if self.model.config.get("padded"):
            out = project_padded(self._canonicaliser, x)
        else:
            out = self._canonicaliser.project(x.astype(np.int64))
        if cache is not None:
            cache[self.canon] = out
        return out

    def _augment_transform(self):
        if self._augment_part is None:
            return None
        augmenter = batch_augmenter(
            self._augment_part.build(tuple(self.model.shape)),
            then=lambda moved: self.project(moved).astype(np.float32),
        )
        return lambda xb, rng: augmenter(np.asarray(xb, dtype=np.int64), rng)

    def _symmetry_elements(self) -> tuple[Any, list]:
        group = self._symmetry_part.build(tuple(self.model.shape))
        if self.symmetrize < 0:  # all elements: the exact Reynolds operator
            if not group.is_small():
                raise OrbitlearnError(
                    f"{self.symmetrize_group} is too large to average over exactly; give a sample size"
                )
            return group, group.elements()
        return group, group.sample(self.symmetrize, np.random.default_rng(self.seed))

    # ------------------------------------------------------------------ Classifier-like API

    def fit(
        self,
        x,
        y,
        x_val=None,
        y_val=None,
        train: TrainConfig | None = None,
        run_dir: Path | None = None,
        resume: bool = False,
    ) -> dict:
        """Train the model on π(x) (with augmentation when configured), selecting on (x_val, y_val); the training summary."""
        train = train or TrainConfig()
        t0 = time.perf_counter()
        xc = self.project(x)
        xvc = None if x_val is None else self.project(x_val)
        canon_seconds = time.perf_counter() - t0
        summary = self.model.fit(
            xc,
            np.asarray(y),
            xvc,
            None if y_val is None else np.asarray(y_val),
            train,
            augment=self._augment_transform(),
            run_dir=run_dir,
            resume=resume,
        )
        summary["canon_seconds"] = canon_seconds
        return summary

    def predict_proba(
        self, x: np.ndarray, cache: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Class probabilities; `cache` shares π(x) with other pipelines on the same x (see `project`)."""
        x = np.asarray(x, dtype=np.int64)
        self.check_input_shape(x.shape)
        if self.symmetrize == 0:
            return self.model.predict_proba(self.project(x, cache))
        group, elements = self._symmetry_elements()
        return group_average(
            lambda z: self.model.predict_proba(self.project(z)), group, elements, x
        )

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The most probable class index of every input, (N,)."""
        return self.predict_proba(x).argmax(axis=1)

    def to(self, device) -> ModelPipeline:
        """Move the model's computation to a torch device (a spec such as "auto" or a device)."""
        if isinstance(device, str):
            from orbitlearn.train.devices import resolve_device

            device = resolve_device(device)
        self.model.to(device)
        return self

    def pipelines(self) -> list[ModelPipeline]:
        """The single-model pipelines inside: this one (ensembles and mirrors list theirs)."""
        return [self]

    def parameter_count(self) -> int:
        """The model's trainable parameters."""
        return int(self.model.parameter_count())

    def accepts_any_vertex_count(self) -> bool:
        """Whether the model is a set function of the columns (invariant under their permutations
        by construction, and defined for any number of them), so any n is accepted."""
        return -1 in self.model.invariant_axes

    def shape_refusal(self, shape: tuple[int, ...]) -> str | None:
        """Why matrices of this shape (no batch axis) do not fit the model, or None when they do:
        the model's (m, n), or (m, any n) for a set model."""
        expected = tuple(int(v) for v in self.model.shape)
        got = tuple(int(v) for v in shape)
        any_n = self.accepts_any_vertex_count()
        takes = f"{expected[0]} x n" if any_n else " x ".join(map(str, expected))
        if len(got) != 2 or got[1] < 1:
            shown = " x ".join(map(str, got)) if got else "no matrices"
            return f"this model takes {takes} matrices, the data has {shown}"
        if got[0] != expected[0]:
            return (
                f"this model takes {takes} matrices ({expected[0]}-dimensional polytopes), the "
                f"data has dimension {got[0]}"
            )
        if not any_n and got[1] != expected[1]:
            return (
                f"this model takes {takes} matrices, exactly {expected[1]} vertices (a "
                f"fixed-shape network), the data has {got[1]}; set models (PointNet, Deep Sets) "
                "take any number"
            )
        return None

    def check_input_shape(self, shape: tuple[int, ...]) -> None:
        """OrbitlearnError unless `shape` is (B, *model.shape), or (B, m, any n) for a set model."""
        reason = self.shape_refusal(shape[1:])
        if reason is not None:
            raise OrbitlearnError(reason)

    def claimed_invariance(self) -> Invariance:
        """What the pipeline is exactly invariant under by construction, computed from its parts'
        declarations (tests measure it): the model's own claim, joined with the group of an exact
        canonicaliser (π(g·x) = π(x)) and with the group of an exact average over all elements."""
        claim = self.model.invariance()
        if self._canonicaliser is not None and self._canonicaliser.exact:
            claim = Invariance(self._canonicaliser.group(*self.model.shape)).join(claim)
        if self.symmetrize < 0:
            claim = Invariance(self._symmetry_part.build(tuple(self.model.shape))).join(claim)
        return claim

    # ------------------------------------------------------------------ checkpoints

    def describe(self) -> dict:
        """A JSON-friendly summary: model, config, shape, classes, treatments, claim, parameters."""
        return {
            "model": self.model.name,
            "config": self.model.config,
            "shape": list(self.model.shape),
            "target": self.target,
            "classes": [int(c) for c in self.classes],
            "canon": self.canon,
            "augment": self.augment,
            "symmetrize": self.symmetrize,
            "symmetrize_group": self.symmetrize_group,
            "seed": self.seed,
            "claimed_invariance": self.claimed_invariance().label,
            "parameters": self.parameter_count(),
        }

    def checkpoint_payload(self) -> dict:
        """Everything needed to rebuild this pipeline (what `save` writes)."""
        state = self.model.get_state()
        bad = non_finite_tensor(state)
        if bad is not None:
            raise OrbitlearnError(
                f"refusing to save a model whose weights are not finite (NaN or inf in {bad}): "
                "the training diverged; try a lower --lr"
            )
        payload = {
            "format": CHECKPOINT_FORMAT,
            "library_version": __version__,
            **self.describe(),
            "metadata": self.metadata,
            "state": state,
        }
        payload[CHECKSUM_FIELD] = content_checksum(payload)
        return payload

    def save(self, path: str | Path) -> Path:
        """Write the checkpoint atomically; the path."""
        return save_atomic(self.checkpoint_payload(), path)

    @classmethod
    def from_payload(
        cls, payload: dict, resolve: Resolver, build: Callable[..., Classifier] = build_model
    ) -> ModelPipeline:
        """Rebuild a pipeline from a checkpoint payload (fields checked first); `resolve(kind,
        name)` turns the recorded names back into parts (the name registry's `part`), `build`
        the model's name into a model (an application passes its own, with its own models)."""
        _check_payload(payload)
        _check_contents(payload)
        model = build(
            payload["model"], len(payload["classes"]), tuple(payload["shape"]), payload["config"]
        )
        model.set_state(payload["state"])

        def named(kind: str, key: str) -> Named | None:
            try:
                return resolve(kind, payload[key])
            except KeyError as exc:
                raise OrbitlearnError(f"field {key!r}: {exc.args[0]}") from None

        pipe = cls(
            model,
            np.array(payload["classes"]),
            canon=named("canon", "canon"),
            augment=named("group", "augment"),
            symmetrize=payload["symmetrize"],
            symmetrize_group=named("group", "symmetrize_group"),
            seed=payload["seed"],
            target=payload.get("target", DEFAULT_LABEL),
        )
        pipe.metadata = payload.get("metadata", {})
        return pipe

    @classmethod
    def load(
        cls, path: str | Path, resolve: Resolver, build: Callable[..., Classifier] = build_model
    ) -> ModelPipeline:
        """A single-model checkpoint (an application's `load_pipeline` reads every kind)."""
        path = Path(path)
        payload = read_checkpoint(path)
        if payload.get("format") != CHECKPOINT_FORMAT:
            raise OrbitlearnError(
                f"{path}: not an orbitlearn checkpoint (expected format {CHECKPOINT_FORMAT})"
            )
        with checkpoint_contents(path):
            return cls.from_payload(payload, resolve, build)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_payload(payload: dict) -> None:
    """OrbitlearnError naming the first field of a single-model payload of the wrong kind."""
    checks = {
        "model": lambda v: isinstance(v, str),
        "config": lambda v: isinstance(v, dict),
        "shape": lambda v: (
            isinstance(v, list) and len(v) >= 1 and all(_is_int(d) and d > 0 for d in v)
        ),
        "classes": lambda v: isinstance(v, list) and len(v) > 0 and all(_is_int(c) for c in v),
        "canon": lambda v: isinstance(v, str),
        "augment": lambda v: isinstance(v, str),
        "symmetrize": _is_int,
        "symmetrize_group": lambda v: isinstance(v, str),
        "seed": _is_int,
        "metadata": lambda v: isinstance(v, dict),
        "target": lambda v: isinstance(v, str),
    }
    for key, ok in checks.items():
        if key in ("metadata", "target") and key not in payload:
            continue
        if key not in payload:
            raise OrbitlearnError(f"missing field {key!r}")
        if not ok(payload[key]):
            raise OrbitlearnError(f"field {key!r} has the wrong kind of value")
    if "state" not in payload:
        raise OrbitlearnError("missing field 'state'")


def _check_contents(payload: dict) -> None:
    """OrbitlearnError unless the classes are distinct and increasing, the checksum (where the
    payload has one: checkpoints written before it have none) matches the contents, and every
    weight is finite."""
    classes = payload["classes"]
    if any(a >= b for a, b in zip(classes, classes[1:])):
        raise OrbitlearnError("field 'classes' is not a list of distinct increasing integers")
    if CHECKSUM_FIELD in payload:
        body = {k: v for k, v in payload.items() if k != CHECKSUM_FIELD}
        if payload[CHECKSUM_FIELD] != content_checksum(body):
            raise OrbitlearnError(
                "its contents do not match its checksum (the file was changed or damaged)"
            )
    bad = non_finite_tensor(payload["state"])
    if bad is not None:
        raise OrbitlearnError(f"its weights are not finite (NaN or inf in {bad})")


def distinct_pipelines(parts: list[Any]) -> list[ModelPipeline]:
    """The single-model pipelines inside `parts` (each a pipeline of any kind), each listed once."""
    out: list[ModelPipeline] = []
    for part in parts:
        out += [p for p in part.pipelines() if all(p is not q for q in out)]
    return out


def read_checkpoint(path: Path) -> dict:
    """The payload of a checkpoint file, or a one-line error naming the file; nothing in it runs."""
    payload = safe_torch_load(Path(path))
    if not isinstance(payload, dict):
        raise OrbitlearnError(f"{path}: not an orbitlearn checkpoint (not a dictionary)")
    return payload


@contextmanager
def checkpoint_contents(path: str | Path) -> Iterator[None]:
    """Rebuilding from a well-tagged payload: any error inside (a missing field, a value of the
    wrong kind, weights of another shape) becomes one line naming the file."""
    try:
        yield
    except OrbitlearnError as exc:
        raise OrbitlearnError(f"{path}: not a valid orbitlearn checkpoint ({exc})") from None
    except Exception as exc:
        reason = f"{type(exc).__name__}: {first_line(exc)}"
        if isinstance(exc, KeyError):
            reason = f"missing field {exc.args[0]!r}" if exc.args else "missing field"
        raise OrbitlearnError(f"{path}: not a valid orbitlearn checkpoint ({reason})") from None
