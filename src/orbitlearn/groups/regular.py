"""The regular representation of p4 / p4m on group-convolution feature maps (B, C, |G|, H, W).

G = C4 (p4: rotations) or D4 (p4m: rotations and flips) acting on the plane; a feature map
f: G × Z_H × Z_W → R^C is moved by (ρ(u)f)(g, p) = f(u⁻¹g, R_u⁻¹ p): the spatial axes are rotated
and flipped as an image, and the |G| axis is permuted by left multiplication.

Element indices follow the enumeration order of `C4` / `D4` (`group.elements()`): for D4 the
element [k, f] (rot90^k ∘ flip^f) has index 4·f + k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbitlearn.groups.action import Action, norm_axis
from orbitlearn.groups.algebra import CyclicGroup, DihedralGroup, Element, Group
from orbitlearn.groups.backend import ArrayLike, take
from orbitlearn.groups.concrete import C4, D4

GROUP_NAMES = ("p4", "p4m")


def wallpaper_name(group: str | Group | Action) -> str:
    """ "p4" or "p4m" for a name, the point group C4 / D4 (as algebra) or an action of it."""
    if isinstance(group, str):
        if group not in GROUP_NAMES:
            raise ValueError(f"unknown group {group!r}; expected one of {', '.join(GROUP_NAMES)}")
        return group
    algebra = group.group if isinstance(group, Action) else group
    if algebra == CyclicGroup(4):
        return "p4"
    if algebra == DihedralGroup(4):
        return "p4m"
    raise ValueError(f"group convolutions are built for C4 (p4) or D4 (p4m), not {algebra}")


def point_group(name: str, axes: tuple[int, int] = (-2, -1)) -> C4 | D4:
    """The point group of a wallpaper group name: p4 → C4, p4m → D4, acting on `axes`."""
    if name == "p4":
        return C4(axes=axes)
    if name == "p4m":
        return D4(axes=axes)
    raise ValueError(f"unknown group {name!r}; expected one of {', '.join(GROUP_NAMES)}")


@dataclass(frozen=True)
class GroupTable:
    """Cayley table of a finite point group: mult[a, b] = index(g_a g_b), inv[a] = index(g_a⁻¹)."""

    name: str
    elements: tuple[Element, ...]
    mult: np.ndarray  # (n, n) int64
    inv: np.ndarray  # (n,) int64

    @property
    def order(self) -> int:
        """The number of elements of the point group."""
        return len(self.elements)

    def index(self, g: Element) -> int:
        """The position of element g in `elements`."""
        for i, h in enumerate(self.elements):
            if np.array_equal(np.asarray(h), np.asarray(g)):
                return i
        raise ValueError(f"{g!r} is not an element of {self.name}")

    def left_perm(self, g: int) -> np.ndarray:
        """perm[h] = index(g⁻¹ h): (λ(g)f)(h) = f(g⁻¹h) is f[..., perm, ...]."""
        return self.mult[self.inv[g]].copy()


def group_table(name: str) -> GroupTable:
    """The Cayley table of p4 (C4, order 4) or p4m (D4, order 8), computed from `compose`."""
    grp = point_group(name)
    elems = tuple(grp.elements())
    n = len(elems)
    table = GroupTable(name, elems, np.zeros((n, n), np.int64), np.zeros(n, np.int64))
    for a, ga in enumerate(elems):
        table.inv[a] = table.index(grp.inverse(ga))
        for b, gb in enumerate(elems):
            table.mult[a, b] = table.index(grp.compose(ga, gb))
    return table


class RegularAction(Action):
    """(ρ(u)f)(g, p) = f(u⁻¹g, R_u⁻¹p) on (..., |G|, H, W): p4/p4m regular representation ⊗ image action.

    Its group is the point group's (C4 for p4, D4 for p4m), so an input action `C4()` on images
    and an output action `RegularAction("p4")` on feature maps are recognised as one group.
    """

    kind = "regular"

    def __init__(self, name: str = "p4", axes: tuple[int, int, int] = (-3, -2, -1)):
        self.point = point_group(name, axes=(axes[1], axes[2]))
        self.group = self.point.group
        self.group_axis = norm_axis(axes[0])
        self._axes = (self.group_axis, *self.point.axes)
        self.table = group_table(name)
        self.wallpaper = name
        self.name = f"Regular[{name}](axes={self._axes})"

    @property
    def axes(self) -> tuple[int, ...]:
        return self._axes

    def axis_sizes(self) -> dict[int, int | None]:
        return {self.group_axis: self.table.order, self._axes[1]: None, self._axes[2]: None}

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        perm = self.table.left_perm(self.table.index(g))
        return self.point.act(g, take(x, perm, self.group_axis))


__all__ = [
    "GROUP_NAMES",
    "GroupTable",
    "RegularAction",
    "group_table",
    "point_group",
    "wallpaper_name",
]
