"""EGNN layers: E(3)-equivariant on (h, x, v) in float64 and float32, masks, shapes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from orbitlearn.groups import E3, SO3, PointCloud, point_cloud_inputs
from orbitlearn.nn import EGNN, EGNNLayer
from orbitlearn.symmetry import equivariance_error
from orbitlearn.testing import assert_equivariant

torch.set_num_threads(1)


def _inputs(dtype, b=3, n=6, f=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(b, n, k, generator=g, dtype=dtype) for k in (f, 3, 3))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("velocity", [False, True])
def test_egnn_is_e3_equivariant(dtype, velocity):
    torch.manual_seed(0)
    model = EGNN(2, 16, 2, velocity=velocity).to(dtype)
    h, x, v = _inputs(dtype)
    report = assert_equivariant(model, (h, x, v) if velocity else (h, x), n_samples=8)
    assert len(report.elements) == len(E3().testing_elements()) + 8


def test_layer_keeps_padded_nodes_and_ignores_them():
    torch.manual_seed(1)
    layer = EGNNLayer(2, 8, velocity=True).double()
    h, x, v = _inputs(torch.float64, n=5)
    mask = torch.tensor([[True] * 4 + [False]] * 3)
    h2, x2, v2 = layer(h, x, v, mask)
    assert torch.equal(x2[:, 4], x[:, 4]) and torch.equal(v2[:, 4], v[:, 4])
    # the real nodes do not see the padded one
    h3, x3, _ = layer(h[:, :4], x[:, :4], v[:, :4])
    assert torch.allclose(x2[:, :4], x3) and torch.allclose(h2[:, :4], h3)


def test_an_mlp_on_flat_coordinates_is_not_equivariant():
    torch.manual_seed(2)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(18, 18)).double()

    def f(x):
        return net(x).reshape(x.shape)

    x = _inputs(torch.float64)[1]
    report = equivariance_error(f, PointCloud(SO3()), PointCloud(SO3()), x, n_samples=8, rng=0)
    assert report.max_rel > 1e-2


def test_declared_symmetry_is_joint_e3():
    assert EGNN(2, velocity=True).symmetry.action_in == point_cloud_inputs(
        E3(), "scalar", "position", "vector"
    )
    assert np.isclose(EGNNLayer(3).symmetry.action_out.group.dim, 6)
