"""Every layer's symmetry claim, measured with orbitlearn.symmetry (float32, relative ε < 1e-5)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from orbitlearn.groups import Permutation, Product
from orbitlearn.nn.attention import AttentionPooling, SetAttentionBlock
from orbitlearn.nn.exchangeable import ExchangeableMatrixLayer
from orbitlearn.nn.pointnet import PointNet, mlp
from orbitlearn.nn.pooling import InvariantPool, pool
from orbitlearn.nn.sets import DeepSetsEquivariant, DeepSetsInvariant
from orbitlearn.symmetry import equivariance_error, invariance_error

EPS = 1e-5
SET = Permutation(9, axis=-2)  # a set of 9 elements stored (B, 9, C)
ROWS_COLS = Product(Permutation(4, axis=-2), Permutation(7, axis=-1))  # (B, C, 4, 7)


def _x(*shape):
    return torch.randn(*shape)


@pytest.mark.parametrize("kind", ["sum", "mean"])
def test_deepsets_equivariant_layer(kind):
    layer = DeepSetsEquivariant(5, 6, pool=kind)
    equivariance_error(layer, SET, SET, _x(3, 9, 5), n_samples=20, rng=0).assert_below(EPS)


def test_deepsets_invariant():
    f = DeepSetsInvariant(mlp([5, 16, 16]), mlp([16, 8, 3]), pool="sum")
    invariance_error(f, SET, _x(3, 9, 5), n_samples=20, rng=1).assert_below(EPS)


@pytest.mark.parametrize("kind", ["mean", "sum"])
def test_exchangeable_layer_is_equivariant_under_rows_and_columns(kind):
    layer = ExchangeableMatrixLayer(3, 5, pool=kind)
    equivariance_error(
        layer, ROWS_COLS, ROWS_COLS, _x(2, 3, 4, 7), n_samples=30, rng=2
    ).assert_below(EPS)


def test_exchangeable_layer_uses_all_four_terms():
    """Each shared weight changes the output: the layer is not a per-entry map in disguise."""
    layer = ExchangeableMatrixLayer(2, 2)
    x = _x(1, 2, 4, 7)
    base = layer(x)
    for part in (layer.row, layer.col, layer.all):
        with torch.no_grad():
            part.weight.add_(1.0)
        assert not torch.allclose(layer(x), base)
        base = layer(x)


def test_pointnet_is_invariant():
    f = PointNet(4, (16, 32), 5, head=(16,))
    invariance_error(f, SET, _x(3, 9, 4), n_samples=20, rng=3).assert_below(EPS)


def test_set_attention_block_is_equivariant():
    block = SetAttentionBlock(16, heads=4)
    equivariance_error(block, SET, SET, _x(2, 9, 16), n_samples=20, rng=4).assert_below(EPS)


def test_attention_pooling_is_invariant():
    f = AttentionPooling(16, heads=4, seeds=2)
    invariance_error(f, SET, _x(2, 9, 16), n_samples=20, rng=5).assert_below(EPS)


@pytest.mark.parametrize("kinds", [("sum",), ("mean", "max")])
def test_invariant_pool(kinds):
    f = InvariantPool((-3, -2), kinds)  # pools rows and columns of (B, 4, 7, C)
    g = Product(Permutation(4, axis=-3), Permutation(7, axis=-2))
    invariance_error(f, g, _x(2, 4, 7, 3), n_samples=20, rng=6).assert_below(EPS)


def test_pool_rejects_unknown_kind():
    with pytest.raises(ValueError, match="unknown pooling"):
        pool(_x(2, 3), -1, "median")


def test_a_position_dependent_layer_is_caught():
    """The same measurement flags a layer that is not equivariant (the tests above can fail)."""
    layer = nn.Sequential(nn.Flatten(), nn.Linear(9 * 5, 9 * 5), nn.Unflatten(1, (9, 5)))
    report = equivariance_error(layer, SET, SET, _x(3, 9, 5), n_samples=10, rng=7)
    assert report.max_rel > 1e-2
    with pytest.raises(AssertionError):
        report.assert_below(EPS)
