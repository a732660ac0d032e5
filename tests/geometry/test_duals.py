"""`orbitlearn data duals`: polar duals in normal form with engine-computed headers, checked
against the source (mirror symmetry), against PALP, and by duality twice."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from orbitlearn.cli import main
from orbitlearn.datasets.ks import read_ks, write_ks
from orbitlearn.geometry import normal_form

from .palp import palp_equations, palp_general, palp_normal_forms


@pytest.fixture
def sample_file(tmp_path, v26_sample):
    entries = [dataclasses.replace(e, index=i) for i, e in enumerate(v26_sample[:80])]
    path = tmp_path / "sample.txt"
    write_ks(entries, path)
    return path, entries


def test_duals_swap_the_hodge_numbers_and_counts(sample_file, tmp_path, capsys):
    path, entries = sample_file
    out = tmp_path / "duals.txt"
    assert main(["data", "duals", str(path), "-o", str(out), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["count"] == rep["written"] == rep["checked"] == 80
    assert rep["mirror_mismatches"] == 0 and rep["failed"] == []
    duals = read_ks(out).entries
    for e, d in zip(entries, duals, strict=True):
        assert (d.h11, d.h21, d.euler) == (e.h21, e.h11, -e.euler)
        assert (d.m_points, d.m_vertices) == (e.n_points, e.n_vertices)
        assert (d.n_points, d.n_vertices) == (e.m_points, e.m_vertices)
        assert d.vertices.shape == (4, e.n_vertices) and d.index == e.index
        np.testing.assert_array_equal(normal_form(d.vertices), d.vertices)  # in normal form


def test_the_dual_of_the_dual_is_the_source(sample_file, tmp_path, capsys):
    path, entries = sample_file
    once, twice = tmp_path / "d1.txt", tmp_path / "d2.txt"
    assert main(["data", "duals", str(path), "-o", str(once)]) == 0
    assert main(["data", "duals", str(once), "-o", str(twice)]) == 0
    for e, back in zip(entries, read_ks(twice).entries, strict=True):
        np.testing.assert_array_equal(back.vertices, normal_form(e.vertices))
        assert (back.h11, back.h21, back.m_points, back.n_points) == (
            e.h11, e.h21, e.m_points, e.n_points,
        )  # fmt: skip


def test_a_wrong_source_header_is_a_mirror_mismatch(sample_file, tmp_path, capsys):
    path, entries = sample_file
    bad = [dataclasses.replace(entries[0], h21=entries[0].h21 + 1, euler=entries[0].euler - 2)]
    bad_path = tmp_path / "bad.txt"
    write_ks(bad + entries[1:3], bad_path)
    assert main(["data", "duals", str(bad_path), "-o", str(tmp_path / "o.txt"), "--json"]) == 1
    rep = json.loads(capsys.readouterr().out)
    assert rep["mirror_mismatches"] == 1 and rep["mismatched"][0]["index"] == 0
    assert rep["mismatched"][0]["fields"]["h11"] == [entries[0].h21 + 1, entries[0].h21]


def test_a_polytope_that_is_not_reflexive_fails_alone(sample_file, tmp_path, capsys):
    path, entries = sample_file
    simplex = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
    fields = dict.fromkeys(
        ("m_points", "m_vertices", "n_points", "n_vertices", "h11", "h21", "euler")
    )
    odd = dataclasses.replace(entries[0], vertices=2 * simplex, transposed=False, **fields)
    src = tmp_path / "odd.txt"
    write_ks([entries[1], odd, entries[2]], src)
    assert main(["data", "duals", str(src), "-o", str(tmp_path / "o.txt"), "--json"]) == 1
    rep = json.loads(capsys.readouterr().out)
    assert rep["written"] == 2 and [f["index"] for f in rep["failed"]] == [1]
    assert "reflexive" in rep["failed"][0]["message"]


@pytest.mark.palp
def test_duals_agree_with_palp(sample_file, tmp_path):
    path, entries = sample_file
    out = tmp_path / "duals.txt"
    assert main(["data", "duals", str(path), "-o", str(out)]) == 0
    duals = read_ks(out).entries
    mats = [e.vertices for e in entries[:40]]
    # PALP's equations of a reflexive polytope are its dual's vertices
    palp_dual_vertices = [np.array(sorted(eq[:-1] for eq in eqs)).T for eqs in palp_equations(mats)]
    for d, ref in zip(duals, palp_normal_forms(palp_dual_vertices, binary="poly-4d.x")):
        np.testing.assert_array_equal(d.vertices, ref)
    for d, g in zip(duals, palp_general(palp_dual_vertices, binary="poly-4d.x")):
        assert (d.h11, d.h21) == (g["h11"], g["h21"])
        assert (d.m_points, d.m_vertices, d.n_points) == (
            g["m_points"],
            g["m_vertices"],
            g["n_points"],
        )
