"""Calibration and power of the paired swap test: uniform p-values under H0, rejection under alternatives."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups import GLnZ, Permutation, Product
from orbitlearn.stats import (
    ExchangeabilityResult,
    axis_exchangeability_test,
    exchangeability_test,
    sequence_exchangeability_test,
    symmetric_sample,
)

SEEDS = 200
ALPHA = 0.1


def _binomial_ok(rejections: int, trials: int, alpha: float) -> bool:
    """Rejection count within a two-sided 0.999 binomial interval around α·trials (and never far above)."""
    lo, hi = sps.binom.ppf([0.0005, 0.9995], trials, alpha)
    return lo <= rejections <= hi


def _pvalues(make, test, seeds=SEEDS):
    return np.array([test(make(np.random.default_rng(1000 + s)), s).p_value for s in range(seeds)])


@pytest.mark.parametrize("statistic", ["mmd", "energy"])
def test_null_gaussian_matrices_pvalues_uniform(statistic):
    """i.i.d. Gaussian entries: exchangeable under S3 × S5, so p-values are uniform on {1/100, ..., 1}."""
    p = _pvalues(
        lambda r: r.normal(size=(30, 3, 5)),
        lambda x, s: axis_exchangeability_test(
            x, "both", statistic=statistic, n_resamples=99, rng=s
        ),
    )
    assert _binomial_ok(int((p <= ALPHA).sum()), SEEDS, ALPHA)
    assert sps.kstest(p, "uniform").pvalue > 1e-3


def test_null_made_exchangeable_by_random_actions():
    """Columns with different means are not exchangeable; after a random S5 image per row they are."""
    shift = np.arange(5) * 0.8
    group = Permutation(5, axis=-1)

    def make(r):
        x = r.normal(size=(30, 5)) + shift
        return group.act_batch(group.sample(len(x), r), x)

    p = _pvalues(make, lambda x, s: exchangeability_test(x, group, n_resamples=99, rng=s))
    assert _binomial_ok(int((p <= ALPHA).sum()), SEEDS, ALPHA)
    assert sps.kstest(p, "uniform").pvalue > 1e-3


def test_null_integer_data_with_ties_is_not_anticonservative():
    """Small-integer matrices (many ties, like the KS data) made S4 × S6-exchangeable: rejection rate ≤ α."""
    group = Product(Permutation(4, axis=-2), Permutation(6, axis=-1))
    base = np.random.default_rng(7).integers(-2, 3, size=(25, 4, 6))

    def make(r):
        return group.act_batch(group.sample(len(base), r), base)

    p = _pvalues(make, lambda x, s: exchangeability_test(x, group, n_resamples=99, rng=s))
    lo, hi = sps.binom.ppf([0.0005, 0.9995], SEEDS, ALPHA)
    assert (p <= ALPHA).sum() <= hi


@pytest.mark.parametrize("statistic", ["mmd", "energy"])
def test_power_shifted_columns(statistic):
    """Column j has mean 0.3·j: the columns are not exchangeable and the test rejects at α = 0.05."""
    rejected = 0
    for s in range(20):
        x = np.random.default_rng(s).normal(size=(40, 3, 5)) + np.arange(5) * 0.3
        res = axis_exchangeability_test(x, "columns", statistic=statistic, n_resamples=199, rng=s)
        rejected += res.reject(0.05)
    assert rejected >= 18


def test_axis_specific_alternative():
    """Rows with different means, columns i.i.d.: the column test holds its level, the row test rejects."""
    shift = np.array([-0.6, 0.0, 0.6])[:, None]
    col_p, row_rej = [], 0
    for s in range(60):
        x = np.random.default_rng(s).normal(size=(40, 3, 5)) + shift
        col_p.append(axis_exchangeability_test(x, "columns", n_resamples=99, rng=s).p_value)
        row_rej += axis_exchangeability_test(x, "rows", n_resamples=99, rng=s).reject(0.05)
    assert _binomial_ok(int((np.array(col_p) <= ALPHA).sum()), 60, ALPHA)
    assert row_rej >= 57


def test_sequence_test_calibrated_and_detects_sorting():
    p = np.array(
        [
            sequence_exchangeability_test(
                np.random.default_rng(s).normal(size=(30, 2)), n_resamples=99, rng=s
            ).p_value
            for s in range(SEEDS)
        ]
    )
    assert _binomial_ok(int((p <= ALPHA).sum()), SEEDS, ALPHA)
    x = np.sort(np.random.default_rng(0).normal(size=(60, 1)), axis=0)
    assert sequence_exchangeability_test(x, n_resamples=199, rng=0).p_value <= 0.01


def test_result_fields_and_determinism():
    x = np.random.default_rng(0).normal(size=(20, 4, 6))
    group = Product(Permutation(4, -2), Permutation(6, -1))
    a = exchangeability_test(x, group, n_resamples=49, rng=3)
    b = exchangeability_test(x, group, n_resamples=49, rng=3)
    c = exchangeability_test(x, group, n_resamples=49, rng=4)
    assert isinstance(a, ExchangeabilityResult)
    assert a.to_dict() == b.to_dict()
    assert a.to_dict() != c.to_dict()
    assert 1 / 50 <= a.p_value <= 1.0 and a.n_resamples == 49 and a.n_samples == 20
    assert a.group == group.name and a.bandwidth > 0
    assert set(a.null_quantiles) == {"q50", "q90", "q95", "q99"}
    assert a.null_quantiles["q50"] <= a.null_quantiles["q99"]


def test_max_samples_subsamples():
    x = np.random.default_rng(0).normal(size=(300, 5))
    res = axis_exchangeability_test(x, "columns", n_resamples=9, rng=0, max_samples=50)
    assert res.n_samples == 50


def test_identity_images_give_zero_statistic():
    """With g_i = e the two samples coincide: MMD² = 0 for every swap, p = 1."""
    group = Permutation(5, axis=-1)
    x = np.random.default_rng(0).normal(size=(20, 5))
    res = exchangeability_test(
        x, group, n_resamples=19, rng=0, elements=[group.identity()] * len(x)
    )
    assert res.statistic == pytest.approx(0.0, abs=1e-12) and res.p_value == 1.0


def test_symmetric_sample_inverts_about_half():
    group = GLnZ(4, axis=-2)
    gs = symmetric_sample(group, 200, np.random.default_rng(0))
    assert all(abs(round(np.linalg.det(g))) == 1 for g in gs)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda x: axis_exchangeability_test(x[:, 0], "rows", rng=0), "row axis"),
        (lambda x: axis_exchangeability_test(x, "diagonal", rng=0), "unknown axis"),
        (lambda x: axis_exchangeability_test(x, "columns", statistic="t", rng=0), "statistic"),
        (lambda x: axis_exchangeability_test(x, "columns"), "rng"),
        (
            lambda x: exchangeability_test(x, Permutation(7, axis=-1), rng=0),
            "needs size 7",
        ),
    ],
)
def test_user_errors(call, match):
    x = np.zeros((10, 3, 5))
    with pytest.raises(OrbitlearnError, match=match):
        call(x)
