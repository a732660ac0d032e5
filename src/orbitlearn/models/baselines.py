"""The reference floors: uniform random guessing and the majority class."""

from __future__ import annotations

import numpy as np

from orbitlearn.groups.claims import EVERYTHING, Invariance
from orbitlearn.models.base import Classifier


class RandomGuess(Classifier):
    """Guesses a class uniformly at random for every input (one-hot of a seeded draw):
    accuracy 1/C in expectation. Not a function of x, so it is invariant only in distribution."""

    name = "random"

    def __init__(self, n_classes, shape, config=None):
        super().__init__(n_classes, shape, config)
        self.rng = np.random.default_rng(int(self.config.get("seed", 0)))

    def fit(self, x, y, x_val, y_val, train, augment=None, run_dir=None, resume=False):
        self.rng = np.random.default_rng(int(self.config.get("seed", train.seed)))
        return {"seconds": 0.0}

    def predict_proba(self, x):
        return np.eye(self.n_classes)[self.rng.integers(0, self.n_classes, size=len(x))]

    def get_state(self):
        return {"rng": self.rng.bit_generator.state}

    def set_state(self, state):
        self.rng.bit_generator.state = state["rng"]


class Majority(Classifier):
    """Predicts the most frequent training class (smallest index on ties); invariant under everything."""

    name = "majority"
    majority: int = 0

    def invariance(self) -> Invariance:
        return EVERYTHING

    def fit(self, x, y, x_val, y_val, train, augment=None, run_dir=None, resume=False):
        counts = np.bincount(np.asarray(y), minlength=self.n_classes)
        self.majority = int(np.argmax(counts))
        return {"seconds": 0.0, "majority_class_index": self.majority}

    def predict_proba(self, x):
        p = np.zeros((len(x), self.n_classes))
        p[:, self.majority] = 1.0
        return p

    def get_state(self):
        return {"majority": self.majority}

    def set_state(self, state):
        self.majority = int(state["majority"])
