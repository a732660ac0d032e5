"""Invariant feature maps are invariant; canonical forms separate orbits; weak maps collide."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitlearn.apps.ks.names import get_group
from orbitlearn.canon import LexCanonical
from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups import Permutation, Product
from orbitlearn.stats import (
    CanonicalFeatures,
    InvariantPolynomials,
    PowerSums,
    SortedValues,
    accuracy_ceiling,
    bipartite_multigraphs,
    feature_map,
    image_separation,
    orbit_separation,
    subset_determinants,
)
from orbitlearn.symmetry import invariance_error

MAPS = {
    "power-sums:3": PowerSums(3),
    "sorted": SortedValues(),
    "poly:4": InvariantPolynomials(4),
    "lex": CanonicalFeatures("lex"),
}


def _as_float(fmap):
    return lambda x: fmap.features(x).astype(np.float64)


@pytest.mark.parametrize("name", sorted(MAPS))
def test_features_invariant_under_sampled_elements(name):
    """‖F(g·x) − F(x)‖ = 0 exactly for 32 sampled g ∈ S3 × S5 on integer matrices."""
    group = Product(Permutation(3, axis=-2), Permutation(5, axis=-1))
    x = np.random.default_rng(0).integers(-3, 4, size=(40, 3, 5))
    report = invariance_error(_as_float(MAPS[name]), group, x, n_samples=32, rng=1)
    assert report.max_abs == 0.0


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    m=st.integers(1, 4),
    n=st.integers(1, 6),
    degree=st.integers(1, 4),
)
def test_invariant_polynomials_property(data, m, n, degree):
    """For random integer matrices and random (σ, τ) ∈ S_m × S_n: t(H, σXτ) = t(H, X) exactly."""
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, size=(3, m, n))
    group = Product(Permutation(m, axis=-2), Permutation(n, axis=-1))
    gs = group.sample(3, rng)
    fmap = InvariantPolynomials(degree)
    assert np.array_equal(fmap.features(x), fmap.features(group.act_batch(gs, x)))


def test_poly_features_invariant_on_v26_images(v26):
    x = v26.vertices[:300]
    group = get_group("s4xs26")
    report = invariance_error(_as_float(InvariantPolynomials(4)), group, x, n_samples=4, rng=0)
    assert report.max_abs == 0.0
    gl = image_separation(x, InvariantPolynomials(3), get_group("gl4z"), rng=0)
    assert gl.changed_share > 0.9  # Σ x_ij etc. are not GL(4,Z)-invariant, and the test sees it


def test_known_invariant_polynomials():
    """Degree ≤ 2: Σx, Σx², Σ_i (row sum)², Σ_j (column sum)²; degree 4 contains tr((XXᵀ)²)."""
    x = np.random.default_rng(0).integers(-3, 4, size=(5, 3, 4))
    f2 = InvariantPolynomials(2)
    want = {
        "hom[1]": x.sum((1, 2)),
        "hom[2]": (x**2).sum((1, 2)),
        "hom[1/1]": (x.sum(1) ** 2).sum(1),
        "hom[11]": (x.sum(2) ** 2).sum(1),
    }
    got = dict(zip(f2.get_feature_names_out(), f2.features(x).T))
    assert set(got) == set(want)
    for k, v in want.items():
        assert np.array_equal(got[k], v), k
    f4 = InvariantPolynomials(4)
    got4 = dict(zip(f4.get_feature_names_out(), f4.features(x).T))
    gram = np.einsum("bij,bkj->bik", x, x)
    assert np.array_equal(got4["hom[11/11]"], np.einsum("bij,bji->b", gram, gram))


def test_multigraphs_are_pairwise_non_isomorphic():
    for d in range(1, 5):
        graphs = bipartite_multigraphs(d)
        seen = set()
        for A in graphs:
            assert A.sum() == d and (A.sum(0) > 0).all() and (A.sum(1) > 0).all()
            forms = {
                (A.shape, A[list(p)][:, list(q)].tobytes())
                for p in itertools.permutations(range(A.shape[0]))
                for q in itertools.permutations(range(A.shape[1]))
            }
            assert not forms & seen
            seen |= forms
    assert [len(bipartite_multigraphs(d)) for d in (1, 2, 3)] == [1, 3, 6]


def _reynolds_monomials(points, m, n, degree):
    """Reynolds averages over S_m × S_n of all monomials of degree ≤ K, evaluated at points (P, m, n)."""
    cells = m * n
    flat = points.reshape(len(points), cells)
    perms = [
        np.array([[p[i] * n + q[j] for j in range(n)] for i in range(m)]).ravel()
        for p in itertools.permutations(range(m))
        for q in itertools.permutations(range(n))
    ]
    cols = []
    for d in range(degree + 1):
        for mono in itertools.combinations_with_replacement(range(cells), d):
            vals = np.zeros(len(points))
            for perm in perms:
                vals += np.prod(flat[:, perm[list(mono)]], axis=1) if d else 1.0
            cols.append(vals / len(perms))
    return np.stack(cols, axis=1)


def test_invariant_polynomials_span_all_invariants_up_to_degree():
    """Products of the connected hom sums of total degree ≤ 3 span the same space as the Reynolds
    averages of all monomials of degree ≤ 3 (the invariant polynomials), on 2 × 3 matrices."""
    m, n, K = 2, 3, 3
    pts = np.random.default_rng(0).normal(size=(120, m, n))
    feats = InvariantPolynomials(K).features(pts)
    degs = [int(A.sum()) for A in InvariantPolynomials(K).graphs()]
    prods = []
    for r in range(K + 1):
        for combo in itertools.combinations_with_replacement(range(len(degs)), r):
            if sum(degs[i] for i in combo) <= K:
                prods.append(np.prod(feats[:, list(combo)], axis=1) if combo else np.ones(len(pts)))
    P = np.stack(prods, axis=1)
    R = _reynolds_monomials(pts, m, n, K)
    rank = np.linalg.matrix_rank
    assert rank(P) == rank(R) == rank(np.concatenate([P, R], axis=1))


def test_power_sums_sets():
    """On sets, p_1..p_n determine the multiset; p_1 alone does not ({0, 2} vs {1, 1})."""
    x = np.array([[0, 2], [1, 1], [2, 0]])
    assert np.array_equal(PowerSums(1).features(x), [[2], [2], [2]])
    r = orbit_separation(PowerSums(2).features(x), [0, 1, 0])
    assert r.colliding_orbits == 0
    assert np.array_equal(SortedValues().features(x), [[0, 2], [1, 1], [0, 2]])


def _distinct_orbits(m=3, n=4, count=200, seed=0):
    """Random integer matrices, one per S_m × S_n orbit (deduplicated by the exact LexCanonical)."""
    x = np.random.default_rng(seed).integers(-2, 3, size=(count, m, n))
    canon = LexCanonical().project(x).reshape(count, -1)
    _, first = np.unique(canon, axis=0, return_index=True)
    return x[np.sort(first)]


def test_canonical_form_separates_distinct_orbits_and_is_constant_on_orbits():
    x = _distinct_orbits()
    group = Product(Permutation(3, axis=-2), Permutation(4, axis=-1))
    rng = np.random.default_rng(1)
    rows = np.concatenate([x] + [group.act_batch(group.sample(len(x), rng), x) for _ in range(3)])
    ids = np.tile(np.arange(len(x)), 4)
    r = orbit_separation(CanonicalFeatures("lex").features(rows), ids)
    assert r.orbits == len(x) and r.colliding_orbits == 0 and r.collision_share == 0.0
    assert r.non_constant_orbits == 0 and r.largest_collision_class == 1


def test_weak_feature_map_collides():
    x = _distinct_orbits()
    ids = np.arange(len(x))
    weak = orbit_separation(PowerSums(1).features(x), ids)  # row sums, sorted
    assert weak.colliding_orbits > len(x) // 2 and weak.largest_collision_class > 2
    strong = orbit_separation(InvariantPolynomials(4).features(x), ids)
    assert strong.colliding_orbits < weak.colliding_orbits


def test_non_invariant_feature_is_reported():
    x = _distinct_orbits()
    group = Permutation(4, axis=-1)
    r = image_separation(x, lambda a: a[:, :, 0], group, rng=0)  # the first column: not invariant
    assert r.changed_share > 0.5 and r.non_constant_orbits == r.changed
    inv = image_separation(x, PowerSums(2), group, rng=0)
    assert inv.changed == 0 and inv.non_constant_orbits == 0


def test_collision_classes_are_transitive_and_counted():
    # orbit a: values 1, 2; orbit b: values 2, 3; orbit c: value 3; orbit d: value 9
    F = np.array([[1], [2], [2], [3], [3], [9]])
    ids = np.array(["a", "a", "b", "b", "c", "d"])
    r = orbit_separation(F, ids)
    assert (r.orbits, r.colliding_orbits, r.collision_classes, r.largest_collision_class) == (
        4,
        3,
        1,
        3,
    )
    assert r.collision_share == pytest.approx(0.75)
    assert sorted(r.largest_collision_example) == ["a", "b", "c"]
    assert r.non_constant_orbits == 2 and r.exact


def test_float_features_rounding():
    F = np.array([[0.1 + 0.2], [0.3]])
    assert orbit_separation(F, [0, 1], decimals=9).colliding_orbits == 2
    assert orbit_separation(F, [0, 1], decimals=None).colliding_orbits == 0
    assert orbit_separation(np.array([[-0.0], [0.0]]), [0, 1], decimals=None).colliding_orbits == 2


def test_accuracy_ceiling():
    F = np.array([[0], [0], [0], [1]])
    assert accuracy_ceiling(F, [5, 5, 7, 7]) == pytest.approx(0.75)
    assert accuracy_ceiling(np.arange(4)[:, None], [5, 5, 7, 7]) == 1.0


@pytest.mark.parametrize(
    ("spec", "cls"),
    [("power-sums:2", PowerSums), ("poly:3", InvariantPolynomials), ("sorted", SortedValues)],
)
def test_feature_map_names(spec, cls):
    assert isinstance(feature_map(spec), cls)


@pytest.mark.parametrize("spec", ["poly", "poly:9", "power-sums:0", "lex:2", "fourier:3"])
def test_feature_map_bad_names(spec):
    with pytest.raises(OrbitlearnError):
        feature_map(spec)


def test_raw_baseline_is_not_invariant():
    x = _distinct_orbits()
    r = image_separation(x, feature_map("raw"), Permutation(4, axis=-1), rng=0)
    assert r.colliding_orbits == 0 and r.changed_share > 0.9


def test_sklearn_pipeline_and_flat_input():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    x = np.random.default_rng(0).integers(-2, 3, size=(60, 3, 4))
    y = (x.sum((1, 2)) > 0).astype(int)
    pipe = make_pipeline(InvariantPolynomials(2, shape=(3, 4)), LogisticRegression(max_iter=500))
    pipe.fit(x.reshape(60, -1), y)
    assert pipe.score(x.reshape(60, -1), y) > 0.9


def test_subset_determinants_match_brute_force():
    x = np.random.default_rng(0).integers(-8, 9, size=(20, 4, 8))
    subsets = list(itertools.combinations(range(8), 4))
    ref = np.array(
        [[abs(round(np.linalg.det(m[:, list(S)].astype(float)))) for S in subsets] for m in x]
    )
    assert np.array_equal(subset_determinants(x), ref)
    big = x.astype(np.int64) * 100  # the int64 path
    assert np.array_equal(subset_determinants(big), ref * 100**4)
    x3 = x[:, :3, :6]
    ref3 = [
        [
            abs(round(np.linalg.det(m[:, list(S)].astype(float))))
            for S in itertools.combinations(range(6), 3)
        ]
        for m in x3
    ]
    assert np.array_equal(subset_determinants(x3), ref3)


def test_determinant_histogram_is_gl_invariant():
    """|det| multiset: unchanged under sampled GL(4,Z) x S7 elements; counts sum to C(7, 4)."""
    from orbitlearn.groups import GLnZ

    group = Product(GLnZ(4, axis=-2), Permutation(7, axis=-1))
    x = np.random.default_rng(1).integers(-3, 4, size=(30, 4, 7))
    fmap = feature_map("dets:16")
    assert fmap.features(x).shape == (30, 17) and (fmap.features(x).sum(1) == 35).all()
    report = invariance_error(_as_float(fmap), group, x, n_samples=16, rng=2)
    assert report.max_abs == 0.0
    r = image_separation(x, fmap, group, rng=3)
    assert r.changed == 0
