"""The one interface every model of the zoo shares.

A `Classifier` is built from a name and a config, learns from (X, y) with X a (N, m, n) integer
array and y class indices into `classes`, and answers `predict_proba(X) -> (N, len(classes))`.
Its learned state is plain data (`get_state`/`set_state`) so a checkpoint can carry it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.groups.claims import NO_SYMMETRY, Invariance
from orbitlearn.groups.concrete import Permutation, Product
from orbitlearn.train.config import BatchTransform, TrainConfig


class Classifier(ABC):
    """fit / predict_proba / state, the same for torch networks, trees and baselines."""

    #: registry name, set by subclasses
    name: str = ""
    #: the axes of the (N, m, n) input whose permutations leave the prediction unchanged by
    #: construction: () none, (-1,) the n columns, (-2, -1) rows and columns
    invariant_axes: tuple[int, ...] = ()

    #: the label value of each class index (set by `ModelPipeline`; models that regress on the
    #: value, such as the XGBoost regressor, use it)
    class_values: np.ndarray | None = None

    def __init__(self, n_classes: int, shape: tuple[int, int], config: dict | None = None):
        self.n_classes = int(n_classes)
        self.shape = (int(shape[0]), int(shape[1]))
        self.config = dict(config or {})

    @abstractmethod
    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        x_val: np.ndarray | None,
        y_val: np.ndarray | None,
        train: TrainConfig,
        augment: BatchTransform | None = None,
        run_dir: Path | None = None,
        resume: bool = False,
    ) -> dict[str, Any]:
        """Learn from (x, y); select on (x_val, y_val) only. Returns a summary (history, seconds...)."""

    @abstractmethod
    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, shape (N, n_classes), rows summing to 1."""

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The most probable class index of every input, (N,)."""
        return self.predict_proba(x).argmax(axis=1)

    @abstractmethod
    def get_state(self) -> Any:
        """The learned state as plain data (tensors, arrays, strings)."""

    @abstractmethod
    def set_state(self, state: Any) -> None:
        """Restore what `get_state` returned."""

    def to(self, device: Any) -> Classifier:
        """Move the model's computation to a torch device (nothing to move for non-torch models)."""
        return self

    def parameter_count(self) -> int:
        """The number of learned parameters (0 for models without any)."""
        return 0

    def invariance(self) -> Invariance:
        """The claim by construction on (N, m, n) inputs: permutations of `invariant_axes`."""
        if not self.invariant_axes:
            return NO_SYMMETRY
        factors = [Permutation(self.shape[a], axis=a) for a in sorted(self.invariant_axes)]
        return Invariance(factors[0] if len(factors) == 1 else Product(*factors))
