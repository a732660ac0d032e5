"""Using trained models: `orbitlearn predict` and `orbitlearn.load_model` (the committed models
and a fixed-shape one trained here)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import orbitlearn
from orbitlearn.apps.ks.checkpoints import ks_pipeline
from orbitlearn.apps.ks.predict import COMMITTED_MODELS
from orbitlearn.cli import main
from orbitlearn.datasets.ks import iter_ks
from orbitlearn.errors import OrbitlearnError
from orbitlearn.geometry import LatticePolytope
from orbitlearn.models import build_model
from orbitlearn.train import TrainConfig


@pytest.fixture(scope="module")
def entries(v26_path):
    return [e for e, _ in zip(iter_ks(v26_path), range(12))]


def _write(path, matrices):
    """A KS file whose headers are 'ROWS COLS' alone."""
    lines = []
    for m in matrices:
        lines.append(f"{m.shape[0]} {m.shape[1]}")
        lines += [" ".join(f"{int(v):3d}" for v in row) for row in m]
    path.write_text("\n".join(lines) + "\n")
    return path


def _duals(entries):
    """Polar duals of v26 polytopes: reflexive 4-polytopes with other vertex counts."""
    out = []
    for e in entries:
        dual = LatticePolytope(e.vertices).dual()
        v = np.asarray(dual.vertices)
        out.append(v if v.shape[0] == 4 else v.T)
    return out


def test_predict_json_in_file_order_from_a_file_and_from_stdin(entries, tmp_path, capsys):
    path = _write(tmp_path / "plain.txt", [e.vertices for e in entries])
    ckpt = str(COMMITTED_MODELS / "ks_h11_gl4z.pt")
    assert main(["predict", "--checkpoint", ckpt, str(path), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["index"] for r in records] == list(range(len(entries)))
    assert all(isinstance(r["h11"], int) for r in records)
    model = orbitlearn.load_model("ks_h11_gl4z")
    assert [r["h11"] for r in records] == model.predict(
        np.stack([e.vertices for e in entries])
    ).tolist()
    via_stdin = subprocess.run(
        [sys.executable, "-m", "orbitlearn.cli", "predict", "--checkpoint", ckpt, "-", "--json"],
        stdin=path.open("rb"),
        capture_output=True,
        text=True,
    )
    assert via_stdin.returncode == 0 and json.loads(via_stdin.stdout) == records


def test_set_models_take_other_vertex_counts(entries, tmp_path, capsys):
    duals = _duals(entries[:6])
    counts = {m.shape[1] for m in duals}
    assert counts - {26}, counts  # other vertex counts indeed
    path = _write(tmp_path / "duals.txt", duals)
    assert main(["predict", "--checkpoint", "ks_h11_gl4z", str(path), "--json", "--top", "3"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 6 and all("h11" in r and len(r["top"]) == 3 for r in records)
    # the Python API, on a list of matrices of different n, agrees
    model = orbitlearn.load_model("ks_h11_gl4z")
    assert model.any_vertex_count
    assert model.predict(duals).tolist() == [r["h11"] for r in records]
    single = model.predict(duals[0])
    assert isinstance(single, int) and single == records[0]["h11"]
    proba = model.predict_proba(duals[0])
    assert proba.shape == (len(model.classes_),) and abs(proba.sum() - 1) < 1e-9


def test_refused_entries_get_error_records_and_exit_1(entries, tmp_path, capsys):
    v = entries[0].vertices
    # a boundary lattice point that is not a vertex (a zero column would be read as padding by a
    # set model: the same polytope)
    vert = {tuple(c) for c in v.T}
    extra = next(c for c in LatticePolytope(v).boundary_points().T if tuple(c) not in vert)
    not_a_vertex = np.concatenate([v, extra[:, None].astype(np.int64)], axis=1)
    three_dim = np.array([[1, 0, 0, -1], [0, 1, 0, -1], [0, 0, 1, -1]])
    path = _write(tmp_path / "mixed.txt", [v, not_a_vertex, three_dim, v])
    assert main(["predict", "--checkpoint", "ks_h11_gl4z", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    records = json.loads(captured.out)
    assert [("h11" in r, "error" in r) for r in records] == [
        (True, False),
        (False, True),
        (False, True),
        (True, False),
    ]
    assert "vertex" in records[1]["error"] and "dimension 3" in records[2]["error"]
    assert "2 of 4 entries not predicted" in captured.err
    with pytest.raises(OrbitlearnError, match="entry 1"):
        orbitlearn.load_model("ks_h11_gl4z").predict([v, not_a_vertex])


def test_a_fixed_shape_model_refuses_other_vertex_counts(entries, tmp_path, capsys):
    x = np.stack([e.vertices for e in entries]).astype(np.int64)
    classes = np.unique([e.h11 for e in entries])
    y = np.searchsorted(classes, [e.h11 for e in entries])
    pipe = ks_pipeline(build_model("mlp", len(classes), (4, 26), {"encoding": "onehot"}), classes)
    pipe.fit(x, y, x, y, TrainConfig(epochs=1))
    ckpt = pipe.save(tmp_path / "mlp.pt")
    path = _write(tmp_path / "two.txt", [entries[0].vertices, _duals(entries[:1])[0]])
    assert (
        main(
            [
                "predict",
                "--checkpoint",
                str(ckpt),
                str(path),
                "--csv",
                "-o",
                str(tmp_path / "o.csv"),
            ]
        )
        == 1
    )
    rows = (tmp_path / "o.csv").read_text().splitlines()
    assert rows[0] == "index,h11,probability,in_distribution,error"
    assert rows[1].split(",")[1].isdigit() and 0 < float(rows[1].split(",")[2]) <= 1
    assert "exactly 26 vertices" in rows[2]
    capsys.readouterr()


def test_unknown_model_name_is_one_line(capsys):
    assert main(["predict", "--checkpoint", "no_such_model", "-"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "committed: ks_h11_best, ks_h11_gl4z" in err[0]


@pytest.mark.parametrize("name", ["ks_h11_gl4z", "ks_h11_best"])
def test_the_committed_networks_export(name, entries):
    """torch.export captures a committed pipeline's network (π, done in numpy, stays outside)."""
    import torch

    member = orbitlearn.load_model(name).pipeline.pipelines()[0]
    net = member.model.module.eval()
    x = torch.as_tensor(member.project(np.stack([e.vertices for e in entries[:4]])))
    exported = torch.export.export(net, (x,))
    torch.testing.assert_close(exported.module()(x), net(x))
