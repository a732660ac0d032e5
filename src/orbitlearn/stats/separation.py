"""Do features separate orbits? Collisions of feature values between distinct orbits.

Two orbits collide when some row of one has the same feature vector as some row of the other;
collision classes are the connected components of the bipartite graph orbit — feature value
(so collisions are closed transitively). ``collision_share`` = (orbits in a class of ≥ 2
orbits) / (orbits): 0 means the features separate the orbits present in the data.

Equality: integer (and boolean) features are compared exactly. Float features are compared
after ``np.round(features, decimals)`` (default 9 decimal places; ``decimals=None`` compares the
float64 bits exactly, −0.0 and 0.0 being merged); use integer features where an exact answer
matters (the power sums and invariant polynomials of `orbitlearn.stats.features` are exact
int64 on integer input).

The same pass reports features that are *not* constant on an orbit (``non_constant_orbits``):
rows with one orbit id but different feature values — a feature map that is not invariant.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from orbitlearn.errors import OrbitlearnError
from orbitlearn.rng import check_random_state

DEFAULT_DECIMALS = 9
EXAMPLE_LIMIT = 10


@dataclass
class SeparationReport:
    """Collision statistics of a feature map on labelled orbits."""

    rows: int
    orbits: int
    distinct_features: int
    colliding_orbits: int
    collision_share: float
    collision_classes: int
    largest_collision_class: int
    largest_collision_example: list = field(default_factory=list)
    non_constant_orbits: int = 0
    non_constant_share: float = 0.0
    exact: bool = True
    decimals: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON data."""
        return asdict(self)


def feature_keys(features: Any, decimals: int | None = DEFAULT_DECIMALS) -> tuple[np.ndarray, bool]:
    """(key id per row, exact?) with equal ids ⇔ equal feature rows (floats after rounding)."""
    F = np.asarray(features)
    if F.ndim == 1:
        F = F[:, None]
    if F.ndim != 2:
        F = F.reshape(len(F), -1)
    exact = bool(np.issubdtype(F.dtype, np.integer) or F.dtype == bool)
    if not exact:
        F = F.astype(np.float64)
        if not np.isfinite(F).all():
            raise OrbitlearnError("features contain NaN or infinity: equality is undefined")
        if decimals is not None:
            F = np.round(F, decimals)
        F = F + 0.0  # −0.0 → 0.0
    if len(F) == 0:
        return np.zeros(0, dtype=np.int64), exact
    contiguous = np.ascontiguousarray(F)
    view = contiguous.view(np.dtype((np.void, contiguous.dtype.itemsize * contiguous.shape[1])))
    _, inverse = np.unique(view.ravel(), return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), exact


def orbit_separation(
    features: Any, orbit_ids: Any, *, decimals: int | None = DEFAULT_DECIMALS
) -> SeparationReport:
    """Share of orbits whose feature values collide with another orbit's: |{O : ∃O' ≠ O, F(O) ∩ F(O') ≠ ∅}| / |orbits|."""
    ids = np.asarray(orbit_ids).reshape(-1)
    keys, exact = feature_keys(features, decimals)
    if len(keys) != len(ids):
        raise OrbitlearnError(f"{len(keys)} feature rows but {len(ids)} orbit ids")
    if len(ids) == 0:
        raise OrbitlearnError("no rows: orbit separation needs at least one")
    orbit_values, orbit = np.unique(ids, return_inverse=True)
    orbit = orbit.reshape(-1)
    n_orbits, n_keys = len(orbit_values), int(keys.max()) + 1
    # bipartite graph: nodes 0..n_orbits-1 are orbits, n_orbits.. are feature values
    graph = coo_matrix(
        (np.ones(len(ids), dtype=np.int8), (orbit, n_orbits + keys)),
        shape=(n_orbits + n_keys, n_orbits + n_keys),
    )
    _, comp = connected_components(graph, directed=False)
    comp_orbits = np.bincount(comp[:n_orbits], minlength=comp.max() + 1)
    per_orbit = comp_orbits[comp[:n_orbits]]
    colliding = int((per_orbit > 1).sum())
    classes = int((comp_orbits > 1).sum())
    largest = int(comp_orbits.max()) if colliding else 1
    example: list = []
    if colliding:
        big = int(np.argmax(comp_orbits))
        members = orbit_values[np.flatnonzero(comp[:n_orbits] == big)][:EXAMPLE_LIMIT]
        example = [v.item() if hasattr(v, "item") else v for v in members]
    pairs = np.unique(np.stack([orbit, keys], axis=1), axis=0)
    values_per_orbit = np.bincount(pairs[:, 0], minlength=n_orbits)
    non_constant = int((values_per_orbit > 1).sum())
    return SeparationReport(
        rows=int(len(ids)),
        orbits=int(n_orbits),
        distinct_features=int(n_keys),
        colliding_orbits=colliding,
        collision_share=colliding / n_orbits,
        collision_classes=classes,
        largest_collision_class=largest,
        largest_collision_example=example,
        non_constant_orbits=non_constant,
        non_constant_share=non_constant / n_orbits,
        exact=exact,
        decimals=None if exact else decimals,
    )


def accuracy_ceiling(features: Any, y: Any, *, decimals: int | None = DEFAULT_DECIMALS) -> float:
    """The best accuracy of any function of the features on (features, y): Σ_v max_c #{i : F_i = v, y_i = c} / N."""
    keys, _ = feature_keys(features, decimals)
    y = np.asarray(y).reshape(-1)
    if len(y) != len(keys):
        raise OrbitlearnError(f"{len(keys)} feature rows but {len(y)} labels")
    if len(y) == 0:
        raise OrbitlearnError("no rows: the accuracy ceiling needs at least one")
    _, yi = np.unique(y, return_inverse=True)
    pairs, counts = np.unique(np.stack([keys, yi.reshape(-1)], axis=1), axis=0, return_counts=True)
    best = np.zeros(int(keys.max()) + 1, dtype=np.int64)
    np.maximum.at(best, pairs[:, 0], counts)
    return float(best.sum() / len(y))


@dataclass
class ImageSeparationReport(SeparationReport):
    """`SeparationReport` over the rows X_i and a random image g_i·X_i (orbit id = i), plus invariance."""

    group: str = ""
    changed: int = 0
    changed_share: float = 0.0


def image_separation(
    X: Any,
    transform: Any,
    group: Any,
    *,
    rng: np.random.Generator | int,
    decimals: int | None = DEFAULT_DECIMALS,
    images: Any = None,
) -> ImageSeparationReport:
    """Separation of F on {X_i} ∪ {g_i·X_i} with orbit ids i (g_i from `group.sample`), and the share with F(g_i·X_i) ≠ F(X_i).

    The rows X_i are taken to lie in distinct orbits (true for the KS list, whose entries are
    distinct polytopes up to GL(4,Z)); `transform` is a callable, an orbitlearn feature map (its stateless ``.features``) or any
    other object with ``.transform``.
    ``images`` (the g_i·X_i, drawn independently of X) may be passed to reuse one draw across
    feature maps; `rng` is then unused.
    """
    rng = check_random_state(rng)
    a = np.asarray(X)
    f = (
        transform.features
        if hasattr(transform, "features")
        else transform.transform
        if hasattr(transform, "transform")
        else transform
    )
    if images is None:
        images = group.act_batch(group.sample(len(a), rng), a)
    images = np.asarray(images)
    if images.shape != a.shape:
        raise OrbitlearnError(f"images have shape {images.shape}, the rows {a.shape}")
    F0, F1 = np.asarray(f(a)), np.asarray(f(images))
    n = len(a)
    both = np.concatenate([F0.reshape(n, -1), F1.reshape(n, -1)])
    ids = np.concatenate([np.arange(n), np.arange(n)])
    base = orbit_separation(both, ids, decimals=decimals)
    keys, _ = feature_keys(both, decimals)
    changed = int((keys[:n] != keys[n:]).sum())
    return ImageSeparationReport(
        **base.to_dict(),
        group=getattr(group, "name", str(group)),
        changed=changed,
        changed_share=changed / n,
    )
