"""The exact engine's worst case inside the coordinate range: GL(4,Z) images with large
coordinates are lattice-reduced (same answers, in milliseconds), and what stays too large is
refused with one line instead of running for minutes."""

from __future__ import annotations

import time

import numpy as np
import pytest

from orbitlearn.errors import GeometryError
from orbitlearn.geometry import hodge_record
from orbitlearn.geometry.normalform import normal_form
from orbitlearn.geometry.polytope import LatticePolytope
from orbitlearn.geometry.reduction import box_lines, lll_rows, reduced
from orbitlearn.limits import ENGINE_COORD_LIMIT, ENGINE_MAX_LINES

SIMPLEX = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])

#: a GL(4,Z) image of SIMPLEX with coordinates up to 2425 (the issue's case: > 120 CPU s before)
IMAGE_2425 = np.array(
    [
        [-696, -328, -104, 613, 515],
        [2425, 1149, 380, -1952, -2002],
        [-126, -59, -18, 121, 82],
        [88, 40, 9, -121, -16],
    ]
)


def _image(rng: np.random.Generator, base: np.ndarray, limit: int) -> np.ndarray:
    """A random GL(d,Z) image of `base` with coordinates just within `limit`."""
    d = base.shape[0]
    u = np.eye(d, dtype=np.int64)
    while True:
        e = np.eye(d, dtype=np.int64)
        i, j = rng.choice(d, 2, replace=False)
        e[i, j] = rng.integers(-3, 4)
        if np.abs(e @ u @ base).max() > limit:
            return u @ base
        u = e @ u


def test_lll_is_unimodular_and_shrinks_the_box():
    small = np.array(lll_rows(IMAGE_2425).tolist(), dtype=np.int64)
    # the same lattice: each basis expresses the other with integer coefficients
    coeffs = np.linalg.lstsq(IMAGE_2425.T.astype(float), small.T.astype(float), rcond=None)[0]
    assert np.allclose(coeffs, np.round(coeffs)) and round(abs(np.linalg.det(coeffs))) == 1
    assert box_lines(small) < 100 < box_lines(IMAGE_2425)
    assert reduced(SIMPLEX) is SIMPLEX  # nothing to shrink: the matrix itself


def test_gl4z_images_with_large_coordinates_are_fast_and_exact():
    expected = hodge_record(SIMPLEX)
    rng = np.random.default_rng(0)
    images = [IMAGE_2425] + [_image(rng, SIMPLEX, ENGINE_COORD_LIMIT[4]) for _ in range(5)]
    start = time.perf_counter()
    for image in images:
        assert hodge_record(image) == expected
        assert np.array_equal(normal_form(image), normal_form(SIMPLEX))
    assert time.perf_counter() - start < 5  # before: minutes for a single one


def test_a_box_beyond_the_bound_is_refused_with_one_line():
    big = 200_000 // 2  # a 3-simplex with 10^5 coordinates: ~10^10 lattice lines
    p = LatticePolytope(np.array([[0, big, 0, 0], [0, 0, big, 0], [0, 0, 0, big]]))
    with pytest.raises(GeometryError, match=f"more than the {ENGINE_MAX_LINES}"):
        p.points()


def test_lattice_polytope_enumerates_in_a_reduced_basis():
    """The API path (LatticePolytope) reduces too: the same points, mapped back exactly."""
    p = LatticePolytope(IMAGE_2425)
    assert p.hodge_data() == hodge_record(SIMPLEX)
    pts = p.points()
    assert pts.shape == (4, 6)  # the 5 vertices and the origin, in the image's coordinates
    assert {tuple(c) for c in IMAGE_2425.T} | {(0, 0, 0, 0)} == {tuple(c) for c in pts.T}
