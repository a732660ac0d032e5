"""Charged particles in 3-D under Coulomb forces: a simulator and the loader of the published set.

Physics: unit masses, charges ±1, F_i = Σ_j q_i q_j (x_i − x_j) / |x_i − x_j|³ with each component
clipped to ±100; symplectic Euler with Δt = 0.001 (one kick before the loop, then drift, save,
kick). Start positions N(0, σ²) with σ = (n/5)^(1/3), start velocities normal rescaled to norm 0.5.

`simulate` follows the public generator of Satorras et al. (2021) draw for draw under numpy's
legacy `RandomState` (per simulation: charges, positions, velocities, then two noise arrays), so
the same seed reproduces the published file; the integration is vectorised over simulations.
`load_nbody` reads that file (``$ORBITLEARN_DATA/nbody/charged5_small.npz``) as the published task:
positions and velocities at frame 30 and the charges → positions at frame 40, arrays (sims, n, 3).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orbitlearn.errors import DataNotFoundError, OrbitlearnError

#: integrator step, force clip, speed of every particle at the start, half-width of the start box
DT = 0.001
MAX_FORCE = 100.0
START_SPEED = 0.5
BOX = 5.0
#: the published set: 5000 steps, a frame every 100 steps, input frame 30, target frame 40
STEPS = 5000
SAMPLE_EVERY = 100
INPUT_FRAME = 30
TARGET_FRAME = 40
#: time between the input and the target frame of the published task (1000 steps of DT)
HORIZON = (TARGET_FRAME - INPUT_FRAME) * SAMPLE_EVERY * DT
PUBLISHED_FILE = "nbody/charged5_small.npz"
SPLITS = ("train", "valid", "test")
#: the generator's charge types and their probabilities (the zero charge is never drawn)
_CHARGE_TYPES = np.array([-1.0, 0.0, 1.0])
_CHARGE_P = (0.5, 0.0, 0.5)


@dataclass(frozen=True)
class Trajectories:
    """Simulated frames: loc, vel (sims, frames, n, 3); charges (sims, n); frame k is the state
    after sample_every·(k + 1) steps."""

    loc: np.ndarray
    vel: np.ndarray
    charges: np.ndarray
    sample_every: int

    def to_npz_arrays(self, split: str = "train") -> dict[str, np.ndarray]:
        """The published file's layout: loc/vel (sims, frames, 3, n), charges (sims, n, 1), edges."""
        q = self.charges
        return {
            f"loc_{split}": self.loc.transpose(0, 1, 3, 2),
            f"vel_{split}": self.vel.transpose(0, 1, 3, 2),
            f"charges_{split}": q[:, :, None],
            f"edges_{split}": q[:, :, None] * q[:, None, :],
        }


def coulomb_forces(loc: np.ndarray, charges: np.ndarray) -> np.ndarray:
    """F_i = Σ_{j≠i} q_i q_j (x_i − x_j)/|x_i − x_j|³, components clipped to ±100; loc (S, n, 3)."""
    sq = (loc**2).sum(-1)
    d2 = sq[:, :, None] + sq[:, None, :] - 2.0 * loc @ loc.transpose(0, 2, 1)
    n = loc.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        size = charges[:, :, None] * charges[:, None, :] / np.power(d2, 1.5)
    size[:, np.arange(n), np.arange(n)] = 0.0
    diff = loc[:, :, None, :] - loc[:, None, :, :]
    return np.clip((size[..., None] * diff).sum(2), -MAX_FORCE, MAX_FORCE)


def _draw_starts(rs: np.random.RandomState, sims: int, n: int, frames: int):
    """Per simulation, in the generator's order: charges, positions, velocities, two noise arrays."""
    sigma = (n / 5.0) ** (1.0 / 3.0)
    charges = np.empty((sims, n))
    loc = np.empty((sims, n, 3))
    vel = np.empty((sims, n, 3))
    for s in range(sims):
        charges[s] = rs.choice(_CHARGE_TYPES, size=(n, 1), p=_CHARGE_P)[:, 0]
        loc[s] = (rs.randn(3, n) * sigma).T
        v = rs.randn(3, n)
        vel[s] = (v * START_SPEED / np.sqrt((v**2).sum(0))[None, :]).T
        rs.randn(frames, 3, n)  # the generator's position noise (scale 0): drawn, not used
        rs.randn(frames, 3, n)  # and its velocity noise
    # the start box reflects the start state only
    over, under = loc > BOX, loc < -BOX
    loc[over] = 2 * BOX - loc[over]
    vel[over] = -np.abs(vel[over])
    loc[under] = -2 * BOX - loc[under]
    vel[under] = np.abs(vel[under])
    return charges, loc, vel


def simulate(
    sims: int,
    particles: int = 5,
    seed: int | np.random.RandomState = 43,
    steps: int = STEPS,
    sample_every: int = SAMPLE_EVERY,
    progress: Callable[[int], None] | None = None,
) -> Trajectories:
    """`sims` trajectories of `particles` charges, frames every `sample_every` of `steps` steps.

    A RandomState carries on from where it is (how the generator makes train, then valid, then
    test from one seed); `progress(k)` is called with the number of steps done so far."""
    if sims < 1 or particles < 2 or steps < sample_every or steps % sample_every:
        raise OrbitlearnError(
            f"simulate: need sims ≥ 1, particles ≥ 2 and steps a multiple of sample_every "
            f"(got {sims}, {particles}, {steps}, {sample_every})"
        )
    rs = seed if isinstance(seed, np.random.RandomState) else np.random.RandomState(int(seed))
    frames = steps // sample_every - 1
    charges, x, v = _draw_starts(rs, sims, particles, frames)
    locs = np.empty((sims, frames, particles, 3))
    vels = np.empty_like(locs)
    v = v + DT * coulomb_forces(x, charges)
    k = 0
    for i in range(1, steps):
        x = x + DT * v
        if i % sample_every == 0:
            locs[:, k], vels[:, k] = x, v
            k += 1
            if progress is not None:
                progress(i)
        v = v + DT * coulomb_forces(x, charges)
    return Trajectories(locs, vels, charges, sample_every)


def energy(loc: np.ndarray, vel: np.ndarray, charges: np.ndarray) -> np.ndarray:
    """Total energy ½Σ|v|² + Σ_{i<j} q_i q_j/|x_i − x_j| per state; loc, vel (..., n, 3)."""
    kin = 0.5 * (vel**2).sum((-1, -2))
    d = np.linalg.norm(loc[..., :, None, :] - loc[..., None, :, :], axis=-1)
    qq = charges[..., :, None] * charges[..., None, :]
    n = loc.shape[-2]
    iu = np.triu_indices(n, 1)
    pot = (qq[..., iu[0], iu[1]] / d[..., iu[0], iu[1]]).sum(-1)
    return kin + pot


@dataclass(frozen=True)
class NBodySplit:
    """One part of the task: inputs loc, vel (sims, n, 3), charges (sims, n); target (sims, n, 3)."""

    loc: np.ndarray
    vel: np.ndarray
    charges: np.ndarray
    target: np.ndarray

    def __len__(self) -> int:
        return len(self.loc)

    def head(self, k: int) -> NBodySplit:
        """The first k simulations (the published protocol trains on the first 3000)."""
        return NBodySplit(self.loc[:k], self.vel[:k], self.charges[:k], self.target[:k])


def constant_velocity_mse(part: NBodySplit, t: float = HORIZON) -> float:
    """MSE of the constant-velocity guess x + t·v against the target: a yardstick for a test set
    (t: the time between input and target frames)."""
    return float(np.mean((part.loc + t * part.vel - part.target) ** 2))


def published_path() -> Path:
    """Where the published file is: ``$ORBITLEARN_DATA/nbody/charged5_small.npz``."""
    root = os.environ.get("ORBITLEARN_DATA")
    if not root:
        raise DataNotFoundError("ORBITLEARN_DATA is not set (the folder holding nbody/)")
    return Path(root) / PUBLISHED_FILE


def read_npz_head(path: str | Path, key: str, count: int | None = None) -> np.ndarray:
    """The first `count` rows (all with None) of array `key` of an .npz, decompressing no further."""
    import zipfile

    with zipfile.ZipFile(path) as zf, zf.open(f"{key}.npy") as fh:
        version = np.lib.format.read_magic(fh)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, fortran, dtype = read_header(fh)
        if fortran:
            raise OrbitlearnError(f"{path}: {key} is stored in Fortran order")
        rows = shape[0] if count is None else min(count, shape[0])
        per_row = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
        data = fh.read(rows * per_row)
    return np.frombuffer(data, dtype=dtype).reshape((rows, *shape[1:])).copy()


def split_from_arrays(
    arrays, split: str, input_frame: int = INPUT_FRAME, target_frame: int = TARGET_FRAME
) -> NBodySplit:
    """The task (frame input_frame → target_frame) from arrays in the published layout."""
    loc = np.asarray(arrays[f"loc_{split}"])
    vel = np.asarray(arrays[f"vel_{split}"])
    q = np.asarray(arrays[f"charges_{split}"])[..., 0]
    return NBodySplit(
        loc[:, input_frame].transpose(0, 2, 1).copy(),
        vel[:, input_frame].transpose(0, 2, 1).copy(),
        q.copy(),
        loc[:, target_frame].transpose(0, 2, 1).copy(),
    )


def load_nbody(
    path: str | Path | None = None,
    input_frame: int = INPUT_FRAME,
    target_frame: int = TARGET_FRAME,
    max_train: int | None = None,
    max_eval: int | None = None,
) -> dict[str, NBodySplit]:
    """The published task by split name ('train', 'valid', 'test'), float64 arrays; the first
    `max_train` training and `max_eval` validation and test simulations when given."""
    path = published_path() if path is None else Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such file (the N-body set; see its README)")
    parts = {}
    for split in SPLITS:
        count = max_train if split == "train" else max_eval
        arrays = {
            f"{k}_{split}": read_npz_head(path, f"{k}_{split}", count)
            for k in ("loc", "vel", "charges")
        }
        parts[split] = split_from_arrays(arrays, split, input_frame, target_frame)
    return parts


__all__ = [
    "DT",
    "HORIZON",
    "NBodySplit",
    "Trajectories",
    "constant_velocity_mse",
    "coulomb_forces",
    "energy",
    "load_nbody",
    "published_path",
    "read_npz_head",
    "simulate",
    "split_from_arrays",
]
