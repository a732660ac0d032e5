"""The N-body simulator against the published file: same seed, same draws, same numbers; physics."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from orbitlearn.datasets.nbody import (
    coulomb_forces,
    energy,
    load_nbody,
    published_path,
    read_npz_head,
    simulate,
    split_from_arrays,
)
from orbitlearn.errors import DataNotFoundError, OrbitlearnError


@pytest.fixture(scope="module")
def published() -> Path:
    if not os.environ.get("ORBITLEARN_DATA"):
        pytest.skip("ORBITLEARN_DATA is not set: the N-body tests need the published file")
    path = published_path()
    if not path.exists():
        pytest.fail(f"ORBITLEARN_DATA is set but {path} does not exist")
    return path


@pytest.fixture(scope="module")
def arrays(published):
    # the first 400 training simulations (read_npz_head decompresses no further)
    return {k: read_npz_head(published, f"{k}_train", 400) for k in ("loc", "vel", "charges")}


def test_same_seed_reproduces_the_published_simulations(arrays):
    # the generator's seed 43 made the training part first: its first simulations, draw for draw
    # (the generator's noise draws depend on the trajectory length: the published 5000 steps)
    traj = simulate(3, particles=5, seed=43)
    np.testing.assert_array_equal(traj.charges, arrays["charges"][:3, :, 0])
    ref = arrays["loc"][:3].transpose(0, 1, 3, 2)
    np.testing.assert_allclose(traj.loc[:, 0], ref[:, 0], rtol=0, atol=1e-12)  # the first frame
    np.testing.assert_allclose(traj.loc, ref, rtol=0, atol=1e-9)  # and every later one
    ref_v = arrays["vel"][:3].transpose(0, 1, 3, 2)
    np.testing.assert_allclose(traj.vel, ref_v, rtol=0, atol=1e-9)


def test_another_seed_gives_other_simulations(arrays):
    traj = simulate(3, seed=44, steps=200)
    assert not np.allclose(traj.loc[:, 0], arrays["loc"][:3, 0].transpose(0, 2, 1))


def test_statistics_agree_with_the_published_file(arrays):
    # an independent seed: mean squared displacement over the task's 1000 steps and relative
    # energy drift over the trajectory, against the published training part
    sims = 24
    traj = simulate(sims, seed=7, steps=4200)
    loc = arrays["loc"][:, :41].transpose(0, 1, 3, 2)
    msd_file = ((loc[:, 40] - loc[:, 30]) ** 2).mean((1, 2))
    msd_sim = ((traj.loc[:, 40] - traj.loc[:, 30]) ** 2).mean((1, 2))
    se = msd_file.std() / np.sqrt(sims)
    assert abs(msd_sim.mean() - msd_file.mean()) < 4 * se
    vel = arrays["vel"][:, :41].transpose(0, 1, 3, 2)
    q = arrays["charges"][:, :, 0]

    def drift(lo, ve, qq):
        e0, e1 = energy(lo[:, 0], ve[:, 0], qq), energy(lo[:, 40], ve[:, 40], qq)
        return np.median(np.abs(e1 - e0) / np.maximum(np.abs(e0), 1e-3))

    d_file, d_sim = drift(loc, vel, q), drift(traj.loc, traj.vel, traj.charges)
    assert d_file < 0.05 and 0.25 < d_sim / d_file < 4


def test_charges_are_plus_minus_one_and_speeds_start_at_half():
    traj = simulate(50, particles=7, seed=1, steps=100, sample_every=100)
    assert set(np.unique(traj.charges)) <= {-1.0, 1.0}
    assert traj.loc.shape == (50, 0, 7, 3)  # 100 steps, a frame every 100: the start is not kept
    assert traj.to_npz_arrays()["edges_train"].shape == (50, 7, 7)


def test_forces_repel_like_charges_and_are_clipped():
    x = np.array([[[0.0, 0, 0], [1.0, 0, 0]]])
    f = coulomb_forces(x, np.array([[1.0, 1.0]]))
    np.testing.assert_allclose(f[0], [[-1, 0, 0], [1, 0, 0]])
    close = coulomb_forces(x * 1e-3, np.array([[1.0, -1.0]]))
    np.testing.assert_allclose(close[0], [[100, 0, 0], [-100, 0, 0]])


def test_loader_gives_the_published_task(published):
    parts = load_nbody(max_train=100)
    with np.load(published) as z:
        np.testing.assert_array_equal(parts["train"].charges, z["charges_train"][:100, :, 0])
    assert len(parts["train"]) == 100 and len(parts["valid"]) == 2000
    t = parts["test"]
    assert t.loc.shape == (2000, 5, 3) and t.charges.shape == (2000, 5)
    # the scales the data README states: no motion 0.272, x + v·t over the 1000 steps 0.109
    assert ((t.loc - t.target) ** 2).mean() == pytest.approx(0.272, abs=1e-3)
    assert ((t.loc + t.vel - t.target) ** 2).mean() == pytest.approx(0.109, abs=1e-3)


def test_split_from_arrays_round_trips_the_simulator_layout():
    traj = simulate(2, seed=3, steps=1200)
    part = split_from_arrays(traj.to_npz_arrays("test"), "test", 2, 10)
    np.testing.assert_array_equal(part.loc, traj.loc[:, 2])
    np.testing.assert_array_equal(part.target, traj.loc[:, 10])


def test_user_errors(tmp_path):
    with pytest.raises(DataNotFoundError):
        load_nbody(tmp_path / "missing.npz")
    with pytest.raises(OrbitlearnError):
        simulate(1, steps=150, sample_every=100)


def test_constant_velocity_yardstick_over_the_published_horizon():
    from orbitlearn.datasets.nbody import HORIZON, NBodySplit, constant_velocity_mse

    assert HORIZON == 1.0  # frames 30 → 40, 100 steps a frame, Δt = 0.001
    rng = np.random.default_rng(0)
    loc, vel = rng.normal(size=(2, 4, 5, 3))
    q = np.ones((4, 5))
    assert constant_velocity_mse(NBodySplit(loc, vel, q, loc + vel)) == 0.0
    off = NBodySplit(loc, vel, q, loc + vel + 0.5)
    assert constant_velocity_mse(off) == pytest.approx(0.25)
    assert constant_velocity_mse(NBodySplit(loc, vel, q, loc + 2 * vel), t=2.0) == 0.0
