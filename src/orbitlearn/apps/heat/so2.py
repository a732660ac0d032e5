"""ε of a heat-benchmark model under SO(2): rotations by any angle, on fields that interpolate well.

A rotation by an angle that is not a multiple of 90° is not a symmetry of the periodic grid, so it
is measured where the grid does not matter: on smooth fields x = w·z (z a random field of
correlation length `so2_length`, w a radial window that is 1 within half the inscribed radius
and falls smoothly to 0 at it), and on the window's share of the output, f̃(x) = w·f(x). Then

    ε_SO(2) = max_{θ, x} ‖f̃(ρ(θ)x) − ρ(θ)f̃(x)‖ / ‖ρ(θ)f̃(x)‖

with ρ = `GridRotation(order=3)` (cubic-spline interpolation) over SO(2)'s testing elements and
`so2_samples` uniform angles (`orbitlearn.lie_error.continuous_error`, sampled), then the core's
adversarial search over θ. Beside it the action's own round-trip error on the same fields,
max_θ ‖ρ(−θ)ρ(θ)x − x‖ / ‖x‖, the part of ε that is the grid's.

`so2_disk_epsilon` is a second reading with no floor from the window: both sides are rotated
first and compared on a disk inside the window, ‖m·(f(ρ(θ)x) − ρ(θ)f(x))‖ / ‖m·ρ(θ)f(x)‖ with
m = 1 for r ≤ `DISK_SHARE`·R. It is 0 exactly for the identity, where the windowed reading is
about 0.009 on the default fields (w·ρ(x) and ρ(w·x) interpolate different fields). The benchmark
table keeps the windowed reading; `benchmarks/heat_so2_disk.py` compares the two.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from orbitlearn.apps.heat.profile import HeatProfile
from orbitlearn.datasets.heat import random_fields

#: spline order of the interpolation (cubic: ~0.4% round-trip error on the default fields)
INTERPOLATION_ORDER = 3
#: radius of the comparison disk of `so2_disk_epsilon`, as a share of the inscribed radius R
DISK_SHARE = 0.75
#: the angles of the ε-against-angle curve: 0° to 90° in 5° steps
CURVE_DEGREES = tuple(range(0, 91, 5))


def disk_window(n: int) -> np.ndarray:
    """(n, n) radial window: 1 for r ≤ R/2, cos²(π(r − R/2)/R) to 0 at R = (n − 1)/2 from the centre."""
    c = (n - 1) / 2
    ii, jj = np.meshgrid(np.arange(n) - c, np.arange(n) - c, indexing="ij")
    r, big = np.hypot(ii, jj), c
    small = big / 2
    taper = np.cos(np.pi / 2 * (r - small) / (big - small)) ** 2
    return np.where(r <= small, 1.0, np.where(r >= big, 0.0, taper))


def so2_fields(profile: HeatProfile, seed: int) -> np.ndarray:
    """(eps_inputs, 1, N, N) float32 windowed smooth fields (seeded, their own stream)."""
    z = random_fields(profile.eps_inputs, profile.grid, 10_000 * int(seed) + 5, profile.so2_length)
    return (z * disk_window(profile.grid))[:, None].astype(np.float32)


def windowed(f: Any, n: int) -> Any:
    """x ↦ w·f(x) with w = `disk_window(n)` (a torch module stays a torch module)."""
    w = disk_window(n)
    try:
        import torch
        from torch import nn
    except ImportError:  # pragma: no cover
        nn = None
    if nn is not None and isinstance(f, nn.Module):

        class Windowed(nn.Module):
            """y = w·f(x)."""

            def __init__(self):
                super().__init__()
                self.f = f
                self.register_buffer("w", torch.as_tensor(w, dtype=torch.float32))

            def forward(self, x):
                return self.w.to(x.dtype) * self.f(x)

        return Windowed()
    return lambda x: w * np.asarray(f(x))


def rotation_action():
    """SO(2) on the last two axes by cubic interpolation (`GridRotation`)."""
    from orbitlearn.groups.gridrot import GridRotation

    return GridRotation(order=INTERPOLATION_ORDER)


def so2_epsilon(
    f: Any, x: np.ndarray, profile: HeatProfile, seed: int, adversarial: bool = True
) -> dict[str, float]:
    """ε under SO(2) of f on fields x (sampled, adversarial), and the grid's round-trip error
    at the same angles. f: a torch module or a numpy function on (B, 1, N, N)."""
    from orbitlearn.lie_error import continuous_error

    act = rotation_action()
    fw = windowed(f, profile.grid)
    rep = continuous_error(
        fw,
        act,
        act,
        x,
        n_samples=profile.so2_samples,
        rng=seed,
        adversarial=adversarial,
        lie=False,
    )
    grid = max(act.round_trip_error(g, x) for g in rep.elements)
    out = {"eps_so2": float(rep.max_rel), "eps_so2_grid": float(grid)}
    if adversarial:
        out["eps_so2_adv"] = float(rep.eps_adversarial)
    return out


def disk_mask(n: int, share: float = DISK_SHARE) -> np.ndarray:
    """(n, n) indicator of r ≤ share·R, R = (n − 1)/2 from the centre."""
    c = (n - 1) / 2
    ii, jj = np.meshgrid(np.arange(n) - c, np.arange(n) - c, indexing="ij")
    return (np.hypot(ii, jj) <= share * c).astype(np.float64)


def so2_elements(profile: HeatProfile, seed: int) -> list:
    """The rotations `so2_epsilon` samples: SO(2)'s testing elements and `so2_samples` uniform
    angles drawn from `seed` (the core's rule for a continuous group, `equivariance_error`)."""
    from orbitlearn.rng import check_random_state

    act = rotation_action()
    return [
        *act.group.testing_elements(),
        *act.sample(profile.so2_samples, check_random_state(seed)),
    ]


def so2_disk_epsilon(
    f: Any, x: np.ndarray, profile: HeatProfile, seed: int, share: float = DISK_SHARE
) -> float:
    """max_{θ, x} ‖m·(f(ρ(θ)x) − ρ(θ)f(x))‖ / ‖m·ρ(θ)f(x)‖ over the same angles as `so2_epsilon`
    (`so2_elements`). f: a torch module (fed x in x's dtype) or a numpy function."""
    from orbitlearn.symmetry import as_numpy_function

    act = rotation_action()
    fn = as_numpy_function(f)
    m = disk_mask(profile.grid, share)
    fx = fn(x)
    worst = 0.0
    for g in so2_elements(profile, seed):
        left = m * fn(act.act(g, x))
        right = m * np.asarray(act.act(g, fx), np.float64)
        num = np.sqrt(((left - right) ** 2).reshape(len(x), -1).sum(axis=1))
        den = np.sqrt((right**2).reshape(len(x), -1).sum(axis=1))
        worst = max(worst, float((num / den).max()))
    return worst


def eps_against_angle(
    f: Any, x: np.ndarray, profile: HeatProfile, degrees: tuple[float, ...] = CURVE_DEGREES
) -> dict[str, list[float]]:
    """ε(θ) = max_x relative error at each angle θ (degrees), and the round-trip error there."""
    from orbitlearn.groups.lie import SO2
    from orbitlearn.symmetry import equivariance_error

    act = rotation_action()
    gs = [SO2().exp(np.array([math.radians(d)])) for d in degrees]
    rep = equivariance_error(windowed(f, profile.grid), act, act, x, elements=gs)
    return {
        "degrees": [float(d) for d in degrees],
        "eps": [float(v) for v in rep.rel_errors.max(axis=1)],
        "grid": [float(act.round_trip_error(g, x)) for g in gs],
    }


__all__ = [
    "CURVE_DEGREES",
    "DISK_SHARE",
    "INTERPOLATION_ORDER",
    "disk_mask",
    "disk_window",
    "eps_against_angle",
    "rotation_action",
    "so2_disk_epsilon",
    "so2_elements",
    "so2_epsilon",
    "so2_fields",
]
