"""SO(2) rotating a square image (..., H, W) by any angle, through interpolation (not exact).

(ρ(R)x)(p) = x(R⁻¹(p − c) + c) about the image centre c, sampled by linear interpolation
(order 1) with zeros outside the image. A rotation by a multiple of 90° is done by `rot90` and is
exact; any other angle loses information at the corners and between pixels, so the action is
only approximately a representation: `exact` is False and `round_trip_error(g, x)` measures the
action's own error ‖ρ(g⁻¹)ρ(g)x − x‖ / ‖x‖, to be reported apart from a model's ε.
numpy or torch inputs (torch is moved through numpy: no gradient).
"""

from __future__ import annotations

import math

import numpy as np

from orbitlearn.groups.action import Action, norm_axis
from orbitlearn.groups.algebra import Element
from orbitlearn.groups.backend import ArrayLike, is_torch, rot90
from orbitlearn.groups.lie import SO2


def quarter_turns(g: Element, atol: float = 1e-12) -> int | None:
    """k when the rotation g is by k·90° (to within atol), else None."""
    th = math.atan2(float(g[1][0]), float(g[0][0]))
    k = th / (math.pi / 2)
    return int(round(k)) % 4 if abs(k - round(k)) * (math.pi / 2) < atol else None


class GridRotation(Action):
    """SO(2) rotating the last two axes (H, W) by any angle; exact only for multiples of 90°."""

    kind = "grid-rotation"
    exact = False

    def __init__(self, axes: tuple[int, int] = (-2, -1), order: int = 1):
        self.group = SO2()
        self._axes = (norm_axis(axes[0]), norm_axis(axes[1]))
        self.order = int(order)
        self.name = f"SO(2)[grid](axes={self._axes})"

    @property
    def axes(self) -> tuple[int, ...]:
        return self._axes

    def axis_sizes(self) -> dict[int, int | None]:
        return {self._axes[0]: None, self._axes[1]: None}

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        """The rotated image (rot90 for quarter turns, interpolation otherwise)."""
        k = quarter_turns(g)
        if k is not None:
            return rot90(x, k, self._axes)
        if is_torch(x):
            import torch

            y = self._interpolate(np.asarray(g), x.detach().cpu().numpy())
            return torch.as_tensor(y, device=x.device).to(x.dtype)
        return self._interpolate(np.asarray(g), np.asarray(x))

    def _interpolate(self, g: np.ndarray, x: np.ndarray) -> np.ndarray:
        from scipy.ndimage import map_coordinates

        a, b = self._axes
        moved = np.moveaxis(x.astype(np.float64), (a, b), (-2, -1))
        h, w = moved.shape[-2:]
        ci, cj = (h - 1) / 2, (w - 1) / 2
        ii, jj = np.meshgrid(np.arange(h) - ci, np.arange(w) - cj, indexing="ij")
        # pixel (i, j) ↔ point (x, y) = (j, -i): rows grow downwards
        px, py = jj, -ii
        r_inv = g.T
        sx = r_inv[0, 0] * px + r_inv[0, 1] * py
        sy = r_inv[1, 0] * px + r_inv[1, 1] * py
        coords = np.stack([-sy + ci, sx + cj])
        # rounding noise must not push an edge pixel just outside the image
        hi = np.array([h - 1, w - 1], dtype=np.float64)[:, None, None]
        coords = np.where((coords < 0) & (coords > -1e-7), 0.0, coords)
        coords = np.where((coords > hi) & (coords < hi + 1e-7), hi, coords)
        flat = moved.reshape(-1, h, w)
        out = np.stack(
            [map_coordinates(img, coords, order=self.order, mode="constant") for img in flat]
        )
        out = np.moveaxis(out.reshape(moved.shape), (-2, -1), (a, b))
        return out.astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)

    def round_trip_error(self, g: Element, x: ArrayLike) -> float:
        """‖ρ(g⁻¹)ρ(g)x − x‖ / ‖x‖: the action's own error at g (0 for quarter turns)."""
        back = self.act(self.group.inverse(g), self.act(g, x))
        diff = np.asarray(back, dtype=np.float64) - np.asarray(x, dtype=np.float64)
        return float(np.linalg.norm(diff) / max(np.linalg.norm(np.asarray(x, np.float64)), 1e-300))


__all__ = ["GridRotation", "quarter_turns"]
