"""The engine against the v26 headers, duality, normal forms and GL(4, Z) x S_26 invariance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbitlearn.errors import GeometryError
from orbitlearn.geometry import LatticePolytope, hodge_record, normal_form, normal_forms

FIELDS = ("h11", "h21", "euler", "m_points", "m_vertices", "n_points", "n_vertices")


def header(e) -> dict:
    return {f: getattr(e, f) for f in FIELDS}


def random_unimodular(rng: np.random.Generator, d: int = 4, steps: int = 12) -> np.ndarray:
    """A random element of GL(d, Z): signed permutation times elementary shears."""
    g = np.eye(d, dtype=np.int64)[rng.permutation(d)] * rng.choice([-1, 1], size=(d, 1))
    for _ in range(steps):
        i, j = rng.choice(d, size=2, replace=False)
        e = np.eye(d, dtype=np.int64)
        e[i, j] = rng.integers(-2, 3)
        g = e @ g
    assert abs(round(np.linalg.det(g))) == 1
    return g


def test_sample_headers(v26_sample):
    assert len(v26_sample) > 150
    for e in v26_sample:
        p = LatticePolytope(e.vertices)
        assert p.hodge_data() == header(e), e.index
        assert hodge_record(e.vertices) == header(e), e.index


@pytest.mark.parametrize(
    "verts, msg",
    [
        (
            2 * np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]]),
            "reflexive",
        ),
        (np.array([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0]]), "origin"),
        (np.array([[1, 0, 0, -1], [0, 1, 0, -1], [0, 0, 1, -1]]), "4-polytopes"),
        (
            np.array([[1, 0, 0, -1, 2], [0, 1, 0, -1, 0], [0, 0, 1, -1, 0], [0, 0, 0, 0, 0]]),
            "full-dim",
        ),
    ],
)
def test_hodge_record_errors(verts, msg):
    with pytest.raises(GeometryError, match=msg):
        hodge_record(verts)


def test_sample_face_formula_agrees_with_fast_formula(v26_sample):
    for e in v26_sample[::8]:
        p = LatticePolytope(e.vertices)
        assert p.hodge_numbers(method="faces") == (e.h11, e.h21), e.index


def test_duals_swap_hodge_numbers_and_are_involutive(v26_sample):
    for e in v26_sample[::2]:
        p = LatticePolytope(e.vertices)
        q = p.dual()
        assert q.is_reflexive()
        assert q.hodge_numbers() == (e.h21, e.h11)
        assert (q.n_points(), q.n_vertices) == (e.n_points, e.n_vertices)
        back = q.dual()
        assert {tuple(v) for v in back.vertices.T.tolist()} == {
            tuple(v) for v in e.vertices.T.tolist()
        }


def test_normal_form_of_v26_entries_is_the_entry(v26_sample):
    # every v26 matrix is in PALP normal form, so a PALP-identical normal form is the identity
    for e in v26_sample:
        assert np.array_equal(normal_form(e.vertices), e.vertices), e.index


def test_compiled_search_agrees_with_numpy_reference(v26_sample):
    from orbitlearn.geometry.normalform import normal_form_reference

    for e in v26_sample[::12]:
        p = LatticePolytope(e.vertices)
        q = p.dual()
        assert np.array_equal(normal_form_reference(p), p.normal_form())
        assert np.array_equal(normal_form_reference(q), q.normal_form())


def test_normal_forms_batch_and_distinctness(v26_sample):
    batch = np.stack([e.vertices for e in v26_sample[:60]])
    out = normal_forms(batch)
    assert out.shape == batch.shape and out.dtype == np.int64
    assert len({o.tobytes() for o in out}) == len(out)  # inequivalent entries stay apart


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 2**32 - 1), st.integers(0, 10**6))
def test_gl4z_times_s26_images_keep_invariants(v26_sample, seed, which):
    rng = np.random.default_rng(seed)
    e = v26_sample[which % len(v26_sample)]
    g = random_unimodular(rng)
    image = (g @ e.vertices)[:, rng.permutation(e.vertices.shape[1])]
    p = LatticePolytope(image)
    assert p.hodge_data() == header(e)
    assert np.array_equal(p.normal_form(), e.vertices)


def test_non_vertex_columns_are_pruned_before_the_normal_form(v26_sample):
    e = v26_sample[3]
    extra = np.concatenate(
        [e.vertices, np.zeros((4, 1), dtype=np.int64), e.vertices[:, :2]], axis=1
    )
    assert np.array_equal(normal_form(extra), e.vertices)


@pytest.mark.slow
def test_all_v26_entries(v26_entries):
    from orbitlearn.geometry import hodge_many

    items = ((e.index, e.vertices) for e in v26_entries)
    bad = []
    for (i, rec, err), e in zip(hodge_many(items, jobs=2), v26_entries):
        if err is not None or rec != header(e):
            bad.append((i, err, rec))
    assert not bad, bad[:5]
    assert len(v26_entries) == 78468
