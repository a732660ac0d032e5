"""Randomisation tests of distributional symmetry: H0: X =d g·X for g drawn from the group.

The paired swap test
--------------------
Given independent observations X_1..X_n (arrays of one event shape), draw g_1..g_n
independently from an inversion-symmetric law μ on G (μ(A) = μ(A⁻¹)) and set Y_i = g_i·X_i.
If the law P of X is invariant under every element of G, then g_i is independent of Y_i and
X_i = g_i⁻¹·Y_i, so (X_i, Y_i) =d (Y_i, X_i): swapping the two members of any subset of pairs
leaves the joint law of all pairs unchanged. A two-sample statistic T between {X_i} and {Y_i}
recomputed after independent random swaps is therefore a Monte-Carlo randomisation test, and

    p = (1 + #{b : T_b ≥ T_obs}) / (1 + B)

is valid in finite samples: P(p ≤ α) ≤ α for every α under H0 (ties only make it conservative).

Assumptions, stated once: the n observations are independent (i.i.d. draws from P); the group
elements come from `group.sample` and a random half of them are inverted, which makes μ
inversion-symmetric for any sampler (a uniform law on a finite group, e.g. S4 × S26, already
is; the GL(n,Z) random walk is not, the inversion fixes that). What is tested is the law of
one observation, not the order of the observations (see `sequence_exchangeability_test`).

Statistic
---------
T is a quadratic form in the swap signs s ∈ {±1}^n: with the pooled kernel matrix blocks
M = K_XX + K_YY − K_XY − K_YX (n × n), the unbiased squared MMD after swaps s is

    MMD²_u(s) = (sᵀ M s − tr M) / (n (n − 1)),

so all B resamples cost one (B × n) @ (n × n) product. Kernels (on events flattened to R^d):

* ``"mmd"``: Gaussian k(a, b) = exp(−‖a − b‖² / (2σ²)), σ = median of the non-zero pairwise
  distances among the pooled rows of (up to) 500 randomly chosen pairs (the median heuristic).
  The pooled multiset of each pair is unchanged by swaps, so σ is the same for every resample.
* ``"energy"``: k(a, b) = −‖a − b‖, for which MMD² is the energy distance
  2E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖ (no bandwidth).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups.action import Action
from orbitlearn.groups.algebra import Element
from orbitlearn.groups.concrete import Permutation, Product
from orbitlearn.rng import check_random_state

STATISTICS = ("mmd", "energy")
DEFAULT_RESAMPLES = 999
DEFAULT_MAX_SAMPLES = 2000
BANDWIDTH_PAIRS = 500
_CHUNK = 256
NULL_QUANTILES = (0.5, 0.9, 0.95, 0.99)


@dataclass
class ExchangeabilityResult:
    """Outcome of a randomisation test: observed statistic, p-value and the null distribution summary."""

    statistic: float
    p_value: float
    n_resamples: int
    group: str
    n_samples: int
    statistic_name: str
    kernel: str
    bandwidth: float | None
    null_mean: float
    null_std: float
    null_quantiles: dict[str, float] = field(default_factory=dict)

    def reject(self, alpha: float = 0.05) -> bool:
        """True when p ≤ α (a level-α test under the stated assumptions)."""
        return self.p_value <= alpha

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON data."""
        return asdict(self)


# --------------------------------------------------------------------------- helpers


def symmetric_sample(group: Action, n: int, rng: np.random.Generator) -> list[Element]:
    """n elements g_i ~ μ_sym = (μ + μ⁻¹)/2 with μ the group's sampler: each sample inverted with prob. 1/2."""
    gs = group.sample(n, rng)
    flip = rng.random(n) < 0.5
    return [group.inverse(g) if f else g for g, f in zip(gs, flip)]


def _check_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    if rng is None:
        raise OrbitlearnError("pass rng (a numpy Generator or an int seed): tests are seeded")
    return check_random_state(rng)


def _as_events(X: Any, group: Action) -> np.ndarray:
    a = np.asarray(X)
    if a.ndim < 2:
        raise OrbitlearnError(
            f"expected a batch of observations with shape (N, *event), got shape {a.shape}"
        )
    for axis, size in group.axis_sizes().items():
        if -axis > a.ndim - 1:
            raise OrbitlearnError(
                f"{group.name} acts on axis {axis}, but each observation has shape {a.shape[1:]}"
            )
        if size is not None and a.shape[axis] != size:
            raise OrbitlearnError(
                f"{group.name} needs size {size} on axis {axis}, observations have shape {a.shape[1:]}"
            )
    return a


def _sq_dists(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """‖a_i − b_j‖² for rows of A and B (float64, clipped at 0)."""
    d = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * (A @ B.T)
    return np.maximum(d, 0.0)


def median_bandwidth(X: np.ndarray, Y: np.ndarray, rng: np.random.Generator) -> float:
    """σ = median of the non-zero pairwise distances among the pooled rows of ≤ 500 random pairs (1.0 if none)."""
    n = len(X)
    idx = rng.choice(n, size=min(n, BANDWIDTH_PAIRS), replace=False)
    Z = np.concatenate([X[idx], Y[idx]])
    d = np.sqrt(_sq_dists(Z, Z))[np.triu_indices(len(Z), k=1)]
    d = d[d > 0]
    return float(np.median(d)) if d.size else 1.0


def _kernel(A: np.ndarray, B: np.ndarray, statistic: str, sigma: float | None) -> np.ndarray:
    d2 = _sq_dists(A, B)
    if statistic == "mmd":
        return np.exp(-d2 / (2.0 * sigma * sigma))
    return -np.sqrt(d2)


def _quadratic_forms(M: np.ndarray, S: np.ndarray) -> np.ndarray:
    """sᵀ M s for every row s of S."""
    return np.einsum("bi,bi->b", S @ M, S)


def _summary(null: np.ndarray) -> tuple[float, float, dict[str, float]]:
    qs = {f"q{int(q * 100)}": float(np.quantile(null, q)) for q in NULL_QUANTILES}
    return float(null.mean()), float(null.std()), qs


def _p_value(observed: float, null: np.ndarray) -> float:
    tol = 1e-12 * max(1.0, abs(observed))
    return float((1 + np.count_nonzero(null >= observed - tol)) / (1 + len(null)))


# --------------------------------------------------------------------------- the test


def exchangeability_test(
    X: Any,
    group: Action,
    *,
    statistic: str = "mmd",
    n_resamples: int = DEFAULT_RESAMPLES,
    rng: np.random.Generator | int | None = None,
    max_samples: int | None = DEFAULT_MAX_SAMPLES,
    elements: Sequence[Element] | None = None,
) -> ExchangeabilityResult:
    """Paired swap test of H0: X =d g·X (g ~ inversion-symmetric μ on G); T = MMD²_u(X, g·X), p = (1+#{T_b ≥ T})/(1+B).

    Parameters
    ----------
    X : array (N, *event)
        Independent observations; the group acts on the trailing (event) axes.
    group : Action
        G and its action (e.g. ``Product(Permutation(d, axis=-2), Permutation(n, axis=-1))``).
    statistic : "mmd" | "energy"
        Gaussian-kernel MMD with the median-heuristic bandwidth, or the energy distance.
    n_resamples : int
        B, the number of random swap patterns.
    rng : numpy Generator or int seed
        Drives the subsample, the group elements, the bandwidth subsample and the swaps.
    max_samples : int or None
        When N exceeds it, a uniformly random subset of this many observations is tested
        (memory and time grow as n² and B·n²); None tests all of them.
    elements : sequence of group elements, optional
        The g_i to use (one per tested observation) instead of sampling them; they must then be
        drawn independently of X from an inversion-symmetric law for the p-value to be valid.
    """
    if statistic not in STATISTICS:
        raise OrbitlearnError(
            f"unknown statistic {statistic!r}: expected one of {', '.join(STATISTICS)}"
        )
    if n_resamples < 1:
        raise OrbitlearnError(f"n_resamples must be at least 1, got {n_resamples}")
    rng = _check_rng(rng)
    a = _as_events(X, group)
    if max_samples is not None and len(a) > max_samples:
        a = a[np.sort(rng.choice(len(a), size=max_samples, replace=False))]
    n = len(a)
    if n < 2:
        raise OrbitlearnError(f"the test needs at least 2 observations, got {n}")
    gs = list(elements) if elements is not None else symmetric_sample(group, n, rng)
    if len(gs) != n:
        raise OrbitlearnError(f"{len(gs)} group elements given for {n} observations")
    b = group.act_batch(gs, a)
    Xf = a.reshape(n, -1).astype(np.float64)
    Yf = np.asarray(b).reshape(n, -1).astype(np.float64)
    sigma = median_bandwidth(Xf, Yf, rng) if statistic == "mmd" else None
    Kxy = _kernel(Xf, Yf, statistic, sigma)
    M = _kernel(Xf, Xf, statistic, sigma) + _kernel(Yf, Yf, statistic, sigma) - Kxy - Kxy.T
    trace = float(np.trace(M))
    scale = 1.0 / (n * (n - 1))
    observed = (float(M.sum()) - trace) * scale
    null = np.empty(n_resamples, dtype=np.float64)
    for s in range(0, n_resamples, _CHUNK):
        k = min(_CHUNK, n_resamples - s)
        S = rng.choice(np.array([-1.0, 1.0]), size=(k, n))
        null[s : s + k] = (_quadratic_forms(M, S) - trace) * scale
    mean, std, qs = _summary(null)
    kernel = (
        "gaussian exp(-|a-b|^2/(2 sigma^2)), sigma = median pairwise distance"
        if statistic == "mmd"
        else "energy distance, k(a,b) = -|a-b|"
    )
    return ExchangeabilityResult(
        statistic=observed,
        p_value=_p_value(observed, null),
        n_resamples=int(n_resamples),
        group=group.name,
        n_samples=n,
        statistic_name=statistic,
        kernel=kernel,
        bandwidth=sigma,
        null_mean=mean,
        null_std=std,
        null_quantiles=qs,
    )


AXES = ("rows", "columns", "both")


def axis_group(event_shape: Sequence[int], axis: str | int) -> Action:
    """The permutation group of one event axis: "columns" = S_n on the last axis, "rows" = S_m on the
    one before, "both" = S_m × S_n, or an explicit negative axis."""
    shape = tuple(int(s) for s in event_shape)
    if isinstance(axis, int) and not isinstance(axis, bool):
        if axis >= 0 or -axis > len(shape):
            raise OrbitlearnError(
                f"axis {axis} is not a (negative) axis of observations shaped {shape}"
            )
        return Permutation(shape[axis], axis=axis)
    if axis == "columns":
        return Permutation(shape[-1], axis=-1)
    if axis in ("rows", "both"):
        if len(shape) < 2:
            raise OrbitlearnError(
                f"observations shaped {shape} have no row axis: for the order of the observations "
                "themselves use sequence_exchangeability_test"
            )
        rows = Permutation(shape[-2], axis=-2)
        return rows if axis == "rows" else Product(rows, Permutation(shape[-1], axis=-1))
    raise OrbitlearnError(f"unknown axis {axis!r}: expected rows, columns, both or a negative int")


def axis_exchangeability_test(
    X: Any, axis: str | int = "columns", **kwargs: Any
) -> ExchangeabilityResult:
    """Are the entries along one axis of each observation exchangeable? H0: X =d σ·X, σ uniform on S_axis.

    ``X`` is (N, p) (variables = columns) or (N, m, n) (matrices: rows, columns or both);
    keyword arguments go to `exchangeability_test`.
    """
    a = np.asarray(X)
    if a.ndim < 2:
        raise OrbitlearnError(f"expected (N, p) or (N, m, n) observations, got shape {a.shape}")
    return exchangeability_test(a, axis_group(a.shape[1:], axis), **kwargs)


def columns_exchangeability_test(X: Any, **kwargs: Any) -> ExchangeabilityResult:
    """H0: the variables (last axis) of each observation are exchangeable, X =d X[..., σ]."""
    return axis_exchangeability_test(X, "columns", **kwargs)


def rows_exchangeability_test(X: Any, **kwargs: Any) -> ExchangeabilityResult:
    """H0: the rows (axis −2) of each matrix observation are exchangeable, X =d X[..., σ, :]."""
    return axis_exchangeability_test(X, "rows", **kwargs)


def sequence_exchangeability_test(
    X: Any,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    rng: np.random.Generator | int | None = None,
) -> ExchangeabilityResult:
    """Permutation test of H0: (X_1, …, X_N) =d (X_π(1), …, X_π(N)); T = −mean_t ‖X_{t+1} − X_t‖².

    Under H0 the observed order is a uniformly random ordering of the multiset of rows, so
    p = (1 + #{b : T_b ≥ T}) / (1 + B) over B random re-orderings is exact. T is large when
    neighbouring observations are more alike than random pairs (drift, sorting, blocks).
    """
    rng = _check_rng(rng)
    a = np.asarray(X)
    if a.ndim < 1 or len(a) < 3:
        raise OrbitlearnError(f"the sequence test needs at least 3 observations, got {len(a)}")
    if n_resamples < 1:
        raise OrbitlearnError(f"n_resamples must be at least 1, got {n_resamples}")
    Z = a.reshape(len(a), -1).astype(np.float64)

    def stat(order: np.ndarray) -> float:
        d = Z[order[1:]] - Z[order[:-1]]
        return -float((d * d).sum(1).mean())

    observed = stat(np.arange(len(Z)))
    null = np.array([stat(rng.permutation(len(Z))) for _ in range(n_resamples)])
    mean, std, qs = _summary(null)
    return ExchangeabilityResult(
        statistic=observed,
        p_value=_p_value(observed, null),
        n_resamples=int(n_resamples),
        group=f"S{len(Z)}(order of observations)",
        n_samples=len(Z),
        statistic_name="neighbour",
        kernel="-mean squared distance between consecutive observations",
        bandwidth=None,
        null_mean=mean,
        null_std=std,
        null_quantiles=qs,
    )
