"""Mixed vertex counts end to end: a file of v26 polytopes and their duals (10 to 26 vertices)
read as one zero-padded dataset, set models trained on it with the padding masked, and their
predictions independent of the padding and of where the padding columns sit."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from orbitlearn.apps.ks.checkpoints import load_pipeline
from orbitlearn.cli import main
from orbitlearn.datasets.ks import read_ks, write_ks
from orbitlearn.datasets.ks_dataset import KSDataset, subsample
from orbitlearn.errors import KSFormatError
from orbitlearn.models.registry import build_model


@pytest.fixture(scope="module")
def mixed(v26_path, tmp_path_factory):
    """400 v26 entries and the duals of the first 200, in one file."""
    entries = read_ks(v26_path).entries
    keep = subsample(np.arange(len(entries)), 400, seed=5)
    folder = tmp_path_factory.mktemp("mixed")
    src = folder / "src.txt"
    write_ks([entries[i] for i in keep[:200]], src)
    duals = folder / "duals.txt"
    assert main(["data", "duals", str(src), "-o", str(duals)]) == 0
    both = [entries[i] for i in keep] + read_ks(duals).entries
    path = folder / "mixed.txt"
    write_ks(both, path)
    return path


def test_a_padded_dataset_keeps_every_matrix(mixed):
    ks = read_ks(mixed)
    with pytest.raises(KSFormatError, match="a dataset needs every entry"):
        KSDataset.from_file(ks)
    data = KSDataset.from_file(ks, pad=True)
    assert data.vertices.shape == (600, 4, 26)
    counts = data.vertex_counts
    assert counts.min() < 26 and counts.max() == 26
    for row, e in zip(data.vertices, ks.entries):
        n = e.vertices.shape[1]
        np.testing.assert_array_equal(row[:, :n], e.vertices)
        assert not row[:, n:].any()


def test_padding_does_not_change_a_padded_set_model(mixed):
    ks = read_ks(mixed)
    data = KSDataset.from_file(ks, pad=True)
    rng = np.random.default_rng(0)
    engine = {"vertex_features": True, "pools": ["max", "sum"]}
    for name, config in (("pointnet", {}), ("deepsets", {}), ("pointnet", engine)):
        model = build_model(name, 5, (4, 26), {"padded": True, "init_seed": 1, **config})
        net = model.module.eval()
        x = torch.as_tensor(data.vertices[:64], dtype=torch.float32)
        with torch.no_grad():
            padded = net(x)
            moved = net(x[:, :, rng.permutation(26)])  # padding columns anywhere
            wider = net(torch.cat([x, torch.zeros(64, 4, 7)], dim=2))  # more padding
            alone = torch.cat([net(torch.as_tensor(e.vertices[None], dtype=torch.float32))
                               for e in ks.entries[:64]])  # fmt: skip
        scale = padded.abs().max()
        for other in (moved, wider, alone):
            assert (other - padded).abs().max() / scale < 1e-5


def test_train_with_pad_and_predict_each_vertex_count(mixed, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--model", "pointnet", "--canon", "normal", "--pad", "--data", str(mixed)]
    assert main([*argv, "--epochs", "2", "--threads", "1", "--out", str(out)]) == 0
    pipe = load_pipeline(out / "model.pt")
    assert pipe.model.config["padded"] is True
    ks = read_ks(mixed)
    data = KSDataset.from_file(ks, pad=True)
    batch = pipe.predict_proba(data.vertices[:300])
    one_by_one = np.concatenate([pipe.predict_proba(e.vertices[None]) for e in ks.entries[:300]])
    np.testing.assert_allclose(batch, one_by_one, atol=1e-6)
    capsys.readouterr()
    assert main(["predict", "--checkpoint", str(out / "model.pt"), str(mixed), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 600 and all("h11" in r for r in records)


def test_pad_needs_a_set_network_and_no_zero_columns(mixed, tmp_path, capsys):
    argv = ["train", "--model", "mlp", "--pad", "--data", str(mixed), "--out", str(tmp_path / "m")]
    assert main([*argv, "--epochs", "1"]) == 2
    assert "set network" in capsys.readouterr().err
    e = read_ks(mixed).entries[0]
    zero = e.vertices.copy()
    zero[:, 3] = 0
    import dataclasses

    bad = tmp_path / "zero.txt"
    write_ks([dataclasses.replace(e, vertices=zero, m_vertices=None, m_points=None)], bad)
    with pytest.raises(KSFormatError, match="zero column"):
        KSDataset.from_file(read_ks(bad), pad=True)
