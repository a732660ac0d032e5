"""Frame averaging: an MLP averaged over the PCA sign frames is exactly O(3)/E(3)-symmetric."""

from __future__ import annotations

import numpy as np
import torch

from orbitlearn.groups import O3, PointCloud
from orbitlearn.nn import FrameAveraging, Symmetrized, mlp
from orbitlearn.symmetry import invariance_error
from orbitlearn.testing import assert_equivariant

torch.set_num_threads(1)


class Flat(torch.nn.Module):
    """A plain MLP on the flattened coordinates (no symmetry at all)."""

    def __init__(self, n, out):
        super().__init__()
        self.net = mlp([3 * n, 32, out])
        self.out = out

    def forward(self, x):
        y = self.net(x.reshape(len(x), -1))
        return y if self.out != x[0].numel() else y.reshape(x.shape)


def _points(b=8, n=5, seed=0):
    return torch.randn(b, n, 3, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_frame_averaged_mlp_is_o3_invariant_to_1e10():
    torch.manual_seed(0)
    model = FrameAveraging(Flat(5, 2).double(), center=False)
    x = _points()
    report = invariance_error(model, PointCloud(O3()), x, n_samples=32, rng=0)
    assert report.max_rel < 1e-10
    assert model.last_degenerate == 0 and model.last_count == 8
    assert_equivariant(model, x)  # its declared symmetry


def test_frame_averaged_mlp_is_e3_equivariant_on_positions():
    torch.manual_seed(1)
    model = FrameAveraging(Flat(5, 15).double(), output_roles="position")
    assert_equivariant(model, _points(), n_samples=16)


def test_the_plain_mlp_is_not_invariant():
    torch.manual_seed(0)
    net = Flat(5, 2).double()
    assert invariance_error(net, PointCloud(O3()), _points(), n_samples=8, rng=0).max_rel > 1e-2


def test_degenerate_inputs_are_counted():
    torch.manual_seed(0)
    model = FrameAveraging(Flat(4, 1).double())
    square = torch.tensor([[1.0, 0, 0], [0, 1, 0], [-1, 0, 0], [0, -1, 0]], dtype=torch.float64)
    x = torch.cat([square[None], _points(2, 4)])
    model(x)
    assert model.last_degenerate == 1


def test_haar_monte_carlo_error_falls_with_k():
    torch.manual_seed(0)
    net = Flat(5, 1).double()
    x = _points(16)
    errs = []
    for k in (1, 64):
        sym = Symmetrized(net, PointCloud(O3()), mode="mc", k=k, seed=0)
        errs.append(invariance_error(sym, PointCloud(O3()), x, n_samples=8, rng=1).mean_abs)
    assert errs[1] < errs[0] / 3  # about 1/sqrt(k) for a compact group
    assert np.isfinite(errs).all()
