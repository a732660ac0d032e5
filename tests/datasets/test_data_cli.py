from __future__ import annotations

import json
import subprocess
import sys

import pytest

from orbitlearn.cli import main

from .ksfiles import random_entries, write_file


@pytest.fixture
def ksfile(tmp_path):
    path = tmp_path / "k.txt"
    write_file(path, random_entries(40, seed=5), transposed_at=(0, 7))
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_info_json_contract(ksfile, capsys):
    code, out, _ = run(capsys, "data", "info", str(ksfile), "--json")
    info = json.loads(out)
    assert code == 0
    assert info["count"] == 40 and info["transposed"] == 2
    assert sum(info["h11_counts"].values()) == 40
    assert all(isinstance(k, str) for k in info["h11_counts"])
    assert info["majority_share"] == max(info["h11_counts"].values()) / 40


def test_info_text_report(ksfile, capsys):
    code, out, _ = run(capsys, "data", "info", str(ksfile))
    assert code == 0 and "entries           40" in out and "majority class" in out


def test_split_json_contract_and_determinism(ksfile, capsys):
    _, out1, _ = run(capsys, "data", "split", str(ksfile), "--seed", "2", "--json")
    _, out2, _ = run(capsys, "data", "split", str(ksfile), "--seed", "2", "--json")
    parts = json.loads(out1)
    assert out1 == out2
    assert set(parts) == {"train", "val", "test"}
    assert sorted(parts["train"] + parts["val"] + parts["test"]) == list(range(40))


def test_user_error_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("4 5  M:6 5 N:126 5 H:101,1 [200]\n1 2 3\n")
    code, out, err = run(capsys, "data", "info", str(bad))
    assert code == 2 and out == ""
    assert (
        err.strip() == f"orbitlearn: error: {bad}:2: wrong row length: expected 5 integers, found 3"
    )


def test_missing_file_is_a_user_error(tmp_path, capsys):
    code, _, err = run(capsys, "data", "info", str(tmp_path / "nope.gz"))
    assert code == 2 and "no such file" in err and len(err.strip().splitlines()) == 1


def test_skip_reports_where_and_how_many(tmp_path, capsys):
    entries = random_entries(3, seed=6)
    path = tmp_path / "m.txt"
    text = write_file(path, entries, trailer=False)
    path.write_text(text.replace("\n", "\n x\n", 1))  # a bad first row in entry 0
    code, _, _ = run(capsys, "data", "info", str(path))
    assert code == 2
    code, out, err = run(capsys, "data", "info", str(path), "--on-error", "skip", "--json")
    assert code == 0 and json.loads(out)["count"] == 2 and json.loads(out)["skipped"] == 1
    assert f"{path}:2:" in err and "skipped 1 malformed entries" in err


def test_console_script_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("4 5  M:6 5 N:126 5 H:101,1 [200]\n   1   0\n")
    proc = subprocess.run(
        [sys.executable, "-m", "orbitlearn.cli", "data", "info", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"{bad}:2:" in proc.stderr


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("orbitlearn ")


def test_v26_info_json(v26_path, capsys):
    code, out, _ = run(capsys, "data", "info", str(v26_path), "--json")
    info = json.loads(out)
    assert code == 0 and info["count"] == 78468 and info["transposed"] == 45
    assert info["h11_counts"]["16"] == 8848 and len(info["h11_counts"]) == 35
