"""`orbitlearn check --group e3`: the three ε of a point-cloud checkpoint (a safe payload), as JSON."""

from __future__ import annotations

import json

import numpy as np
import torch

from orbitlearn.cli import main
from orbitlearn.groups import E3
from orbitlearn.nn import EGNN
from orbitlearn.pointcloud_check import (
    as_point_cloud_model,
    check_point_cloud_model,
    load_point_cloud_model,
    register_point_cloud_network,
    save_point_cloud_model,
)


def _run(capsys, *args):
    rc = main(["check", *args])
    return rc, capsys.readouterr()


def test_check_e3_on_an_egnn_checkpoint(tmp_path, capsys):
    torch.manual_seed(0)
    config = {"in_features": 1, "hidden": 8, "n_layers": 2, "velocity": True}
    path = save_point_cloud_model(tmp_path / "egnn.pt", EGNN(**config).double(), "egnn", config)
    rc, out = _run(capsys, "--checkpoint", str(path), "--group", "e3", "--json", "--limit", "4")
    assert rc == 0
    report = json.loads(out.out)
    assert report["group"] == "E(3)" and report["count"] == 4
    for key in ("eps_sampled", "eps_adversarial", "eps_lie"):
        assert report[key] < 1e-10
    assert report["eps_adversarial"] >= report["eps_sampled"]
    assert np.asarray(report["worst_adversarial_element"]).shape == (4, 4)


def test_one_output_of_a_tuple_with_declared_roles(tmp_path):
    torch.manual_seed(0)
    config = {"in_features": 1, "hidden": 8, "n_layers": 1, "velocity": True}
    path = save_point_cloud_model(
        tmp_path / "egnn.pt", EGNN(**config).double(), "egnn", config, output_index=1
    )
    model = load_point_cloud_model(path)
    assert model.input_roles == ("scalar", "position", "vector")
    assert model.output_roles == "position"
    x = tuple(torch.randn(3, 5, c, dtype=torch.float64) for c in (1, 3, 3))
    report = check_point_cloud_model(model, E3(), x, samples=4, max_evals=30)
    assert report["eps_sampled"] < 1e-10 and report["kind"] == "equivariance"


class _Flat(torch.nn.Module):
    def __init__(self, n: int = 5):
        super().__init__()
        self.net = torch.nn.Linear(3 * n, 3 * n)

    def forward(self, x):
        return self.net(x.reshape(len(x), -1)).reshape(x.shape)


def test_check_e3_on_a_flat_model_with_data(tmp_path, capsys):
    register_point_cloud_network("test_flat", _Flat)
    torch.manual_seed(0)
    path = save_point_cloud_model(
        tmp_path / "flat.pt",
        _Flat().double(),
        "test_flat",
        {"n": 5},
        input_roles=["position"],
        output_roles="position",
    )
    data = tmp_path / "points.npz"
    np.savez(data, np.random.default_rng(0).normal(size=(6, 5, 3)))
    args = ["--checkpoint", str(path), "--group", "e3", "--json", "--data", str(data)]
    rc, out = _run(capsys, *args)
    report = json.loads(out.out)
    assert rc == 0 and report["count"] == 6
    for key in ("eps_sampled", "eps_adversarial", "eps_lie"):
        assert report[key] > 1e-2


def test_a_loaded_object_is_checked_in_process():
    torch.manual_seed(0)
    model = as_point_cloud_model(
        {"module": _Flat().double(), "input_roles": ["position"], "output_roles": "position"}
    )
    x = (torch.randn(2, 5, 3, dtype=torch.float64),)
    assert check_point_cloud_model(model, E3(), x, samples=2, max_evals=20)["eps_lie"] > 1e-2


def test_pickled_code_and_foreign_files_are_refused_in_one_line(tmp_path, capsys):
    pickled = tmp_path / "module.pt"
    torch.save(_Flat(), pickled)  # a pickled module: code, never loaded
    bad = tmp_path / "bad.pt"
    bad.write_text("not a checkpoint")
    plain = tmp_path / "plain.pt"
    torch.save({"weights": torch.zeros(2)}, plain)
    for path, words in ((pickled, "not a safe"), (bad, "not a readable"), (plain, "point-cloud")):
        assert main(["check", "--checkpoint", str(path), "--group", "e3"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err
