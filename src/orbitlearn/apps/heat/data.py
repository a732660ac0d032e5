"""Seeded data of the heat-equation benchmark: train/val/test pairs and rollouts per level."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orbitlearn.apps.heat.profile import HeatProfile
from orbitlearn.datasets.heat import HeatSimulator, breaking_params, make_rollouts, random_fields


@dataclass
class HeatData:
    """Train/val/test pairs and test rollouts of one level and seed (fields are level-independent).

    y_train and y_val hold `profile.unroll` targets on the channel axis, u_{t+Δt} … u_{t+kΔt};
    y_test is the one-step target.
    """

    x_train: np.ndarray
    y_train: np.ndarray  # (n, unroll, N, N)
    x_val: np.ndarray
    y_val: np.ndarray  # (n, unroll, N, N)
    x_test: np.ndarray
    y_test: np.ndarray
    rollouts: np.ndarray  # (n, T + 1, 1, N, N)
    sim: HeatSimulator = field(repr=False)


def level_params(profile: HeatProfile, level: float):
    """The simulator coefficients of one breaking level under this profile's scales."""
    return breaking_params(
        level,
        kappa=profile.kappa,
        max_anisotropy=profile.max_anisotropy,
        max_drift=profile.max_drift,
    )


def make_data(profile: HeatProfile, level: float, seed: int) -> HeatData:
    """Seeded data: the same random initial fields at every level, stepped by that level's S."""
    params = level_params(profile, level)
    sim = HeatSimulator(profile.grid, params, profile.dt)
    base = 10_000 * int(seed)
    parts = []
    stretch = profile.train_stretch
    for count, stream, s, steps in (
        (profile.n_train, 1, stretch, profile.unroll),
        (profile.n_val, 2, stretch, profile.unroll),
        (profile.n_test, 3, 1.0, 1),
    ):
        x = random_fields(count, profile.grid, base + stream, profile.length, s)
        ys = sim.rollout(x, steps)[1:]  # (steps, count, N, N)
        parts += [x[:, None].astype(np.float32), np.moveaxis(ys, 0, 1).astype(np.float32)]
    roll = make_rollouts(
        profile.n_rollouts,
        profile.rollout_steps,
        profile.grid,
        params,
        dt=profile.dt,
        seed=base + 4,
        length=profile.length,
    )
    return HeatData(*parts, rollouts=roll, sim=sim)


__all__ = ["HeatData", "level_params", "make_data"]
