"""`orbitlearn canon`: same entries, order, headers and layout; matrices replaced by π(matrix)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from orbitlearn.canon import LexCanonical
from orbitlearn.canon.normal import geometry_normal_forms
from orbitlearn.cli import main
from orbitlearn.datasets.ks import KSEntry, iter_ks, read_ks, write_ks


@pytest.fixture
def small_ks(tmp_path):
    rng = np.random.default_rng(0)
    entries = [
        KSEntry(
            index=i,
            vertices=rng.integers(-2, 3, size=(4, 6)),
            m_points=10 + i,
            m_vertices=6,
            n_points=7,
            n_vertices=5,
            h11=i + 1,
            h21=3,
            euler=2 * (i + 1 - 3),
            transposed=(i == 2),
        )
        for i in range(5)
    ]
    path = tmp_path / "small.txt"
    write_ks(entries, path)
    return path, entries


def test_lex_output_same_entries_and_headers(small_ks, tmp_path, capsys):
    path, entries = small_ks
    out = tmp_path / "out.txt"
    assert main(["canon", str(path), "--method", "lex", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["count"] == 5 and report["method"] == "lex" and report["exact"] is True
    assert report["entries_per_second"] > 0
    got = read_ks(out).entries
    assert [e.header() for e in got] == [e.header() for e in entries]
    assert [e.transposed for e in got] == [e.transposed for e in entries]
    want = LexCanonical().project(np.stack([e.vertices for e in entries]))
    np.testing.assert_array_equal(np.stack([e.vertices for e in got]), want)


def test_text_report_limit_and_dirichlet(small_ks, tmp_path, capsys):
    path, _ = small_ks
    out = tmp_path / "out.txt.gz"
    assert main(["canon", str(path), "--method", "dirichlet", "-o", str(out), "--limit", "3"]) == 0
    text = capsys.readouterr().out
    assert "canonicalised 3 entries with dirichlet" in text and "entries/s" in text
    assert len(read_ks(out).entries) == 3


def test_user_errors_exit_2(tmp_path, capsys):
    assert main(["canon", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "o.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err
    bad = tmp_path / "bad.txt"
    bad.write_text("4 2  M:5 2 N:5 4 H:1,1 [0]\n1 2\n3 x\n0 0\n1 1\n")
    assert main(["canon", str(bad), "-o", str(tmp_path / "o.txt")]) == 2
    err = capsys.readouterr().err
    assert "bad.txt:3" in err and "Traceback" not in err
    assert main(["canon", str(bad), "-o", str(tmp_path / "o.txt"), "--limit", "-1"]) == 2


def test_v26_head_lex_and_normal(v26_path, tmp_path, capsys):
    out = tmp_path / "lex.txt"
    assert main(["canon", str(v26_path), "-o", str(out), "--limit", "200", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 200
    if geometry_normal_forms() is None:
        pytest.skip(
            "orbitlearn.geometry.normal_forms is not available yet (geometry engine missing)"
        )
    out = tmp_path / "nf.txt"
    assert (
        main(
            [
                "canon",
                str(v26_path),
                "--method",
                "normal",
                "-o",
                str(out),
                "--limit",
                "10",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["count"] == 10
    nf = read_ks(out).entries
    head = list(itertools.islice(iter_ks(v26_path), 10))
    assert [e.header() for e in nf] == [e.header() for e in head]
