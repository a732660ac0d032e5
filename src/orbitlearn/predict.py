"""Using a trained model: `load_model(path_or_name)` and predictions in label units.

`load_model` reads a checkpoint (single pipeline or ensemble; never runs code from it) or one of the
committed models by name (`ks_h11_best`, `ks_h11_gl4z`), which live in the `models/` folder next to
the source checkout (they are not shipped inside the wheel). The returned `Model` predicts label
values (h11), following scikit-learn's `classes_` convention, from one (d, n) matrix, a (B, d, n)
batch, a list of matrices with different n, or a `KSFile`.

Which inputs a model takes: every matrix must have the model's dimension d. A model whose pipeline
is invariant under permutations of the vertices by construction (PointNet, Deep Sets, set
transformer, exchangeable; behind π or not) is a set function and takes any number of vertices;
every other model takes exactly its training shape. `Model.predict_each` predicts what it can and
gives a per-entry reason for the rest (a wrong shape, or a matrix the canonicaliser refuses, e.g. a
column that is not a vertex where the normal form needs vertices).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.errors import GeometryError, OrbitlearnError, first_line

#: where the committed models live: models/ next to the source checkout
COMMITTED_MODELS = Path(__file__).resolve().parents[2] / "models"


def resolve_model(path_or_name: str | Path) -> Path:
    """The checkpoint file of a path, or of a committed model's name (OrbitlearnError if neither)."""
    path = Path(path_or_name)
    if path.is_file():
        return path
    name = str(path_or_name)
    candidate = COMMITTED_MODELS / f"{name}.pt"
    if "/" not in name and candidate.is_file():
        return candidate
    known = (
        sorted(p.stem for p in COMMITTED_MODELS.glob("*.pt")) if COMMITTED_MODELS.is_dir() else []
    )
    raise OrbitlearnError(
        f"{name}: no such checkpoint file, nor a committed model"
        + (f" (committed: {', '.join(known)})" if known else "")
    )


@dataclass
class EntryResult:
    """One entry's prediction: its index and label values by target (with class probabilities),
    or an error. `value` and `proba` are those of the model's first (usually only) target."""

    index: int
    value: int | None = None
    proba: np.ndarray | None = None
    error: str | None = None
    values: dict[str, int] | None = None
    probas: dict[str, np.ndarray] | None = None


class Model:
    """A loaded pipeline (an ensemble, or one per target) that predicts label values; see the
    module docstring."""

    def __init__(self, pipeline: Any, source: str = ""):
        self.pipeline = pipeline
        self.source = source
        parts = getattr(pipeline, "members", None)
        # target -> the pipeline predicting it
        self._parts = dict(parts) if isinstance(parts, dict) else {pipeline.target: pipeline}
        #: the labels this model predicts (h11 and/or h21), in orbitlearn.targets order
        self.targets = tuple(self._parts)
        #: the first (usually only) target
        self.target = self.targets[0]
        self._classes = {t: np.asarray(p.classes) for t, p in self._parts.items()}
        #: the class values (scikit-learn's convention; a list of arrays, one per target, when
        #: the model predicts several targets)
        self.classes_ = (
            self._classes[self.target]
            if len(self.targets) == 1
            else [self._classes[t] for t in self.targets]
        )
        members = pipeline.pipelines()
        self.shape = tuple(int(v) for v in members[0].model.shape)
        # a set function of the vertices by construction (every member): any n is accepted
        self.any_vertex_count = all(m.accepts_any_vertex_count() for m in members)

    def __repr__(self) -> str:
        return f"Model({self.source or type(self.pipeline).__name__}, shape={self.shape})"

    # ------------------------------------------------------------------ what it takes
    def refusal(self, matrix: np.ndarray) -> str | None:
        """Why this model cannot take a (d, n) matrix, or None when it can."""
        m = np.asarray(matrix)
        if m.ndim != 2:
            return f"expected a (d, n) matrix, got shape {m.shape}"
        return self.pipeline.shape_refusal(m.shape)

    # ------------------------------------------------------------------ predictions
    def _proba_group(self, batch: np.ndarray) -> dict[str, np.ndarray]:
        return {
            t: np.asarray(p.predict_proba(batch), dtype=np.float64) for t, p in self._parts.items()
        }

    def _fill(self, result: EntryResult, probas: dict[str, np.ndarray]) -> None:
        result.probas = probas
        result.values = {t: int(self._classes[t][p.argmax()]) for t, p in probas.items()}
        result.proba, result.value = probas[self.target], result.values[self.target]

    def predict_each(self, matrices: Iterable[np.ndarray]) -> list[EntryResult]:
        """One `EntryResult` per matrix, in order: predicted where possible, a reason otherwise.
        Matrices of one vertex count are predicted together."""
        mats = [np.asarray(m) for m in matrices]
        results = [EntryResult(i) for i in range(len(mats))]
        groups: dict[tuple[int, ...], list[int]] = {}
        for i, m in enumerate(mats):
            reason = self.refusal(m)
            if reason is not None:
                results[i].error = reason
            else:
                groups.setdefault(m.shape, []).append(i)
        for idx in groups.values():
            batch = np.stack([mats[i] for i in idx]).astype(np.int64)
            try:
                probs = self._proba_group(batch)
            except (GeometryError, ValueError, OrbitlearnError):
                probs = None  # someone in the group is refused: find out who, one by one
            if probs is None:
                for i in idx:
                    try:
                        p = self._proba_group(mats[i][None].astype(np.int64))
                    except (GeometryError, ValueError, OrbitlearnError) as exc:
                        results[i].error = first_line(exc)
                        continue
                    self._fill(results[i], {t: v[0] for t, v in p.items()})
                continue
            for j, i in enumerate(idx):
                self._fill(results[i], {t: v[j] for t, v in probs.items()})
        return results

    def _as_list(self, X: Any) -> tuple[list[np.ndarray], bool]:
        """(matrices, whether X was a single matrix)."""
        if hasattr(X, "entries"):  # a KSFile
            return [e.vertices for e in X.entries], False
        if isinstance(X, np.ndarray) or not isinstance(X, Sequence):
            a = np.asarray(X)
            if a.ndim == 2:
                return [a], True
            if a.ndim == 3:
                return list(a), False
            raise OrbitlearnError(
                f"expected a (d, n) matrix or a (B, d, n) batch, got shape {a.shape}"
            )
        return [np.asarray(m) for m in X], False

    def _checked(self, X: Any) -> tuple[list[EntryResult], bool]:
        mats, single = self._as_list(X)
        results = self.predict_each(mats)
        failed = [r for r in results if r.error]
        if failed:
            r = failed[0]
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            raise OrbitlearnError(f"entry {r.index}: {r.error}{more}")
        return results, single

    def predict(self, X: Any) -> Any:
        """Label values: an int for one (d, n) matrix, else an int64 array, one per matrix; with
        several targets a (T,) array for one matrix, else (B, T), columns in `targets` order."""
        results, single = self._checked(X)
        values = np.array([[r.values[t] for t in self.targets] for r in results], dtype=np.int64)
        if len(self.targets) == 1:
            values = values[:, 0]
            return int(values[0]) if single else values
        return values[0] if single else values

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities, columns in the order of `classes_`: (len(classes_),) for one
        matrix, else (B, len(classes_)); with several targets a list of those, one per target."""
        results, single = self._checked(X)
        out = []
        for t in self.targets:
            probs = np.stack([r.probas[t] for r in results])
            out.append(probs[0] if single else probs)
        return out[0] if len(self.targets) == 1 else out


def load_model(path_or_name: str | Path) -> Any:
    """A checkpoint (path) or committed model (name) as a `Model` that predicts label values (an
    `NBodyModel` predicting positions for checkpoints of kind "nbody")."""
    from orbitlearn.models.ensemble import load_pipeline

    path = resolve_model(path_or_name)
    from orbitlearn.torch_io import safe_torch_load

    ckpt = safe_torch_load(path)
    if isinstance(ckpt, dict) and ckpt.get("kind") == "nbody":  # an N-body network
        from orbitlearn.apps.nbody.predictor import NBodyModel

        return NBodyModel.from_checkpoint(ckpt, source=str(path))
    return Model(load_pipeline(path), source=str(path))


__all__ = ["COMMITTED_MODELS", "EntryResult", "Model", "load_model", "resolve_model"]
