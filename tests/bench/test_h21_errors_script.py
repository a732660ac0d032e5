"""benchmarks/ks_h21_errors.py: its edge term of Batyrev's h21 formula, on the quintic's pair."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from orbitlearn.geometry.batch import hodge_record

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "ks_h21_errors.py"

# the simplex of the quintic's fan (5 vertices, unit edges) and its polar dual (edges of lattice
# length 5, triangles with 6 interior points each)
SIMPLEX = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
DUAL = np.array(
    [[4, -1, -1, -1, -1], [-1, 4, -1, -1, -1], [-1, -1, 4, -1, -1], [-1, -1, -1, 4, -1]]
)


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("ks_h21_errors", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_edge_term_and_two_face_term_of_the_quintic_pair(script):
    terms = script.edge_term(np.stack([SIMPLEX, DUAL]))
    # n − 4 + Σ_e l*(e): 5 − 4 + 0 for the simplex; 5 − 4 + 10 edges × 4 interior points
    np.testing.assert_array_equal(terms, [1, 41])
    h21 = [hodge_record(m)["h21"] for m in (SIMPLEX, DUAL)]
    assert h21 == [1, 101]
    # what is left is the 2-face term: none for the simplex, 10 triangles × 6 points for its dual
    assert [h - t for h, t in zip(h21, terms)] == [0, 60]
