"""Actions: how a group moves an array.

An `Action` pairs a `Group` (algebra, `orbitlearn.groups.algebra`) with a representation on some
axes of an array. Axes are counted from the end (negative), so any number of leading batch
dimensions is allowed: an action on the rows and columns of a 4 x 26 matrix acts on arrays of
shape (4, 26), (B, 4, 26) or (B, C, 4, 26) alike.

Batching convention (one rule everywhere):

* ``act(g, x)`` applies one element ``g`` to every item of ``x`` (shape (..., *event)).
* ``act_batch(gs, x)`` applies ``gs[b]`` to ``x[b]``: ``gs`` is a sequence of ``len(x)``
  elements (e.g. ``action.sample(len(x), rng)``), ``x`` has shape (B, ..., *event).

Composition follows the action: ``act(compose(g, h), x) == act(g, act(h, x))``. For
convenience an action answers the algebra questions of its group (``identity``, ``compose``,
``inverse``, ``order``, ``sample``, ``elements``) itself.

Actions compare as data: ``a == b`` when they are the same group acting the same way on the same
axes, and ``a <= b`` (``a.is_subaction_of(b)``) when every move of ``a`` is a move of ``b``: on
every axis ``a`` moves, ``b`` acts in the same way with a group containing ``a``'s.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from orbitlearn.groups.algebra import MAX_ENUMERATE, Element, Group, element_key
from orbitlearn.groups.backend import ArrayLike, is_torch


def norm_axis(axis: int) -> int:
    """A validated negative axis."""
    if axis >= 0:
        raise ValueError(
            f"group axes are counted from the end and must be negative (got {axis}); "
            "e.g. axis=-2 for the rows of a (B, 4, 26) batch"
        )
    return int(axis)


class Action(ABC):
    """A group G acting on arrays by ρ: ρ(gh) = ρ(g)ρ(h), ρ(e) = id."""

    #: the group that acts
    group: Group
    #: which kind of representation: actions of one kind on the same axes can be compared
    #: ("axis-linear": permutation or integer matrix on one axis; "grid": rotations and flips of a
    #: square grid; "shift": periodic translations; "regular": a point group's regular
    #: representation on a group axis times its action on the grid)
    kind: str = ""
    #: short readable name, e.g. "S4(axis=-2)"
    name: str = "G"

    # ---------------------------------------------------------------- identity by value
    def key(self) -> tuple:
        """What makes two actions the same: kind, axes and the group's key."""
        return (self.kind, self.axes, self.group.key())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Action) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        return self.name

    # ---------------------------------------------------------------- the group's algebra
    def identity(self) -> Element:
        """The group's neutral element."""
        return self.group.identity()

    def compose(self, g: Element, h: Element) -> Element:
        """The product gh in the group (act(gh, x) = act(g, act(h, x)))."""
        return self.group.compose(g, h)

    def inverse(self, g: Element) -> Element:
        """g⁻¹ in the group."""
        return self.group.inverse(g)

    def order(self) -> int | None:
        """|G|, or None when infinite."""
        return self.group.order()

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        """n random elements of the group (see the group's `sample`)."""
        return self.group.sample(n, rng)

    def elements(self, limit: int = MAX_ENUMERATE) -> list[Element]:
        """All elements of a small finite group, identity first."""
        return self.group.elements(limit)

    def is_small(self, limit: int = MAX_ENUMERATE) -> bool:
        """Whether the group is finite with at most `limit` elements."""
        return self.group.is_small(limit)

    def equal(self, g: Element, h: Element) -> bool:
        """Equality of two elements as data."""
        return self.group.equal(g, h)

    # ---------------------------------------------------------------- where it acts
    @property
    def axes(self) -> tuple[int, ...]:
        """The (negative) axes the action moves."""
        return ()

    def axis_sizes(self) -> dict[int, int | None]:
        """Required size of each acted-on axis (None: any size)."""
        return {}

    def example_shape(self, free: int = 6) -> tuple[int, ...]:
        """The smallest event shape this action can move, `free` for unconstrained axes."""
        sizes = self.axis_sizes()
        rank = max((-a for a in sizes), default=1)
        return tuple(sizes.get(a) or free for a in range(-rank, 0))

    def bind(self, shape: Sequence[int]) -> Action:
        """This action with every size left open (e.g. S_n of any n) fixed by an input's shape."""
        return self

    def check_shape(self, shape: Sequence[int]) -> None:
        """ValueError unless an array of this shape can be moved."""
        for axis, size in self.axis_sizes().items():
            if len(shape) < -axis:
                raise ValueError(
                    f"{self.name} acts on axis {axis}; the input has shape {tuple(shape)}"
                )
            if size is not None and shape[axis] != size:
                raise ValueError(
                    f"{self.name} needs size {size} on axis {axis}; the input has shape {tuple(shape)}"
                )

    def factors(self) -> tuple[Action, ...]:
        """The actions this one is a product of (itself when it is not a product)."""
        return (self,)

    def is_subaction_of(self, other: Action) -> bool:
        """Whether every move of self is a move of other (see the module docstring)."""
        theirs = {f.axes: f for f in other.factors()}
        for mine in self.factors():
            if mine.group.is_trivial():
                continue
            match = theirs.get(mine.axes)
            if (
                match is None
                or match.kind != mine.kind
                or not mine.group.is_subgroup_of(match.group)
            ):
                return False
        return True

    def __le__(self, other: Action) -> bool:
        return self.is_subaction_of(other)

    # ---------------------------------------------------------------- moving arrays
    @abstractmethod
    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        """ρ(g)x for one element g applied to every item of x (numpy or torch)."""

    def act_batch(self, gs: Sequence[Element], x: ArrayLike) -> ArrayLike:
        """ρ(gs[b]) x[b] for every b: one element per batch item (len(gs) == len(x))."""
        gs = list(gs)
        check_one_per_item(len(gs), x)
        return act_by_buckets(self, gs, x)


def check_one_per_item(n_elements: int, x: ArrayLike) -> None:
    """ValueError unless there is one group element per batch item."""
    if n_elements != x.shape[0]:
        raise ValueError(
            f"act_batch needs one element per item: {n_elements} elements, {x.shape[0]} items"
        )


def act_by_buckets(action: Action, gs: list[Element], x: ArrayLike) -> ArrayLike:
    """Generic per-item action: apply each distinct element once to the items that carry it."""
    buckets: dict[Any, list[int]] = {}
    reps: dict[Any, Element] = {}
    for i, g in enumerate(gs):
        k = element_key(g)
        buckets.setdefault(k, []).append(i)
        reps.setdefault(k, g)
    out = None
    for k, idx in buckets.items():
        if is_torch(x):
            import torch

            index = torch.as_tensor(idx, device=x.device)
            y = action.act(reps[k], x.index_select(0, index))
            if out is None:
                out = torch.empty((x.shape[0], *y.shape[1:]), dtype=y.dtype, device=y.device)
            out[index] = y
        else:
            index = np.asarray(idx)
            y = action.act(reps[k], x[index])
            if out is None:
                out = np.empty((x.shape[0], *y.shape[1:]), dtype=y.dtype)
            out[index] = y
    return x[:0] if out is None else out


__all__ = ["Action", "act_by_buckets", "check_one_per_item", "norm_axis"]
