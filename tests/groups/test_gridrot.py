"""SO(2) on images by interpolation: quarter turns exact, other angles report their own error."""

from __future__ import annotations

import numpy as np
import torch

from orbitlearn.groups import SO2
from orbitlearn.groups.backend import rot90
from orbitlearn.groups.gridrot import GridRotation


def test_quarter_turns_are_exact_and_agree_with_interpolation_nearby():
    act = GridRotation()
    x = np.random.default_rng(0).normal(size=(2, 9, 9))
    g = SO2().exp(np.array([np.pi / 2]))
    assert np.array_equal(act.act(g, x), rot90(x, 1, (-2, -1)))
    assert act.round_trip_error(g, x) == 0.0
    near = act.act(SO2().exp(np.array([np.pi / 2 + 1e-9])), x)  # interpolated, not rot90
    assert np.abs(near - rot90(x, 1, (-2, -1))).max() < 1e-6


def test_other_angles_are_not_exact_and_say_so():
    act = GridRotation()
    yy, xx = np.mgrid[-1:1:33j, -1:1:33j]
    x = np.exp(-8 * (xx**2 + yy**2))[None]  # smooth, zero at the border
    g = SO2().exp(np.array([0.3]))
    err = act.round_trip_error(g, x)
    assert not act.exact and 0 < err < 0.05
    # a rotationally symmetric image barely moves
    assert np.abs(act.act(g, x) - x).max() < 0.02
    t = act.act(g, torch.as_tensor(x, dtype=torch.float32))
    assert t.dtype == torch.float32 and t.shape == x.shape
