"""ε for continuous groups: sampled, adversarial and Lie derivative, on an equivariant EGNN and a
non-equivariant MLP; the JVP Lie derivative against a central finite difference."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from orbitlearn.groups import E3, O3, SE3, SO3, PointCloud, point_cloud_inputs
from orbitlearn.lie_error import adversarial_error, continuous_error, lie_derivative
from orbitlearn.nn import EGNN
from orbitlearn.symmetry import equivariance_error

torch.set_num_threads(1)


class FlatMLP(torch.nn.Module):
    """A smooth MLP on the flattened coordinates: (B, n, 3) -> (B, n, 3), no symmetry."""

    def __init__(self, n: int = 5):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(3 * n, 32), torch.nn.Tanh(), torch.nn.Linear(32, 3 * n)
        )

    def forward(self, x):
        return self.net(x.reshape(len(x), -1)).reshape(x.shape)


def _x(b=4, n=5, seed=0, dtype=torch.float64):
    return torch.randn(b, n, 3, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def test_contract_equivariance_error_on_point_clouds():
    torch.manual_seed(0)
    model = EGNN(1, 16, 2).double()

    def positions(x):
        return model(torch.ones(*x.shape[:2], 1, dtype=x.dtype), x)[1]

    for g in (SO3(), O3(), SE3(), E3()):
        report = equivariance_error(
            positions, PointCloud(g), PointCloud(g), _x(), n_samples=8, rng=0
        )
        assert report.max_rel < 1e-10
        assert len(report.elements) == len(g.testing_elements()) + 8


@pytest.mark.parametrize(("dtype", "tol"), [(torch.float64, 1e-10), (torch.float32, 1e-5)])
def test_egnn_passes_all_three_measures(dtype, tol):
    torch.manual_seed(1)
    model = EGNN(2, 16, 2, velocity=True).to(dtype)
    action = point_cloud_inputs(E3(), "scalar", "position", "vector")
    x = (torch.randn(3, 5, 2, dtype=dtype), _x(3, dtype=dtype), _x(3, seed=1, dtype=dtype))
    report = continuous_error(model, action, action, x, n_samples=8, rng=0, max_evals=60)
    assert report.eps_sampled < tol
    assert report.eps_adversarial < tol
    assert report.eps_lie < tol


def test_an_mlp_fails_all_three_measures():
    torch.manual_seed(2)
    mlp = FlatMLP().double()
    action = PointCloud(E3())
    report = continuous_error(mlp, action, action, _x(), n_samples=8, rng=0, max_evals=60)
    assert report.eps_sampled > 1e-2
    assert report.eps_adversarial > 1e-2
    assert report.eps_lie > 1e-2
    summary = report.summary()
    assert {"eps_sampled", "eps_adversarial", "eps_lie"} <= set(summary)


def test_adversarial_search_never_reports_less_and_returns_an_element():
    torch.manual_seed(3)
    mlp = FlatMLP().double()
    action = PointCloud(SO3())
    sampled = equivariance_error(mlp, action, action, _x(), n_samples=4, rng=0)
    eps, g, b = adversarial_error(mlp, action, action, _x(), sampled, max_evals=80)
    assert eps >= sampled.max_rel and SO3().contains(g) and 0 <= b < 4
    # the element it returns really has that error
    again = equivariance_error(mlp, action, action, _x(), elements=[g])
    assert np.isclose(again.rel_errors[0, b], eps, rtol=1e-9)


def test_lie_derivative_jvp_agrees_with_central_difference():
    torch.manual_seed(4)
    mlp = FlatMLP().double()
    for g in (SO3(), SE3()):
        jvp = lie_derivative(mlp, PointCloud(g), PointCloud(g), _x(), method="jvp")
        fd = lie_derivative(mlp, PointCloud(g), PointCloud(g), _x(), method="fd")
        assert jvp.shape == (g.dim, 4)
        assert np.abs(jvp - fd).max() < 1e-4 * max(1.0, np.abs(jvp).max())


def test_lie_derivative_of_an_invariant_function_is_zero():
    def radius(x):
        return (x**2).sum((-1, -2))[:, None]

    lie = lie_derivative(radius, PointCloud(O3()), None, _x().numpy(), method="fd")
    assert np.abs(lie).max() < 1e-6
