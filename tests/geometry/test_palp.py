"""Agreement with PALP (poly.x) on polytopes the tests make: counts, facets, Hodge numbers, normal forms."""

from __future__ import annotations

import numpy as np
import pytest

from orbitlearn.geometry import LatticePolytope, normal_form

from .palp import palp_equations, palp_general, palp_normal_forms
from .test_v26 import random_unimodular

pytestmark = pytest.mark.palp


def random_polytopes(seed: int, dims=(2, 3, 4, 5), per_dim: int = 12) -> list[np.ndarray]:
    """Vertex matrices of random lattice polytopes with the origin in the interior (PALP's
    domain: on some polytopes without an interior origin ``poly.x`` does not return)."""
    rng = np.random.default_rng(seed)
    out = []
    for d in dims:
        made = 0
        while made < per_dim:
            n = int(rng.integers(d + 1, d + 9))
            pts = rng.integers(-3, 4, size=(d, n))
            if np.linalg.matrix_rank(pts[:, 1:] - pts[:, :1]) < d:
                continue
            p = LatticePolytope(pts)
            if not p.origin_is_interior():
                continue
            out.append(p.vertices)
            made += 1
    return out


@pytest.fixture(scope="module")
def randoms() -> list[np.ndarray]:
    # poly.x -g does not return on some 5-polytopes (its point enumeration); -N does, so
    # dimension 5 is only in the normal-form comparison
    return random_polytopes(seed=7, dims=(2, 3, 4))


@pytest.fixture(scope="module")
def randoms5() -> list[np.ndarray]:
    return random_polytopes(seed=8, dims=(5,), per_dim=10)


@pytest.fixture(scope="module")
def reflexive_mix(v26_sample) -> list[np.ndarray]:
    """Reflexive polytopes of several vertex counts: v26 duals and GL(4, Z)-moved v26 entries."""
    rng = np.random.default_rng(11)
    out = [LatticePolytope(e.vertices).dual().vertices for e in v26_sample[::10]]
    for e in v26_sample[5::10]:
        g = random_unimodular(rng)
        out.append((g @ e.vertices)[:, rng.permutation(26)])
    return out


def test_counts_and_facets_of_random_polytopes(randoms):
    gen = palp_general(randoms)
    eqs = palp_equations(randoms)
    for v, g, e in zip(randoms, gen, eqs):
        p = LatticePolytope(v)
        assert (p.n_points(), p.n_vertices) == (g["m_points"], g["m_vertices"])
        assert p.n_facets == g["facets"]
        mine = {(*u, c) for u, c in zip(p.facet_normals.tolist(), p.facet_offsets.tolist())}
        assert mine == e
        assert p.is_reflexive() == (g["n_points"] is not None)


def test_normal_forms_of_random_polytopes_equal_palp(randoms, randoms5):
    mats = randoms + randoms5
    for v, ref in zip(mats, palp_normal_forms(mats)):
        assert np.array_equal(normal_form(v), ref), v


def test_hodge_numbers_and_dual_counts_of_reflexive_polytopes(reflexive_mix):
    for v, g in zip(reflexive_mix, palp_general(reflexive_mix, binary="poly-4d.x")):
        p = LatticePolytope(v)
        d = p.hodge_data()
        assert (d["h11"], d["h21"]) == (g["h11"], g["h21"])
        assert (d["m_points"], d["m_vertices"], d["n_points"], d["n_vertices"]) == (
            g["m_points"],
            g["m_vertices"],
            g["n_points"],
            g["n_vertices"],
        )


def test_normal_forms_of_reflexive_polytopes_equal_palp(reflexive_mix):
    for v, ref in zip(reflexive_mix, palp_normal_forms(reflexive_mix, binary="poly-4d.x")):
        assert np.array_equal(normal_form(v), ref)


def test_reflexive_low_dimensions_equal_palp():
    # the 3-cube, octahedron, a reflexive hexagon and a 3-simplex: dual counts as PALP
    mats = [
        np.array(
            [
                [1, 1, 1, 1, -1, -1, -1, -1],
                [1, 1, -1, -1, 1, 1, -1, -1],
                [1, -1, 1, -1, 1, -1, 1, -1],
            ]
        ),
        np.array([[1, -1, 0, 0, 0, 0], [0, 0, 1, -1, 0, 0], [0, 0, 0, 0, 1, -1]]),
        np.array([[1, 0, -1, -1, 0, 1], [0, 1, 1, 0, -1, -1]]),
        np.array([[1, 0, 0, -1], [0, 1, 0, -1], [0, 0, 1, -1]]),
    ]
    for v, g, ref in zip(mats, palp_general(mats), palp_normal_forms(mats)):
        p = LatticePolytope(v)
        assert p.is_reflexive()
        assert (p.n_points(), p.n_vertices, p.dual().n_points(), p.n_facets) == (
            g["m_points"],
            g["m_vertices"],
            g["n_points"],
            g["n_vertices"],
        )
        assert np.array_equal(normal_form(v), ref)
