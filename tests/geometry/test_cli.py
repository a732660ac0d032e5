"""`orbitlearn hodge` and `orbitlearn normal-form` end to end on small KS files the tests make."""

from __future__ import annotations

import csv
import dataclasses
import json

import numpy as np
import pytest

from orbitlearn.cli import main
from orbitlearn.datasets.ks import read_ks, write_ks

from .test_v26 import random_unimodular

SIMPLEX4 = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])


@pytest.fixture
def small_file(tmp_path, v26_sample):
    """6 v26 entries (one transposed), one with a wrong h11 header, one non-reflexive entry."""
    entries = [dataclasses.replace(e) for e in v26_sample[:5]]
    entries.append([e for e in v26_sample if e.transposed][0])
    wrong = v26_sample[7]
    entries.append(dataclasses.replace(wrong, h11=wrong.h11 + 1, euler=wrong.euler + 2))
    no_header = dict.fromkeys(
        ("m_points", "m_vertices", "n_points", "n_vertices", "h11", "h21", "euler")
    )
    entries.append(dataclasses.replace(v26_sample[8], vertices=2 * SIMPLEX4, **no_header))
    entries = [dataclasses.replace(e, index=i) for i, e in enumerate(entries)]
    path = tmp_path / "small.txt"
    write_ks(entries, path)
    return path, entries


def test_hodge_check_json_reports_mismatch_and_failure(small_file, capsys):
    path, entries = small_file
    code = main(["hodge", str(path), "--check", "--json"])
    rep = json.loads(capsys.readouterr().out)
    assert code == 1
    assert rep["count"] == 8 and rep["computed"] == 7
    assert rep["mismatches"] == 1
    assert rep["mismatched"][0]["index"] == 6
    assert rep["mismatched"][0]["fields"] == {
        "h11": [entries[6].h11, entries[6].h11 - 1],
        "euler": [entries[6].euler, entries[6].euler - 2],
    }
    assert [f["index"] for f in rep["failed"]] == [7]
    assert "reflexive" in rep["failed"][0]["message"]
    assert rep["seconds"] >= 0


def test_hodge_text_and_out_files(small_file, tmp_path, capsys):
    path, entries = small_file
    assert main(["hodge", str(path), "--limit", "6"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0].split("\t")[1].startswith(f"M:{entries[0].m_points} {entries[0].m_vertices}")
    assert text[-1].startswith("6 entries, 6 computed")

    out_csv = tmp_path / "h.csv"
    assert main(["hodge", str(path), "--check", "--out", str(out_csv), "--jobs", "2"]) == 1
    rows = list(csv.DictReader(out_csv.open()))
    assert [int(r["index"]) for r in rows] == list(range(8))
    assert int(rows[0]["h11"]) == entries[0].h11 and int(rows[0]["n_points"]) == entries[0].n_points
    assert rows[6]["matches_header"] == "False" and rows[7]["error"]

    out_jsonl = tmp_path / "h.jsonl"
    assert main(["hodge", str(path), "--limit", "3", "--out", str(out_jsonl)]) == 0
    recs = [json.loads(x) for x in out_jsonl.read_text().splitlines()]
    assert [(r["h11"], r["h21"]) for r in recs] == [(e.h11, e.h21) for e in entries[:3]]


def test_hodge_v26_check(v26_path, capsys):
    assert main(["hodge", str(v26_path), "--check", "--json", "--limit", "60"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["count"] == 60 and rep["mismatches"] == 0 and rep["failed"] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["hodge", "{missing}"],
        ["hodge", "{file}", "--out", "x.txt"],
        ["normal-form", "{missing}", "-o", "x"],
    ],
)
def test_user_errors_exit_2(argv, small_file, tmp_path, capsys):
    path, _ = small_file
    argv = [a.format(missing=tmp_path / "nope.txt", file=path) for a in argv]
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("orbitlearn: error:")


def test_normal_form_cli_undoes_gl4z_images(tmp_path, v26_sample, capsys):
    rng = np.random.default_rng(5)
    originals = v26_sample[:6] + [e for e in v26_sample if e.transposed][:1]
    moved = []
    for i, e in enumerate(originals):
        g = random_unimodular(rng)
        verts = (g @ e.vertices)[:, rng.permutation(e.vertices.shape[1])]
        moved.append(dataclasses.replace(e, index=i, vertices=verts))
    src = tmp_path / "moved.txt"
    dst = tmp_path / "nf.txt.gz"
    write_ks(moved, src)
    assert main(["normal-form", str(src), "-o", str(dst), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["count"] == 7 and rep["changed"] == 7
    back = read_ks(dst).entries
    for b, e in zip(back, originals):
        assert np.array_equal(b.vertices, e.vertices)
        assert (b.h11, b.h21, b.m_points, b.n_points, b.transposed) == (
            e.h11,
            e.h21,
            e.m_points,
            e.n_points,
            e.transposed,
        )


def test_normal_form_cli_reports_bad_entry(tmp_path, v26_sample, capsys):
    no_header = dict.fromkeys(
        ("m_points", "m_vertices", "n_points", "n_vertices", "h11", "h21", "euler")
    )
    flat = dataclasses.replace(
        v26_sample[0],
        **no_header,
        vertices=np.array([[0, 1, 0, 0, 1], [0, 0, 1, 0, 1], [0, 0, 0, 1, 1], [0, 0, 0, 0, 0]]),
    )
    src = tmp_path / "flat.txt"
    write_ks([flat], src)
    assert main(["normal-form", str(src), "-o", str(tmp_path / "o.txt")]) == 2
    err = capsys.readouterr().err
    assert "not full-dimensional" in err and "flat.txt:1" in err


def test_normal_form_cli_counts_changed_entries_of_any_shape(tmp_path, v26_sample, capsys):
    # entry 0 as it is (unchanged), entry 1 with a repeated column (its normal form has one
    # column fewer), entry 2 with its columns permuted (same shape, other numbers)
    e0, e1, e2 = v26_sample[:3]
    repeated = np.concatenate([e1.vertices, e1.vertices[:, :1]], axis=1)
    moved = [
        dataclasses.replace(e0, index=0),
        dataclasses.replace(e1, index=1, vertices=repeated, m_points=None, m_vertices=None),
        dataclasses.replace(e2, index=2, vertices=e2.vertices[:, ::-1]),
    ]
    src, dst = tmp_path / "in.txt", tmp_path / "out.txt"
    write_ks(moved, src)
    assert main(["normal-form", str(src), "-o", str(dst), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] == 2
    back = read_ks(dst).entries
    assert [b.vertices.shape for b in back] == [(4, 26)] * 3
