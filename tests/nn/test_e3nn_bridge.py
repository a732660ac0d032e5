"""e3nn modules with declared irreps, checked by assert_equivariant (skipped without e3nn)."""

from __future__ import annotations

import pytest
import torch

from orbitlearn.nn.e3nn_bridge import E3nnModule
from orbitlearn.testing import assert_equivariant

o3 = pytest.importorskip("e3nn.o3")
torch.set_num_threads(1)


def test_an_e3nn_linear_is_o3_equivariant():
    torch.manual_seed(0)
    layer = E3nnModule(o3.Linear("2x0e + 1o + 2e", "0e + 2x1o + 2e"))
    x = torch.randn(4, layer.rep_in.size)
    report = assert_equivariant(layer, x, n_samples=8)
    assert report.eps_lie is not None and report.eps_adversarial is not None


def test_a_tensor_product_in_float64():
    torch.manual_seed(1)
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # e3nn computes its coefficients in the default dtype
    try:
        tp = o3.FullyConnectedTensorProduct("1o + 0e", "1o + 0e", "0e + 1e + 2e")
    finally:
        torch.set_default_dtype(before)

    class Square(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tp = tp

        def forward(self, x):
            return self.tp(x, x)

    layer = E3nnModule(Square(), "1o + 0e", "0e + 1e + 2e")
    assert_equivariant(layer, torch.randn(3, 4, dtype=torch.float64), n_samples=8)


def test_wrong_irreps_are_caught():
    torch.manual_seed(2)
    layer = E3nnModule(o3.Linear("1o", "1o"), "1e", "1o")  # the input declared even: parity breaks
    with pytest.raises(AssertionError, match="equivariance error"):
        assert_equivariant(layer, torch.randn(4, 3), lie=False, adversarial=False)
