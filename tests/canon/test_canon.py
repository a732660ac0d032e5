"""Canonicalisers: exactness where claimed, measured rates where not."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitlearn.apps.ks.names import get_group
from orbitlearn.canon import Dirichlet, LexCanonical, PolytopeNormalForm, invariance_rate
from orbitlearn.canon.normal import geometry_normal_forms
from orbitlearn.groups import Permutation, Product

S4xS26 = get_group("s4xs26")


@pytest.fixture(scope="module")
def v26_sample(v26_path):
    from orbitlearn.datasets.ks import iter_ks

    rng = np.random.default_rng(0)
    keep = set(rng.choice(20000, 400, replace=False).tolist())  # from the first 20k: a quick read
    last = max(keep)
    mats = []
    for e in iter_ks(v26_path):
        if e.index in keep:
            mats.append(e.vertices)
        if e.index >= last:
            break
    return np.stack(mats)


def _perm_group(m, n):
    return Product(Permutation(m, axis=-2), Permutation(n, axis=-1))


# ----------------------------------------------------------------- LexCanonical


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    m=st.integers(1, 5),
    n=st.integers(1, 9),
    lo=st.integers(-3, 0),
    hi=st.integers(0, 3),
)
def test_lex_identical_on_random_images(seed, m, n, lo, hi):
    """π(σ X τ) = π(X) for random small matrices (many ties: entries in a narrow range)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(lo, hi + 1, size=(6, m, n))
    g = _perm_group(m, n)
    lex = LexCanonical()
    y = g.act_batch(g.sample(6, rng), x)
    np.testing.assert_array_equal(lex.project(y), lex.project(x))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), span=st.integers(0, 8))
def test_lex_identical_on_random_s4xs26_images(seed, span):
    """The KS shape: 4 x 26 matrices, entries in [-span, span], random S4 x S26 images."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-span, span + 1, size=(8, 4, 26))
    lex = LexCanonical()
    y = S4xS26.act_batch(S4xS26.sample(8, rng), x)
    np.testing.assert_array_equal(lex.project(y), lex.project(x))


def test_lex_brute_force_agrees_with_definition():
    """π(X) = max over all (σ, τ) of the column-major key of σ X τ restricted to sorted columns."""
    rng = np.random.default_rng(1)
    x = rng.integers(-1, 2, size=(20, 3, 4))
    g = _perm_group(3, 4)
    els = g.elements()
    lex = LexCanonical()
    got = lex.project(x)
    for i in range(len(x)):
        imgs = np.stack([g.act(e, x[i]) for e in els])
        # column-major flattening, largest; the max over the whole orbit has sorted columns
        keys = [tuple(im.T.ravel()) for im in imgs]
        best = imgs[int(max(range(len(keys)), key=keys.__getitem__))]
        np.testing.assert_array_equal(got[i], best)


def test_lex_on_random_matrices_rate_projection_orbit():
    rng = np.random.default_rng(2)
    x = rng.integers(-4, 5, size=(300, 4, 26))
    lex = LexCanonical()
    assert invariance_rate(lex, S4xS26, x, rng) == 1.0
    p, els = lex.project_with_elements(x)
    np.testing.assert_array_equal(lex.project(p), p)  # projection
    np.testing.assert_array_equal(S4xS26.act_batch(els, x), p)  # lands in the orbit
    # distinct orbits stay distinct: a single changed entry changes the form
    y = x.copy()
    y[:, 0, 0] += 100
    assert not (lex.project(y) == p).all(axis=(1, 2)).any()


def test_lex_floats_and_big_ranges_use_the_lexsort_path():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 6, 7))  # base^6 overflows int64 -> lexsort path
    g = _perm_group(6, 7)
    lex = LexCanonical()
    assert invariance_rate(lex, g, x, rng) == 1.0
    x2 = rng.integers(-(10**6), 10**6, size=(40, 4, 26))
    assert invariance_rate(lex, S4xS26, x2, rng) == 1.0


def test_lex_transposed_shape_and_limits():
    rng = np.random.default_rng(4)
    x = rng.integers(-2, 3, size=(30, 7, 3))
    g = _perm_group(7, 3)
    lex = LexCanonical()
    assert invariance_rate(lex, g, x, rng) == 1.0
    p, els = lex.project_with_elements(x)
    np.testing.assert_array_equal(g.act_batch(els, x), p)
    with pytest.raises(ValueError, match="too many"):
        lex.project(np.zeros((1, 8, 9)))
    with pytest.raises(ValueError):
        lex.project(np.zeros((4, 26)))


def test_lex_chunking_does_not_change_results():
    rng = np.random.default_rng(5)
    x = rng.integers(-3, 4, size=(50, 4, 26))
    np.testing.assert_array_equal(LexCanonical(chunk=7).project(x), LexCanonical().project(x))


def test_lex_on_v26(v26_sample):
    lex = LexCanonical()
    rng = np.random.default_rng(6)
    assert invariance_rate(lex, S4xS26, v26_sample, rng) == 1.0
    p = lex.project(v26_sample)
    np.testing.assert_array_equal(lex.project(p), p)
    # not invariant under GL(4,Z): a different (expected) symmetry
    assert invariance_rate(lex, get_group("gl4z"), v26_sample[:100], rng) < 1.0


def test_lex_sklearn_and_torch_interfaces():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, size=(10, 4, 26))
    lex = LexCanonical(shape=(4, 26))
    flat = lex.fit_transform(x.reshape(10, -1))
    assert flat.shape == (10, 104)
    np.testing.assert_array_equal(flat, lex.project(x).reshape(10, -1))
    pipe = make_pipeline(LexCanonical(shape=(4, 26)), FunctionTransformer())
    np.testing.assert_array_equal(pipe.fit_transform(x.reshape(10, -1)), flat)
    assert LexCanonical(shape=(4, 26)).get_params()["shape"] == (4, 26)
    # torch: same values, gradients flow through the permutation
    t = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    out = lex.as_module()(t)
    np.testing.assert_array_equal(out.detach().numpy(), lex.project(x))
    (out * torch.arange(104.0).reshape(4, 26)).sum().backward()
    assert t.grad is not None and t.grad.abs().sum() > 0
    np.testing.assert_array_equal(lex.project(torch.as_tensor(x)).numpy(), lex.project(x))


# ----------------------------------------------------------------- Dirichlet


def test_dirichlet_guarantees(v26_sample):
    """What holds: deterministic, in the orbit, idempotent without restarts; invariance only measured."""
    rng = np.random.default_rng(8)
    x = v26_sample[:150]
    d = Dirichlet(seed=3)
    p, els = d.project_with_elements(x)
    np.testing.assert_array_equal(S4xS26.act_batch(els, x), p)
    np.testing.assert_array_equal(Dirichlet(seed=3).project(x), p)
    np.testing.assert_array_equal(d.project(p), p)
    # ascent never lowers the score <x0, x>
    x0 = d.reference_point(4, 26)
    assert ((p * x0).sum(axis=(1, 2)) >= (x * x0).sum(axis=(1, 2)) - 1e-9).all()
    rate = invariance_rate(d, S4xS26, x, rng)
    assert 0.0 <= rate <= 1.0


def test_dirichlet_is_exact_when_the_ascent_has_one_maximum():
    """For S_n on columns alone with a rank-1 reference, the ascent sorts columns: exact."""
    rng = np.random.default_rng(9)
    x = rng.integers(-3, 4, size=(100, 1, 12))
    g = Product(Permutation(12, axis=-1))
    assert invariance_rate(Dirichlet(), g, x, rng) == 1.0


def test_dirichlet_restarts_help_on_average(v26_sample):
    rng = np.random.default_rng(10)
    x = v26_sample[:200]
    r0 = invariance_rate(Dirichlet(), S4xS26, x, np.random.default_rng(1))
    r4 = invariance_rate(Dirichlet(restarts=4), S4xS26, x, np.random.default_rng(1))
    assert r4 >= r0
    with pytest.raises(ValueError):  # checked when used, not at construction (scikit-learn's rule)
        Dirichlet(moves="bogus").project(x[:2])
    del rng


# ----------------------------------------------------------------- normal form


def test_polytope_normal_form_is_gl4z_invariant(v26_sample):
    if geometry_normal_forms() is None:
        pytest.skip(
            "orbitlearn.geometry.normal_forms is not available yet (geometry engine missing)"
        )
    rng = np.random.default_rng(11)
    x = v26_sample[:12]
    nf = PolytopeNormalForm()
    gl = get_group("gl4z")
    assert invariance_rate(nf, gl, x, rng) == 1.0
    p = nf.project(x)
    np.testing.assert_array_equal(nf.project(p), p)
    # signed permutations and S4 x S26 are subgroups
    assert invariance_rate(nf, get_group("signed"), x, rng) == 1.0
