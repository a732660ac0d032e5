"""Lie groups: rotations, reflections and rigid motions of R^d as float64 matrices.

A `LieGroup` is a `Group` with a Lie algebra: `dim` coordinates ξ, a basis `generators()`
(dim, D, D) with exp(ξ) = expm(Σ ξ_i A_i), `log` (its inverse on the identity component), a finite
set of `components()` c_k with every element c_k exp(ξ), Haar sampling, `testing_elements()` and
equality to within `ELEMENT_ATOL`.

Elements are (D, D) float64 arrays: rotation groups (SO(d), O(d)) use D = d, groups with
translations (SE(d), E(d), T(d)) homogeneous matrices D = d + 1, g = [[R, t], [0, 1]], acting on a
point by p ↦ R p + t. Composition is the matrix product, so ρ(gh) = ρ(g)ρ(h).

Generators: for d = 2, A = [[0, -1], [1, 0]] (counter-clockwise); for d = 3, (A_i)_jk = -ε_ijk, so
exp(θ A_z) turns x towards y and ξ = (ω_x, ω_y, ω_z) is the rotation vector. Groups with
translations put the rotation coordinates first, then the d translation coordinates.

Sampling (`sample(n, rng)`): SO(2) θ ~ U[0, 2π); SO(3) the normalised Gaussian quaternion
(uniform on SO(3)); O(d) a Haar rotation times a uniformly chosen component. Translations have no
Haar probability measure: SE(d), E(d) and T(d) draw t ~ N(0, s² I) with s = `translation_scale`
(default 1), independent of the rotation (documented, not Haar).
"""

from __future__ import annotations

import math

import numpy as np

from orbitlearn.groups.algebra import ELEMENT_ATOL, Element, Group

# ---------------------------------------------------------------------- helpers


def expm(a: np.ndarray) -> np.ndarray:
    """The matrix exponential of (..., D, D) float64 matrices (scipy, imported on first use)."""
    from scipy.linalg import expm as _expm

    return _expm(np.asarray(a, dtype=np.float64))


def rotation_generators(d: int) -> np.ndarray:
    """A basis of so(d): (1, 2, 2) for d = 2, (3, 3, 3) with (A_i)_jk = -ε_ijk for d = 3."""
    if d == 2:
        return np.array([[[0.0, -1.0], [1.0, 0.0]]])
    if d == 3:
        a = np.zeros((3, 3, 3))
        for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
            a[i, j, k] = -1.0
            a[i, k, j] = 1.0
        return a
    raise ValueError(f"rotation groups are built for d = 2 or 3, got {d}")


def rotation_log(r: np.ndarray) -> np.ndarray:
    """Coordinates ω of a rotation matrix (d = 2: the angle in (-π, π]; d = 3: the rotation vector)."""
    r = np.asarray(r, dtype=np.float64)
    if r.shape[-1] == 2:
        return np.arctan2(r[..., 1, 0], r[..., 0, 0])[..., None]
    from scipy.spatial.transform import Rotation

    flat = r.reshape(-1, 3, 3)
    return Rotation.from_matrix(flat).as_rotvec().reshape(*r.shape[:-2], 3)


def haar_rotations(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """n Haar-random rotations of SO(d), (n, d, d) float64."""
    if d == 2:
        t = rng.uniform(0.0, 2 * math.pi, size=n)
        c, s = np.cos(t), np.sin(t)
        return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)
    if d == 3:
        q = rng.standard_normal((n, 4))
        w, x, y, z = (q / np.linalg.norm(q, axis=1, keepdims=True)).T
        return np.stack(
            [
                np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
                np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
                np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
            ],
            -2,
        )
    raise ValueError(f"rotation groups are built for d = 2 or 3, got {d}")


def reflection(d: int) -> np.ndarray:
    """The reflection used as O(d)'s second component: -I for odd d (parity), diag(1, .., 1, -1) else."""
    return -np.eye(d) if d % 2 else np.diag([1.0] * (d - 1) + [-1.0])


def homogeneous(r: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
    """[[R, t], [0, 1]] from rotations (..., d, d) and translations (..., d) (t = 0 by default)."""
    r = np.asarray(r, dtype=np.float64)
    d = r.shape[-1]
    out = np.zeros((*r.shape[:-2], d + 1, d + 1))
    out[..., :d, :d] = r
    out[..., d, d] = 1.0
    if t is not None:
        out[..., :d, d] = t
    return out


def split(g: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """(R, t) of an element: a (d, d) rotation (t = 0) or a (d+1, d+1) homogeneous matrix."""
    g = np.asarray(g)
    if g.shape[-1] == d:
        return g, np.zeros((*g.shape[:-2], d), dtype=np.result_type(g, np.float64))
    return g[..., :d, :d], g[..., :d, d]


# ---------------------------------------------------------------------- the base class


class LieGroup(Group):
    """A matrix Lie group acting on R^d: dim, generators, exp/log, components, Haar sampling."""

    continuous = True
    #: the dimension of the space the group moves
    d: int = 3
    #: whether elements are homogeneous (d+1, d+1) matrices (groups with translations)
    has_translations: bool = False
    #: whether the group has a reflection component
    has_reflections: bool = False
    #: whether the group has rotations (False for pure translations)
    has_rotations: bool = True
    #: standard deviation of sampled translations (translations have no Haar probability)
    translation_scale: float = 1.0

    def __init__(self, d: int):
        self.d = int(d)
        rotation_generators(self.d)  # validates d
        self.atol = ELEMENT_ATOL

    def key(self) -> tuple:
        return (self.family, self.d)

    family = "SO"

    @property
    def matrix_size(self) -> int:
        """D: d for rotation groups, d + 1 for homogeneous ones."""
        return self.d + 1 if self.has_translations else self.d

    @property
    def dim(self) -> int:
        """The dimension of the group (of its Lie algebra)."""
        return len(self.generators())

    def generators(self) -> np.ndarray:
        """A basis A_1..A_dim of the Lie algebra, (dim, D, D) float64 (homogeneous with translations)."""
        d, D = self.d, self.matrix_size
        out = []
        if self.has_rotations:
            for a in rotation_generators(d):
                m = np.zeros((D, D))
                m[:d, :d] = a
                out.append(m)
        if self.has_translations:
            for i in range(d):
                m = np.zeros((D, D))
                m[i, d] = 1.0
                out.append(m)
        return np.stack(out)

    def components(self) -> np.ndarray:
        """Representatives c_k of the connected components, (k, D, D), identity first."""
        e = np.eye(self.matrix_size)
        if not self.has_reflections:
            return e[None]
        p = e.copy()
        p[: self.d, : self.d] = reflection(self.d)
        return np.stack([e, p])

    # ---------------------------------------------------------------- algebra
    def identity(self) -> Element:
        return np.eye(self.matrix_size)

    def compose(self, g: Element, h: Element) -> Element:
        return np.asarray(g, dtype=np.float64) @ np.asarray(h, dtype=np.float64)

    def inverse(self, g: Element) -> Element:
        r, t = split(np.asarray(g, dtype=np.float64), self.d)
        ri = np.swapaxes(r, -1, -2)
        if not self.has_translations:
            return ri.copy()
        return homogeneous(ri, -np.einsum("...ij,...j->...i", ri, t))

    def equal(self, g: Element, h: Element) -> bool:
        """Equality to within `atol` (float matrices computed two ways are one element)."""
        a, b = np.asarray(g), np.asarray(h)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=0.0, atol=self.atol))

    def contains(self, g: Element, atol: float = 1e-9) -> bool:
        """Whether the matrix g is an element (orthogonal rotation part of the right determinant)."""
        g = np.asarray(g, dtype=np.float64)
        if g.shape != (self.matrix_size,) * 2:
            return False
        r, _ = split(g, self.d)
        if self.has_translations and not np.allclose(g[self.d], np.eye(self.d + 1)[self.d]):
            return False
        if not self.has_rotations:
            return bool(np.allclose(r, np.eye(self.d), atol=atol))
        if not np.allclose(r @ r.T, np.eye(self.d), atol=atol):
            return False
        return self.has_reflections or bool(np.linalg.det(r) > 0)

    # ---------------------------------------------------------------- Lie algebra
    def hat(self, xi: np.ndarray) -> np.ndarray:
        """The algebra matrix Σ ξ_i A_i of coordinates ξ (..., dim) → (..., D, D)."""
        return np.einsum("...k,kij->...ij", np.asarray(xi, dtype=np.float64), self.generators())

    def vee(self, a: np.ndarray) -> np.ndarray:
        """The coordinates of an algebra matrix (inverse of `hat`; the basis is orthogonal)."""
        gens = self.generators()
        norms = np.einsum("kij,kij->k", gens, gens)
        return np.einsum("...ij,kij->...k", np.asarray(a, dtype=np.float64), gens) / norms

    def exp(self, xi: np.ndarray) -> np.ndarray:
        """exp(Σ ξ_i A_i): coordinates (..., dim) → elements (..., D, D) of the identity component."""
        return expm(self.hat(xi))

    def log(self, g: Element) -> np.ndarray:
        """Coordinates ξ with exp(ξ) = g, for g in the identity component (rotation angle ≤ π)."""
        g = np.asarray(g, dtype=np.float64)
        r, t = split(g, self.d)
        parts = []
        omega = None
        if self.has_rotations:
            omega = rotation_log(r)
            parts.append(omega)
        if self.has_translations:
            if omega is None:
                parts.append(t)
            else:
                parts.append(self._solve_translation(omega, t))
        return np.concatenate(parts, axis=-1)

    def _solve_translation(self, omega: np.ndarray, t: np.ndarray) -> np.ndarray:
        """τ with V(Ω) τ = t, V = ∫₀¹ exp(sΩ) ds (the top-right block of expm([[Ω, I], [0, 0]]))."""
        d = self.d
        w = np.einsum("...k,kij->...ij", omega, rotation_generators(d))
        block = np.zeros((*w.shape[:-2], 2 * d, 2 * d))
        block[..., :d, :d] = w
        block[..., :d, d:] = np.eye(d)
        v = expm(block)[..., :d, d:]
        return np.linalg.solve(v, t[..., None])[..., 0]

    def coordinates(self, g: Element) -> tuple[int, np.ndarray]:
        """(k, ξ) with g = components()[k] · exp(ξ)."""
        g = np.asarray(g, dtype=np.float64)
        comps = self.components()
        k = 0
        if len(comps) > 1:
            r, _ = split(g, self.d)
            k = 0 if np.linalg.det(r) > 0 else 1
        return k, self.log(self.inverse(comps[k]) @ g)

    def from_coordinates(self, k: int, xi: np.ndarray) -> Element:
        """components()[k] · exp(ξ)."""
        return self.components()[int(k)] @ self.exp(xi)

    # ---------------------------------------------------------------- sampling
    def sample_array(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n elements as one (n, D, D) array (see the module docstring for the distribution)."""
        d = self.d
        r = (
            haar_rotations(d, n, rng)
            if self.has_rotations
            else np.broadcast_to(np.eye(d), (n, d, d))
        )
        if self.has_reflections:
            flip = rng.integers(0, 2, size=n).astype(bool)
            r = np.where(flip[:, None, None], reflection(d) @ r, r)
        if not self.has_translations:
            return np.ascontiguousarray(r)
        t = rng.normal(0.0, self.translation_scale, size=(n, d))
        return homogeneous(r, t)

    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        """n random elements (Haar on rotations; see the module docstring for translations)."""
        return list(self.sample_array(int(n), rng))

    def testing_elements(self) -> list[Element]:
        """A fixed set of elements: identity, near-identity and near-π rotations about every axis,
        quarter turns, reflections (every component) and translations (where the group has them)."""
        d = self.d
        rots = [np.eye(d)]
        if self.has_rotations:
            gens = rotation_generators(d)
            angles = (1e-3, -1e-3, 0.5 * math.pi, math.pi - 1e-3, math.pi, 2.0)
            rots += [expm(a * g) for g in gens for a in angles]
            if d == 3:  # an oblique axis
                axis = np.array([1.0, -2.0, 0.5]) / np.linalg.norm([1.0, -2.0, 0.5])
                rots += [
                    expm(np.einsum("k,kij->ij", a * axis, gens)) for a in (0.7, math.pi - 1e-4)
                ]
        if self.has_reflections:
            p = reflection(d)
            rots = rots + [p @ r for r in rots[:: max(1, len(rots) // 6)]]
        if not self.has_translations:
            return [np.asarray(r) for r in rots]
        shifts = [np.zeros(d), np.linspace(0.5, -1.5, d), 1e-3 * np.ones(d)]
        return [homogeneous(r, shifts[i % len(shifts)]) for i, r in enumerate(rots)] + [
            homogeneous(np.eye(d), s) for s in shifts[1:]
        ]


# ---------------------------------------------------------------------- concrete groups


class _Rotations(LieGroup):
    family = "SO"

    def __init__(self, d: int):
        super().__init__(d)
        self.name = f"SO({self.d})"


class _Orthogonal(LieGroup):
    family = "O"
    has_reflections = True

    def __init__(self, d: int):
        super().__init__(d)
        self.name = f"O({self.d})"


class _Rigid(LieGroup):
    family = "SE"
    has_translations = True

    def __init__(self, d: int, translation_scale: float = 1.0):
        super().__init__(d)
        self.translation_scale = float(translation_scale)
        self.name = f"SE({self.d})"


class _Euclidean(LieGroup):
    family = "E"
    has_translations = True
    has_reflections = True

    def __init__(self, d: int, translation_scale: float = 1.0):
        super().__init__(d)
        self.translation_scale = float(translation_scale)
        self.name = f"E({self.d})"


class Translations(LieGroup):
    """T(d) = R^d, the translations, as homogeneous matrices [[I, t], [0, 1]]; t ~ N(0, s² I)."""

    family = "Rn"
    has_translations = True
    has_rotations = False

    def __init__(self, d: int = 3, translation_scale: float = 1.0):
        super().__init__(d)
        self.translation_scale = float(translation_scale)
        self.name = f"T({self.d})"


class SO2(_Rotations):
    """SO(2): rotations of the plane, 2x2; dim 1, Haar θ ~ U[0, 2π)."""

    def __init__(self) -> None:
        super().__init__(2)


class O2(_Orthogonal):
    """O(2): rotations and reflections of the plane, 2x2; dim 1; components I, diag(1, -1)."""

    def __init__(self) -> None:
        super().__init__(2)


class SO3(_Rotations):
    """SO(3): rotations of space, 3x3; dim 3, Haar = uniform (normalised Gaussian quaternion)."""

    def __init__(self) -> None:
        super().__init__(3)


class O3(_Orthogonal):
    """O(3) = SO(3) × {±I}: rotations and the parity, 3x3; dim 3."""

    def __init__(self) -> None:
        super().__init__(3)


class SE2(_Rigid):
    """SE(2): rotations and translations of the plane, 3x3 homogeneous; dim 3."""

    def __init__(self, translation_scale: float = 1.0) -> None:
        super().__init__(2, translation_scale)


class E2(_Euclidean):
    """E(2): the isometries of the plane, 3x3 homogeneous; dim 3."""

    def __init__(self, translation_scale: float = 1.0) -> None:
        super().__init__(2, translation_scale)


class SE3(_Rigid):
    """SE(3): rotations and translations of space, 4x4 homogeneous; dim 6 (ω then τ)."""

    def __init__(self, translation_scale: float = 1.0) -> None:
        super().__init__(3, translation_scale)


class E3(_Euclidean):
    """E(3): the isometries of space (rotations, parity, translations), 4x4 homogeneous; dim 6."""

    def __init__(self, translation_scale: float = 1.0) -> None:
        super().__init__(3, translation_scale)


#: the Lie groups exported by `orbitlearn.groups`, each constructible with no argument
LIE_GROUPS = (SO2, O2, SO3, O3, SE2, E2, SE3, E3, Translations)


def rotation_group(d: int, reflections: bool = False) -> LieGroup:
    """SO(d) or O(d) for d = 2 or 3."""
    return _Orthogonal(d) if reflections else _Rotations(d)


def euclidean_group(d: int, reflections: bool = True) -> LieGroup:
    """E(d) (or SE(d) without reflections) for d = 2 or 3."""
    return _Euclidean(d) if reflections else _Rigid(d)


__all__ = [
    "E2",
    "E3",
    "LIE_GROUPS",
    "O2",
    "O3",
    "SE2",
    "SE3",
    "SO2",
    "SO3",
    "LieGroup",
    "Translations",
    "euclidean_group",
    "homogeneous",
    "rotation_group",
    "split",
]
