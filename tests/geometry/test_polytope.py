"""Small hand-checkable polytopes, exactness against brute force, and GeometryError cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitlearn.errors import GeometryError
from orbitlearn.geometry import LatticePolytope
from orbitlearn.geometry import _kernels as K

SIMPLEX4 = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
CUBE3 = np.array(list(itertools.product([-1, 1], repeat=3))).T  # (3, 8)


def facet_set(p: LatticePolytope) -> set[tuple[int, ...]]:
    return {(*u, c) for u, c in zip(p.facet_normals.tolist(), p.facet_offsets.tolist())}


def test_simplex_data():
    p = LatticePolytope(SIMPLEX4)
    assert p.n_vertices == 5 and p.n_facets == 5
    assert np.array_equal(p.vertices, SIMPLEX4)
    assert p.is_reflexive() and p.origin_is_interior()
    # facets of conv(e_i, -sum e): <u, x> >= -1 with u = -e_i + ... ; check them all exactly
    for u, c in zip(p.facet_normals, p.facet_offsets):
        vals = u @ SIMPLEX4 + c
        assert vals.min() == 0 and np.count_nonzero(vals == 0) == 4
    assert p.n_points() == 6
    assert p.interior_points().shape[1] == 1
    q = p.dual()
    assert q.n_points() == 126 and q.n_vertices == 5


def test_simplex_hodge_numbers_ks_convention():
    # KS/PALP convention (Δ = the listed polytope, h11 = l(Δ*) - 5 - ...): PALP prints
    # "M:6 5 N:126 5 H:101,1" for conv(e1..e4, -Σe); the quintic (1, 101) is its dual as Δ.
    p = LatticePolytope(SIMPLEX4)
    assert p.hodge_numbers() == (101, 1)
    assert p.hodge_numbers(method="faces") == (101, 1)
    assert p.dual().hodge_numbers() == (1, 101)
    assert p.hodge_data() == {
        "h11": 101,
        "h21": 1,
        "euler": 200,
        "m_points": 6,
        "m_vertices": 5,
        "n_points": 126,
        "n_vertices": 5,
    }


def test_cube_non_simplicial_facets_merged():
    p = LatticePolytope(CUBE3)
    assert p.n_facets == 6  # qhull triangulates each square into two triangles
    assert facet_set(p) == {
        tuple(s * e for e in row) + (1,) for row in np.eye(3, dtype=int).tolist() for s in (1, -1)
    }
    assert p.n_points() == 27
    assert p.interior_points().shape[1] == 1
    assert p.boundary_points().shape[1] == 26
    assert [len(p.faces(k)) for k in range(4)] == [8, 12, 6, 1]
    assert p.dual().n_points() == 7  # the octahedron


def test_pruning_keeps_input_order_of_vertices():
    pts = np.array([[0, 2, 0, 1, 2, 0, 1, 1], [0, 0, 2, 1, 0, 0, 0, 1]])  # repeats + non-vertices
    p = LatticePolytope(pts)
    assert np.array_equal(p.vertices, np.array([[0, 2, 0], [0, 0, 2]]))
    assert p.n_points() == 6
    assert p.interior_points().shape[1] == 0
    assert not p.origin_is_interior()


def test_face_lattice_of_simplex_and_duality():
    p = LatticePolytope(SIMPLEX4)
    assert [len(p.faces(k)) for k in range(5)] == [5, 10, 10, 5, 1]
    q = p.dual()
    for k in range(4):
        for f in p.faces(k):
            g = p.dual_face(f)
            assert g.dim == 3 - k
            # the dual face is a face of Δ* with exactly those vertices (normals of f's facets)
            assert any(h.vertices == g.vertices for h in q.faces(g.dim))
            pts = p.points_in_face(f)
            assert pts.shape[1] >= len(f.vertices)
    # edges of the dual simplex have 4 interior points each (length 5)
    for e in q.faces(1):
        assert q.points_in_face(e, interior=True).shape[1] == 4


def test_points_per_face_partition_the_boundary():
    p = LatticePolytope(SIMPLEX4).dual()
    total = sum(p.points_in_face(f, interior=True).shape[1] for k in range(4) for f in p.faces(k))
    assert total == p.boundary_points().shape[1]
    assert total + p.interior_points().shape[1] == p.n_points()


@pytest.mark.parametrize(
    "pts, msg",
    [
        (np.array([[0, 1, 0, 1], [0, 0, 1, 1], [0, 0, 0, 0]]), "not full-dimensional"),
        (np.array([[0, 1, 2], [0, 1, 2]]), "not full-dimensional"),
        (np.zeros((1, 3), dtype=int), "2 <= d <= 5"),
        (np.zeros((6, 9), dtype=int), "2 <= d <= 5"),
        (np.array([[0.5, 1, 0], [0, 0, 1]]), "integer"),
        (np.arange(4), "(d, n)"),
        (
            np.array(
                [
                    [0, 300, 0, 0, 0, 0],
                    [0, 0, 1, 0, 0, 0],
                    [0, 0, 0, 1, 0, 0],
                    [0, 0, 0, 0, 1, 0],
                    [0, 0, 0, 0, 0, 1],
                ]
            ),
            "supported",
        ),
    ],
)
def test_bad_input_raises_geometry_error(pts, msg):
    with pytest.raises(GeometryError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        LatticePolytope(pts)


def test_non_reflexive_and_origin_errors():
    tri = LatticePolytope(np.array([[0, 1, 0], [0, 0, 1]]))  # origin is a vertex
    with pytest.raises(GeometryError, match="origin in the interior"):
        tri.dual()
    big = LatticePolytope(2 * SIMPLEX4)  # facets at distance 2
    assert big.origin_is_interior() and not big.is_reflexive()
    with pytest.raises(GeometryError, match="reflexive"):
        big.hodge_numbers()
    with pytest.raises(GeometryError, match="reflexive"):
        big.dual()
    with pytest.raises(GeometryError, match="4-polytopes"):
        LatticePolytope(CUBE3).hodge_numbers()


def naive_points(p: LatticePolytope) -> set[tuple[int, ...]]:
    v = p.vertices
    axes = [range(int(v[k].min()), int(v[k].max()) + 1) for k in range(p.dim)]
    u, c = p.facet_normals, p.facet_offsets
    return {x for x in itertools.product(*axes) if np.all(u @ np.array(x) + c >= 0)}


point_clouds = st.integers(2, 5).flatmap(
    lambda d: st.lists(
        st.lists(st.integers(-2, 2), min_size=d, max_size=d), min_size=d + 1, max_size=16
    )
)


@settings(max_examples=80, deadline=None)
@given(point_clouds)
def test_facets_match_brute_force_and_points_match_box_filter(rows):
    pts = np.array(rows, dtype=np.int64)
    if K.int_rank(pts[1:] - pts[0]) < pts.shape[1]:
        with pytest.raises(GeometryError, match="not full-dimensional"):
            LatticePolytope(pts.T)
        return
    p = LatticePolytope(pts.T)
    bn, bo = K.facets_brute_force(np.ascontiguousarray(pts))
    assert facet_set(p) == {(*u, c) for u, c in zip(bn.tolist(), bo.tolist())}
    # every input point satisfies every facet, every vertex is an input point
    assert np.all(p.facet_normals @ pts.T + p.facet_offsets[:, None] >= 0)
    assert {tuple(x) for x in p.vertices.T.tolist()} <= {tuple(x) for x in rows}
    assert {tuple(x) for x in p.points().T.tolist()} == naive_points(p)


def test_hull_of_many_coplanar_points_matches_brute_force():
    # all lattice points of a 4-cube: heavy coplanarity, non-simplicial facets
    pts = np.array(list(itertools.product([-1, 0, 1], repeat=4)), dtype=np.int64)
    rng = np.random.default_rng(3)
    pts = pts[rng.permutation(len(pts))]
    n, o, status = K.exact_hull(pts)
    assert status == 0
    got = {(*u, c) for u, c in zip(n.tolist(), o.tolist())}
    bn, bo = K.facets_brute_force(pts)
    assert got == {(*u, c) for u, c in zip(bn.tolist(), bo.tolist())}
    assert len(got) == 8


@settings(max_examples=80, deadline=None)
@given(point_clouds, st.integers(0, 3))
def test_vertex_mask_is_the_rank_test_and_marks_every_copy(rows, repeats):
    # reference definition: x is a vertex iff the normals of the facets through x span R^d
    pts = np.array(rows + rows[:repeats], dtype=np.int64)
    if K.int_rank(pts[1:] - pts[0]) < pts.shape[1]:
        return
    normals, offsets = K.facets_brute_force(np.ascontiguousarray(pts))
    tight = normals @ pts.T + offsets[:, None] == 0
    want = [
        bool(tight[:, j].sum() and K.int_rank(normals[tight[:, j]]) == pts.shape[1])
        for j in range(len(pts))
    ]
    assert K.vertex_mask(np.ascontiguousarray(pts), normals, offsets).tolist() == want
