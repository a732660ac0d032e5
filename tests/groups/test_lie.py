"""Lie groups: the contract (dims, shapes), exp/log, components, membership, subgroup table, dtypes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitlearn.groups import (
    E2,
    E3,
    O2,
    O3,
    SE2,
    SE3,
    SO2,
    SO3,
    GLnZ,
    PointCloud,
    SignedPermutation,
    Translations,
)
from orbitlearn.groups.algebra import (
    GLZ,
    CyclicGroup,
    DihedralGroup,
    HyperoctahedralGroup,
    SymmetricGroup,
    element_key,
)
from orbitlearn.groups.lie import LIE_GROUPS

DIMS = {SO2: 1, O2: 1, SO3: 3, O3: 3, SE2: 3, E2: 3, SE3: 6, E3: 6, Translations: 3}
SIZES = {SO2: 2, O2: 2, SO3: 3, O3: 3, SE2: 3, E2: 3, SE3: 4, E3: 4, Translations: 4}


@pytest.mark.parametrize("cls", LIE_GROUPS, ids=lambda c: c.__name__)
def test_contract_dims_and_shapes(cls):
    g = cls()
    assert g.dim == DIMS[cls]
    assert g.generators().shape == (g.dim, SIZES[cls], SIZES[cls])
    els = g.sample(4, np.random.default_rng(0))
    assert len(els) == 4
    assert all(e.shape == (SIZES[cls],) * 2 and e.dtype == np.float64 for e in els)
    assert g.order() is None and not g.is_small()


@pytest.mark.parametrize("cls", LIE_GROUPS, ids=lambda c: c.__name__)
def test_elements_belong_and_coordinates_round_trip(cls):
    g = cls()
    for a in [*g.testing_elements(), *g.sample(6, np.random.default_rng(1))]:
        assert g.contains(a)
        k, xi = g.coordinates(a)
        assert np.allclose(g.from_coordinates(k, xi), a, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(xi=st.lists(st.floats(-3.0, 3.0), min_size=6, max_size=6))
def test_exp_log_round_trip_se3(xi):
    g = SE3()
    xi = np.asarray(xi)
    if np.linalg.norm(xi[:3]) >= np.pi - 1e-6:  # log returns the angle in [0, π)
        xi[:3] *= 3.0 / np.linalg.norm(xi[:3])
    assert np.allclose(g.log(g.exp(xi)), xi, atol=1e-8)


def test_generators_follow_the_right_hand_rule():
    r = SO3().exp(np.array([0.0, 0.0, np.pi / 2]))
    assert np.allclose(r @ [1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
    assert np.allclose(SO2().exp(np.array([np.pi / 2])) @ [1.0, 0.0], [0.0, 1.0])


def test_testing_elements_include_near_identity_near_pi_and_reflections():
    els = O3().testing_elements()
    angles = [np.linalg.norm(SO3().log(e)) for e in els if np.linalg.det(e) > 0]
    assert min(a for a in angles if a > 0) < 1e-2
    assert max(angles) > np.pi - 1e-2
    assert any(np.linalg.det(e) < 0 for e in els)


def test_float_elements_equal_with_tolerance():
    g = SO3()
    a = g.exp(np.array([0.3, -0.2, 0.1]))
    assert element_key(a) == element_key(a + 1e-14)
    assert not g.equal(a, g.exp(np.array([0.3, -0.2, 0.1 + 1e-6])))


def test_haar_so3_is_uniform_on_the_trace():
    # for Haar SO(3), tr R = 1 + 2 cos θ with E[tr R] = 0 and E[(tr R)²] = 1
    r = SO3().sample_array(20_000, np.random.default_rng(0))
    tr = np.trace(r, axis1=1, axis2=2)
    assert abs(tr.mean()) < 0.03 and abs((tr**2).mean() - 1.0) < 0.05


@pytest.mark.parametrize(
    ("sub", "sup", "expected"),
    [
        (CyclicGroup(4), SO2(), True),
        (CyclicGroup(4), O2(), True),
        (DihedralGroup(6), O2(), True),
        (DihedralGroup(6), SO2(), False),
        (SymmetricGroup(3), O3(), True),
        (HyperoctahedralGroup(3), O3(), True),
        (HyperoctahedralGroup(3), GLZ(3), True),
        (SymmetricGroup(3), GLZ(3), True),
        (SO3(), O3(), True),
        (O3(), E3(), True),
        (SO3(), E3(), True),
        (SE3(), E3(), True),
        (Translations(3), SE3(), True),
        (Translations(3), E3(), True),
        (E3(), SE3(), False),
        (O3(), SE3(), False),
        (SO2(), SO3(), False),
        (GLZ(3), O3(), False),
    ],
)
def test_subgroups_from_the_table(sub, sup, expected):
    assert sub.is_subgroup_of(sup) is expected


def test_rotation_of_integer_points_is_the_float64_product():
    rng = np.random.default_rng(0)
    r = SO3().sample(1, rng)[0]
    x = rng.integers(-50, 51, size=(4, 9, 3))
    for y in (PointCloud(SO3()).act(r, x), GLnZ(3, axis=-1).act(r, x)):
        assert y.dtype == np.float64
        assert np.abs(y - x.astype(np.float64) @ r.T).max() < 1e-12
    y = SignedPermutation(3, axis=-1).act_batch([r] * 4, x)
    assert np.abs(y - x.astype(np.float64) @ r.T).max() < 1e-12
    yt = PointCloud(SO3()).act(r, torch.as_tensor(x))
    assert yt.dtype == torch.float64
    assert np.abs(yt.numpy() - x @ r.T).max() < 1e-12
    # integer matrices on integer points stay integer
    assert GLnZ(3, axis=-1).act(np.eye(3, dtype=np.int64), x).dtype == np.int64
    assert HyperoctahedralGroup(3).compose(r, np.eye(3, dtype=np.int64)).dtype == np.float64
