"""The ε report on cases whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from orbitlearn.apps.ks.names import get_group
from orbitlearn.groups import C4, Permutation, Product
from orbitlearn.symmetry import equivariance_error, invariance_error

S4 = Permutation(4, axis=-2)
S4xS26 = get_group("s4xs26")


def _x(rng, b=5):
    return rng.standard_normal((b, 4, 26))


def test_sum_is_invariant_exactly_over_all_elements():
    rng = np.random.default_rng(0)
    rep = invariance_error(lambda x: x.sum(axis=(1, 2)), S4, _x(rng))
    assert rep.exhaustive and len(rep.elements) == 24
    assert rep.abs_errors.shape == (24, 5)
    assert rep.max_abs < 1e-12
    rep.assert_below(1e-12)


def test_sum_over_axis_invariant_under_sampled_product():
    rng = np.random.default_rng(1)
    rep = invariance_error(
        lambda x: np.sort(x.sum(axis=1), axis=-1), S4xS26, _x(rng), n_samples=10, rng=rng
    )
    assert not rep.exhaustive and len(rep.elements) == 10
    rep.assert_below(1e-12)


def test_first_element_is_not_invariant_and_report_points_at_it():
    rng = np.random.default_rng(2)
    x = _x(rng)
    rep = invariance_error(lambda x: x[:, 0, 0], S4, x)
    assert rep.max_abs > 0.1
    b, g = rep.worst(relative=False)
    # the worst error is where |x[b, g[0], 0] - x[b, 0, 0]| is largest
    direct = np.abs(x[:, :, 0] - x[:, :1, 0])
    assert np.isclose(rep.max_abs, direct.max())
    assert np.isclose(abs(x[b, g[0], 0] - x[b, 0, 0]), direct.max())
    with pytest.raises(AssertionError, match="invariance error under S4"):
        rep.assert_below(1e-3)
    # the identity element contributes zero error
    assert rep.abs_errors[0].max() == 0


def test_relative_vs_absolute():
    rng = np.random.default_rng(3)
    x = _x(rng) * 1000
    rep = invariance_error(lambda x: x[:, 0, :], S4, x)
    assert rep.max_abs > 100
    ref = np.linalg.norm(x[:, 0, :], axis=1)
    np.testing.assert_allclose(rep.rel_errors, rep.abs_errors / ref[None])
    assert rep.max_rel < 3


def test_elementwise_square_is_equivariant():
    rng = np.random.default_rng(4)
    x = _x(rng)
    rep = equivariance_error(np.square, S4xS26, S4xS26, x, n_samples=8, rng=rng)
    assert rep.max_abs == 0.0
    rep.assert_below(1e-15, relative=False)


def test_non_equivariant_map_detected():
    rng = np.random.default_rng(5)
    x = _x(rng)
    w = rng.standard_normal((26, 26))
    rep = equivariance_error(lambda x: x @ w, S4xS26, S4xS26, x, n_samples=8, rng=rng)
    assert rep.max_rel > 0.1
    with pytest.raises(AssertionError, match="equivariance"):
        rep.assert_below(1e-6)
    # but mixing columns commutes with permuting rows: equivariant under S4 alone
    equivariance_error(lambda x: x @ w, S4, S4, x).assert_below(1e-12)


def test_equivariance_with_output_action_function():
    """Column sums: (B,4,26) -> (B,26), equivariant with S26 acting on the output's last axis."""
    rng = np.random.default_rng(6)
    x = _x(rng)
    s26 = Permutation(26, axis=-1)
    rep = equivariance_error(
        lambda x: x.sum(axis=1), S4xS26, lambda g, y: s26.act(g[1], y), x, rng=rng
    )
    rep.assert_below(1e-12)


def test_torch_module_eval_mode_restored_and_detected():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(104, 8), torch.nn.Dropout(0.5), torch.nn.Linear(8, 1)
    )
    model.train()
    x = torch.randn(6, 4, 26)
    rep = invariance_error(model, S4, x)
    assert model.training  # restored
    assert rep.max_rel > 1e-3  # a generic MLP is not invariant
    # dropout off during the check: the identity element gives exactly zero
    assert rep.abs_errors[0].max() == 0
    model.eval()
    invariance_error(model, S4, x)
    assert not model.training


def test_torch_invariant_module():
    class SumPool(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(26, 3)

        def forward(self, x):
            return self.lin(x.sum(dim=1))

    rep = invariance_error(SumPool(), S4, torch.randn(4, 4, 26))
    rep.assert_below(1e-6)


def test_sklearn_estimator_uses_predict_proba():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(7)
    x = rng.standard_normal((40, 4, 26))
    y = (x[:, 0, 0] > 0).astype(int)
    clf = LogisticRegression(max_iter=200).fit(x.reshape(40, -1), y)
    rep = invariance_error(clf, S4, x[:10])
    assert rep.max_abs > 1e-3
    assert rep.abs_errors.shape == (24, 10)


def test_sampled_elements_are_seeded_and_summary():
    rng = np.random.default_rng(8)
    x = _x(rng)
    f = lambda x: x[:, 0, :3]  # noqa: E731
    a = invariance_error(f, S4xS26, x, n_samples=5, rng=11)
    b = invariance_error(f, S4xS26, x, n_samples=5, rng=11)
    np.testing.assert_array_equal(a.abs_errors, b.abs_errors)
    s = a.summary()
    assert s["n_elements"] == 5 and s["n_inputs"] == 5 and not s["exhaustive"]


def test_image_group_on_c4():
    rng = np.random.default_rng(9)
    imgs = rng.standard_normal((3, 2, 8, 8))
    c4 = C4()
    invariance_error(lambda x: (x**2).sum(axis=(-2, -1)), c4, imgs).assert_below(1e-12)
    rep = invariance_error(lambda x: x[..., 0, :].sum(-1), c4, imgs)
    assert rep.max_rel > 0.01


def test_integer_inputs_stay_exact():
    rng = np.random.default_rng(10)
    x = rng.integers(-5, 5, size=(4, 4, 26))
    g = Product(Permutation(4, axis=-2), Permutation(26, axis=-1))
    seen = []
    invariance_error(
        lambda x: (seen.append(x.dtype), x.sum(axis=(1, 2)))[1], g, x, n_samples=2, rng=0
    )
    assert all(d == np.int64 for d in seen)


def test_a_torch_module_takes_numpy_views_with_negative_strides():
    """A quarter turn by np.rot90 is a view with negative strides, which torch cannot wrap."""
    from orbitlearn.symmetry import as_numpy_function

    torch.manual_seed(0)
    conv = torch.nn.Conv2d(1, 1, 3, padding=1)
    x = np.random.default_rng(0).normal(size=(2, 1, 5, 5)).astype(np.float32)
    turned = np.rot90(x, 1, axes=(-2, -1))
    assert any(s < 0 for s in turned.strides)
    out = as_numpy_function(conv)(turned)
    with torch.no_grad():
        expected = conv(torch.as_tensor(turned.copy())).numpy()
    assert out.dtype == np.float64 and np.array_equal(out, expected.astype(np.float64))
