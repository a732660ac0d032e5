"""The generic checks of orbitlearn.testing: group axioms for every registered group, the
equivariance of the point-cloud layers in float32 and float64, on hypothesis-drawn elements."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitlearn.groups import E3, PointCloud, point_cloud_inputs
from orbitlearn.groups.lie import LIE_GROUPS
from orbitlearn.nn import EGNN, EGNNLayer, FrameAveraging
from orbitlearn.symmetry import equivariance_error
from orbitlearn.testing import all_groups, check_group, check_layer_dtypes, group_checks

torch.set_num_threads(1)
GROUPS = all_groups()


@pytest.mark.parametrize("group", GROUPS, ids=[g.name for g in GROUPS])
def test_every_registered_group_satisfies_the_axioms(group):
    names = [name for name, _ in group_checks(group)]
    assert names[:3] == ["identity", "inverse", "associativity"]
    check_group(group)


def test_every_lie_group_is_registered():
    assert {type(g) for g in GROUPS} >= set(LIE_GROUPS)


def test_a_broken_group_fails_its_checks():
    class Skewed(E3().__class__):
        def compose(self, g, h):  # not associative: a tiny extra translation
            out = super().compose(g, h)
            out[0, 3] += 1e-3 * out[1, 3]
            return out

    with pytest.raises(AssertionError):
        check_group(Skewed())


coords = st.lists(st.floats(-np.pi, np.pi, allow_nan=False), min_size=6, max_size=6)


@settings(max_examples=10, deadline=None)
@given(xi=coords, parity=st.booleans())
def test_egnn_on_drawn_elements(xi, parity):
    torch.manual_seed(0)
    group = E3()
    g = group.from_coordinates(int(parity), np.asarray(xi))
    action = point_cloud_inputs(group, "scalar", "position", "vector")
    layer = EGNNLayer(2, 8, velocity=True).double()
    x = tuple(torch.randn(2, 4, c, dtype=torch.float64) for c in (2, 3, 3))
    assert equivariance_error(layer, action, action, x, elements=[g]).max_rel < 1e-10


@pytest.mark.parametrize(
    ("make", "inputs"),
    [
        (
            lambda: EGNN(2, 8, 2, velocity=True),
            lambda dt: tuple(torch.randn(2, 5, c, dtype=dt) for c in (2, 3, 3)),
        ),
        (
            lambda: FrameAveraging(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(15, 2))),
            lambda dt: torch.randn(3, 5, 3, dtype=dt),
        ),
    ],
    ids=["egnn", "frame_averaging"],
)
def test_point_cloud_layers_in_both_dtypes(make, inputs):
    torch.manual_seed(0)
    reports = check_layer_dtypes(make, inputs, n_samples=4, adversarial=False)
    assert set(reports) == {"float32", "float64"}
    assert reports["float64"].max_rel < 1e-10


def test_point_cloud_action_is_a_homomorphism():
    group = E3()
    a, b = group.sample(2, np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=(3, 4, 3))
    act = PointCloud(group)
    assert np.allclose(act.act(group.compose(a, b), x), act.act(a, act.act(b, x)))


def _drawn(group, data):
    """An element c_k exp(ξ) of `group` from hypothesis-drawn coordinates and component."""
    xi = data.draw(st.lists(st.floats(-4.0, 4.0), min_size=group.dim, max_size=group.dim))
    k = data.draw(st.integers(0, len(group.components()) - 1))
    return group.from_coordinates(k, np.asarray(xi))


@pytest.mark.parametrize("cls", LIE_GROUPS, ids=lambda c: c.__name__)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_axioms_and_point_cloud_homomorphism_on_drawn_elements(cls, data):
    group = cls()
    a, b, c = (_drawn(group, data) for _ in range(3))
    assert group.contains(a)
    assert group.equal(group.compose(group.compose(a, b), c), group.compose(a, group.compose(b, c)))
    assert group.equal(group.compose(a, group.inverse(a)), group.identity())
    x = np.random.default_rng(0).normal(size=(2, 4, group.d))
    for role in ("position", "vector"):
        act = PointCloud(group, role)
        assert np.allclose(act.act(group.compose(a, b), x), act.act(a, act.act(b, x)), atol=1e-9)
