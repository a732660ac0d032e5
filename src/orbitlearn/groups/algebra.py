"""Groups as algebra: elements, product, inverse, sampling, enumeration, subgroups.

A `Group` here knows nothing of arrays: where and how it moves an input is an `Action`
(`orbitlearn.groups.action`). Elements are plain data (int64 arrays, numpy ints, tuples of them
for direct products). Two groups are equal when they are the same group by value
(`SymmetricGroup(4) == SymmetricGroup(4)`), so two actions of one group can be recognised as
such, and `is_subgroup_of` compares groups under the declared embeddings of
`orbitlearn.groups.embeddings` (one table: S_n ≤ B_n ≤ GL(n,Z), C_n ≤ D_n ≤ O(2), ...);
Trivial ≤ every group, and a direct product ≤ another factor by factor. Continuous groups
(`LieGroup`, SO(3), E(3), ...) live in `orbitlearn.groups.lie`; their elements are float
matrices, compared to within `ELEMENT_ATOL`.

`SymmetricGroup(None)` is "S_n for whatever n the input has": a declaration (a set layer takes
sets of any size) that becomes a concrete group once an input shape is known.
"""

from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from orbitlearn.groups.embeddings import embeds
from orbitlearn.rng import check_random_state

Element = Any  # plain data: an int64 array, a numpy int, or a tuple of them for products

MAX_ENUMERATE = 100_000


#: absolute tolerance of equality between float elements (rotations computed two ways)
ELEMENT_ATOL = 1e-9
#: decimals a float element is rounded to for its hashable key
KEY_DECIMALS = 9


def elements_equal(g: Any, h: Any, atol: float = ELEMENT_ATOL) -> bool:
    """Equality of elements as data: integer arrays entry by entry, float arrays to within `atol`,
    tuples factor by factor."""
    if isinstance(g, tuple):
        return (
            isinstance(h, tuple)
            and len(g) == len(h)
            and all(elements_equal(a, b, atol) for a, b in zip(g, h, strict=True))
        )
    a, b = np.asarray(g), np.asarray(h)
    if a.shape != b.shape:
        return False
    if np.issubdtype(a.dtype, np.floating) or np.issubdtype(b.dtype, np.floating):
        return bool(np.allclose(a, b, rtol=0.0, atol=atol))
    return bool(np.array_equal(a, b))


def element_key(g: Any) -> Any:
    """A hashable key of an element: equal integer elements have equal keys; float elements are
    rounded to `KEY_DECIMALS` first (two float elements that differ by rounding noise usually share
    a key; when they straddle a rounding boundary they get two keys, which only costs a bucket)."""
    if isinstance(g, tuple):
        return tuple(element_key(c) for c in g)
    a = np.asarray(g)
    if np.issubdtype(a.dtype, np.floating):
        a = np.round(a.astype(np.float64), KEY_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return (a.shape, a.dtype.kind, a.tobytes())


class Group(ABC):
    """A group: identity, compose, inverse, order, sample and (when small) elements."""

    #: short readable name, e.g. "S4"
    name: str = "G"

    # ---------------------------------------------------------------- identity by value
    def key(self) -> tuple:
        """What makes two instances the same group (used by == and hash)."""
        return (type(self).__name__,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Group) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        return self.name

    # ---------------------------------------------------------------- algebra
    @abstractmethod
    def identity(self) -> Element:
        """The neutral element e."""

    @abstractmethod
    def compose(self, g: Element, h: Element) -> Element:
        """The product gh (an action satisfies act(gh, x) = act(g, act(h, x)))."""

    @abstractmethod
    def inverse(self, g: Element) -> Element:
        """g⁻¹ with g g⁻¹ = e."""

    def order(self) -> int | None:
        """|G| as an exact int, or None when G is infinite (or its size is not fixed yet)."""
        return None

    @abstractmethod
    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        """n random elements (uniform for finite groups; documented otherwise)."""

    def _iter_elements(self) -> Iterator[Element]:  # pragma: no cover - overridden when finite
        raise NotImplementedError(f"{self.name} cannot enumerate its elements")

    def elements(self, limit: int = MAX_ENUMERATE) -> list[Element]:
        """All elements of a finite group with |G| <= limit, identity first."""
        order = self.order()
        if order is None:
            raise ValueError(f"{self.name} is infinite: use sample(n, rng) instead of elements()")
        if order > limit:
            raise ValueError(
                f"{self.name} has {order} elements, more than limit={limit}: use sample(n, rng)"
            )
        return list(self._iter_elements())

    def is_small(self, limit: int = MAX_ENUMERATE) -> bool:
        """True when the group is finite with at most `limit` elements."""
        order = self.order()
        return order is not None and order <= limit

    def is_trivial(self) -> bool:
        """Whether the group has one element."""
        return self.order() == 1

    def equal(self, g: Element, h: Element) -> bool:
        """Equality of elements as data (float elements to within `ELEMENT_ATOL`)."""
        return elements_equal(g, h)

    # ---------------------------------------------------------------- subgroups
    def is_subgroup_of(self, other: Group) -> bool:
        """Whether self ≤ other under the declared embeddings (`orbitlearn.groups.embeddings`)."""
        return self.is_trivial() or self == other or embeds(self.key(), other.key())


class Trivial(Group):
    """The group with one element (a 0-d int64 zero)."""

    name = "1"

    def identity(self) -> Element:
        return np.int64(0)

    def compose(self, g: Element, h: Element) -> Element:
        return np.int64(0)

    def inverse(self, g: Element) -> Element:
        return np.int64(0)

    def order(self) -> int:
        return 1

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        return [np.int64(0)] * n

    def _iter_elements(self) -> Iterator[Element]:
        yield np.int64(0)


# ====================================================================== permutations


class SymmetricGroup(Group):
    """S_n; elements are index arrays p (int64, length n), composed as h[g]."""

    def __init__(self, n: int | None):
        if n is not None and int(n) < 1:
            raise ValueError(f"S_n needs n >= 1, got {n}")
        self.n = None if n is None else int(n)
        self.name = f"S{self.n}" if self.n is not None else "S_n"

    def key(self) -> tuple:
        return ("S", self.n)

    def _need_n(self) -> int:
        if self.n is None:
            raise ValueError("S_n of unspecified n: bind the action to an input shape first")
        return self.n

    def identity(self) -> Element:
        return np.arange(self._need_n(), dtype=np.int64)

    def compose(self, g: Element, h: Element) -> Element:
        # act(g, act(h, x))[i] = act(h, x)[g[i]] = x[h[g[i]]]
        return np.asarray(h)[np.asarray(g)]

    def inverse(self, g: Element) -> Element:
        return np.argsort(np.asarray(g)).astype(np.int64)

    def order(self) -> int | None:
        return None if self.n is None else math.factorial(self.n)

    def is_trivial(self) -> bool:
        """S_1 is trivial; S_n of open size is not assumed to be."""
        return self.n == 1

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        size = self._need_n()
        return [p.astype(np.int64) for p in rng.permuted(np.tile(np.arange(size), (n, 1)), axis=1)]

    def _iter_elements(self) -> Iterator[Element]:
        for p in itertools.permutations(range(self._need_n())):
            yield np.asarray(p, dtype=np.int64)


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


class _IntegerMatrixGroup(Group):
    """A group of n x n integer matrices under matrix product; elements int64 (n, n) arrays."""

    def __init__(self, n: int):
        if int(n) < 1:
            raise ValueError(f"a matrix group needs n >= 1, got {n}")
        self.n = int(n)

    def identity(self) -> Element:
        return np.eye(self.n, dtype=np.int64)

    def compose(self, g: Element, h: Element) -> Element:
        # promoted, never cast down: a float matrix times an integer one stays float
        return np.asarray(g) @ np.asarray(h)


class HyperoctahedralGroup(_IntegerMatrixGroup):
    """B_n = {±1}^n ⋊ S_n, the signed permutation matrices."""

    def __init__(self, n: int):
        super().__init__(n)
        self.name = f"B{self.n}"

    def key(self) -> tuple:
        return ("B", self.n)

    def inverse(self, g: Element) -> Element:
        return np.asarray(g, dtype=np.int64).T.copy()

    def order(self) -> int:
        return 2**self.n * math.factorial(self.n)

    def make(self, perm: np.ndarray, signs: np.ndarray) -> np.ndarray:
        """The matrix with m[i, perm[i]] = signs[i] (so (m x)[i] = signs[i] x[perm[i]])."""
        m = np.zeros((self.n, self.n), dtype=np.int64)
        m[np.arange(self.n), perm] = signs
        return m

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        return [
            self.make(rng.permutation(self.n), rng.choice(np.array([-1, 1]), size=self.n))
            for _ in range(n)
        ]

    def _iter_elements(self) -> Iterator[Element]:
        for perm in itertools.permutations(range(self.n)):
            for signs in itertools.product((1, -1), repeat=self.n):
                yield self.make(np.asarray(perm), np.asarray(signs))


class GLZ(_IntegerMatrixGroup):
    """GL(n,Z) = {g ∈ Z^{n×n} : det g = ±1}.

    `sample` draws a random signed permutation times a product of `steps` random elementary
    matrices I ± E_ij (i ≠ j), rejecting a step that would make an entry exceed `max_entry` in
    absolute value: a seeded random walk, not a uniform distribution (GL(n,Z) has none); every
    element has positive probability for `steps` large enough. The sampler's settings are not
    part of the group's identity: GLZ(4, steps=3) == GLZ(4).
    """

    def __init__(self, n: int, steps: int = 12, max_entry: int = 4):
        super().__init__(n)
        if self.n < 2:
            raise ValueError("GL(n,Z) sampling by elementary matrices needs n >= 2")
        self.steps = int(steps)
        self.max_entry = int(max_entry)
        self.name = f"GL({self.n},Z)"

    def key(self) -> tuple:
        return ("GL", self.n)

    def inverse(self, g: Element) -> Element:
        return integer_inverse(g)

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        out = []
        signed = HyperoctahedralGroup(self.n)
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


# ====================================================================== rotations, reflections


class CyclicGroup(Group):
    """Z/n written multiplicatively (rotations by multiples of 2π/n); elements numpy ints k."""

    def __init__(self, n: int):
        if int(n) < 1:
            raise ValueError(f"C_n needs n >= 1, got {n}")
        self.n = int(n)
        self.name = f"C{self.n}"

    def key(self) -> tuple:
        return ("C", self.n)

    def identity(self) -> Element:
        return np.int64(0)

    def compose(self, g: Element, h: Element) -> Element:
        return np.int64((int(g) + int(h)) % self.n)

    def inverse(self, g: Element) -> Element:
        return np.int64((-int(g)) % self.n)

    def order(self) -> int:
        return self.n

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        return [np.int64(k) for k in rng.integers(0, self.n, size=n)]

    def _iter_elements(self) -> Iterator[Element]:
        for k in range(self.n):
            yield np.int64(k)


class DihedralGroup(Group):
    """D_n, the symmetries of a regular n-gon: elements int64 [k, f] = r^k s^f (rotation after flip)."""

    def __init__(self, n: int):
        if int(n) < 1:
            raise ValueError(f"D_n needs n >= 1, got {n}")
        self.n = int(n)
        self.name = f"D{self.n}"

    def key(self) -> tuple:
        return ("D", self.n)

    def identity(self) -> Element:
        return np.array([0, 0], dtype=np.int64)

    def compose(self, g: Element, h: Element) -> Element:
        # r^k1 s^f1 r^k2 s^f2 = r^(k1 + (-1)^f1 k2) s^(f1 + f2)
        k1, f1 = (int(v) for v in g)
        k2, f2 = (int(v) for v in h)
        return np.array([(k1 + (-k2 if f1 else k2)) % self.n, (f1 + f2) % 2], dtype=np.int64)

    def inverse(self, g: Element) -> Element:
        k, f = (int(v) for v in g)
        return np.array([k if f else (-k) % self.n, f], dtype=np.int64)

    def order(self) -> int:
        return 2 * self.n

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        return [
            np.array([k, f], dtype=np.int64)
            for k, f in zip(rng.integers(0, self.n, n), rng.integers(0, 2, n), strict=True)
        ]

    def _iter_elements(self) -> Iterator[Element]:
        for f in range(2):
            for k in range(self.n):
                yield np.array([k, f], dtype=np.int64)


class TranslationGroup(Group):
    """Z/n1 × ... × Z/nk (periodic translations of a grid); elements int64 arrays of shifts."""

    def __init__(self, sizes: Sequence[int]):
        self.sizes = tuple(int(s) for s in sizes)
        if not self.sizes or any(s < 1 for s in self.sizes):
            raise ValueError(f"translation sizes must be >= 1, got {self.sizes}")
        self.name = "Z" + "xZ".join(f"/{s}" for s in self.sizes)

    def key(self) -> tuple:
        return ("T", self.sizes)

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


# ====================================================================== products


class DirectProduct(Group):
    """G1 × G2 × ...; elements are tuples (g1, g2, ...)."""

    def __init__(self, *factors: Group):
        if not factors:
            raise ValueError("a product needs at least one factor")
        self.factors = tuple(factors)
        self.name = " x ".join(f.name for f in self.factors)

    def key(self) -> tuple:
        return ("x", tuple(f.key() for f in self.factors))

    def identity(self) -> Element:
        return tuple(f.identity() for f in self.factors)

    def compose(self, g: Element, h: Element) -> Element:
        return tuple(f.compose(a, b) for f, a, b in zip(self.factors, g, h, strict=True))

    def inverse(self, g: Element) -> Element:
        return tuple(f.inverse(a) for f, a in zip(self.factors, g, strict=True))

    def order(self) -> int | None:
        orders = [f.order() for f in self.factors]
        return None if any(o is None for o in orders) else math.prod(orders)  # type: ignore[arg-type]

    def is_trivial(self) -> bool:
        """Whether every factor is trivial."""
        return all(f.is_trivial() for f in self.factors)

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        parts = [f.sample(n, rng) for f in self.factors]
        return [tuple(p[i] for p in parts) for i in range(n)]

    def _iter_elements(self) -> Iterator[Element]:
        yield from itertools.product(*(f.elements() for f in self.factors))

    def is_subgroup_of(self, other: Group) -> bool:
        if self.is_trivial():
            return True
        return (
            isinstance(other, DirectProduct)
            and len(other.factors) == len(self.factors)
            and all(a.is_subgroup_of(b) for a, b in zip(self.factors, other.factors, strict=True))
        )


__all__ = [
    "ELEMENT_ATOL",
    "MAX_ENUMERATE",
    "GLZ",
    "CyclicGroup",
    "DihedralGroup",
    "DirectProduct",
    "Element",
    "Group",
    "HyperoctahedralGroup",
    "SymmetricGroup",
    "TranslationGroup",
    "Trivial",
    "check_random_state",
    "element_key",
    "elements_equal",
    "integer_inverse",
]
