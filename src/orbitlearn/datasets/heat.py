"""A 2D heat (advection–diffusion) simulator on a periodic grid, with tunable symmetry breaking.

∂u/∂t = ∇·(K ∇u) − v·∇u on the unit torus [0, 1)², discretised on an N × N cell grid (h = 1/N)
in conservative form: fluxes live on cell faces, so Σ u is conserved to rounding for any
conductivity field. K = diag(κ_x(p), κ_y(p)) with κ_x = κ(p)(1 + a), κ_y = κ(p)/(1 + a);
κ(p) = κ₀ outside circular inclusions ("air bubbles") and κ₀/(1 + c) inside (smooth edge);
face conductivities are harmonic means of the two cells. Drift uses first-order upwind fluxes.
Time stepping is explicit Euler with the stable sub-step chosen automatically:
δt ≤ 0.9 / (2 max κ_x/h² + 2 max κ_y/h² + |v_x|/h + |v_y|/h), δt = Δt / ⌈Δt / that bound⌉.

Symmetries of the one-step map S: u_t ↦ u_{t+Δt}. With a = 0, no bubbles and v = 0, S commutes
exactly with the square's symmetries (D4) and periodic shifts; a ≠ 0 breaks 90° rotations and
diagonal flips, v ≠ 0 breaks the flips that reverse v, bubbles break translations (and rotations
unless the layout is symmetric). `breaking_params(level)` maps one number to that family.

Arrays are (..., N, N), axis −2 = y (rows), axis −1 = x (columns). Everything random is seeded.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from orbitlearn.errors import OrbitlearnError
from orbitlearn.rng import check_random_state

#: default physical time between the two fields of a pair
DEFAULT_DT = 0.1
#: default correlation length of the random initial fields (in domain units)
DEFAULT_LENGTH = 0.08


@dataclass(frozen=True)
class HeatParams:
    """Coefficients of ∂u/∂t = ∇·(K∇u) − v·∇u: κ₀, anisotropy a, drift v = (v_x, v_y), bubbles."""

    kappa: float = 0.01
    anisotropy: float = 0.0  # κ_x = κ(1 + a), κ_y = κ / (1 + a)
    drift: tuple[float, float] = (0.0, 0.0)  # (v_x, v_y), domain lengths per unit time
    bubbles: int = 0  # number of circular inclusions
    bubble_radius: float = 0.08  # in domain units
    bubble_contrast: float = 0.0  # κ inside = κ / (1 + c)
    bubble_seed: int = 0  # layout of the inclusions

    def __post_init__(self) -> None:
        if not self.kappa > 0:
            raise OrbitlearnError(f"kappa must be positive (got {self.kappa})")
        if not self.anisotropy > -1:
            raise OrbitlearnError(f"anisotropy must be > -1 (got {self.anisotropy})")
        if self.bubbles < 0 or self.bubble_contrast < 0 or self.bubble_radius <= 0:
            raise OrbitlearnError(
                "bubbles and bubble_contrast must be >= 0 and bubble_radius > 0 "
                f"(got {self.bubbles}, {self.bubble_contrast}, {self.bubble_radius})"
            )
        if len(self.drift) != 2:
            raise OrbitlearnError(f"drift must be a pair (v_x, v_y) (got {self.drift!r})")

    @property
    def symmetric(self) -> bool:
        """True when S is exactly D4- and shift-equivariant: a = 0, v = 0, no effective bubbles."""
        no_bubbles = self.bubbles == 0 or self.bubble_contrast == 0
        return self.anisotropy == 0 and tuple(self.drift) == (0.0, 0.0) and no_bubbles

    def to_dict(self) -> dict:
        """The coefficients as plain JSON data."""
        d = asdict(self)
        d["drift"] = list(self.drift)
        return d


def breaking_params(
    level: float,
    *,
    kappa: float = 0.01,
    max_anisotropy: float = 1.0,
    max_drift: float = 0.1,
    bubbles: int = 0,
    max_bubble_contrast: float = 0.0,
) -> HeatParams:
    """The one-parameter family: a = ℓ·a_max, v = (ℓ·v_max, 0), bubble contrast ℓ·c_max; ℓ = 0 is symmetric.

    With the defaults (no bubbles) the level breaks only the rotations/reflections, never the
    translations, so every translation-equivariant model can in principle fit every level.
    """
    level = float(level)
    if level < 0:
        raise OrbitlearnError(f"breaking level must be >= 0 (got {level})")
    return HeatParams(
        kappa=kappa,
        anisotropy=level * max_anisotropy,
        drift=(level * max_drift, 0.0),
        bubbles=bubbles,
        bubble_contrast=level * max_bubble_contrast,
    )


def _harmonic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 2.0 * a * b / (a + b)


class HeatSimulator:
    """The one-step map S: u(t) ↦ u(t + Δt) of ∂u/∂t = ∇·(K∇u) − v·∇u on an n × n periodic grid."""

    def __init__(self, n: int, params: HeatParams | None = None, dt: float = DEFAULT_DT):
        if n < 3:
            raise OrbitlearnError(f"grid size must be at least 3 (got {n})")
        if not dt > 0:
            raise OrbitlearnError(f"dt must be positive (got {dt})")
        self.n = int(n)
        self.params = params or HeatParams()
        self.dt = float(dt)
        self.h = 1.0 / self.n
        p = self.params
        kap = self.kappa_field()
        # face conductivities: x-faces between (i, j) and (i, j+1), y-faces between (i, j), (i+1, j)
        self.kx = (1.0 + p.anisotropy) * _harmonic(kap, np.roll(kap, -1, axis=1))
        self.ky = _harmonic(kap, np.roll(kap, -1, axis=0)) / (1.0 + p.anisotropy)
        self.vx, self.vy = (float(v) for v in p.drift)
        h = self.h
        rate = (
            2 * self.kx.max() / h**2
            + 2 * self.ky.max() / h**2
            + abs(self.vx) / h
            + abs(self.vy) / h
        )
        self.max_substep = 0.9 / rate
        self.substeps = max(1, math.ceil(self.dt / self.max_substep))
        self.substep = self.dt / self.substeps

    def kappa_field(self) -> np.ndarray:
        """κ(p) at cell centres: κ₀ outside the inclusions, κ₀/(1 + c) inside (a tanh edge of ~1 cell)."""
        p = self.params
        kap = np.full((self.n, self.n), p.kappa, dtype=np.float64)
        if p.bubbles == 0 or p.bubble_contrast == 0:
            return kap
        rng = np.random.default_rng(p.bubble_seed)
        centres = rng.random((p.bubbles, 2))
        c = (np.arange(self.n) + 0.5) / self.n
        yy, xx = np.meshgrid(c, c, indexing="ij")
        inside = np.zeros_like(kap)
        for cy, cx in centres:
            dy = (yy - cy + 0.5) % 1.0 - 0.5  # periodic distance
            dx = (xx - cx + 0.5) % 1.0 - 0.5
            r = np.sqrt(dx**2 + dy**2)
            inside = np.maximum(inside, 0.5 * (1 - np.tanh((r - p.bubble_radius) / self.h)))
        return p.kappa / (1.0 + p.bubble_contrast * inside)

    def rhs(self, u: np.ndarray) -> np.ndarray:
        """∇·(K∇u) − ∇·(v u) in flux form (periodic): Σ over the grid is exactly zero up to rounding."""
        h = self.h
        fx = self.kx * (np.roll(u, -1, axis=-1) - u) / h  # flux through the face at j + 1/2
        fy = self.ky * (np.roll(u, -1, axis=-2) - u) / h
        if self.vx:
            fx = fx - self.vx * (u if self.vx > 0 else np.roll(u, -1, axis=-1))
        if self.vy:
            fy = fy - self.vy * (u if self.vy > 0 else np.roll(u, -1, axis=-2))
        return (fx - np.roll(fx, 1, axis=-1)) / h + (fy - np.roll(fy, 1, axis=-2)) / h

    def step(self, u: np.ndarray) -> np.ndarray:
        """u(t + Δt) from u(t) for fields of shape (..., n, n) (computed in float64)."""
        u = np.array(u, dtype=np.float64)
        if u.shape[-2:] != (self.n, self.n):
            raise OrbitlearnError(f"fields must end in ({self.n}, {self.n}) (got {u.shape})")
        for _ in range(self.substeps):
            u = u + self.substep * self.rhs(u)
        return u

    def rollout(self, u0: np.ndarray, steps: int) -> np.ndarray:
        """(steps + 1, ..., n, n): u0, S(u0), S²(u0), …"""
        out = [np.asarray(u0, dtype=np.float64)]
        for _ in range(int(steps)):
            out.append(self.step(out[-1]))
        return np.stack(out)

    def __call__(self, u):
        """S applied to numpy arrays or torch tensors (returned in the input's type and dtype)."""
        if type(u).__module__.startswith("torch"):
            import torch

            return torch.as_tensor(self.step(u.detach().cpu().numpy()), dtype=u.dtype)
        a = np.asarray(u)
        return self.step(a).astype(a.dtype if np.issubdtype(a.dtype, np.floating) else np.float64)


def random_fields(
    count: int,
    n: int,
    seed: int | np.random.Generator = 0,
    length: float = DEFAULT_LENGTH,
    stretch: float = 1.0,
) -> np.ndarray:
    """(count, n, n) smooth random fields: white noise filtered by exp(−(k_x²ℓ² + k_y²(sℓ)²)/2), unit std.

    `stretch` s ≥ 1 makes the fields *oriented*: correlation length ℓ along x and sℓ along y, so
    they vary mostly along x (stripes elongated along y); s = 1 is the isotropic field, whose law
    is invariant under D4. The same seed gives the same white noise for every s.
    """
    if not stretch >= 1:
        raise OrbitlearnError(f"stretch must be >= 1 (got {stretch})")
    rng = check_random_state(seed)
    noise = rng.standard_normal((count, n, n))
    k = 2 * np.pi * np.fft.fftfreq(n, d=1.0 / n)
    q2 = (k[:, None] * stretch) ** 2 + k[None, :] ** 2  # axis −2 = y, axis −1 = x
    u = np.fft.ifft2(np.fft.fft2(noise) * np.exp(-0.5 * q2 * length**2)).real
    u = u - u.mean(axis=(-2, -1), keepdims=True)
    return u / np.maximum(u.std(axis=(-2, -1), keepdims=True), 1e-12)


def make_pairs(
    count: int,
    n: int = 32,
    params: HeatParams | None = None,
    *,
    dt: float = DEFAULT_DT,
    seed: int = 0,
    length: float = DEFAULT_LENGTH,
    stretch: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) float32 arrays (count, 1, n, n) with y = S(x) and x a seeded random smooth field
    (oriented along x when `stretch` > 1, see `random_fields`)."""
    sim = HeatSimulator(n, params, dt)
    x = random_fields(count, n, seed, length, stretch)
    y = sim.step(x)
    return x[:, None].astype(np.float32), y[:, None].astype(np.float32)


def make_rollouts(
    count: int,
    steps: int,
    n: int = 32,
    params: HeatParams | None = None,
    *,
    dt: float = DEFAULT_DT,
    seed: int = 0,
    length: float = DEFAULT_LENGTH,
    stretch: float = 1.0,
) -> np.ndarray:
    """(count, steps + 1, 1, n, n) float32 trajectories u0, S(u0), … from seeded random u0."""
    sim = HeatSimulator(n, params, dt)
    traj = sim.rollout(random_fields(count, n, seed, length, stretch), steps)  # (T+1, count, n, n)
    return np.moveaxis(traj, 0, 1)[:, :, None].astype(np.float32)


__all__ = [
    "DEFAULT_DT",
    "HeatParams",
    "HeatSimulator",
    "breaking_params",
    "make_pairs",
    "make_rollouts",
    "random_fields",
]
