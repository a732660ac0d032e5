"""Using a trained model: `load_model(path_or_name)` and predictions in label units.

`load_model` reads a checkpoint (single pipeline or ensemble; never runs code from it) or one of the
committed models by name (`committed_names()` lists them; their cards are on the docs' Models
page).
The returned `Model` predicts label values (h11 or h21), following scikit-learn's `classes_`
convention, from one (d, n) matrix, a (B, d, n) batch, a list of matrices with different n, or a
`KSFile`; `predict_each` also says, per input, the probability of the predicted value and whether
the input lies in the model's training domain (`orbitlearn.apps.ks.domain`).

Which inputs a model takes: every matrix must have the model's dimension d. A model whose pipeline
is invariant under permutations of the vertices by construction (PointNet, Deep Sets, set
transformer, exchangeable; behind π or not) is a set function and takes any number of vertices;
every other model takes exactly its training shape. `Model.predict_each` predicts what it can and
gives a per-entry reason for the rest (a wrong shape, or a matrix the canonicaliser refuses, e.g. a
column that is not a vertex where the normal form needs vertices).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.errors import GeometryError, OrbitlearnError, first_line
from orbitlearn.limits import MAX_ABS_INTEGER

#: the environment variable naming a folder of models (NAME.pt, training_domains.json, README.md)
MODELS_ENV = "ORBITLEARN_MODELS"
#: where a wheel installs the committed models, under the installation's data folder
WHEEL_MODELS = Path("share") / "orbitlearn" / "models"


def models_folder() -> Path:
    """Where the committed models are: $ORBITLEARN_MODELS if set, else `models/` of the source
    checkout this package runs from, else the installation's share/orbitlearn/models (a wheel
    ships them there)."""
    import os
    import sysconfig

    if os.environ.get(MODELS_ENV):
        return Path(os.environ[MODELS_ENV])
    checkout = Path(__file__).resolve().parents[4] / "models"
    if checkout.is_dir():
        return checkout
    return Path(sysconfig.get_path("data")) / WHEEL_MODELS


#: the folder of the committed models (see `models_folder`), found once at import
COMMITTED_MODELS = models_folder()


def committed_names() -> list[str]:
    """The names of the committed models (the `.pt` files of the models folder), sorted."""
    return (
        sorted(p.stem for p in COMMITTED_MODELS.glob("*.pt")) if COMMITTED_MODELS.is_dir() else []
    )


def integer_refusal(m: np.ndarray) -> str | None:
    """Why the coordinates of `m` are not integers a model takes (None when they are): floats
    must be finite whole numbers (1.4 is not silently 1), and |x| <= 2**63 - 1."""
    if m.dtype.kind == "f":
        if not np.all(np.isfinite(m)):
            return "expected integer coordinates, got NaN or an infinity"
        if not np.all(m == np.round(m)):
            bad = m[m != np.round(m)].flat[0]
            return f"expected integer coordinates, got non-integer values such as {float(bad)!r}"
        if m.size and float(np.abs(m).max()) >= 2.0**63:
            return "expected integer coordinates with |x| <= 2**63 - 1"
    elif m.dtype.kind in "iu":
        if m.size and int(np.abs(m.astype(np.int64)).view(np.uint64).max()) > MAX_ABS_INTEGER:
            return "expected integer coordinates with |x| <= 2**63 - 1"
    elif m.dtype.kind != "b":
        return f"expected integer coordinates, got values of type {m.dtype}"
    return None


def resolve_model(path_or_name: str | Path) -> Path:
    """The checkpoint file of a path, or of a committed model's name (OrbitlearnError if neither)."""
    if not isinstance(path_or_name, str | os.PathLike):
        raise OrbitlearnError(
            f"expected a checkpoint path or a committed model's name, got {path_or_name!r}"
        )
    path = Path(path_or_name)
    if path.is_file():
        return path
    name = str(path_or_name)
    candidate = COMMITTED_MODELS / f"{name}.pt"
    if "/" not in name and candidate.is_file():
        return candidate
    known = committed_names()
    raise OrbitlearnError(
        f"{name}: no such checkpoint file, nor a committed model"
        + (f" (committed: {', '.join(known)})" if known else "")
    )


class OutsideTrainingDomain(UserWarning):
    """`Model.predict` / `predict_proba` were given inputs outside the model's training domain."""


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
    #: whether the input lies in the model's training domain (None: the model records none),
    #: with its descriptors and the reasons when it does not (`orbitlearn.apps.ks.domain`)
    assessment: Any = None

    @property
    def in_distribution(self) -> bool | None:
        """True inside the training domain, False outside, None when the model records none."""
        return None if self.assessment is None else self.assessment.in_distribution

    def probability(self, target: str | None = None) -> float | None:
        """The class probability of the predicted value (of `target`, default the first)."""
        if self.probas is None:
            return None
        p = self.probas[target] if target is not None else self.proba
        return float(p.max())


class Model:
    """A loaded pipeline (an ensemble, or one per target) that predicts label values; see the
    module docstring."""

    def __init__(self, pipeline: Any, source: str = "", domain: Any = None):
        self.pipeline = pipeline
        self.source = source
        #: the `TrainingDomain` of its training data (None: not recorded)
        self.domain = domain
        parts = getattr(pipeline, "members", None)
        # target -> the pipeline predicting it
        self._parts = dict(parts) if isinstance(parts, dict) else {pipeline.target: pipeline}
        #: the labels this model predicts (h11 and/or h21), in orbitlearn.apps.ks.targets order
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
        return integer_refusal(m) or self.pipeline.shape_refusal(m.shape)

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
                        # alone in its batch: a "matrix 0: " or "batch entry 0: " prefix would
                        # name the wrong thing
                        results[i].error = (
                            first_line(exc)
                            .removeprefix("matrix 0: ")
                            .removeprefix("batch entry 0: ")
                        )
                        continue
                    self._fill(results[i], {t: v[0] for t, v in p.items()})
                continue
            for j, i in enumerate(idx):
                self._fill(results[i], {t: v[j] for t, v in probs.items()})
        if self.domain is not None:
            for r, m in zip(results, mats, strict=True):
                if r.error is None:
                    r.assessment = self.domain.assess(m)
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
        if not mats:
            raise OrbitlearnError("nothing to predict: expected at least one (d, n) matrix")
        results = self.predict_each(mats)
        failed = [r for r in results if r.error]
        if failed:
            r = failed[0]
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            raise OrbitlearnError(f"entry {r.index}: {r.error}{more}")
        outside = [r for r in results if r.in_distribution is False]
        if outside:
            import warnings

            first = outside[0]
            warnings.warn(
                f"{len(outside)} of {len(results)} inputs lie outside the training domain of "
                f"{Path(self.source).stem or 'this model'} (entry {first.index}: "
                f"{'; '.join(first.assessment.reasons)}): those predictions are extrapolation; "
                "predict_each says which, orbitlearn.geometry computes the exact values",
                OutsideTrainingDomain,
                stacklevel=3,
            )
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


def load_model(path_or_name: str | Path, payload: dict | None = None) -> Model:
    """A checkpoint (path) or committed model (name) as a `Model` that predicts label values
    (`payload`: the checkpoint's contents, when the caller has read them already)."""
    from orbitlearn.apps.ks.checkpoints import load_pipeline
    from orbitlearn.apps.ks.domain import model_domain

    path = resolve_model(path_or_name)
    pipeline = load_pipeline(path, payload)
    domain = model_domain(getattr(pipeline, "metadata", {}), path)
    return Model(pipeline, source=str(path), domain=domain)


__all__ = [
    "COMMITTED_MODELS",
    "MODELS_ENV",
    "OutsideTrainingDomain",
    "EntryResult",
    "Model",
    "committed_names",
    "load_model",
    "models_folder",
    "resolve_model",
]
