"""The engine's per-vertex features: invariance, a hand-checked simplex, v26 labels and PALP."""

from __future__ import annotations

from math import gcd

import numpy as np
import pytest

from orbitlearn.errors import GeometryError
from orbitlearn.geometry.features import (
    VERTEX_FEATURES,
    FeatureCache,
    vertex_features,
    vertex_features_batch,
)

from .palp import palp_vertex_data
from .test_v26 import random_unimodular

EDGES = VERTEX_FEATURES.index("edges")
LENGTH_SUM = VERTEX_FEATURES.index("edge lattice lengths, sum")
LENGTH_MAX = VERTEX_FEATURES.index("edge lattice length, max")


def test_reflexive_simplex_by_hand():
    # conv(e1..e4, -e1-...-e4): every vertex lies on 4 facets and at distance 5 from the fifth,
    # and has 4 edges of lattice length 1
    simplex = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
    f = vertex_features(simplex)
    assert f.shape == (len(VERTEX_FEATURES), 5)
    assert (f[0] == 4).all() and (f[5] == 1).all() and (f[[1, 2, 3, 4, 6]] == 0).all()
    assert (f[EDGES] == 4).all() and (f[LENGTH_SUM] == 4).all() and (f[LENGTH_MAX] == 1).all()


def test_stretched_square_edge_lengths():
    # the square conv((±2, ±1)) has edges of lattice length 4 (horizontal) and 2 (vertical)
    square = np.array([[2, -2, -2, 2], [1, 1, -1, -1]])
    f = vertex_features(square)
    assert (f[EDGES] == 2).all() and (f[LENGTH_SUM] == 6).all() and (f[LENGTH_MAX] == 4).all()


def test_non_vertices_and_repeats():
    simplex = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
    base = vertex_features(simplex)
    # a repeated vertex gets the same features; the origin (interior) and an edge's midpoint
    # are no vertices: no edges, and only the facets through them at distance 0
    pts = np.concatenate([simplex, simplex[:, :1], np.zeros((4, 1), int)], axis=1)
    f = vertex_features(pts)
    assert np.array_equal(f[:, :5], base) and np.array_equal(f[:, 5], base[:, 0])
    assert f[EDGES, 6] == 0 and f[0, 6] == 0 and f[1, 6] == 5
    doubled = 2 * simplex
    mid = (doubled[:, :1] + doubled[:, 1:2]) // 2
    g = vertex_features(np.concatenate([doubled, mid], axis=1))
    assert g[EDGES, 5] == 0 and g[0, 5] == 3  # the facets through the edge e1-e2
    assert (g[LENGTH_MAX, :5] == 2).all()


def test_not_full_dimensional_is_an_error():
    with pytest.raises(GeometryError, match="full-dimensional"):
        vertex_features(
            np.array([[1, 2, 3, 4, 5], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]])
        )


def test_invariant_under_gl4z_and_equivariant_under_permutations(v26_sample):
    rng = np.random.default_rng(3)
    for e in v26_sample[::4]:
        v = e.vertices
        g = random_unimodular(rng)
        perm = rng.permutation(v.shape[1])
        assert np.array_equal(vertex_features((g @ v)[:, perm]), vertex_features(v)[:, perm])


def test_batch_padding_and_cache(v26_sample):
    mats = [e.vertices for e in v26_sample[:12]]
    batch = np.stack(mats)
    plain = vertex_features_batch(batch)
    padded = np.concatenate([batch, np.zeros((12, 4, 3), dtype=batch.dtype)], axis=2)
    got = vertex_features_batch(padded, padded=True)
    assert np.array_equal(got[:, :, :26], plain) and (got[:, :, 26:] == 0).all()
    cache = FeatureCache(size=8)
    assert np.array_equal(cache(batch), plain) and len(cache) == 8  # the oldest dropped
    assert np.array_equal(cache(batch[::-1]), plain[::-1])
    assert np.array_equal(cache(padded, padded=True), got)


def test_h21_lower_bound_on_v26(v26_entries):
    # h21 = n - 4 + Σ_edges l*(e) + Σ_2-faces l*(θ)(1 + l*(θ*)) >= n - 4 + Σ_edges (length - 1)
    rng = np.random.default_rng(0)
    pick = rng.choice(len(v26_entries), size=1500, replace=False)
    tight = 0
    for i in pick:
        e = v26_entries[i]
        f = vertex_features(e.vertices)
        n = e.vertices.shape[1]
        edges, lengths = f[EDGES].sum() // 2, f[LENGTH_SUM].sum() // 2
        assert f[EDGES].sum() % 2 == 0 and f[LENGTH_SUM].sum() % 2 == 0
        bound = n - 4 + lengths - edges
        assert e.h21 >= bound, (i, e.h21, bound)
        tight += e.h21 == bound
        # every vertex is at some distance from each facet: the header's dual vertex count
        assert (f[:7].sum(axis=0) == e.n_vertices).all()
    assert 0 < tight < len(pick)  # the 2-face term matters, and sometimes vanishes


@pytest.mark.palp
def test_equal_palp(v26_sample):
    rng = np.random.default_rng(5)
    mats = [e.vertices for e in v26_sample[::3]]
    mats += [(random_unimodular(rng) @ m) for m in mats[:10]]
    for m, palp in zip(mats, palp_vertex_data(mats)):
        verts, pm = palp["vertices"], palp["pairing"]
        n = verts.shape[0]
        expected = np.zeros((len(VERTEX_FEATURES), n), dtype=np.int64)
        for k in range(6):
            expected[k] = (pm == k).sum(axis=0)
        expected[6] = (pm >= 6).sum(axis=0)
        for a, b in palp["edges"]:
            length = gcd(*(int(x) for x in verts[a] - verts[b]))
            for u in (a, b):
                expected[EDGES, u] += 1
                expected[LENGTH_SUM, u] += length
                expected[LENGTH_MAX, u] = max(expected[LENGTH_MAX, u], length)
        ours = vertex_features(m)
        assert sorted(map(tuple, ours.T)) == sorted(map(tuple, expected.T))
        assert np.array_equal(vertex_features(verts.T), expected)
