"""Group convolutions: exact equivariance under p4/p4m and periodic shifts, and the relaxed layer.

Every claim is measured with orbitlearn.symmetry (float32, relative ε < 1e-5), over all group
elements (exhaustive) and hypothesis-sampled shifts.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitlearn.groups import C4, D4, CyclicShift
from orbitlearn.groups.regular import RegularAction, group_table
from orbitlearn.nn.gconv import (
    GroupConv2d,
    GroupPool,
    LiftingConv2d,
    RelaxedGroupConv2d,
    RelaxedLiftingConv2d,
    relaxation_penalty,
)
from orbitlearn.symmetry import equivariance_error

EPS = 1e-5
GROUPS = {"p4": C4(), "p4m": D4()}
NAMES = sorted(GROUPS)


def _field(name: str, b=2, c=2, h=9, w=9) -> torch.Tensor:
    return torch.randn(b, c, group_table(name).order, h, w)


# ------------------------------------------------------------------ the regular action


@pytest.mark.parametrize("name", NAMES)
def test_regular_action_is_a_homomorphism(name):
    act = RegularAction(name)
    x = _field(name).double()
    for g in act.elements():
        for h in act.elements():
            lhs = act.act(act.compose(g, h), x)
            rhs = act.act(g, act.act(h, x))
            assert torch.equal(lhs, rhs)
    table = group_table(name)
    assert (table.mult[np.arange(table.order), table.inv] == 0).all()


@pytest.mark.parametrize("name", NAMES)
def test_regular_action_moves_the_group_axis(name):
    """A field that is constant in space sees only the permutation of its |G| axis."""
    act = RegularAction(name)
    n = group_table(name).order
    x = torch.arange(n, dtype=torch.float64).view(1, 1, n, 1, 1).expand(1, 1, n, 3, 3)
    moved = [act.act(g, x)[0, 0, :, 0, 0].tolist() for g in act.elements()]
    assert len({tuple(m) for m in moved}) == n  # a faithful permutation representation


# ------------------------------------------------------------------ strict layers


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("k", [1, 3, 5])
def test_lifting_conv_is_equivariant(name, k):
    layer = LiftingConv2d(3, 4, k, group=name)
    x = torch.randn(2, 3, 10, 10)
    rep = equivariance_error(layer, GROUPS[name], RegularAction(name), x)
    assert rep.exhaustive
    rep.assert_below(EPS)
    assert layer(x).shape == (2, 4, group_table(name).order, 10, 10)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("k", [3, 5])
def test_group_conv_is_equivariant(name, k):
    layer = GroupConv2d(2, 3, k, group=name)
    with torch.no_grad():
        layer.bias.normal_()
    act = RegularAction(name)
    equivariance_error(layer, act, act, _field(name, h=11, w=11)).assert_below(EPS)


@pytest.mark.parametrize("name", NAMES)
def test_a_plain_convolution_is_not_group_equivariant(name):
    """The check can fail: an unconstrained kernel on the lifted field breaks the symmetry."""
    layer = GroupConv2d(2, 3, 3, group=name)
    act = RegularAction(name)
    with torch.no_grad():
        layer.weight.normal_()

    def broken(x):
        # the same weights without the R_g / g⁻¹h weight sharing
        w = layer.weight.repeat_interleave(group_table(name).order, dim=0).flatten(1, 2)
        from orbitlearn.nn.gconv import circular_conv2d

        b, c, n, h, ww = x.shape
        return circular_conv2d(x.reshape(b, c * n, h, ww), w, None)

    rep = equivariance_error(broken, act, lambda g, y: y, _field(name))
    assert rep.max_rel > 1e-2


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", ["max", "mean"])
def test_group_pool_and_stack_are_equivariant(name, kind):
    net = torch.nn.Sequential(
        LiftingConv2d(1, 3, 3, group=name),
        torch.nn.ReLU(),
        GroupConv2d(3, 3, 3, group=name),
        torch.nn.ReLU(),
        GroupPool(kind),
    )
    x = torch.randn(2, 1, 12, 12)
    equivariance_error(net, GROUPS[name], GROUPS[name], x).assert_below(EPS)


@settings(max_examples=15, deadline=None)
@given(dy=st.integers(0, 8), dx=st.integers(0, 8), name=st.sampled_from(NAMES))
def test_layers_commute_with_periodic_shifts(dy, dx, name):
    torch.manual_seed(dy * 9 + dx)
    shift_img = CyclicShift((9, 9), axes=(-2, -1))
    lift = LiftingConv2d(1, 2, 3, group=name)
    gconv = RelaxedGroupConv2d(2, 2, 3, group=name, num_filter_banks=2)
    with torch.no_grad():
        gconv.mixing.normal_()  # shifts stay exact even when the rotation symmetry is relaxed
    g = np.array([dy, dx])
    x = torch.randn(2, 1, 9, 9)
    equivariance_error(lift, shift_img, shift_img, x, elements=[g]).assert_below(EPS)
    f = torch.randn(2, 2, group_table(name).order, 9, 9)
    equivariance_error(gconv, shift_img, shift_img, f, elements=[g]).assert_below(EPS)


# ------------------------------------------------------------------ relaxed layers


@pytest.mark.parametrize("name", NAMES)
def test_relaxed_with_equal_weights_equals_strict(name):
    layer = RelaxedGroupConv2d(2, 3, 3, group=name, num_filter_banks=3)
    with torch.no_grad():
        layer.mixing.copy_(torch.tensor([0.2, -0.7, 1.3])[:, None].expand_as(layer.mixing))
        layer.bias.normal_()
    f = _field(name)
    strict = layer.to_strict()
    assert torch.allclose(layer(f), strict(f), atol=1e-5, rtol=1e-5)
    assert float(layer.relaxation_penalty().detach()) == 0.0
    act = RegularAction(name)
    equivariance_error(layer, act, act, f).assert_below(EPS)


@pytest.mark.parametrize("name", NAMES)
def test_relaxed_lifting_with_equal_weights_equals_strict(name):
    layer = RelaxedLiftingConv2d(1, 3, 3, group=name, num_filter_banks=2)
    x = torch.randn(2, 1, 8, 8)
    assert torch.allclose(layer(x), layer.to_strict()(x), atol=1e-5, rtol=1e-5)
    equivariance_error(layer, GROUPS[name], RegularAction(name), x).assert_below(EPS)


@pytest.mark.parametrize("name", NAMES)
def test_relaxed_error_grows_with_relaxation(name):
    layer = RelaxedGroupConv2d(2, 3, 3, group=name, num_filter_banks=2)
    act = RegularAction(name)
    f = _field(name)
    base = layer.mixing.detach().clone()
    direction = torch.randn_like(base)
    eps, pen = [], []
    for t in [0.0, 0.01, 0.1, 1.0]:
        with torch.no_grad():
            layer.mixing.copy_(base + t * direction)
        eps.append(equivariance_error(layer, act, act, f).max_rel)
        pen.append(float(relaxation_penalty(layer).detach()))
    assert eps[0] < EPS and pen[0] == 0.0
    assert all(a < b for a, b in zip(eps, eps[1:])), eps
    assert all(a < b for a, b in zip(pen, pen[1:])), pen
    assert eps[-1] > 1e-2


def test_bad_arguments():
    with pytest.raises(ValueError, match="odd"):
        GroupConv2d(1, 1, 4)
    with pytest.raises(ValueError, match="unknown group"):
        LiftingConv2d(1, 1, 3, group="p6")
    with pytest.raises(ValueError, match="filter"):
        RelaxedGroupConv2d(1, 1, 3, num_filter_banks=0)
    with pytest.raises(ValueError):
        GroupPool("median")
