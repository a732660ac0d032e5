"""Concrete groups: S_n on an axis, signed permutations, GL(n,Z), C4/D4 on images, cyclic shifts, products."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from fractions import Fraction

import numpy as np

from orbitlearn.groups.base import (
    ArrayLike,
    Element,
    Group,
    _norm_axis,
    is_torch,
    matmul_axis,
    matmul_axis_batch,
    take,
    take_batch,
)

# ====================================================================== permutations


class Permutation(Group):
    """S_n permuting one axis: (ρ(p)x)[..., i, ...] = x[..., p[i], ...]; elements are index arrays."""

    def __init__(self, n: int, axis: int = -1):
        if n < 1:
            raise ValueError(f"S_n needs n >= 1, got {n}")
        self.n = int(n)
        self.axis = _norm_axis(axis)
        self.name = f"S{self.n}(axis={self.axis})"

    @property
    def axes(self) -> tuple[int, ...]:
        return (self.axis,)

    def axis_sizes(self) -> dict[int, int | None]:
        return {self.axis: self.n}

    def identity(self) -> Element:
        return np.arange(self.n, dtype=np.int64)

    def compose(self, g: Element, h: Element) -> Element:
        # act(g, act(h, x))[i] = act(h, x)[g[i]] = x[h[g[i]]]
        return np.asarray(h)[np.asarray(g)]

    def inverse(self, g: Element) -> Element:
        return np.argsort(np.asarray(g)).astype(np.int64)

    def order(self) -> int:
        return math.factorial(self.n)

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        return [
            p.astype(np.int64) for p in rng.permuted(np.tile(np.arange(self.n), (n, 1)), axis=1)
        ]

    def _iter_elements(self) -> Iterator[Element]:
        for p in itertools.permutations(range(self.n)):
            yield np.asarray(p, dtype=np.int64)

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        return take(x, np.asarray(g, dtype=np.int64), self.axis)

    def act_batch(self, gs: Sequence[Element], x: ArrayLike) -> ArrayLike:
        idx = (
            np.stack([np.asarray(g, dtype=np.int64) for g in gs])
            if len(gs)
            else np.zeros((0, self.n), np.int64)
        )
        if idx.shape[0] != x.shape[0]:
            raise ValueError(
                f"act_batch needs one element per item: {idx.shape[0]} elements, {x.shape[0]} items"
            )
        return take_batch(x, idx, self.axis)


# ====================================================================== matrix groups


def integer_inverse(g: np.ndarray) -> np.ndarray:
    """The exact inverse of a unimodular integer matrix (raises ValueError if it is not unimodular)."""
    g = np.asarray(g, dtype=np.int64)
    n = g.shape[0]
    inv = np.rint(np.linalg.inv(g.astype(np.float64))).astype(np.int64)
    if np.array_equal(g @ inv, np.eye(n, dtype=np.int64)):
        return inv
    # exact Gauss-Jordan over the rationals (large entries)
    a = [
        [Fraction(int(v)) for v in row] + [Fraction(int(i == j)) for j in range(n)]
        for i, row in enumerate(g)
    ]
    for c in range(n):
        p = next((r for r in range(c, n) if a[r][c] != 0), None)
        if p is None:
            raise ValueError("matrix is singular")
        a[c], a[p] = a[p], a[c]
        piv = a[c][c]
        a[c] = [v / piv for v in a[c]]
        for r in range(n):
            if r != c and a[r][c] != 0:
                f = a[r][c]
                a[r] = [vr - f * vc for vr, vc in zip(a[r], a[c], strict=True)]
    out = [[a[i][n + j] for j in range(n)] for i in range(n)]
    if any(v.denominator != 1 for row in out for v in row):
        raise ValueError("matrix is not unimodular: its inverse is not integral")
    return np.asarray([[int(v) for v in row] for row in out], dtype=np.int64)


class _MatrixGroup(Group):
    """A group of n x n integer matrices acting on one axis by left multiplication: x ↦ g x."""

    def __init__(self, n: int, axis: int = -2):
        self.n = int(n)
        self.axis = _norm_axis(axis)

    @property
    def axes(self) -> tuple[int, ...]:
        return (self.axis,)

    def axis_sizes(self) -> dict[int, int | None]:
        return {self.axis: self.n}

    def identity(self) -> Element:
        return np.eye(self.n, dtype=np.int64)

    def compose(self, g: Element, h: Element) -> Element:
        return np.asarray(g, dtype=np.int64) @ np.asarray(h, dtype=np.int64)

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        return matmul_axis(np.asarray(g), x, self.axis)

    def act_batch(self, gs: Sequence[Element], x: ArrayLike) -> ArrayLike:
        m = (
            np.stack([np.asarray(g, dtype=np.int64) for g in gs])
            if len(gs)
            else np.zeros((0, self.n, self.n), np.int64)
        )
        if m.shape[0] != x.shape[0]:
            raise ValueError(
                f"act_batch needs one element per item: {m.shape[0]} elements, {x.shape[0]} items"
            )
        return matmul_axis_batch(m, x, self.axis)


class SignedPermutation(_MatrixGroup):
    """The hyperoctahedral group B_n = {±1}^n ⋊ S_n of signed permutation matrices, x ↦ g x on one axis."""

    def __init__(self, n: int, axis: int = -2):
        super().__init__(n, axis)
        self.name = f"SignedPerm{self.n}(axis={self.axis})"

    def inverse(self, g: Element) -> Element:
        return np.asarray(g, dtype=np.int64).T.copy()

    def order(self) -> int:
        return 2**self.n * math.factorial(self.n)

    def _make(self, perm: np.ndarray, signs: np.ndarray) -> np.ndarray:
        m = np.zeros((self.n, self.n), dtype=np.int64)
        m[np.arange(self.n), perm] = signs
        return m

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        return [
            self._make(rng.permutation(self.n), rng.choice(np.array([-1, 1]), size=self.n))
            for _ in range(n)
        ]

    def _iter_elements(self) -> Iterator[Element]:
        for perm in itertools.permutations(range(self.n)):
            for signs in itertools.product((1, -1), repeat=self.n):
                yield self._make(np.asarray(perm), np.asarray(signs))


class GLnZ(_MatrixGroup):
    """GL(n,Z) = {g ∈ Z^{n×n} : det g = ±1}, x ↦ g x on one axis (e.g. the coordinates of a vertex matrix).

    `sample` draws a random signed permutation times a product of `steps` random elementary
    matrices I ± E_ij (i ≠ j), rejecting a step that would make an entry exceed `max_entry` in
    absolute value. This is a seeded random walk on the group, not a uniform distribution
    (GL(n,Z) has none); every element of GL(n,Z) has positive probability for `steps` large enough.
    """

    def __init__(self, n: int, axis: int = -2, steps: int = 12, max_entry: int = 4):
        super().__init__(n, axis)
        if n < 2:
            raise ValueError("GL(n,Z) sampling by elementary matrices needs n >= 2")
        self.steps = int(steps)
        self.max_entry = int(max_entry)
        self.name = f"GL{self.n}Z(axis={self.axis})"

    def inverse(self, g: Element) -> Element:
        return integer_inverse(g)

    def order(self) -> None:
        return None

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        out = []
        signed = SignedPermutation(self.n, self.axis)
        for _ in range(n):
            g = signed.sample(1, rng)[0]
            for _ in range(self.steps):
                i, j = rng.choice(self.n, size=2, replace=False)
                s = 1 if rng.random() < 0.5 else -1
                cand = g.copy()
                cand[i] += s * cand[j]  # (I + s E_ij) g
                if np.abs(cand).max() <= self.max_entry:
                    g = cand
            out.append(g)
        return out


# ====================================================================== images


class _ImageGroup(Group):
    """A finite group acting on two square axes (H, W) = axes of an image."""

    def __init__(self, axes: tuple[int, int] = (-2, -1)):
        a, b = (_norm_axis(axes[0]), _norm_axis(axes[1]))
        if a == b:
            raise ValueError("the two image axes must differ")
        self._axes = (a, b)

    @property
    def axes(self) -> tuple[int, ...]:
        return self._axes

    def axis_sizes(self) -> dict[int, int | None]:
        return {self._axes[0]: None, self._axes[1]: None}


def _rot90(x: ArrayLike, k: int, axes: tuple[int, int]) -> ArrayLike:
    k = int(k) % 4
    if k == 0:
        return x
    if is_torch(x):
        import torch

        return torch.rot90(x, k, dims=list(axes))
    return np.rot90(x, k, axes=axes)


def _flip(x: ArrayLike, axis: int) -> ArrayLike:
    if is_torch(x):
        import torch

        return torch.flip(x, dims=[axis])
    return np.flip(x, axis=axis)


class C4(_ImageGroup):
    """Rotations of a square image by multiples of 90°: ρ(k) = rot90^k on (H, W); elements k ∈ Z/4."""

    def __init__(self, axes: tuple[int, int] = (-2, -1)):
        super().__init__(axes)
        self.name = f"C4(axes={self._axes})"

    def identity(self) -> Element:
        return np.int64(0)

    def compose(self, g: Element, h: Element) -> Element:
        return np.int64((int(g) + int(h)) % 4)

    def inverse(self, g: Element) -> Element:
        return np.int64((-int(g)) % 4)

    def order(self) -> int:
        return 4

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        return [np.int64(k) for k in rng.integers(0, 4, size=n)]

    def _iter_elements(self) -> Iterator[Element]:
        for k in range(4):
            yield np.int64(k)

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        return _rot90(x, int(g), self._axes)


class D4(_ImageGroup):
    """Symmetries of the square: ρ((k, f)) = rot90^k ∘ flip^f (flip along W); elements int arrays [k, f]."""

    def __init__(self, axes: tuple[int, int] = (-2, -1)):
        super().__init__(axes)
        self.name = f"D4(axes={self._axes})"

    def identity(self) -> Element:
        return np.array([0, 0], dtype=np.int64)

    def compose(self, g: Element, h: Element) -> Element:
        # r^k1 s^f1 r^k2 s^f2 = r^(k1 + (-1)^f1 k2) s^(f1 + f2)
        k1, f1 = (int(v) for v in g)
        k2, f2 = (int(v) for v in h)
        return np.array([(k1 + (-k2 if f1 else k2)) % 4, (f1 + f2) % 2], dtype=np.int64)

    def inverse(self, g: Element) -> Element:
        k, f = (int(v) for v in g)
        return np.array([k if f else (-k) % 4, f], dtype=np.int64)

    def order(self) -> int:
        return 8

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        return [
            np.array([k, f], dtype=np.int64)
            for k, f in zip(rng.integers(0, 4, n), rng.integers(0, 2, n), strict=True)
        ]

    def _iter_elements(self) -> Iterator[Element]:
        for f in range(2):
            for k in range(4):
                yield np.array([k, f], dtype=np.int64)

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        k, f = (int(v) for v in g)
        if f:
            x = _flip(x, self._axes[1])
        return _rot90(x, k, self._axes)


# ====================================================================== cyclic shifts


class CyclicShift(Group):
    """Periodic translations Z/n1 × ... on 1 or more axes: (ρ(s)x)[i] = x[i − s mod n]; elements int arrays s."""

    def __init__(self, sizes: Sequence[int], axes: Sequence[int] | None = None):
        self.sizes = tuple(int(s) for s in sizes)
        if axes is None:
            axes = tuple(range(-len(self.sizes), 0))
        self._axes = tuple(_norm_axis(a) for a in axes)
        if len(self._axes) != len(self.sizes):
            raise ValueError("one size per axis")
        self.name = f"Shift{'x'.join(map(str, self.sizes))}(axes={self._axes})"

    @property
    def axes(self) -> tuple[int, ...]:
        return self._axes

    def axis_sizes(self) -> dict[int, int | None]:
        return dict(zip(self._axes, self.sizes, strict=True))

    def identity(self) -> Element:
        return np.zeros(len(self.sizes), dtype=np.int64)

    def compose(self, g: Element, h: Element) -> Element:
        return (np.asarray(g) + np.asarray(h)) % np.asarray(self.sizes)

    def inverse(self, g: Element) -> Element:
        return (-np.asarray(g)) % np.asarray(self.sizes)

    def order(self) -> int:
        return math.prod(self.sizes)

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        cols = [rng.integers(0, s, size=n) for s in self.sizes]
        return [np.asarray(v, dtype=np.int64) for v in zip(*cols, strict=True)]

    def _iter_elements(self) -> Iterator[Element]:
        for s in itertools.product(*(range(n) for n in self.sizes)):
            yield np.asarray(s, dtype=np.int64)

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        shifts = [int(v) for v in np.asarray(g)]
        if is_torch(x):
            import torch

            return torch.roll(x, shifts=shifts, dims=list(self._axes))
        return np.roll(x, shift=shifts, axis=self._axes)


# ====================================================================== products


class Product(Group):
    """G1 × G2 × ... with each factor acting on its own axes; elements are tuples (g1, g2, ...)."""

    def __init__(self, *factors: Group):
        if not factors:
            raise ValueError("a product needs at least one factor")
        seen: set[int] = set()
        for f in factors:
            if seen & set(f.axes):
                raise ValueError(
                    f"factors of a product must act on different axes; {f.name} overlaps"
                )
            seen |= set(f.axes)
        self.factors = tuple(factors)
        self.name = " x ".join(f.name for f in self.factors)

    @property
    def axes(self) -> tuple[int, ...]:
        return tuple(a for f in self.factors for a in f.axes)

    def axis_sizes(self) -> dict[int, int | None]:
        out: dict[int, int | None] = {}
        for f in self.factors:
            out.update(f.axis_sizes())
        return out

    def identity(self) -> Element:
        return tuple(f.identity() for f in self.factors)

    def compose(self, g: Element, h: Element) -> Element:
        return tuple(f.compose(a, b) for f, a, b in zip(self.factors, g, h, strict=True))

    def inverse(self, g: Element) -> Element:
        return tuple(f.inverse(a) for f, a in zip(self.factors, g, strict=True))

    def order(self) -> int | None:
        orders = [f.order() for f in self.factors]
        return None if any(o is None for o in orders) else math.prod(orders)  # type: ignore[arg-type]

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        parts = [f.sample(n, rng) for f in self.factors]
        return [tuple(p[i] for p in parts) for i in range(n)]

    def _iter_elements(self) -> Iterator[Element]:
        yield from itertools.product(*(f.elements() for f in self.factors))

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        for f, a in zip(self.factors, g, strict=True):
            x = f.act(a, x)
        return x

    def act_batch(self, gs: Sequence[Element], x: ArrayLike) -> ArrayLike:
        gs = list(gs)
        if len(gs) != x.shape[0]:
            raise ValueError(
                f"act_batch needs one element per item: {len(gs)} elements, {x.shape[0]} items"
            )
        for i, f in enumerate(self.factors):
            x = f.act_batch([g[i] for g in gs], x)
        return x
