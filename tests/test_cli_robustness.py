"""Bad input, faults and hostile files: one stderr line and exit 2, nothing run, nothing lost.

Each case a careless user or an attacker could produce is a row of a table below; every row must
give exit code 2, exactly one line on stderr and no traceback.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from orbitlearn.cli import main
from orbitlearn.datasets.ks import KSEntry, read_ks, write_ks
from orbitlearn.errors import KSFormatError

ORBITLEARN = [sys.executable, "-m", "orbitlearn.cli"]


def _entries(n: int, seed: int = 0) -> list[KSEntry]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        h11 = int(rng.integers(1, 4))
        out.append(
            KSEntry(
                index=i,
                vertices=rng.integers(-2, 3, size=(4, 26)),
                m_points=40,
                m_vertices=26,
                n_points=12,
                n_vertices=10,
                h11=h11,
                h21=30,
                euler=2 * (h11 - 30),
            )
        )
    return out


@pytest.fixture(scope="module")
def ksfile(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ks") / "toy.txt"
    write_ks(_entries(60), path)
    return path


@pytest.fixture(scope="module")
def checkpoint(ksfile, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run")
    code = main(["train", "--model", "majority", "--data", str(ksfile), "--out", str(out)])
    assert code == 0
    return out / "model.pt"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    assert err.count("\n") == 1, err


# --------------------------------------------------------------------------- malformed KS files

ROW = "   1   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0   0"


def _ks_text(bad_token: str) -> str:
    rows = [ROW.replace("   1", f" {bad_token}", 1)] + [ROW] * 3
    return "4 26  M:51 26 N:11 10 H:6,46 [-80]\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    "token", ["1180591620717411303424", "--1", "+-1", "1_0", "0x10", "9223372036854775808"]
)
def test_bad_integer_tokens_are_one_line_errors(tmp_path, capsys, token):
    path = tmp_path / "bad.txt"
    path.write_text(_ks_text(token))
    code, _, err = run(capsys, "data", "info", path)
    assert_one_line_error(code, err)
    assert f"{path}:2:" in err


def test_huge_token_under_skip_is_reported_not_raised(tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text(_ks_text("1180591620717411303424") + "".join(e.to_text() for e in _entries(3)))
    ks = read_ks(path, on_error="skip")
    assert len(ks) == 3 and len(ks.skipped) == 1
    assert "out of the int64 range" in str(ks.skipped[0])


def test_int64_extremes_made_symmetric_are_read(tmp_path):
    """|x| <= 2**63 - 1 is read; -2**63 is refused (its absolute value is not an int64)."""
    path = tmp_path / "big.txt"
    path.write_text(_ks_text("-9223372036854775807"))
    assert read_ks(path)[0].vertices[0, 0] == -(2**63) + 1
    path.write_text(_ks_text("-9223372036854775808"))
    with pytest.raises(KSFormatError, match="out of the int64 range made symmetric"):
        read_ks(path)


def test_corrupt_gzip_is_one_line_with_a_line_number(tmp_path, capsys):
    blob = gzip.compress("".join(e.to_text() for e in _entries(2000)).encode())
    corrupt = bytearray(blob)
    corrupt[len(blob) // 2] ^= 0xFF
    path = tmp_path / "corrupt.gz"
    path.write_bytes(bytes(corrupt))
    code, _, err = run(capsys, "data", "info", path)
    assert_one_line_error(code, err)
    truncated = tmp_path / "truncated.gz"
    truncated.write_bytes(blob[: len(blob) // 2])
    code, _, err = run(capsys, "data", "info", truncated)
    assert_one_line_error(code, err)
    line = int(err.split(f"{truncated}:")[1].split(":")[0])
    assert line > 1  # where reading stopped, not "line 0"


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--model", "mlp", "--epochs", "0"],
        ["train", "--model", "mlp", "--epochs", "-3"],
        ["train", "--model", "mlp", "--time-budget", "0"],
        ["train", "--model", "mlp", "--time-budget", "-1"],
        ["train", "--model", "mlp", "--threads", "0"],
        ["train", "--model", "mlp", "--threads", "-1"],
        ["train", "--model", "mlp", "--batch-size", "0"],
        ["train", "--model", "mlp", "--batch-size", "-1"],
        ["train", "--model", "mlp", "--lr", "nan"],
        ["train", "--model", "mlp", "--lr", "inf"],
        ["train", "--model", "mlp", "--limit", "-5"],
        ["train", "--model", "mlp", "--epochs", "1_0"],
        ["check", "--checkpoint", "X", "--samples", "0"],
        ["evaluate", "--checkpoint", "X", "--limit", "0"],
        ["check", "--checkpoint", "X", "--limit", "0"],
        ["hodge", "P", "--limit", str(2**64)],
        ["normal-form", "P", "-o", "Q", "--limit", str(2**63)],
        ["canon", "P", "-o", "Q", "--limit", "99999999999999999999"],
        ["canon", "P", "-o", "Q", "--limit", "-5"],
        ["data", "split", "P", "--fractions", "nan", "0", "1"],
        ["data", "split", "P", "--fractions", "1.5", "-0.5", "0"],
        ["train", "--model", "mlp", "--symmetrize", "1000000000"],
        ["check", "--checkpoint", "X", "--samples", "100000000"],
        ["hodge", "P", "--jobs", "100000"],
        ["hodge", "P", "--cluster", "local:5000"],
        ["normal-form", "P", "-o", "Q", "--jobs", "257"],
    ],
    ids=lambda a: " ".join(a),
)
def test_bad_arguments_are_one_line_errors(tmp_path, capsys, args):
    argv = [a if a not in ("X", "P", "Q") else str(tmp_path / a) for a in args]
    if argv[0] == "train":
        argv += ["--out", str(tmp_path / "run")]
    code, _, err = run(capsys, *argv)
    assert_one_line_error(code, err)
    assert not (tmp_path / "run").exists()


def test_fractions_must_sum_to_one(ksfile, capsys):
    code, _, err = run(capsys, "data", "split", ksfile, "--fractions", "0.5", "0.5", "0.5")
    assert_one_line_error(code, err)


@pytest.mark.parametrize(
    "config", ['{"width": "abc"}', '{"no_such_key": 1}', '{"hidden": "abc"}', '{"encoding": 3}']
)
def test_bad_model_config_is_one_line(ksfile, tmp_path, capsys, config):
    code, _, err = run(
        capsys, "train", "--model", "pointnet", "--data", ksfile, "--config", config,
        "--epochs", "1", "--out", tmp_path / "run",
    )  # fmt: skip
    assert_one_line_error(code, err)
    assert "config of pointnet" in err


# --------------------------------------------------------------------------- files


def test_input_that_is_a_directory_or_missing(tmp_path, capsys):
    for cmd in (["data", "info"], ["hodge"], ["canon", "-o", str(tmp_path / "o.txt")]):
        for path in (tmp_path, tmp_path / "missing.txt"):
            code, _, err = run(capsys, *cmd, path)
            assert_one_line_error(code, err)


def test_unwritable_outputs(ksfile, tmp_path, capsys):
    adir = tmp_path / "adir.csv"
    adir.mkdir()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (adir, blocker / "below.csv"):
        code, _, err = run(capsys, "canon", ksfile, "--method", "lex", "-o", out)
        assert_one_line_error(code, err)
        code, _, err = run(capsys, "normal-form", ksfile, "--limit", "1", "-o", out)
        assert_one_line_error(code, err)
        code, _, err = run(capsys, "hodge", ksfile, "--limit", "2", "--out", out)
        assert_one_line_error(code, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir.csv", "file"]
    assert list(adir.iterdir()) == []  # no adir.part or temporary file left anywhere


def test_write_ks_round_trips_wide_coordinates(tmp_path):
    rng = np.random.default_rng(3)
    entries = []
    for i in range(200):
        n = int(rng.integers(5, 30))
        m = rng.integers(-(10**6), 10**6 + 1, size=(4, n))
        m[0, 0] = [-(10**6), 10**6, -100, 1000, -1][i % 5]
        entries.append(KSEntry(index=i, vertices=m, transposed=bool(i % 2)))
    path = tmp_path / "wide.txt"
    write_ks(entries, path)
    back = read_ks(path)
    assert len(back) == len(entries)
    for a, b in zip(entries, back, strict=True):
        assert a.transposed == b.transposed and np.array_equal(a.vertices, b.vertices)


def test_canon_output_with_wide_coordinates_reads_back(tmp_path, capsys):
    """The contract: `canon --method lex -o OUT` then `data info OUT`, coordinates up to ±10^6."""
    rng = np.random.default_rng(5)
    entries = [
        dataclasses.replace(e, vertices=rng.integers(-(10**6), 10**6 + 1, size=(4, 26)))
        for e in _entries(20)
    ]
    entries[0].vertices[0, :2] = [-(10**6), 10**6]
    src, out = tmp_path / "wide.txt", tmp_path / "lex.txt"
    write_ks(entries, src)
    code, _, err = run(capsys, "canon", src, "--method", "lex", "-o", out)
    assert code == 0, err
    code, report, err = run(capsys, "data", "info", out, "--json")
    assert code == 0, err
    info = json.loads(report)
    assert info["count"] == 20 and info["coordinate_range"] == [-(10**6), 10**6]


# --------------------------------------------------------------------------- hostile checkpoints


class _Payload:
    """An object whose unpickling would create a marker file (it must never run)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _hostile_files(tmp_path: Path, checkpoint: Path) -> list[tuple[Path, Path]]:
    """(file, marker) pairs: a plain hostile pickle, and one hidden in a real checkpoint."""
    plain_marker = tmp_path / "plain-ran"
    plain = tmp_path / "plain.pt"
    torch.save({"format": "orbitlearn-checkpoint/1", "x": _Payload(plain_marker)}, plain)
    inner_marker = tmp_path / "inner-ran"
    payload = torch.load(checkpoint, weights_only=True)
    payload["metadata"]["note"] = _Payload(inner_marker)
    inner = tmp_path / "inner.pt"
    torch.save(payload, inner)
    return [(plain, plain_marker), (inner, inner_marker)]


def test_hostile_checkpoints_never_run(ksfile, checkpoint, tmp_path, capsys):
    for path, marker in _hostile_files(tmp_path, checkpoint):
        for argv in (
            ["evaluate", "--checkpoint", path, "--data", ksfile, "--indices", "all"],
            ["check", "--checkpoint", path, "--data", ksfile, "--limit", "5"],
            ["ensemble", checkpoint, path, "--out", tmp_path / "ens.pt"],
        ):
            code, _, err = run(capsys, *argv)
            assert_one_line_error(code, err)
            assert "not a safe orbitlearn checkpoint" in err
            assert not marker.exists()
    assert not (tmp_path / "ens.pt").exists()


def test_hostile_training_state_never_runs(ksfile, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "--model", "mlp", "--data", ksfile, "--epochs", "1", "--out", out]
    assert run(capsys, *args)[0] == 0
    marker = tmp_path / "state-ran"
    state = torch.load(out / "train_state.pt", weights_only=True)
    state["result"]["history"][0]["note"] = _Payload(marker)
    torch.save(state, out / "train_state.pt")
    code, _, err = run(capsys, *args, "--resume")
    assert_one_line_error(code, err)
    assert "not a safe orbitlearn checkpoint" in err and not marker.exists()


@pytest.mark.parametrize("damage", ["no_state", "wrong_shape", "classes_text"])
def test_checkpoint_with_right_tag_and_wrong_contents(ksfile, checkpoint, tmp_path, capsys, damage):
    payload = torch.load(checkpoint, weights_only=True)
    if damage == "no_state":
        del payload["state"]
    elif damage == "wrong_shape":
        payload["shape"] = "abc"
    else:
        payload["classes"] = "abc"
    path = tmp_path / "damaged.pt"
    torch.save(payload, path)
    code, _, err = run(capsys, "evaluate", "--checkpoint", path, "--data", ksfile)
    assert_one_line_error(code, err)
    assert "not a valid orbitlearn checkpoint" in err


def test_committed_models_load_safely():
    from orbitlearn.apps.ks.checkpoints import load_pipeline

    root = Path(__file__).resolve().parents[1] / "models"
    for name in ("ks_h11_best.pt", "ks_h11_gl4z.pt"):
        pipe = load_pipeline(root / name)
        label = pipe.claimed_invariance().label
        # a set model padded to n slots claims S_n; on 26 vertices that is S26
        padded = pipe.accepts_any_vertex_count() and label == "GL(4,Z) x S28"
        assert label in ("S4 x S26", "GL(4,Z) x S26") or padded, label


def test_checkpoint_of_another_shape_is_one_line(checkpoint, tmp_path, capsys):
    rng = np.random.default_rng(0)
    for shape in ((3, 26), (5, 26), (4, 40)):
        entries = [
            KSEntry(index=i, vertices=rng.integers(-2, 3, size=shape), h11=2, h21=30)
            for i in range(5)
        ]
        path = tmp_path / f"{shape[0]}x{shape[1]}.txt"
        write_ks(entries, path)
        code, _, err = run(
            capsys, "evaluate", "--checkpoint", checkpoint, "--data", path, "--indices", "all"
        )
        assert_one_line_error(code, err)
        assert str(path) in err and "4 x 26" in err


# --------------------------------------------------------------------------- resuming


def test_resume_refuses_another_run(ksfile, tmp_path, capsys):
    out = tmp_path / "run"
    base = ["train", "--model", "mlp", "--data", ksfile, "--epochs", "2", "--out", out]
    assert run(capsys, *base)[0] == 0
    for change, field in (
        (["--model", "pointnet"], "model"),
        (["--limit", "20"], "limit"),
        (["--canon", "lex"], "canon"),
        (["--augment", "s4xs26"], "augment"),
        (["--config", '{"dropout": 0.3}'], "config"),
        (["--split-seed", "1"], "split_seed"),
    ):
        argv = [*base[:2], change[1] if change[0] == "--model" else "mlp", *base[3:]]
        if change[0] != "--model":
            argv += change
        code, _, err = run(capsys, *argv, "--resume")
        assert_one_line_error(code, err)
        assert field in err


def test_resume_rewrites_the_log_from_the_state(ksfile, tmp_path, capsys):
    """A kill after the log row of epoch k but before the state of epoch k: no epoch twice."""
    out = tmp_path / "run"
    args = ["train", "--model", "mlp", "--data", ksfile, "--epochs", "3", "--out", out]
    assert run(capsys, *args)[0] == 0
    state = torch.load(out / "train_state.pt", weights_only=True)
    state["epoch"] = 1
    state["result"]["history"] = state["result"]["history"][:2]
    torch.save(state, out / "train_state.pt")
    assert run(capsys, *args, "--resume")[0] == 0
    lines = (out / "metrics.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "1", "2"]


# --------------------------------------------------------------------------- processes


def _env(**extra) -> dict:
    env = dict(os.environ)
    env.update(extra)
    return env


def test_version_with_no_home():
    proc = subprocess.run(
        [*ORBITLEARN, "--version"], capture_output=True, text=True, env=_env(HOME="/nonexistent")
    )
    assert proc.returncode == 0 and proc.stdout.startswith("orbitlearn ")


def test_version_is_the_installed_one_and_read_without_metadata():
    from importlib import metadata

    from orbitlearn.version import __version__

    assert metadata.version("orbitlearn") == __version__  # pyproject.toml reads version.py
    code = "import sys, orbitlearn.cli; print('importlib.metadata' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "False", proc.stdout + proc.stderr


def test_help_and_version_import_nothing_heavy():
    code = (
        "import sys\n"
        "from orbitlearn.cli import main\n"
        "main(['--version']); main(['--help'])\n"
        "heavy = [m for m in ('torch', 'sklearn', 'numba', 'xgboost') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr


def test_kill_during_hodge_out_keeps_old_or_new_file(v26_path, tmp_path):
    out = tmp_path / "h.csv"
    out.write_text("old contents\n")
    argv = [*ORBITLEARN, "hodge", str(v26_path), "--limit", "3000", "--out", str(out)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
            break
        time.sleep(0.002)
    proc.kill()
    proc.wait()
    text = out.read_text()
    assert text == "old contents\n" or (
        text.startswith("index,") and len(text.splitlines()) == 3001
    )


def test_ctrl_c_during_normal_form(v26_path, tmp_path):
    out = tmp_path / "nf.txt"
    # v26 four times over: with warm kernels one v26 can be done in about 6 s, before the signal
    proc = subprocess.Popen(
        [*ORBITLEARN, "normal-form", *[str(v26_path)] * 4, "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell without job control starts background jobs with SIGINT ignored: undo that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(6)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "orbitlearn: interrupted" and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_engine_without_a_writable_cache_compiles_and_warns(tmp_path):
    """No writable cache folder (NUMBA_CACHE_DIR below a plain file, no home): one warning, and
    the engine still computes (compiled in-process)."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = (
        "import numpy as np\n"
        "from orbitlearn.geometry import hodge_record\n"
        "simplex = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])\n"
        "print(hodge_record(simplex)['h11'])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_env(HOME="/nonexistent", NUMBA_CACHE_DIR=str(blocker / "cache")),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "101"  # the quintic mirror pair: h11 = 101 for this Δ
    assert "no writable cache folder" in proc.stderr


def test_skip_keeps_memory_bounded_and_lists_all_on_request(tmp_path, capsys):
    bad = "4 26  M:51 26 N:11 10 H:6,46 [-80]\n" + "   x" * 26 + "\n" + ("   0" * 26 + "\n") * 3
    path = tmp_path / "bad.txt"
    path.write_text(bad * 3000 + "".join(e.to_text() for e in _entries(3)))
    ks = read_ks(path, on_error="skip")
    assert len(ks) == 3 and len(ks.skipped) == 3000 and len(ks.skipped.kept) == 100
    errors = tmp_path / "errors.txt"
    code, _, err = run(
        capsys, "data", "info", path, "--on-error", "skip", "--errors-to", errors, "--json"
    )
    assert code == 0 and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 101 and "skipped 3000 malformed entries" in lines[-1]
    assert len(errors.read_text().splitlines()) == 3000


def test_stale_temporary_files_of_dead_writers_are_removed(tmp_path):
    from orbitlearn.fileio import remove_stale_temps, temp_path

    target = tmp_path / "train_state.pt"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".train_state.pt.{dead.pid}.tmp"
    stale.write_bytes(b"")
    mine = temp_path(target)
    mine.write_bytes(b"")
    assert remove_stale_temps(target) == [stale]
    assert mine.exists() and not stale.exists()


def test_a_missing_optional_dependency_names_the_extra(tmp_path, v26_path):
    """Without torch, `orbitlearn train` says which extra to install, in one line (run in a
    subprocess whose import system cannot find torch)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from orbitlearn.cli import main\n"
        f"sys.exit(main(['train', '--model', 'pointnet', '--out', {str(tmp_path / 'o')!r}, "
        f"'--data', {str(v26_path)!r}, '--limit', '60']))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'orbitlearn[ml]'" in lines[0], out.stderr


# --------------------------------------------------------------------------- issue 42: a hostile hour

LOWEST = str(-(2**63))
SIMPLEX = "4 5  M:126 5 N:6 5 H:1,101 [-200]\n 1 0 0 0 -1\n 0 1 0 0 -1\n 0 0 1 0 -1\n 0 0 0 1 -1\n"
LOWEST_SIMPLEX = SIMPLEX.replace(" 1 0 0 0 -1", f" {LOWEST} 0 0 0 -1")
LOWEST_TRIANGLE = f"2 3\n {LOWEST} 1 0\n 0 0 1\n"

#: (id, {file: text}, argv (file names relative to tmp_path), exit code, a part of the message)
HOSTILE = [
    ("lowest-int64 hodge", {"in.txt": LOWEST_SIMPLEX}, ["hodge", "in.txt"], 2, "int64"),
    ("lowest-int64 normal-form", {"in.txt": LOWEST_TRIANGLE},
     ["normal-form", "in.txt", "-o", "nf.txt"], 2, "int64"),
    ("lowest-int64 duals", {"in.txt": LOWEST_SIMPLEX},
     ["data", "duals", "in.txt", "-o", "d.txt"], 2, "int64"),
    ("lowest-int64 predict", {"in.txt": LOWEST_SIMPLEX},
     ["predict", "--checkpoint", "ks_h11_gl4z", "in.txt"], 2, "int64"),
    ("hodge X --out X", {"in.csv": SIMPLEX}, ["hodge", "in.csv", "--out", "in.csv"], 2,
     "refusing to overwrite an input"),
    ("hodge X --out link-to-X", {"in.csv": SIMPLEX, "@link.csv": "in.csv"},
     ["hodge", "in.csv", "--out", "link.csv"], 2, "refusing to overwrite an input"),
    ("normal-form X -o ./X", {"in.txt": SIMPLEX}, ["normal-form", "in.txt", "-o", "./in.txt"], 2,
     "refusing to overwrite an input"),
    ("duals X -o X", {"in.txt": SIMPLEX}, ["data", "duals", "in.txt", "-o", "in.txt"], 2,
     "refusing to overwrite an input"),
    ("info K --errors-to K", {"K": SIMPLEX},
     ["data", "info", "K", "--on-error", "skip", "--errors-to", "K"], 2,
     "refusing to overwrite an input"),
    ("predict X -o X", {"in.txt": SIMPLEX},
     ["predict", "--checkpoint", "ks_h11_gl4z", "in.txt", "-o", "in.txt"], 2,
     "refusing to overwrite an input"),
    ("predict -o E --errors-to E", {"in.txt": SIMPLEX},
     ["predict", "--checkpoint", "ks_h11_gl4z", "in.txt", "-o", "E", "--on-error", "skip",
      "--errors-to", "E"], 2, "name the same file"),
    ("canon X -o X", {"in.txt": SIMPLEX}, ["canon", "in.txt", "--method", "lex", "-o", "in.txt"],
     2, "refusing to overwrite an input"),
]  # fmt: skip


def _make_files(tmp_path: Path, files: dict[str, str]) -> dict[Path, bytes]:
    """Write the case's files (``@name``: a symlink to the text's file); their bytes."""
    for name, text in files.items():
        if name.startswith("@"):
            (tmp_path / name[1:]).symlink_to(tmp_path / text)
        else:
            (tmp_path / name).write_text(text)
    return {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}


@pytest.mark.parametrize(
    "files, argv, code, message", [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_hostile_input_table(tmp_path, capsys, monkeypatch, files, argv, code, message):
    """Each hostile case: its exit code, one stderr line with its message, no input changed,
    no output left behind."""
    before = _make_files(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    got, _, err = run(capsys, *argv)
    assert got == code, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert message in err, err
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


@pytest.fixture(scope="module")
def mlp_checkpoint(ksfile, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mlp")
    argv = ["train", "--model", "mlp", "--data", ksfile, "--epochs", "1", "--out", out]
    assert main([str(a) for a in argv]) == 0
    return out / "model.pt"


def _damaged(checkpoint: Path, path: Path, damage: str) -> Path:
    from orbitlearn.torch_io import content_checksum

    payload = torch.load(checkpoint, weights_only=True)
    if damage.startswith("nan"):
        first = next(iter(payload["state"]))
        payload["state"][first].view(-1)[0] = float("nan")
    elif damage == "reversed classes":
        payload["classes"] = payload["classes"][::-1]
    elif damage == "duplicated classes":
        payload["classes"] = [payload["classes"][0], *payload["classes"][:-1]]
    elif damage == "changed class, old checksum":
        payload["classes"] = [payload["classes"][0] - 1, *payload["classes"][1:]]
    del payload["checksum"]
    if damage in ("nan, checksum recomputed", "reversed classes"):
        payload["checksum"] = content_checksum(payload)  # a crafted file: checksum made to fit
    elif damage == "changed class, old checksum":
        payload["checksum"] = torch.load(checkpoint, weights_only=True)["checksum"]
    torch.save(payload, path)
    return path


@pytest.mark.parametrize(
    "damage, message",
    [
        ("nan, no checksum", "weights are not finite"),
        ("nan, checksum recomputed", "weights are not finite"),
        ("reversed classes", "distinct increasing"),
        ("duplicated classes", "distinct increasing"),
        ("changed class, old checksum", "do not match its checksum"),
    ],
)
def test_damaged_checkpoint_never_predicts(
    mlp_checkpoint, ksfile, tmp_path, capsys, damage, message
):
    """NaN weights, a reversed or duplicated class list, contents that disagree with the checksum:
    predict, evaluate and check refuse with one line (exit 2), before anything is printed."""
    path = _damaged(mlp_checkpoint, tmp_path / "damaged.pt", damage)
    for argv in (
        ["predict", "--checkpoint", path, ksfile, "--json"],
        ["evaluate", "--checkpoint", path, "--data", ksfile, "--indices", "all"],
        ["check", "--checkpoint", path, "--data", ksfile, "--limit", "5"],
    ):
        code, out, err = run(capsys, *argv)
        assert_one_line_error(code, err)
        assert message in err and out == ""


def test_flipped_bytes_give_one_line_or_the_same_predictions(
    mlp_checkpoint, ksfile, tmp_path, capsys
):
    code, reference, err = run(capsys, "predict", "--checkpoint", mlp_checkpoint, ksfile)
    assert code == 0, err
    blob = mlp_checkpoint.read_bytes()
    refused = 0
    for k in range(12):
        damaged = bytearray(blob)
        damaged[(k * 7919 + 101) % len(blob)] ^= 0x5A
        path = tmp_path / f"flip{k}.pt"
        path.write_bytes(bytes(damaged))
        code, out, err = run(capsys, "predict", "--checkpoint", path, ksfile)
        if code == 0:
            assert out == reference  # a flip in an unused byte (zip padding): same answers
        else:
            assert_one_line_error(code, err)
            refused += 1
    assert refused >= 6


def test_diverged_training_exits_non_zero_and_saves_nothing(ksfile, tmp_path, capsys):
    out = tmp_path / "run"
    code, _, err = run(
        capsys, "train", "--model", "mlp", "--data", ksfile, "--lr", "1e9", "--epochs", "3",
        "--out", out,
    )  # fmt: skip
    assert_one_line_error(code, err)
    assert "diverged" in err and not (out / "model.pt").exists()


def test_a_model_with_nan_weights_is_not_saved(mlp_checkpoint, tmp_path):
    from orbitlearn.apps.ks.checkpoints import load_pipeline
    from orbitlearn.errors import OrbitlearnError

    pipe = load_pipeline(mlp_checkpoint)
    state = pipe.model.get_state()
    first = next(iter(state))
    state[first].view(-1)[0] = float("inf")
    pipe.model.set_state(state)
    with pytest.raises(OrbitlearnError, match="not finite"):
        pipe.save(tmp_path / "m.pt")
    assert list(tmp_path.iterdir()) == []


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        kids += [int(k) for k in text.split()]
    return kids


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
@pytest.mark.parametrize("command", ["hodge", "normal-form"])
def test_ctrl_c_ends_the_engine_within_two_seconds(v26_path, tmp_path, command):
    """SIGINT while the compiled engine is inside a block: exit 130 within 2 s, one line, no
    worker process left behind (the engine runs in a worker process the driver kills)."""
    argv = [*ORBITLEARN, command, str(v26_path), "-o" if command == "normal-form" else "--out",
            str(tmp_path / "out.txt" if command == "normal-form" else tmp_path / "out.csv")]  # fmt: skip
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 60
    while time.time() < deadline and not _children(proc.pid):
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert workers, "no worker process started"
    time.sleep(1.0)  # inside the first block's compiled call
    start = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert time.perf_counter() - start < 2.0, err
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "orbitlearn: interrupted" and "Traceback" not in err
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_out_on_a_symlink_keeps_the_link_and_the_mode(tmp_path, capsys):
    src = tmp_path / "in.txt"
    src.write_text(SIMPLEX)
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    code, _, err = run(capsys, "hodge", src, "--out", link)
    assert code == 0, err
    assert link.is_symlink() and target.read_text().startswith("index,")
    assert (target.stat().st_mode & 0o777) == 0o600


def test_sigterm_leaves_no_temporary_file(v26_path, tmp_path):
    out = tmp_path / "h.csv"
    proc = subprocess.Popen(
        [*ORBITLEARN, "hodge", str(v26_path), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
        time.sleep(0.01)
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert err.strip().splitlines()[-1] == "orbitlearn: terminated" and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def _v26_first(v26_path) -> np.ndarray:
    from orbitlearn.datasets.ks import iter_ks

    return next(iter(iter_ks(v26_path))).vertices


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda x: x + 0.4, "non-integer values such as"),
        (lambda x: np.where(x == 1, np.nan, x), "NaN or an infinity"),
        (lambda x: np.where(x == 1, np.inf, x), "NaN or an infinity"),
        (lambda x: np.empty((0, 4, 26)), "nothing to predict"),
        (lambda x: [], "nothing to predict"),
        (lambda x: x.astype(str), "expected integer coordinates"),
        (lambda x: [["a"] * 26] * 4, "expected a (d, n) matrix"),
    ],
    ids=["1.4", "nan", "inf", "empty batch", "empty list", "strings", "list of strings"],
)
def test_api_predict_refuses_what_is_not_an_integer_matrix(v26_path, make, message):
    from orbitlearn import load_model
    from orbitlearn.errors import OrbitlearnError

    model = load_model("ks_h11_gl4z")
    x = _v26_first(v26_path)
    assert model.predict(x.astype(np.float64)) == model.predict(x)  # whole floats are fine
    with pytest.raises(OrbitlearnError, match=re.escape(message)):
        model.predict(make(x))


def test_load_model_of_none_is_one_line():
    from orbitlearn import load_model
    from orbitlearn.errors import OrbitlearnError

    with pytest.raises(OrbitlearnError, match="expected a checkpoint path"):
        load_model(None)


def test_normal_form_header_follows_the_new_vertex_count(v26_path, tmp_path, capsys):
    """A 27th column that is not a vertex: the normal form has 26, and so does its header's M:
    (a stale `M:51 27` made the command's own output unreadable)."""
    first = _first_entry(v26_path)
    with_origin = np.concatenate([first.vertices, np.zeros((4, 1), dtype=np.int64)], axis=1)
    src, out = tmp_path / "27.txt", tmp_path / "nf.txt"
    write_ks([dataclasses.replace(first, vertices=with_origin, m_vertices=27)], src)
    code, _, err = run(capsys, "normal-form", src, "-o", out)
    assert code == 0, err
    back = read_ks(out)[0]
    assert back.vertices.shape == (4, 26) and back.m_vertices == 26


def test_skip_on_a_two_column_file_makes_no_phantom_entry(tmp_path, capsys):
    """Rows of a transposed 2-D entry look like bare headers (`3 2`): after a bad entry the rows
    its header announced are skipped as rows, not read as new entries."""
    path = tmp_path / "two.txt"
    path.write_text("3 2\n 1 0\n 0 x\n 3 2\n3 2\n 1 0\n 0 1\n -1 -1\n")
    ks = read_ks(path, on_error="skip")
    assert len(ks) == 1 and len(ks.skipped) == 1
    assert ks[0].vertices.tolist() == [[1, 0, -1], [0, 1, -1]]


def _first_entry(v26_path) -> KSEntry:
    from orbitlearn.datasets.ks import iter_ks

    return next(iter(iter_ks(v26_path)))


def test_a_huge_single_line_is_refused_with_bounded_memory(tmp_path, capsys):
    """A file that is one long line (the issue's 200 MB case peaked at 5.7 GB): refused at the
    line-length limit, with a peak memory that does not grow with the file."""
    import tracemalloc

    from orbitlearn.limits import MAX_LINE_BYTES

    peaks = []
    for megabytes in (20, 80):
        path = tmp_path / f"one-line-{megabytes}.txt"
        with path.open("w") as fh:
            fh.write("4 26\n")
            for _ in range(megabytes):
                fh.write(" 1" * 500_000)  # 1 MB, no line end
        tracemalloc.start()
        try:
            with pytest.raises(KSFormatError, match=f"longer than {MAX_LINE_BYTES} bytes"):
                read_ks(path)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert max(peaks) < 20 * MAX_LINE_BYTES and peaks[1] < peaks[0] + MAX_LINE_BYTES, peaks
    code, _, err = run(capsys, "data", "info", path)
    assert_one_line_error(code, err)
    path.unlink()


def test_cr_only_line_endings_read_in_linear_time(v26_path, tmp_path):
    """Lone CR line ends go through the line reader: its cost per entry must not grow with the
    file (it did: every line searched the whole read window for an LF)."""
    with gzip.open(v26_path, "rb") as fh:
        lines = fh.read(6_000_000).split(b"\n")[: 8000 * 5]
    seconds = []
    for n in (2000, 8000):
        path = tmp_path / f"cr{n}.txt"
        path.write_bytes(b"\r".join(lines[: n * 5]) + b"\r")
        start = time.perf_counter()
        assert len(read_ks(path)) == n
        seconds.append(time.perf_counter() - start)
    assert seconds[1] < 8 * seconds[0] + 0.5, seconds  # linear: about 4x


def test_ensemble_of_a_multi_target_checkpoint_is_one_line(mlp_checkpoint, tmp_path, capsys):
    root = Path(__file__).resolve().parents[1] / "models"
    out = tmp_path / "ens.pt"
    code, _, err = run(capsys, "ensemble", root / "ks_hodge_any.pt", mlp_checkpoint, "--out", out)
    assert_one_line_error(code, err)
    assert "multi-target" in err and not out.exists()


@pytest.mark.parametrize("index", ["12345678901234567890", "-1", "0x10", "1.5"])
def test_evaluate_indices_out_of_range_are_one_line(
    mlp_checkpoint, ksfile, tmp_path, capsys, index
):
    path = tmp_path / "idx.txt"
    path.write_text(f"0 1 {index}\n")
    code, _, err = run(
        capsys, "evaluate", "--checkpoint", mlp_checkpoint, "--data", ksfile, "--indices", path
    )
    assert_one_line_error(code, err)
    assert str(path) in err and index in err


def test_disk_full_while_saving_a_checkpoint_is_one_line(ksfile, tmp_path, capsys, monkeypatch):
    """torch's writer reports a full disk as a RuntimeError: one line naming the file, nothing
    half-written left behind."""

    def full(obj, fh, *args, **kwargs):
        raise RuntimeError("[enforce fail at inline_container.cc:603] . unexpected pos 64 vs 0")

    monkeypatch.setattr(torch, "save", full)
    out = tmp_path / "run"
    code, _, err = run(
        capsys, "train", "--model", "mlp", "--data", ksfile, "--epochs", "1", "--out", out
    )
    assert_one_line_error(code, err)
    assert ".pt: cannot write" in err
    assert not [p for p in out.iterdir() if p.suffix in (".pt", ".tmp")]


def test_a_failed_save_says_the_run_folder_holds_an_earlier_model(
    ksfile, tmp_path, capsys, monkeypatch
):
    """A run whose model.pt cannot be written over an earlier run's: one line saying that the
    model.pt left there is the earlier run's (its run.json / metrics.csv describe the new one),
    and that model.pt is untouched."""
    out = tmp_path / "run"
    args = ["train", "--model", "mlp", "--data", ksfile, "--epochs", "1", "--out", out]
    assert run(capsys, *args)[0] == 0
    before = (out / "model.pt").read_bytes()

    real_save = torch.save

    def full(obj, fh, *a, **k):  # the disk fills up when the model itself is written
        if "model.pt" not in str(getattr(fh, "name", fh)):
            return real_save(obj, fh, *a, **k)
        raise RuntimeError("[enforce fail at inline_container.cc:603] . unexpected pos 64 vs 0")

    monkeypatch.setattr(torch, "save", full)
    code, _, err = run(capsys, *args[:-4], "--epochs", "2", "--out", out)
    assert_one_line_error(code, err)
    assert "model.pt there is an earlier run's" in err and "not saved" in err
    assert (out / "model.pt").read_bytes() == before


def test_a_failed_write_names_the_file(tmp_path):
    import errno

    from orbitlearn.fileio import atomic_write

    target = tmp_path / "out.txt"
    with pytest.raises(OSError) as info:
        with atomic_write(target) as fh:
            fh.write("x")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert info.value.filename == str(target) and info.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- messages (issue 42)


def test_a_utf8_byte_order_mark_is_not_data(tmp_path, capsys):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SIMPLEX.encode())
    assert len(read_ks(path)) == 1
    with path.open(encoding="utf-8") as text:  # the line reader on a text stream, too
        assert len(read_ks(text)) == 1


def test_duals_and_predict_counts_are_what_happened(tmp_path, capsys):
    twice = SIMPLEX.replace(" 1 0 0 0 -1", " 2 0 0 0 -1").replace(
        "M:126 5 N:6 5 H:1,101 [-200]", ""
    )
    path = tmp_path / "mixed.txt"
    path.write_text(SIMPLEX + twice)  # the second is not reflexive: it has no lattice dual
    code, out, _ = run(capsys, "data", "duals", path, "-o", tmp_path / "d.txt")
    assert code == 1 and "1 of 2 duals written" in out
    bad = tmp_path / "skip.txt"
    bad.write_text(SIMPLEX + "4 5\n 1 x 0 0 -1\n 0 1 0 0 -1\n 0 0 1 0 -1\n 0 0 0 1 -1\n" + SIMPLEX)
    code, _, err = run(capsys, "predict", "--checkpoint", "ks_h11_gl4z", bad, "--on-error", "skip")
    assert code == 1 and "1 of 3 entries not predicted" in err


def test_canon_normal_names_the_entry_it_refuses(tmp_path, capsys):
    path = tmp_path / "flat.txt"
    path.write_text("2 4\n 0 1 0 1\n 0 0 1 1\n2 3\n 0 0 0\n 1 1 1\n")
    code, _, err = run(capsys, "canon", path, "--method", "normal", "-o", tmp_path / "c.txt")
    assert_one_line_error(code, err)
    assert f"{path}:4: entry 1:" in err


def test_fetch_refuses_a_cached_file_with_a_bad_checksum(tmp_path, capsys, monkeypatch):
    (tmp_path / "ks").mkdir()
    (tmp_path / "ks" / "v26.gz").write_bytes(b"not the KS list")
    monkeypatch.setenv("ORBITLEARN_DATA", str(tmp_path))
    code, _, err = run(capsys, "data", "fetch", "ks", "--vertices", "26")
    assert_one_line_error(code, err)
    assert "sha256" in err and "--force" in err


def test_evaluate_and_check_take_a_committed_models_name(v26_path, tmp_path, capsys):
    from orbitlearn.datasets.ks import iter_ks

    entries = [e for _, e in zip(range(5), iter_ks(v26_path))]
    path = tmp_path / "five.txt"
    write_ks(entries, path)
    code, out, err = run(
        capsys, "evaluate", "--checkpoint", "ks_h11_gl4z", "--data", path, "--indices", "all"
    )
    assert code == 0, err
    assert "5 entries" in out


def test_a_hostile_checkpoint_prints_one_line_and_no_warning(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "hostile.pt"
    torch.save({"format": "orbitlearn-checkpoint/1", "x": _Payload(marker)}, path)
    proc = subprocess.run(
        [*ORBITLEARN, "predict", "--checkpoint", str(path), "-"],
        input=SIMPLEX,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "not a safe orbitlearn checkpoint" in proc.stderr and not marker.exists()
