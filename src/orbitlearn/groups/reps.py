"""Representations of Lie groups, apart from where they act: ρ(g) as matrices, dρ(A) on the algebra.

A `Rep` maps a batch of elements (B, D_g, D_g) (or a list of them) to (B, D, D) matrices with
ρ(gh) = ρ(g)ρ(h), and an algebra matrix A (..., D_g, D_g) to dρ(A) = d/ds ρ(exp(sA)) at s = 0:

    TrivialRep        ρ(g) = 1
    StandardRep       ρ(g) = g (the defining matrices; homogeneous ones for groups with translations)
    DeterminantRep    ρ(g) = det R (the parity of O(d), E(d); 1 on SO(d))
    SO2Irrep(k)    rotation by kθ (2x2; k = 0 is trivial, 1x1)
    SO3Irrep(l)    the real Wigner matrices D^l (l ≤ 3), times det R^p for parity p (O3Irrep)
    DirectSum      block diagonal;  TensorProduct  Kronecker products

SO(3) irreps use the real basis of e3nn (≥ 0.6): the real spherical harmonics of degree l with
the polar axis along y, ordered m = −l..l, so D^1(R) = R and Y(R x) = D^l(R) Y(x);
`irreps("2x0e + 1o")` reads e3nn's irreps strings. `RepAction(rep, axis)` moves one axis of an
array by ρ(g) (dtypes promoted as for every matrix action).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache
from itertools import product as iproduct
from typing import Any

import numpy as np

from orbitlearn.groups.action import Action, norm_axis
from orbitlearn.groups.algebra import Element
from orbitlearn.groups.backend import ArrayLike, matmul_axis, matmul_axis_batch
from orbitlearn.groups.lie import LieGroup, split

MAX_L = 3


def _stack(gs: Any) -> np.ndarray:
    """A batch of elements as one (B, D, D) float64 array."""
    a = np.asarray(list(gs) if not isinstance(gs, np.ndarray) else gs, dtype=np.float64)
    return a[None] if a.ndim == 2 else a


class Rep:
    """A representation ρ of `group` of size `size`; call it on a batch of elements."""

    group: LieGroup
    size: int = 1
    name: str = "rho"

    def __call__(self, gs: Any) -> np.ndarray:
        """(B, size, size) matrices ρ(g_b)."""
        return self.matrices(_stack(gs))

    def matrices(self, g: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """ρ of a (B, D_g, D_g) float64 batch."""
        raise NotImplementedError

    def d(self, a: np.ndarray) -> np.ndarray:
        """dρ(A) for algebra matrices A (..., D_g, D_g) → (..., size, size)."""
        a = np.asarray(a, dtype=np.float64)
        flat = a.reshape(-1, *a.shape[-2:])
        return self.algebra(flat).reshape(*a.shape[:-2], self.size, self.size)

    def algebra(self, a: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """dρ of a (B, D_g, D_g) batch."""
        raise NotImplementedError

    def __add__(self, other: Rep) -> DirectSum:
        return DirectSum(self, other)

    def __matmul__(self, other: Rep) -> TensorProduct:
        return TensorProduct(self, other)

    def __repr__(self) -> str:
        return self.name


class TrivialRep(Rep):
    """ρ(g) = 1 (1x1), dρ = 0."""

    def __init__(self, group: LieGroup):
        self.group, self.size, self.name = group, 1, "0"

    def matrices(self, g: np.ndarray) -> np.ndarray:
        return np.ones((len(g), 1, 1))

    def algebra(self, a: np.ndarray) -> np.ndarray:
        return np.zeros((len(a), 1, 1))


class StandardRep(Rep):
    """ρ(g) = g, the defining (D_g x D_g) matrices; dρ(A) = A."""

    def __init__(self, group: LieGroup):
        self.group, self.size, self.name = group, group.matrix_size, "std"

    def matrices(self, g: np.ndarray) -> np.ndarray:
        return g.copy()

    def algebra(self, a: np.ndarray) -> np.ndarray:
        return a.copy()


class DeterminantRep(Rep):
    """ρ(g) = det R (±1, the parity); dρ = 0 (the algebra of so(d) is traceless)."""

    def __init__(self, group: LieGroup):
        self.group, self.size, self.name = group, 1, "det"

    def matrices(self, g: np.ndarray) -> np.ndarray:
        r, _ = split(g, self.group.d)
        return np.sign(np.linalg.det(r))[:, None, None]

    def algebra(self, a: np.ndarray) -> np.ndarray:
        return np.zeros((len(a), 1, 1))


class SO2Irrep(Rep):
    """The frequency-k irrep of SO(2): rotation by kθ (2x2), the trivial 1x1 for k = 0."""

    def __init__(self, group: LieGroup, k: int):
        if group.d != 2 or group.has_reflections:
            raise ValueError(f"SO2Irrep needs SO(2) or SE(2), not {group}")
        self.group, self.k = group, int(k)
        self.size, self.name = (1 if self.k == 0 else 2), f"f{self.k}"

    def matrices(self, g: np.ndarray) -> np.ndarray:
        r, _ = split(g, 2)
        th = self.k * np.arctan2(r[:, 1, 0], r[:, 0, 0])
        if self.k == 0:
            return np.ones((len(g), 1, 1))
        c, s = np.cos(th), np.sin(th)
        return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)

    def algebra(self, a: np.ndarray) -> np.ndarray:
        if self.k == 0:
            return np.zeros((len(a), 1, 1))
        w = a[:, 1, 0] * self.k
        z = np.zeros_like(w)
        return np.stack([np.stack([z, -w], -1), np.stack([w, z], -1)], -2)


# ---------------------------------------------------------------------- SO(3) irreps


def _sphere_integral(a: int, b: int, c: int) -> float:
    """∫_{S²} x^a y^b z^c dΩ."""
    if a % 2 or b % 2 or c % 2:
        return 0.0
    g = math.gamma
    return 2 * g((a + 1) / 2) * g((b + 1) / 2) * g((c + 1) / 2) / g((a + b + c + 3) / 2)


def _real_harmonics_standard(degree: int) -> list[dict[tuple[int, int, int], float]]:
    """Real solid harmonics of degree l, polar axis Z, m = −l..l, as {(a, b, c): coef} in (X, Y, Z).

    From r^l P_l^|m| written with the binomial expansion of (X ± iY)^|m| (no Condon-Shortley sign)."""
    out = []
    for m in range(-degree, degree + 1):
        am = abs(m)
        poly: dict[tuple[int, int, int], float] = {}
        # Re / Im of (X + iY)^|m|
        ab = {}
        for k in range(am + 1):
            coef = math.comb(am, k)
            phase = k % 4  # i^k
            if m >= 0 and phase in (0, 2):
                ab[(am - k, k)] = coef * (1 if phase == 0 else -1)
            if m < 0 and phase in (1, 3):
                ab[(am - k, k)] = coef * (1 if phase == 1 else -1)
        # d^|m|/dt^|m| P_l(t) as a polynomial in Z with r² = X² + Y² + Z² (homogenised)
        # P_l(t) = Σ_k (-1)^k (2l-2k)! / (2^l k! (l-k)! (l-2k)!) t^(l-2k)
        zr = {}
        for k in range((degree - am) // 2 + 1):
            p = degree - 2 * k
            if p < am:
                continue
            c = (
                (-1) ** k
                * math.factorial(2 * degree - 2 * k)
                / (2**degree * math.factorial(k) * math.factorial(degree - k) * math.factorial(p))
                * math.factorial(p)
                / math.factorial(p - am)
            )
            zr[(p - am, k)] = c  # Z^(p-am) r^(2k)
        for (xa, yb), c1 in ab.items():
            for (zc, k), c2 in zr.items():
                # expand r^(2k) = (X² + Y² + Z²)^k
                for i, j in iproduct(range(k + 1), repeat=2):
                    if i + j > k:
                        continue
                    mult = math.factorial(k) / (
                        math.factorial(i) * math.factorial(j) * math.factorial(k - i - j)
                    )
                    key = (xa + 2 * i, yb + 2 * j, zc + 2 * (k - i - j))
                    poly[key] = poly.get(key, 0.0) + c1 * c2 * mult
        out.append({k: v for k, v in poly.items() if v != 0.0})
    return out


@cache
def _e3nn_basis(degree: int) -> tuple[tuple[tuple[tuple[int, int, int], float], ...], ...]:
    """The degree-l basis in (x, y, z): the standard one with (X, Y, Z) = (z, x, y), normalised."""
    basis = []
    for poly in _real_harmonics_standard(degree):
        moved = {(b, c, a): v for (a, b, c), v in poly.items()}  # X=z, Y=x, Z=y → powers of x,y,z
        norm = math.sqrt(
            sum(
                v1 * v2 * _sphere_integral(a1 + a2, b1 + b2, c1 + c2)
                for (a1, b1, c1), v1 in moved.items()
                for (a2, b2, c2), v2 in moved.items()
            )
        )
        basis.append(tuple((k, v / norm) for k, v in sorted(moved.items())))
    return tuple(basis)


def _eval(degree: int, x: np.ndarray) -> np.ndarray:
    """The basis at points x (..., 3) → (..., 2l+1)."""
    cols = []
    for poly in _e3nn_basis(degree):
        val = np.zeros(x.shape[:-1])
        for (a, b, c), v in poly:
            val = val + v * x[..., 0] ** a * x[..., 1] ** b * x[..., 2] ** c
        cols.append(val)
    return np.stack(cols, -1)


def _eval_grad(degree: int, x: np.ndarray) -> np.ndarray:
    """Gradients of the basis at points x (..., 3) → (..., 2l+1, 3)."""
    out = np.zeros((*x.shape[:-1], 2 * degree + 1, 3))
    for m, poly in enumerate(_e3nn_basis(degree)):
        for (a, b, c), v in poly:
            pw = (a, b, c)
            for axis in range(3):
                if pw[axis] == 0:
                    continue
                q = list(pw)
                q[axis] -= 1
                out[..., m, axis] += (
                    v * pw[axis] * x[..., 0] ** q[0] * x[..., 1] ** q[1] * x[..., 2] ** q[2]
                )
    return out


@cache
def _probe(degree: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed generic points and the pseudo-inverse of the basis there (D = Y(RX) Y(X)⁺)."""
    pts = np.random.default_rng(12345).normal(size=(4 * (2 * degree + 1), 3))
    return pts, np.linalg.pinv(_eval(degree, pts).T)


class SO3Irrep(Rep):
    """D^l(R) of SO(3) (size 2l+1, l ≤ 3) in e3nn's real basis, times det(R)^… for a parity.

    `parity` None: a representation of SO(3) (or SE(3) through its rotation part);
    +1 / −1 (e3nn's "e" / "o"): of O(3) or E(3), with ρ(g) = D^l(det(R) R) · parity^[det R < 0].
    """

    def __init__(self, group: LieGroup, degree: int, parity: int | None = None):
        if group.d != 3 or not group.has_rotations:
            raise ValueError(f"SO3Irrep needs a group of rotations of space, not {group}")
        if not 0 <= int(degree) <= MAX_L:
            raise ValueError(f"SO3 irreps are built for 0 <= degree <= {MAX_L}, got {degree}")
        if group.has_reflections and parity is None:
            raise ValueError(f"{group} has reflections: give parity=+1 (even) or -1 (odd)")
        self.group, self.degree, self.parity = group, int(degree), parity
        self.size = 2 * self.degree + 1
        self.name = f"{self.degree}" + ("" if parity is None else ("e" if parity > 0 else "o"))

    def matrices(self, g: np.ndarray) -> np.ndarray:
        r, _ = split(g, 3)
        det = np.sign(np.linalg.det(r))
        rot = r * det[:, None, None]
        pts, pinv = _probe(self.degree)
        moved = _eval(self.degree, np.einsum("bij,nj->bni", rot, pts))  # Y(R X), (B, N, 2l+1)
        d = np.einsum("bnm,nk->bmk", moved, pinv)
        if self.parity is not None:
            d = d * np.where(det < 0, float(self.parity), 1.0)[:, None, None]
        return d

    def algebra(self, a: np.ndarray) -> np.ndarray:
        omega = a[:, :3, :3]
        pts, pinv = _probe(self.degree)
        grads = _eval_grad(self.degree, pts)  # (N, 2l+1, 3)
        vel = np.einsum("bij,nj->bni", omega, pts)  # Ω X
        dy = np.einsum("nmi,bni->bnm", grads, vel)
        return np.einsum("bnm,nk->bmk", dy, pinv)


# ---------------------------------------------------------------------- sums and products


class DirectSum(Rep):
    """ρ_1 ⊕ ρ_2 ⊕ ...: block-diagonal matrices."""

    def __init__(self, *reps: Rep):
        if not reps:
            raise ValueError("a direct sum needs at least one representation")
        flat: list[Rep] = []
        for r in reps:
            flat.extend(r.reps if isinstance(r, DirectSum) else [r])
        self.reps = tuple(flat)
        self.group = flat[0].group
        self.size = sum(r.size for r in flat)
        self.name = "+".join(r.name for r in flat)

    def _blocks(self, mats: list[np.ndarray]) -> np.ndarray:
        out = np.zeros((len(mats[0]), self.size, self.size))
        i = 0
        for m in mats:
            k = m.shape[-1]
            out[:, i : i + k, i : i + k] = m
            i += k
        return out

    def matrices(self, g: np.ndarray) -> np.ndarray:
        return self._blocks([r.matrices(g) for r in self.reps])

    def algebra(self, a: np.ndarray) -> np.ndarray:
        return self._blocks([r.algebra(a) for r in self.reps])


class TensorProduct(Rep):
    """ρ_1 ⊗ ρ_2: Kronecker products; dρ = dρ_1 ⊗ I + I ⊗ dρ_2."""

    def __init__(self, a: Rep, b: Rep):
        self.a, self.b, self.group = a, b, a.group
        self.size = a.size * b.size
        self.name = f"({a.name})x({b.name})"

    @staticmethod
    def _kron(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        b, p, q = x.shape[0], x.shape[1] * y.shape[1], x.shape[2] * y.shape[2]
        return np.einsum("bij,bkl->bikjl", x, y).reshape(b, p, q)

    def matrices(self, g: np.ndarray) -> np.ndarray:
        return self._kron(self.a.matrices(g), self.b.matrices(g))

    def algebra(self, a: np.ndarray) -> np.ndarray:
        ea = np.broadcast_to(np.eye(self.a.size), (len(a), self.a.size, self.a.size))
        eb = np.broadcast_to(np.eye(self.b.size), (len(a), self.b.size, self.b.size))
        return self._kron(self.a.algebra(a), eb) + self._kron(ea, self.b.algebra(a))


_IRREP = re.compile(r"^\s*(?:(\d+)\s*x\s*)?(\d+)\s*([eo])?\s*$")


def irreps(spec: str | Any, group: LieGroup | None = None) -> DirectSum:
    """The representation of an e3nn irreps string ("2x0e + 1o + 2e"; or an e3nn `Irreps`, read
    through str), of O(3) by default (SO(3) when the group has no reflections)."""
    from orbitlearn.groups.lie import O3

    group = group if group is not None else O3()
    parts: list[Rep] = []
    for term in str(spec).split("+"):
        m = _IRREP.match(term)
        if not m:
            raise ValueError(f"cannot read irreps term {term!r} of {spec!r}")
        mul, degree, p = int(m.group(1) or 1), int(m.group(2)), m.group(3)
        parity = None if not group.has_reflections else (1 if p != "o" else -1)
        parts += [SO3Irrep(group, degree, parity)] * mul
    return DirectSum(*parts)


# ---------------------------------------------------------------------- where it acts


class RepAction(Action):
    """The group acting on one axis of an array by ρ(g): x ↦ ρ(g) x along `axis` (features)."""

    kind = "rep"

    def __init__(self, rep: Rep, axis: int = -1):
        self.rep = rep
        self.group = rep.group
        self.axis = norm_axis(axis)
        self.name = f"{rep.group.name}[{rep.name}](axis={self.axis})"

    def key(self) -> tuple:
        return (self.kind, self.axis, self.rep.name, self.group.key())

    @property
    def axes(self) -> tuple[int, ...]:
        return (self.axis,)

    def axis_sizes(self) -> dict[int, int | None]:
        return {self.axis: self.rep.size}

    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        """ρ(g) applied along the axis."""
        return matmul_axis(self.rep(g)[0], x, self.axis)

    def act_batch(self, gs: Sequence[Element], x: ArrayLike) -> ArrayLike:
        """ρ(gs[b]) applied to x[b]."""
        return matmul_axis_batch(self.rep(np.stack(list(gs))), x, self.axis)

    def tangent(self, a: np.ndarray, x: ArrayLike) -> ArrayLike:
        """dρ(A) applied along the axis (the infinitesimal action)."""
        return matmul_axis(self.rep.d(a), x, self.axis)


__all__ = [
    "MAX_L",
    "DeterminantRep",
    "DirectSum",
    "Rep",
    "RepAction",
    "SO2Irrep",
    "SO3Irrep",
    "StandardRep",
    "TensorProduct",
    "TrivialRep",
    "irreps",
]
