"""Invariant feature maps (scikit-learn transformers): statistics that are constant on orbits.

* `PowerSums(K)` — sets (N, n): p_k(x) = Σ_j x_j^k, k = 1..K (S_n-invariant; with K ≥ n they
  determine the multiset of values, i.e. the empirical measure). Matrices (N, m, n): the power
  sums of every row, rows then sorted lexicographically (S_m × S_n-invariant, "row moment multiset").
* `SortedValues()` — sets: the sorted values (the empirical measure, complete for S_n);
  matrices: every row sorted, then the rows sorted lexicographically (S_m × S_n-invariant).
* `InvariantPolynomials(K)` — matrices (N, m, n) under S_m × S_n: the homomorphism sums
  t(H, X) = Σ_{φ: R→[m], ψ: C→[n]} Π_{(r,c) ∈ E(H)} X[φ(r), ψ(c)]^{mult(r,c)} over every connected
  bipartite multigraph H (row vertices R, column vertices C) with total edge multiplicity ≤ K,
  one per isomorphism class. Orbit sums of monomials of degree d are indexed by bipartite
  multigraphs with d edges, and hom sums and injective sums of the same degree span the same
  space (Möbius inversion over vertex partitions), so these features generate the algebra of
  S_m × S_n-invariant polynomials of degree ≤ K (e.g. Σx, Σx², Σ_i r_i², tr((XXᵀ)²) ...).
* `DeterminantHistogram(M)` — (d, n) matrices under GL(d,Z) × S_n: the histogram of |det X_S|
  over all d-column subsets S (values ≥ M pooled in one bin); cheap, GL-invariant, not complete.
* `CanonicalFeatures("lex" | "normal")` — the flattened exact canonical form, a complete
  invariant: LexCanonical for S_m × S_n, the polytope normal form for GL(d,Z) × S_n.

Integer inputs give exact int64 features (an overflow bound is checked first; a map whose bound
exceeds int64 falls back to float64; `exact(X)` says which, and `exact_` records it for the fit
data). `feature_map("poly:3")` builds a map from its command-line name; ``"raw"`` (`Flatten`, the
entries as given) is the non-invariant baseline.

Every map is a scikit-learn transformer (`orbitlearn.estimators.ArrayTransformer`: fit, then
transform); `features(X)` is the same map without the estimator protocol.
"""

from __future__ import annotations

import itertools
import string
from functools import cache
from typing import Any

import numpy as np

from orbitlearn.errors import OrbitlearnError
from orbitlearn.estimators import ArrayTransformer, check_input

INT64_LIMIT = 2**62
MAX_POLY_DEGREE = 6


def _is_int(a: np.ndarray) -> bool:
    return np.issubdtype(a.dtype, np.integer) or a.dtype == bool


def _sort_rows_lex(F: np.ndarray) -> np.ndarray:
    """For F (N, m, k): reorder the m rows of every item into lexicographic order (first column first)."""
    N, m, k = F.shape
    if m == 1:
        return F
    # rank rows within each item by a stable lexsort on (item, col_0, ..., col_{k-1})
    flat = F.reshape(N * m, k)
    item = np.repeat(np.arange(N), m)
    order = np.lexsort(tuple(flat[:, j] for j in range(k - 1, -1, -1)) + (item,))
    return flat[order].reshape(N, m, k)


class FeatureMap(ArrayTransformer):
    """An invariant feature map: `features(X)` (stateless) and the transformer protocol."""

    def features(self, X: Any) -> np.ndarray:
        """The features of every sample of X (2-D rows or 3-D matrices), no fit needed."""
        self._check_params()
        return self._map(self._as_matrices(check_input(X)))

    def exact(self, X: Any) -> bool:
        """Whether the features of X are computed exactly (no float fallback)."""
        return True

    def _after_fit(self, a: np.ndarray) -> None:
        self.exact_ = bool(self.exact(a))


class PowerSums(FeatureMap):
    """p_k = Σ_j x_j^k (k = 1..K) over the last axis; for matrices per row, rows sorted lexicographically."""

    input_ndims = (2, 3)

    def __init__(self, degree: int = 4, shape: tuple[int, int] | None = None):
        self.degree = degree
        self.shape = shape

    def _check_params(self) -> None:
        if self.degree < 1:
            raise OrbitlearnError(f"power sums need degree >= 1, got {self.degree}")

    def _int_exact(self, mat: np.ndarray) -> bool:
        return _is_int(mat) and (
            float(np.abs(mat).max(initial=0)) ** self.degree * mat.shape[-1] < INT64_LIMIT
        )

    def exact(self, X: Any) -> bool:
        a = np.asarray(X)
        return self._int_exact(a) or not _is_int(a)

    def _map(self, a: np.ndarray) -> np.ndarray:
        mat = a if a.ndim == 3 else a[:, None, :]
        exact = self._int_exact(mat)
        base = mat.astype(np.int64 if exact else np.float64)
        out = np.empty((*mat.shape[:2], self.degree), dtype=base.dtype)
        power = np.ones_like(base)
        for k in range(self.degree):
            power = power * base
            out[..., k] = power.sum(-1)
        return _sort_rows_lex(out).reshape(len(a), -1)


class SortedValues(FeatureMap):
    """Sorted values of each set; for matrices every row sorted, then the rows sorted lexicographically."""

    input_ndims = (2, 3)

    def __init__(self, shape: tuple[int, int] | None = None):
        self.shape = shape

    def _map(self, a: np.ndarray) -> np.ndarray:
        mat = a if a.ndim == 3 else a[:, None, :]
        return _sort_rows_lex(np.sort(mat, axis=-1)).reshape(len(a), -1)


# --------------------------------------------------------------------------- invariant polynomials


def _connected(A: np.ndarray) -> bool:
    a, b = A.shape
    adj = A > 0
    seen_r, seen_c = {0}, set()
    frontier = [("r", 0)]
    while frontier:
        side, v = frontier.pop()
        if side == "r":
            for c in np.flatnonzero(adj[v]):
                if c not in seen_c:
                    seen_c.add(int(c))
                    frontier.append(("c", int(c)))
        else:
            for r in np.flatnonzero(adj[:, v]):
                if r not in seen_r:
                    seen_r.add(int(r))
                    frontier.append(("r", int(r)))
    return len(seen_r) == a and len(seen_c) == b


def _canonical_key(A: np.ndarray) -> tuple:
    """Isomorphism class of a bipartite multigraph (rows and columns kept apart): max over S_a × S_b."""
    a, b = A.shape
    best = None
    for p in itertools.permutations(range(a)):
        B = A[list(p)]
        cols = sorted((tuple(B[:, j]) for j in range(b)), reverse=True)
        key = tuple(cols)
        if best is None or key > best:
            best = key
    return (a, b, best)


@cache
def bipartite_multigraphs(degree: int) -> tuple[np.ndarray, ...]:
    """Connected bipartite multigraphs with total edge multiplicity exactly `degree`, one per class,
    as (a, b) multiplicity matrices with no empty row or column (a + b ≤ degree + 1)."""
    out: dict[tuple, np.ndarray] = {}
    for a in range(1, degree + 1):
        for b in range(1, degree + 2 - a):
            cells = a * b
            # compositions of `degree` into `cells` non-negative parts (stars and bars)
            for bars in itertools.combinations(range(degree + cells - 1), cells - 1):
                parts = np.diff(np.array((-1, *bars, degree + cells - 1))) - 1
                A = parts.reshape(a, b)
                if (A.sum(1) == 0).any() or (A.sum(0) == 0).any() or not _connected(A):
                    continue
                key = _canonical_key(A)
                out.setdefault(key, A.astype(np.int64))
    return tuple(out[k] for k in sorted(out, key=lambda k: (k[0] + k[1], k)))


def _graph_name(A: np.ndarray) -> str:
    return "/".join("".join(str(v) for v in row) for row in A)


class InvariantPolynomials(FeatureMap):
    """t(H, X) = Σ_{φ,ψ} Π_{(r,c)∈H} X[φ(r), ψ(c)]^mult for connected bipartite multigraphs H with ≤ K edges."""

    def __init__(self, degree: int = 3, shape: tuple[int, int] | None = None, chunk: int = 8192):
        self.degree = degree
        self.shape = shape
        self.chunk = chunk

    def graphs(self) -> list[np.ndarray]:
        """The multigraphs H (multiplicity matrices), in feature order."""
        if not 1 <= self.degree <= MAX_POLY_DEGREE:
            raise OrbitlearnError(
                f"invariant polynomials are built for degree 1..{MAX_POLY_DEGREE}, got {self.degree}"
            )
        return [A for d in range(1, self.degree + 1) for A in bipartite_multigraphs(d)]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """One name per feature: ``hom[H]`` for the multigraph H."""
        return np.array([f"hom[{_graph_name(A)}]" for A in self.graphs()], dtype=object)

    def _check_params(self) -> None:
        self.graphs()

    def _int_exact(self, a: np.ndarray) -> bool:
        m, n = a.shape[-2:]
        vmax = float(np.abs(a).max(initial=0))
        bound = max(vmax ** int(A.sum()) * m ** A.shape[0] * n ** A.shape[1] for A in self.graphs())
        return _is_int(a) and bound < INT64_LIMIT

    def exact(self, X: Any) -> bool:
        return self._int_exact(np.asarray(X))

    def _map(self, a: np.ndarray) -> np.ndarray:
        graphs = self.graphs()
        N, m, n = a.shape
        exact = self._int_exact(a)
        dtype = np.int64 if exact else np.float64
        base = a.astype(dtype)
        powers = {1: base}
        for k in range(2, self.degree + 1):
            powers[k] = powers[k - 1] * base
        out = np.empty((N, len(graphs)), dtype=dtype)
        letters = string.ascii_letters.replace("z", "")
        for gi, A in enumerate(graphs):
            ra, cb = A.shape
            rows, cols = letters[:ra], letters[ra : ra + cb]
            subs, ops = [], []
            for r in range(ra):
                for c in range(cb):
                    if A[r, c]:
                        subs.append(f"z{rows[r]}{cols[c]}")
                        ops.append(int(A[r, c]))
            expr = ",".join(subs) + "->z"
            for s in range(0, N, self.chunk):
                operands = [powers[k][s : s + self.chunk] for k in ops]
                out[s : s + self.chunk, gi] = np.einsum(expr, *operands, optimize="greedy")
        return out


# --------------------------------------------------------------------------- determinants


def _minor_index(n: int) -> tuple[np.ndarray, dict[tuple[int, int], int]]:
    pairs = list(itertools.combinations(range(n), 2))
    return np.array(pairs, dtype=np.int64), {p: i for i, p in enumerate(pairs)}


@cache
def _laplace4_plan(n: int) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, int]]]:
    """Index plan for det X_S, |S| = 4, by Laplace expansion along rows (0,1) | (2,3) over 2 × 2 minors."""
    pairs, pos = _minor_index(n)
    quads = np.array(list(itertools.combinations(range(n), 4)), dtype=np.int64)
    a, b, c, e = quads.T

    def ix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.array([pos[(int(i), int(j))] for i, j in zip(x, y)], dtype=np.int64)

    terms = [
        (ix(a, b), ix(c, e), 1),
        (ix(a, c), ix(b, e), -1),
        (ix(a, e), ix(b, c), 1),
        (ix(b, c), ix(a, e), 1),
        (ix(b, e), ix(a, c), -1),
        (ix(c, e), ix(a, b), 1),
    ]
    return pairs, terms


def subset_determinants(X: np.ndarray) -> np.ndarray:
    """|det X_S| for every d-subset S of the n columns of each (d, n) matrix: (N, C(n, d)) int64.

    d = 4 (the KS case) is exact integer arithmetic (Laplace expansion over 2 × 2 minors); other d
    use float64 LU determinants rounded to the nearest integer (exact while |det| < 2^40, checked).
    """
    a = np.asarray(X)
    N, d, n = a.shape
    if d > n:
        raise OrbitlearnError(f"determinants of {d}-column subsets need n >= d, got {d} x {n}")
    if d == 4 and _is_int(a) and float(np.abs(a).max(initial=0)) <= 2**14:
        pairs, terms = _laplace4_plan(n)
        # |minor| ≤ 2 vmax², |det| ≤ 6 (2 vmax²)²: int32 is exact for vmax ≤ 64
        v = a.astype(np.int32 if float(np.abs(a).max(initial=0)) <= 64 else np.int64)
        m01 = (
            v[:, 0, pairs[:, 0]] * v[:, 1, pairs[:, 1]]
            - v[:, 0, pairs[:, 1]] * v[:, 1, pairs[:, 0]]
        )
        m23 = (
            v[:, 2, pairs[:, 0]] * v[:, 3, pairs[:, 1]]
            - v[:, 2, pairs[:, 1]] * v[:, 3, pairs[:, 0]]
        )
        det = np.zeros((N, len(terms[0][0])), dtype=v.dtype)
        for i, j, sign in terms:
            det += sign * m01[:, i] * m23[:, j]
        return np.abs(det).astype(np.int64)
    subsets = np.array(list(itertools.combinations(range(n), d)), dtype=np.int64)
    sub = np.moveaxis(a[:, :, subsets].astype(np.float64), 1, 2)  # (N, C, d, d)
    det = np.abs(np.linalg.det(sub))
    if det.size and det.max() >= 2**40:
        raise OrbitlearnError("subset determinants too large to round exactly from float64")
    return np.rint(det).astype(np.int64)


class DeterminantHistogram(FeatureMap):
    """Counts of |det X_S| = v (v < M) and of |det X_S| ≥ M over all d-column subsets S: GL(d,Z) × S_n-invariant.

    det(gX_S) = det(g) det(X_S) = ±det(X_S) for g ∈ GL(d,Z), and S_n permutes the subsets, so the
    multiset of |det X_S| is invariant; the histogram is that multiset exactly when the last
    (overflow) count is 0 (on KS v26 every |det| ≤ 65 < 128 = the default M). Real (non-integer)
    matrices are counted in the bins ⌊|det X_S|⌋, still invariant.
    """

    keeps_dtype = False  # counts

    def __init__(self, max_value: int = 128, chunk: int = 1000):
        self.max_value = max_value
        self.chunk = chunk

    def _check_params(self) -> None:
        if self.max_value < 1:
            raise OrbitlearnError(f"dets needs at least 1 bin, got {self.max_value}")

    def exact(self, X: Any) -> bool:
        return _is_int(np.asarray(X))

    def _map(self, a: np.ndarray) -> np.ndarray:
        M = int(self.max_value)
        integral = _is_int(a) or bool(np.array_equal(a, np.rint(a)))
        out = np.zeros((len(a), M + 1), dtype=np.int64)
        for s in range(0, len(a), self.chunk):
            blk = a[s : s + self.chunk]
            if integral:
                dets = subset_determinants(
                    np.rint(blk).astype(np.int64) if not _is_int(blk) else blk
                )
            else:
                dets = _floor_abs_determinants(blk)
            D = np.minimum(dets, M)
            rows = np.arange(len(D))[:, None] * (M + 1)
            out[s : s + len(D)] = np.bincount(
                (D + rows).ravel(), minlength=len(D) * (M + 1)
            ).reshape(len(D), M + 1)
        return out


def _floor_abs_determinants(X: np.ndarray) -> np.ndarray:
    """⌊|det X_S|⌋ for every d-column subset S of real (d, n) matrices: (N, C(n, d)) int64."""
    N, d, n = X.shape
    if d > n:
        raise OrbitlearnError(f"determinants of {d}-column subsets need n >= d, got {d} x {n}")
    subsets = np.array(list(itertools.combinations(range(n), d)), dtype=np.int64)
    sub = np.moveaxis(X[:, :, subsets].astype(np.float64), 1, 2)  # (N, C, d, d)
    det = np.abs(np.linalg.det(sub))
    return np.floor(np.minimum(det, 2.0**62)).astype(np.int64)


# --------------------------------------------------------------------------- canonical forms


class CanonicalFeatures(FeatureMap):
    """The flattened exact canonical form π(X): "lex" (S_m × S_n) or "normal" (GL(d,Z) × S_n)."""

    def __init__(self, method: str = "lex", shape: tuple[int, int] | None = None):
        self.method = method
        self.shape = shape

    def _check_params(self) -> None:
        if self.method not in ("lex", "normal"):
            raise OrbitlearnError(f"unknown canonical form {self.method!r}: expected lex or normal")

    def _map(self, a: np.ndarray) -> np.ndarray:
        from orbitlearn.canon.lex import LexCanonical
        from orbitlearn.canon.normal import PolytopeNormalForm

        canon = LexCanonical() if self.method == "lex" else PolytopeNormalForm()
        return np.asarray(canon.project(a)).reshape(len(a), -1)


class Flatten(FeatureMap):
    """The matrix entries as given, flattened: NOT invariant (the baseline every invariant map is compared with)."""

    input_ndims = (2, 3)

    def _map(self, a: np.ndarray) -> np.ndarray:
        return a.reshape(len(a), -1)


FEATURE_NAMES = ("power-sums:K", "sorted", "poly:K", "lex", "normal", "dets[:M]", "raw")


def feature_map(spec: str) -> FeatureMap:
    """The feature map named on the command line: power-sums:K, sorted, poly:K, lex, normal, dets[:M] or raw."""
    name, _, arg = spec.partition(":")
    if name in ("power-sums", "poly"):
        try:
            k = int(arg)
        except ValueError:
            raise OrbitlearnError(
                f"feature {spec!r}: {name} needs a degree, e.g. {name}:3"
            ) from None
        if name == "power-sums":
            if k < 1:
                raise OrbitlearnError(f"feature {spec!r}: the degree must be at least 1")
            return PowerSums(k)
        if not 1 <= k <= MAX_POLY_DEGREE:
            raise OrbitlearnError(f"feature {spec!r}: the degree must be in 1..{MAX_POLY_DEGREE}")
        return InvariantPolynomials(k)
    if name == "dets":
        try:
            m = int(arg) if arg else 128
        except ValueError:
            raise OrbitlearnError(
                f"feature {spec!r}: dets takes a bin count, e.g. dets:128"
            ) from None
        if m < 1:
            raise OrbitlearnError(f"feature {spec!r}: the bin count must be at least 1")
        return DeterminantHistogram(m)
    if arg:
        raise OrbitlearnError(f"feature {spec!r}: {name} takes no argument")
    if name == "sorted":
        return SortedValues()
    if name == "raw":
        return Flatten()
    if name in ("lex", "normal"):
        return CanonicalFeatures(name)
    raise OrbitlearnError(
        f"unknown feature map {spec!r}: expected one of {', '.join(FEATURE_NAMES)}"
    )


def n_features(degree: int) -> int:
    """How many invariant polynomials `InvariantPolynomials(degree)` returns."""
    return sum(len(bipartite_multigraphs(d)) for d in range(1, degree + 1))


__all__ = [
    "PowerSums",
    "SortedValues",
    "InvariantPolynomials",
    "CanonicalFeatures",
    "Flatten",
    "DeterminantHistogram",
    "subset_determinants",
    "bipartite_multigraphs",
    "feature_map",
    "n_features",
    "FEATURE_NAMES",
]
