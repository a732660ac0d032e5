"""The heat simulator: conservation, exact symmetry at zero breaking, a growing gap with breaking."""

from __future__ import annotations

import numpy as np
import pytest

from orbitlearn.datasets.heat import (
    HeatParams,
    HeatSimulator,
    breaking_params,
    make_pairs,
    make_rollouts,
    random_fields,
)
from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups import C4, D4, CyclicShift
from orbitlearn.symmetry import equivariance_error

N = 16


@pytest.mark.parametrize(
    "params",
    [
        HeatParams(),
        HeatParams(anisotropy=0.7, drift=(0.05, -0.03)),
        HeatParams(bubbles=4, bubble_contrast=9.0, bubble_radius=0.15, drift=(-0.1, 0.04)),
    ],
    ids=["isotropic", "anisotropic+drift", "bubbles+drift"],
)
def test_total_heat_is_conserved(params):
    sim = HeatSimulator(N, params)
    u = random_fields(3, N, seed=1) + 2.0
    traj = sim.rollout(u, 5)
    total = traj.sum(axis=(-2, -1))
    np.testing.assert_allclose(total, np.broadcast_to(total[0], total.shape), rtol=1e-12)
    assert np.abs(traj[-1] - traj[0]).max() > 1e-2  # something did happen


def test_heat_diffuses_and_is_stable():
    sim = HeatSimulator(N, HeatParams(kappa=0.05), dt=0.5)
    assert sim.substep <= sim.max_substep
    assert sim.substeps * sim.substep == pytest.approx(0.5)
    u = random_fields(2, N, seed=2)
    traj = sim.rollout(u, 4)
    var = traj.var(axis=(-2, -1))
    assert (np.diff(var, axis=0) < 0).all()  # the variance decays (smoothing), no blow-up
    assert np.abs(traj).max() <= np.abs(u).max() + 1e-12  # maximum principle


@pytest.mark.parametrize("group", [C4(), D4(), CyclicShift((N, N))], ids=["C4", "D4", "shift"])
def test_isotropic_step_commutes_with_the_group(group):
    sim = HeatSimulator(N, breaking_params(0.0))
    u = random_fields(4, N, seed=3)
    rep = equivariance_error(sim, group, group, u, n_samples=None if group.order() <= 8 else 12)
    rep.assert_below(1e-12)


def test_breaking_gap_grows_with_level():
    u = random_fields(4, N, seed=4)
    gaps = [
        equivariance_error(HeatSimulator(N, breaking_params(lvl)), D4(), D4(), u).max_rel
        for lvl in [0.0, 0.1, 0.3, 1.0]
    ]
    assert gaps[0] < 1e-12
    assert all(a < b for a, b in zip(gaps, gaps[1:])), gaps
    assert gaps[-1] > 0.05


def test_anisotropy_keeps_the_axis_flips():
    """a ≠ 0 without drift breaks 90° rotations but keeps the flips of either axis."""
    sim = HeatSimulator(N, HeatParams(anisotropy=0.5))
    u = random_fields(3, N, seed=5)
    flips = [np.array([0, 1]), np.array([2, 1]), np.array([2, 0])]  # flip x, flip y, rot180
    equivariance_error(sim, D4(), D4(), u, elements=flips).assert_below(1e-12)
    assert equivariance_error(sim, C4(), C4(), u, elements=[np.int64(1)]).max_rel > 1e-2


def test_bubbles_break_translations():
    sim = HeatSimulator(N, HeatParams(bubbles=3, bubble_contrast=5.0, bubble_radius=0.15))
    u = random_fields(3, N, seed=6)
    shift = CyclicShift((N, N))
    rep = equivariance_error(sim, shift, shift, u, elements=[np.array([3, 5])])
    assert rep.max_rel > 1e-3
    kap = sim.kappa_field()
    assert kap.min() < 0.5 * kap.max()


def test_pairs_and_rollouts_are_seeded():
    p = breaking_params(0.3)
    x1, y1 = make_pairs(5, N, p, seed=7)
    x2, y2 = make_pairs(5, N, p, seed=7)
    x3, _ = make_pairs(5, N, p, seed=8)
    assert x1.shape == y1.shape == (5, 1, N, N) and x1.dtype == np.float32
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(x1, x3)
    traj = make_rollouts(2, 3, N, p, seed=7)
    assert traj.shape == (2, 4, 1, N, N)
    np.testing.assert_allclose(traj[:, 0], x1[:2], rtol=0, atol=0)
    np.testing.assert_allclose(traj[:, 1], y1[:2], rtol=1e-6, atol=1e-6)


def test_bad_parameters_are_user_errors():
    with pytest.raises(OrbitlearnError):
        HeatParams(kappa=0.0)
    with pytest.raises(OrbitlearnError):
        breaking_params(-1)
    with pytest.raises(OrbitlearnError):
        HeatSimulator(N).step(np.zeros((N + 1, N + 1)))


def _gradient_energy(u: np.ndarray) -> tuple[float, float]:
    """Mean squared periodic differences along x (axis −1) and y (axis −2)."""
    gx = np.mean((np.roll(u, -1, axis=-1) - u) ** 2)
    gy = np.mean((np.roll(u, -1, axis=-2) - u) ** 2)
    return float(gx), float(gy)


def test_oriented_fields_vary_mostly_along_x():
    iso = random_fields(64, N, seed=3, length=0.15)
    ori = random_fields(64, N, seed=3, length=0.15, stretch=2.0)
    assert np.array_equal(iso, random_fields(64, N, seed=3, length=0.15, stretch=1.0))
    assert np.array_equal(ori, random_fields(64, N, seed=3, length=0.15, stretch=2.0))
    np.testing.assert_allclose(ori.std(axis=(-2, -1)), 1.0, atol=1e-9)
    np.testing.assert_allclose(ori.mean(axis=(-2, -1)), 0.0, atol=1e-9)
    gx, gy = _gradient_energy(iso)
    assert 0.8 < gx / gy < 1.25  # isotropic: no preferred axis
    gx, gy = _gradient_energy(ori)
    assert gx / gy > 2.5  # oriented: much more variation along x than along y
    # rotating an oriented field by 90° swaps the roles of the axes: it is out of distribution
    gx_r, gy_r = _gradient_energy(np.rot90(ori, axes=(-2, -1)))
    assert gy_r / gx_r > 2.5


def test_oriented_pairs_are_seeded():
    p = breaking_params(0.1)
    x1, y1 = make_pairs(4, N, p, seed=5, stretch=2.0)
    x2, y2 = make_pairs(4, N, p, seed=5, stretch=2.0)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    x0, _ = make_pairs(4, N, p, seed=5)
    assert not np.array_equal(x0, x1)
    traj = make_rollouts(2, 2, N, p, seed=5, stretch=2.0)
    np.testing.assert_allclose(traj[:, 0], x1[:2], rtol=0, atol=0)


def test_stretch_below_one_is_a_user_error():
    with pytest.raises(OrbitlearnError, match="stretch"):
        random_fields(2, N, stretch=0.5)
