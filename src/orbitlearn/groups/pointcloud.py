"""Actions of rotation and Euclidean groups on point clouds (..., n, d), and joint actions on tuples.

`PointCloud(G, role)` moves arrays of n points in R^d (the last two axes):

    "position": x ↦ x Rᵀ + t      (each point p ↦ R p + t)
    "vector":   v ↦ v Rᵀ          (velocities, forces: rotated, never translated)
    "scalar":   c ↦ c             (charges, masses, features: any shape, unchanged)

with (R, t) the rotation and translation parts of g (t = 0 for SO(d), O(d)). `Joint(a, b, ...)`
is one group acting on a tuple of inputs, each by its own action: ``Joint(PointCloud(E3()),
PointCloud(E3(), "vector"), PointCloud(E3(), "scalar"))`` moves (positions, velocities, charges)
together; `point_cloud_inputs(G, "position", "vector", ...)` builds it from role names.

Dtypes are promoted, never cast down: integer points become float64, float32 stays float32
(computed in float64). `tangent(A, x)` is the infinitesimal action d/ds ρ(exp(sA))x at s = 0 of
a Lie-algebra matrix A, used by the Lie derivative.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from orbitlearn.groups.action import Action, check_one_per_item
from orbitlearn.groups.algebra import Element
from orbitlearn.groups.backend import ArrayLike, is_torch
from orbitlearn.groups.lie import LieGroup, split

ROLES = ("position", "vector", "scalar")


def _apply(r: np.ndarray, t: np.ndarray | None, x: ArrayLike, batched: bool) -> ArrayLike:
    """x Rᵀ (+ t) in float64, returned as x's float dtype (float64 for integer x)."""
    if is_torch(x):
        import torch

        out = x.dtype if x.dtype.is_floating_point else torch.float64
        rr = torch.as_tensor(np.asarray(r, dtype=np.float64), device=x.device)
        xw = x.to(torch.float64)
        if batched:
            y = torch.einsum("b...j,bij->b...i", xw, rr)
        else:
            y = xw @ rr.T
        if t is not None:
            tt = torch.as_tensor(np.asarray(t, dtype=np.float64), device=x.device)
            y = y + (tt.reshape(tt.shape[0], *([1] * (x.ndim - 2)), -1) if batched else tt)
        return y.to(out)
    xa = np.asarray(x)
    out = xa.dtype if np.issubdtype(xa.dtype, np.floating) else np.dtype(np.float64)
    xw = xa.astype(np.float64, copy=False)
    if batched:
        y = np.einsum("b...j,bij->b...i", xw, r)
    else:
        y = xw @ np.asarray(r, dtype=np.float64).T
    if t is not None:
        y = y + (np.asarray(t).reshape(t.shape[0], *([1] * (xa.ndim - 2)), -1) if batched else t)
    return y.astype(out, copy=False)


class PointCloud(Action):
    """G ≤ E(d) acting on (..., n, d) point arrays by role: position x Rᵀ + t, vector v Rᵀ, scalar c."""

    kind = "point-cloud"

    def __init__(self, group: LieGroup, role: str = "position"):
        if not isinstance(group, LieGroup):
            raise TypeError(f"PointCloud needs a LieGroup (SO3(), E3(), ...), not {group!r}")
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        self.group = group
        self.role = role
        self.d = group.d
        self.name = f"{group.name}[{role}]"

    def key(self) -> tuple:
        return (self.kind, self.role, self.group.key())

    @property
    def axes(self) -> tuple[int, ...]:
        return () if self.role == "scalar" else (-2, -1)

    def axis_sizes(self) -> dict[int, int | None]:
        return {} if self.role == "scalar" else {-2: None, -1: self.d}

    def is_subaction_of(self, other: Action) -> bool:
        """Same role, and this group a subgroup of the other's."""
        return (
            isinstance(other, PointCloud)
            and other.role == self.role
            and self.group.is_subgroup_of(other.group)
        )

    def _parts(self, g: Element) -> tuple[np.ndarray, np.ndarray | None]:
        r, t = split(np.asarray(g, dtype=np.float64), self.d)
        return r, (t if self.role == "position" and self.group.has_translations else None)

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        """ρ(g)x for one element (see the module docstring)."""
        if self.role == "scalar":
            return x
        r, t = self._parts(g)
        return _apply(r, t, x, batched=False)

    def act_batch(self, gs: Sequence[Element], x: ArrayLike) -> ArrayLike:
        """ρ(gs[b]) x[b] for every item b."""
        gs = list(gs)
        check_one_per_item(len(gs), x)
        if self.role == "scalar":
            return x
        m = np.stack([np.asarray(g, dtype=np.float64) for g in gs]) if gs else np.zeros((0, 0, 0))
        if not gs:
            return x
        r, t = split(m, self.d)
        t = t if self.role == "position" and self.group.has_translations else None
        return _apply(r, t, x, batched=True)

    def tangent(self, a: np.ndarray, x: ArrayLike) -> ArrayLike:
        """d/ds ρ(exp(sA)) x at s = 0 for an algebra matrix A: x Ωᵀ + τ, v Ωᵀ or 0."""
        a = np.asarray(a, dtype=np.float64)
        omega, tau = split(a, self.d)
        if self.role == "scalar":
            return x * 0
        if not self.group.has_translations or self.role == "vector":
            tau = None
        y = _apply(omega, None, x, batched=False)
        if tau is not None:
            y = y + (tau if not is_torch(x) else _to_torch(tau, y))
        return y


def _to_torch(a: np.ndarray, like: Any) -> Any:
    import torch

    return torch.as_tensor(a, dtype=like.dtype, device=like.device)


class Joint(Action):
    """One group acting on a tuple of inputs, each by its own action (same group for all)."""

    kind = "joint"

    def __init__(self, *actions: Action):
        if not actions:
            raise ValueError("a joint action needs at least one action")
        g = actions[0].group
        for a in actions[1:]:
            if a.group != g:
                raise ValueError(f"a joint action needs one group, not {g} and {a.group}")
        self.actions = tuple(actions)
        self.group = g
        self.name = "(" + ", ".join(a.name for a in actions) + ")"

    def key(self) -> tuple:
        return (self.kind, tuple(a.key() for a in self.actions))

    def __len__(self) -> int:
        return len(self.actions)

    def is_subaction_of(self, other: Action) -> bool:
        """Component by component."""
        return (
            isinstance(other, Joint)
            and len(other) == len(self)
            and all(a.is_subaction_of(b) for a, b in zip(self.actions, other.actions, strict=True))
        )

    def check_shape(self, shape: Any) -> None:
        """Check each component's shape (a tuple of shapes)."""
        for a, s in zip(self.actions, shape, strict=True):
            a.check_shape(s)

    def act(self, g: Element, x: Sequence[ArrayLike]) -> tuple:
        """(ρ_1(g)x_1, ρ_2(g)x_2, ...)."""
        self._check_len(x)
        return tuple(a.act(g, xi) for a, xi in zip(self.actions, x, strict=True))

    def act_batch(self, gs: Sequence[Element], x: Sequence[ArrayLike]) -> tuple:
        """Per-item action on every component."""
        self._check_len(x)
        return tuple(a.act_batch(gs, xi) for a, xi in zip(self.actions, x, strict=True))

    def tangent(self, a: np.ndarray, x: Sequence[ArrayLike]) -> tuple:
        """The infinitesimal action on every component."""
        return tuple(act.tangent(a, xi) for act, xi in zip(self.actions, x, strict=True))

    def _check_len(self, x: Any) -> None:
        if not isinstance(x, (tuple, list)) or len(x) != len(self.actions):
            raise ValueError(f"{self.name} acts on a tuple of {len(self.actions)} arrays")


def point_cloud_inputs(group: LieGroup, *roles: str) -> Joint:
    """Joint(PointCloud(group, r) for r in roles), e.g. roles "scalar", "position", "vector"."""
    return Joint(*(PointCloud(group, r) for r in roles))


__all__ = ["ROLES", "Joint", "PointCloud", "point_cloud_inputs"]
