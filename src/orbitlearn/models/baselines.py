"""The reference floors: uniform random guessing and the majority class."""

from __future__ import annotations

import numpy as np

from orbitlearn.models.base import Classifier


class RandomGuess(Classifier):
    """p(c | x) = 1/C for every class: accuracy 1/C in expectation, invariant under everything."""

    name = "random"
    invariant_group = "all"

    def fit(self, x, y, x_val, y_val, train, augment=None, run_dir=None, resume=False):
        return {"seconds": 0.0}

    def predict_proba(self, x):
        return np.full((len(x), self.n_classes), 1.0 / self.n_classes)

    def get_state(self):
        return {}

    def set_state(self, state):
        pass


class Majority(Classifier):
    """Predicts the most frequent training class (smallest index on ties); invariant under everything."""

    name = "majority"
    invariant_group = "all"
    majority: int = 0

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
