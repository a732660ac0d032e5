"""Symmetrized: exact Reynolds averaging, Monte-Carlo averaging, frame averaging."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from orbitlearn.apps.ks.names import get_group
from orbitlearn.canon import Dirichlet, LexCanonical
from orbitlearn.groups import C4, CyclicShift, Permutation
from orbitlearn.nn import Symmetrized
from orbitlearn.symmetry import equivariance_error, invariance_error

S4 = Permutation(4, axis=-2)
S4xS26 = get_group("s4xs26")


def _mlp(d_in=104, d_out=3):
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(d_in, 32), nn.Tanh(), nn.Linear(32, d_out))


def test_exact_average_over_s4_is_invariant_in_float32():
    model = _mlp()
    x = torch.randn(8, 4, 26)
    assert invariance_error(model, S4, x).max_rel > 1e-2  # the raw MLP is not invariant
    sym = Symmetrized(model, S4)
    assert sym.mode == "exact" and sym.exact
    rep = invariance_error(sym, S4, x)
    assert rep.exhaustive
    rep.assert_below(1e-5, relative=True)


def test_exact_average_over_c4_images():
    model = _mlp(d_in=2 * 8 * 8)
    x = torch.randn(5, 2, 8, 8)
    sym = Symmetrized(model, C4())
    assert invariance_error(model, C4(), x).max_rel > 1e-2
    invariance_error(sym, C4(), x).assert_below(1e-5)


def test_exact_average_is_the_mean_of_the_images():
    model = _mlp()
    x = torch.randn(3, 4, 26)
    sym = Symmetrized(model, S4).eval()
    with torch.no_grad():
        want = torch.stack([model(S4.act(g, x)) for g in S4.elements()]).mean(0)
        torch.testing.assert_close(sym(x), want)


def test_equivariant_average_with_output_group():
    """Averaging a column-mixing linear map over cyclic column shifts makes it shift-equivariant."""
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(26, 26))
    x = torch.randn(4, 4, 26)
    shifts = CyclicShift((26,), axes=(-1,))
    assert equivariance_error(model, shifts, shifts, x).max_rel > 1e-2
    sym = Symmetrized(model, shifts, output_group=shifts)
    equivariance_error(sym, shifts, shifts, x).assert_below(1e-5)
    # averaged without the output action it is (generically) not equivariant
    assert equivariance_error(Symmetrized(model, shifts), shifts, shifts, x).max_rel > 1e-2


def test_frame_averaging_with_lex_is_exactly_invariant():
    model = _mlp()
    x = torch.as_tensor(
        np.random.default_rng(0).integers(-3, 4, size=(16, 4, 26)), dtype=torch.float32
    )
    sym = Symmetrized(model, canonicalizer=LexCanonical())
    assert sym.mode == "frame" and sym.exact
    rep = invariance_error(sym, S4xS26, x, n_samples=20, rng=0)
    assert rep.max_abs == 0.0
    # and trainable: gradients reach the model's parameters
    sym.train()
    sym(x).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_frame_with_approximate_canonicalizer_is_reported_inexact():
    sym = Symmetrized(_mlp(), canonicalizer=Dirichlet())
    assert not sym.exact


def test_monte_carlo_error_shrinks_with_k():
    """ε of k-sample averaging over S4 x S26 (|G| ~ 1e28), fixed samples, falls as k grows."""
    model = _mlp()
    x = torch.randn(8, 4, 26)
    errs = {}
    for k in (1, 8, 64):
        sym = Symmetrized(model, S4xS26, k=k, seed=0, resample=False)
        assert sym.mode == "mc" and not sym.exact
        errs[k] = invariance_error(sym, S4xS26, x, n_samples=8, rng=1).mean_rel
    assert errs[64] < errs[8] < errs[1]
    assert errs[64] < 0.5 * errs[1]


def test_mc_resampling_is_seeded():
    model = _mlp()
    x = torch.randn(2, 4, 26)
    a = Symmetrized(model, S4xS26, k=4, seed=3).eval()
    b = Symmetrized(model, S4xS26, k=4, seed=3).eval()
    with torch.no_grad():
        torch.testing.assert_close(a(x), b(x))
        assert not torch.equal(a(x), a(x))  # fresh elements each call


def test_bad_arguments():
    with pytest.raises(ValueError):
        Symmetrized(_mlp(), mode="frame")
    with pytest.raises(ValueError):
        Symmetrized(_mlp(), S4xS26, mode="exact")
    with pytest.raises(ValueError):
        Symmetrized(_mlp(), S4, mode="bogus")
