"""The commands a newcomer tries first do what their help says: `-` is standard output wherever
a file is written, `hodge --check` shows what it compared (and says when there is nothing to
compare), every listed canonicaliser runs, a missing data folder names ORBITLEARN_DATA, and a
mistyped option or choice gets the closest one suggested."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orbitlearn.cli import main
from orbitlearn.datasets.ks import read_ks

SIMPLEX = "1 0 0 0 -1\n0 1 0 0 -1\n0 0 1 0 -1\n0 0 0 1 -1\n"
#: the quintic with a bare header (no M:, N:, H: values) and with its true header
BARE = "4 5\n" + SIMPLEX
LABELLED = "4 5  M:6 5 N:126 5 H:101,1 [200]\n" + SIMPLEX


@pytest.fixture
def bare(tmp_path) -> Path:
    path = tmp_path / "bare.txt"
    path.write_text(BARE)
    return path


def test_normal_form_and_duals_write_to_stdout(bare, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["normal-form", str(bare), "-o", "-"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("4 5") and "written to -" in out.err
    assert not (tmp_path / "-").exists()
    assert main(["data", "duals", str(bare), "-o", "-", "--json"]) == 0
    out = capsys.readouterr()
    assert "H:1,101" in out.out and json.loads(out.err)["count"] == 1


@pytest.mark.parametrize("method", ["lex", "dirichlet", "dirichlet_lex", "normal"])
def test_every_listed_canon_method_runs(method, bare, tmp_path, capsys):
    out = tmp_path / "c.txt"
    assert main(["canon", str(bare), "--method", method, "-o", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == method
    assert read_ks(out).entries[0].vertices.shape == (4, 5)


def test_hodge_check_shows_values_and_says_when_nothing_to_compare(bare, tmp_path, capsys):
    assert main(["hodge", str(bare), "--check"]) == 0
    text = capsys.readouterr().out
    assert "H:101,1" in text and "nothing to compare" in text and "mismatches" not in text
    assert main(["hodge", str(bare), "--check", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["checked"] is False and rep["compared"] == 0
    assert rep["entries"][0]["h11"] == 101 and rep["entries"][0]["matches_header"] is None
    labelled = tmp_path / "labelled.txt"
    labelled.write_text(LABELLED)
    assert main(["hodge", str(labelled), "--check"]) == 0
    text = capsys.readouterr().out
    assert "matches header" in text and "1 compared with their headers: 0 mismatches" in text
    assert main(["hodge", str(labelled), "--check", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["checked"] is True and rep["entries"][0]["matches_header"] is True


def test_hodge_out_dash_is_json_lines_on_stdout(bare, capsys):
    assert main(["hodge", str(bare), "--out", "-", "--json"]) == 0
    out = capsys.readouterr()
    (row,) = [json.loads(x) for x in out.out.splitlines()]
    assert row["h11"] == 101 and json.loads(out.err)["out"] == "-"


def test_missing_data_names_the_variable(tmp_path, monkeypatch, capsys):
    from orbitlearn.datasets.fetch import resolve_ks_path
    from orbitlearn.errors import DataNotFoundError

    monkeypatch.delenv("ORBITLEARN_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="ORBITLEARN_DATA is not set"):
        resolve_ks_path(26, download=False)


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["hodge", "--checks", "x"], "did you mean --check?"),
        (["hodgee", "x"], "did you mean hodge?"),
        (["canon", "x", "-o", "-", "--method", "dirichlet-lex"], "did you mean dirichlet_lex?"),
        (["predict", "--checkpoint", "m", "x", "--jsn"], "did you mean --json?"),
    ],
)
def test_a_mistyped_flag_gets_the_closest(argv, suggestion, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and suggestion in err


def test_trainings_default_to_one_thread():
    from orbitlearn.cli import build_parser
    from orbitlearn.train.config import DEFAULT_CLI_THREADS

    parser = build_parser()
    train = parser.parse_args(["train", "--model", "mlp", "--out", "x"])
    bench = parser.parse_args(["bench", "ks", "--profile", "quick"])
    assert train.threads == bench.threads == DEFAULT_CLI_THREADS == 1
    assert parser.parse_args(["bench", "ks", "--threads", "2"]).threads == 2
