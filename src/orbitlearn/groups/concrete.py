"""Concrete actions: S_n on an axis, signed permutations and GL(n,Z) on a coordinate axis,
C4/D4 on a square grid, cyclic shifts, and products of actions on disjoint axes.

Each class is an `Action` of a group of `orbitlearn.groups.algebra` (its ``group``):
``Permutation(4, axis=-2).group == SymmetricGroup(4)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from orbitlearn.groups.action import Action, check_one_per_item, norm_axis
from orbitlearn.groups.algebra import (
    GLZ,
    CyclicGroup,
    DihedralGroup,
    DirectProduct,
    Element,
    HyperoctahedralGroup,
    SymmetricGroup,
    TranslationGroup,
    integer_inverse,
)
from orbitlearn.groups.backend import (
    ArrayLike,
    flip,
    matmul_axis,
    matmul_axis_batch,
    roll,
    rot90,
    take,
    take_batch,
)

# ====================================================================== one axis


class Permutation(Action):
    """S_n permuting one axis: (ρ(p)x)[..., i, ...] = x[..., p[i], ...]; elements are index arrays.

    ``Permutation(None, axis)`` is S_n for any n (a set layer's declaration); `bind` fixes n from
    an input shape.
    """

    kind = "axis-linear"

    def __init__(self, n: int | None, axis: int = -1):
        self.group = SymmetricGroup(n)
        self.n = self.group.n
        self.axis = norm_axis(axis)
        self.name = f"{self.group.name}(axis={self.axis})"

    @property
    def axes(self) -> tuple[int, ...]:
        return (self.axis,)

    def axis_sizes(self) -> dict[int, int | None]:
        return {self.axis: self.n}

    def bind(self, shape: Sequence[int]) -> Permutation:
        if self.n is not None:
            return self
        self.check_shape(shape)
        return Permutation(shape[self.axis], self.axis)

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        return take(x, np.asarray(g, dtype=np.int64), self.axis)

    def act_batch(self, gs: Sequence[Element], x: ArrayLike) -> ArrayLike:
        check_one_per_item(len(gs), x)
        idx = (
            np.stack([np.asarray(g, dtype=np.int64) for g in gs])
            if len(gs)
            else np.zeros((0, self.n or 0), np.int64)
        )
        return take_batch(x, idx, self.axis)


class _MatrixAction(Action):
    """n x n matrices acting on one axis by left multiplication: x ↦ g x (dtypes promoted)."""

    kind = "axis-linear"

    def __init__(self, group: HyperoctahedralGroup | GLZ, axis: int):
        self.group = group
        self.n = group.n
        self.axis = norm_axis(axis)
        self.name = f"{group.name}(axis={self.axis})"

    @property
    def axes(self) -> tuple[int, ...]:
        return (self.axis,)

    def axis_sizes(self) -> dict[int, int | None]:
        return {self.axis: self.n}

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        return matmul_axis(np.asarray(g), x, self.axis)

    def act_batch(self, gs: Sequence[Element], x: ArrayLike) -> ArrayLike:
        check_one_per_item(len(gs), x)
        # stacked as they are: float elements stay float (promoted, never cast to int64)
        m = np.stack([np.asarray(g) for g in gs]) if len(gs) else np.zeros((0, self.n, self.n))
        return matmul_axis_batch(m, x, self.axis)


class SignedPermutation(_MatrixAction):
    """The hyperoctahedral group B_n of signed permutation matrices, x ↦ g x on one axis."""

    def __init__(self, n: int, axis: int = -2):
        super().__init__(HyperoctahedralGroup(n), axis)


class GLnZ(_MatrixAction):
    """GL(n,Z) acting by x ↦ g x on one axis (e.g. the coordinates of a vertex matrix).

    Sampling is the group's (`GLZ`): a seeded random walk of `steps` elementary moves with
    entries bounded by `max_entry`.
    """

    def __init__(self, n: int, axis: int = -2, steps: int = 12, max_entry: int = 4):
        super().__init__(GLZ(n, steps=steps, max_entry=max_entry), axis)
        self.steps = self.group.steps
        self.max_entry = self.group.max_entry


# ====================================================================== square grids


class _GridAction(Action):
    """A point group of the square acting on two axes (H, W) of an image."""

    kind = "grid"

    def __init__(self, group: CyclicGroup | DihedralGroup, axes: tuple[int, int]):
        a, b = (norm_axis(axes[0]), norm_axis(axes[1]))
        if a == b:
            raise ValueError("the two image axes must differ")
        self.group = group
        self._axes = (a, b)
        self.name = f"{group.name}(axes={self._axes})"

    @property
    def axes(self) -> tuple[int, ...]:
        return self._axes

    def axis_sizes(self) -> dict[int, int | None]:
        return {self._axes[0]: None, self._axes[1]: None}


class C4(_GridAction):
    """Rotations of a square image by multiples of 90°: ρ(k) = rot90^k on (H, W); elements k ∈ Z/4."""

    def __init__(self, axes: tuple[int, int] = (-2, -1)):
        super().__init__(CyclicGroup(4), axes)

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        return rot90(x, int(g), self._axes)


class D4(_GridAction):
    """Symmetries of the square: ρ((k, f)) = rot90^k ∘ flip^f (flip along W); elements int arrays [k, f]."""

    def __init__(self, axes: tuple[int, int] = (-2, -1)):
        super().__init__(DihedralGroup(4), axes)

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        k, f = (int(v) for v in g)
        if f:
            x = flip(x, self._axes[1])
        return rot90(x, k, self._axes)


# ====================================================================== cyclic shifts


class CyclicShift(Action):
    """Periodic translations Z/n1 × ... on 1 or more axes: (ρ(s)x)[i] = x[i − s mod n]; elements int arrays s."""

    kind = "shift"

    def __init__(self, sizes: Sequence[int], axes: Sequence[int] | None = None):
        self.group = TranslationGroup(sizes)
        self.sizes = self.group.sizes
        if axes is None:
            axes = tuple(range(-len(self.sizes), 0))
        self._axes = tuple(norm_axis(a) for a in axes)
        if len(self._axes) != len(self.sizes):
            raise ValueError("one size per axis")
        self.name = f"Shift{'x'.join(map(str, self.sizes))}(axes={self._axes})"

    @property
    def axes(self) -> tuple[int, ...]:
        return self._axes

    def axis_sizes(self) -> dict[int, int | None]:
        return dict(zip(self._axes, self.sizes, strict=True))

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        return roll(x, [int(v) for v in np.asarray(g)], self._axes)


# ====================================================================== products


class Product(Action):
    """G1 × G2 × ... with each factor acting on its own axes; elements are tuples (g1, g2, ...)."""

    kind = "product"

    def __init__(self, *factors: Action):
        if not factors:
            raise ValueError("a product needs at least one factor")
        seen: set[int] = set()
        for f in factors:
            if seen & set(f.axes):
                raise ValueError(
                    f"factors of a product must act on different axes; {f.name} overlaps"
                )
            seen |= set(f.axes)
        self.factors_ = tuple(factors)
        self.group = DirectProduct(*(f.group for f in factors))
        self.name = " x ".join(f.name for f in self.factors_)

    def key(self) -> tuple:
        """A product is the same action as another when its factors are, in order."""
        return (self.kind, tuple(f.key() for f in self.factors_))

    def factors(self) -> tuple[Action, ...]:
        return tuple(g for f in self.factors_ for g in f.factors())

    @property
    def axes(self) -> tuple[int, ...]:
        return tuple(a for f in self.factors_ for a in f.axes)

    def axis_sizes(self) -> dict[int, int | None]:
        out: dict[int, int | None] = {}
        for f in self.factors_:
            out.update(f.axis_sizes())
        return out

    def bind(self, shape: Sequence[int]) -> Product:
        bound = tuple(f.bind(shape) for f in self.factors_)
        return (
            self
            if all(b is f for b, f in zip(bound, self.factors_, strict=True))
            else Product(*bound)
        )

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        for f, a in zip(self.factors_, g, strict=True):
            x = f.act(a, x)
        return x

    def act_batch(self, gs: Sequence[Element], x: ArrayLike) -> ArrayLike:
        gs = list(gs)
        check_one_per_item(len(gs), x)
        for i, f in enumerate(self.factors_):
            x = f.act_batch([g[i] for g in gs], x)
        return x


def rows_and_columns(m: int | None = None, n: int | None = None) -> Product:
    """S_m × S_n permuting the rows (axis -2) and columns (axis -1) of (..., m, n) matrices; a size
    left None is open (any size, fixed by `bind`)."""
    return Product(Permutation(m, axis=-2), Permutation(n, axis=-1))


__all__ = [
    "C4",
    "D4",
    "CyclicShift",
    "GLnZ",
    "Permutation",
    "Product",
    "SignedPermutation",
    "integer_inverse",
    "rows_and_columns",
]
