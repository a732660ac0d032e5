"""Paired tests of a model's score on (x, y) against (g·x, y)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups import Permutation, Product
from orbitlearn.stats import PowerSums, label_invariance_test

GROUP = Product(Permutation(3, axis=-2), Permutation(5, axis=-1))


def _data(seed, n=400):
    x = np.random.default_rng(seed).integers(-3, 4, size=(n, 3, 5))
    return x


def test_invariant_model_scores_identically():
    x = _data(0)
    y = (x.sum((1, 2)) > 0).astype(int)
    model = make_pipeline(PowerSums(2, shape=(3, 5)), LogisticRegression(max_iter=1000))
    model.fit(x.reshape(len(x), -1), y)
    flat = lambda v: v.reshape(len(v), -1)  # noqa: E731
    for metric in ("accuracy", "loss"):
        r = label_invariance_test(model, x, y, GROUP, rng=1, metric=metric, prepare=flat)
        assert r.p_value == 1.0 and r.effect == 0.0 and r.changed_predictions == 0.0
        assert r.score_original == r.score_transformed


def test_non_invariant_model_is_detected():
    """y = [x_00 > 0] is not S3 x S5-invariant; a linear model on raw entries loses accuracy on images."""
    x = _data(1)
    y = (x[:, 0, 0] > 0).astype(int)
    flat = lambda v: v.reshape(len(v), -1).astype(float)  # noqa: E731
    model = LogisticRegression(max_iter=1000).fit(flat(x), y)
    r = label_invariance_test(model, x, y, GROUP, rng=2, prepare=flat)
    assert r.score_original > 0.95 and r.effect > 0.2 and r.ci_low > 0.1
    assert r.p_value < 1e-6 and r.discordant[0] > r.discordant[1]
    rl = label_invariance_test(model, x, y, GROUP, rng=2, prepare=flat, metric="loss")
    assert rl.effect > 0 and rl.p_value < 1e-6


class _RandomGuesser:
    """Predicts a fresh random label on every call, whatever the input."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def __call__(self, v):
        return self.rng.integers(0, 2, len(v))


def test_mcnemar_level_under_h0():
    """A model guessing at random on every call: correctness exchangeable, rejections ≤ α·trials."""
    x = _data(2, n=60)
    y = np.zeros(len(x), dtype=int)
    rejections = 0
    for s in range(200):
        guess = _RandomGuesser(10_000 + s)
        r = label_invariance_test(guess, x, y, GROUP, rng=s)
        rejections += r.p_value <= 0.1
    assert rejections <= sps.binom.ppf(0.999, 200, 0.1)


def test_errors():
    x = _data(0, n=10)
    with pytest.raises(OrbitlearnError, match="metric"):
        label_invariance_test(lambda v: v, x, np.zeros(10), GROUP, rng=0, metric="f1")
    with pytest.raises(OrbitlearnError, match="one label each"):
        label_invariance_test(lambda v: v, x, np.zeros(9), GROUP, rng=0)
