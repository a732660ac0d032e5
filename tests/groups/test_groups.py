"""Group axioms and action homomorphism for every registered group (one line in GROUPS = tested)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from orbitlearn.apps.ks.checkpoints import ks_pipeline
from orbitlearn.apps.ks.names import GROUPS, get_group, part
from orbitlearn.groups import (
    C4,
    D4,
    CyclicShift,
    GLnZ,
    Permutation,
    Product,
    SignedPermutation,
    integer_inverse,
)

NAMES = sorted(GROUPS)


@pytest.fixture(params=NAMES, ids=NAMES)
def group(request):
    return get_group(request.param)


def _x(group, rng, batch=3, dtype=np.int64):
    return rng.integers(-5, 6, size=(batch, *group.example_shape())).astype(dtype)


def test_identity_acts_trivially(group):
    rng = np.random.default_rng(1)
    x = _x(group, rng)
    e = group.identity()
    assert np.array_equal(group.act(e, x), x)
    for g in group.sample(5, rng):
        assert group.equal(group.compose(e, g), g)
        assert group.equal(group.compose(g, e), g)


def test_inverse(group):
    rng = np.random.default_rng(2)
    x = _x(group, rng)
    for g in group.sample(8, rng):
        gi = group.inverse(g)
        assert group.equal(group.compose(g, gi), group.identity())
        assert group.equal(group.compose(gi, g), group.identity())
        assert np.array_equal(group.act(gi, group.act(g, x)), x)


def test_associativity(group):
    rng = np.random.default_rng(3)
    for _ in range(5):
        a, b, c = group.sample(3, rng)
        assert group.equal(
            group.compose(group.compose(a, b), c), group.compose(a, group.compose(b, c))
        )


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_action_is_homomorphism(group, backend):
    rng = np.random.default_rng(4)
    x = _x(group, rng, dtype=np.float64)
    xt = torch.as_tensor(x) if backend == "torch" else x
    for _ in range(5):
        g, h = group.sample(2, rng)
        lhs = group.act(group.compose(g, h), xt)
        rhs = group.act(g, group.act(h, xt))
        assert type(lhs) is type(xt)
        np.testing.assert_array_equal(np.asarray(lhs), np.asarray(rhs))


def test_action_is_not_trivial(group):
    """Some sampled element moves a generic input (a wrong no-op action would pass the axioms)."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, *group.example_shape()))
    assert any(not np.allclose(group.act(g, x), x) for g in group.sample(10, rng))


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_act_batch_is_per_item_act(group, backend):
    rng = np.random.default_rng(6)
    x = _x(group, rng, batch=7)
    xt = torch.as_tensor(x) if backend == "torch" else x
    gs = group.sample(7, rng)
    got = np.asarray(group.act_batch(gs, xt))
    want = np.stack([group.act(g, x[i : i + 1])[0] for i, g in enumerate(gs)])
    np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError):
        group.act_batch(gs[:3], xt)


def test_torch_matches_numpy_and_keeps_dtype(group):
    rng = np.random.default_rng(7)
    x = _x(group, rng).astype(np.float32)
    for g in group.sample(3, rng):
        t = group.act(g, torch.as_tensor(x))
        assert t.dtype == torch.float32
        np.testing.assert_allclose(t.numpy(), group.act(g, x))


def test_elements_enumerate_finite_groups(group):
    order = group.order()
    if order is None or order > 1000:
        with pytest.raises(ValueError):
            group.elements(limit=1000)
        return
    els = group.elements()
    assert len(els) == order
    assert group.equal(els[0], group.identity())
    keys = {
        tuple(np.concatenate([np.ravel(c) for c in (e if isinstance(e, tuple) else (e,))]))
        for e in els
    }
    assert len(keys) == order  # distinct
    # closed under composition (spot check)
    rng = np.random.default_rng(8)
    for i, j in rng.integers(0, order, size=(10, 2)):
        prod = group.compose(els[i], els[j])
        assert any(group.equal(prod, e) for e in els)


def test_orders():
    assert Permutation(4, axis=-2).order() == 24
    assert SignedPermutation(4).order() == 384
    assert C4().order() == 4 and D4().order() == 8
    assert CyclicShift((8, 8)).order() == 64
    assert get_group("s4xs26").order() == 24 * 403291461126605635584000000
    assert get_group("gl4z").order() is None


def test_gl_samples_unimodular_with_integer_inverse():
    g4 = GLnZ(4, steps=20, max_entry=5)
    rng = np.random.default_rng(9)
    dets = set()
    for g in g4.sample(200, rng):
        d = round(np.linalg.det(g.astype(float)))
        assert d in (-1, 1)
        dets.add(d)
        assert np.abs(g).max() <= 5
        gi = g4.inverse(g)
        assert gi.dtype == np.int64
        assert np.array_equal(g @ gi, np.eye(4, dtype=np.int64))
    assert dets == {-1, 1}
    # the walk leaves the signed permutations
    assert any(np.abs(g).sum() > 4 for g in g4.sample(20, rng))


def test_integer_inverse_exact_path_and_errors():
    g = np.array([[1, 10**9], [0, 1]], dtype=np.int64)
    assert np.array_equal(integer_inverse(g), np.array([[1, -(10**9)], [0, 1]]))
    with pytest.raises(ValueError, match="unimodular"):
        integer_inverse(np.array([[2, 0], [0, 1]]))


def test_gl_acts_by_left_multiplication_on_rows():
    g4 = get_group("gl4z")
    rng = np.random.default_rng(10)
    x = rng.integers(-3, 4, size=(2, 4, 26))
    a, p = g4.sample(1, rng)[0]
    np.testing.assert_array_equal(g4.act((a, p), x), (a @ x)[:, :, p])


def test_permutation_action_convention():
    s = Permutation(3, axis=-1)
    x = np.array([[10, 20, 30]])
    np.testing.assert_array_equal(s.act(np.array([2, 0, 1]), x), [[30, 10, 20]])


def test_product_rejects_overlapping_axes_and_bad_axes():
    with pytest.raises(ValueError):
        Product(Permutation(4, axis=-1), Permutation(4, axis=-1))
    with pytest.raises(ValueError, match="negative"):
        Permutation(4, axis=1)


def test_d4_contains_c4_and_flip_relation():
    d4 = D4()
    x = np.arange(9.0).reshape(1, 3, 3)
    r, s = np.array([1, 0]), np.array([0, 1])
    # s r s = r^-1
    np.testing.assert_array_equal(
        d4.act(d4.compose(s, d4.compose(r, s)), x), np.rot90(x, -1, axes=(-2, -1))
    )


def test_unknown_group_name():
    with pytest.raises(KeyError, match="known"):
        get_group("nope")


def test_vertex_matrix_groups_for_any_shape_and_aliases():
    from orbitlearn.apps.ks.names import ALIASES, VERTEX_MATRIX_GROUPS

    assert get_group("perm") == get_group("s4xs26")  # an alias names the same action
    assert set(ALIASES.values()) <= set(VERTEX_MATRIX_GROUPS)
    for name in VERTEX_MATRIX_GROUPS:
        g = get_group(name, shape=(3, 7))
        assert g.axis_sizes() == {-2: 3, -1: 7}
        assert get_group(name) == get_group(name, shape=(4, 26))  # no shape: the KS one
    with pytest.raises(KeyError, match="known: .*perm"):
        get_group("bogus")


def test_pipelines_take_other_shapes():
    """Augmentation, exact canonicalisation and symmetrisation follow the model's (d, n)."""
    from orbitlearn.models import build_model
    from orbitlearn.models.evaluation import invariance_check
    from orbitlearn.train import TrainConfig

    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(60, 3, 7))
    y = np.arange(60) % 2
    pipe = ks_pipeline(
        build_model("cnn_mlp", 2, (3, 7), {"encoding": "onehot"}),
        np.array([5, 6]),
        canon="lex",
        augment="gl4z",
    )
    pipe.fit(x, y, x, y, TrainConfig(epochs=1))
    assert pipe.claimed_invariance().label == "S3 x S7"
    report = invariance_check(pipe, x, part("group", "s4xs26"), samples=3)
    assert report["max_abs"] < 1e-6 and report["changed_share"] == 0.0
