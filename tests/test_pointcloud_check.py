"""`orbitlearn check --group e3`: the three ε of a point-cloud checkpoint, as JSON."""

from __future__ import annotations

import json

import numpy as np
import torch

from orbitlearn.cli import main
from orbitlearn.nn import EGNN


def _run(capsys, *args):
    rc = main(["check", *args])
    return rc, capsys.readouterr()


def test_check_e3_on_an_egnn_checkpoint(tmp_path, capsys):
    torch.manual_seed(0)
    path = tmp_path / "egnn.pt"
    torch.save(EGNN(1, 8, 2, velocity=True).double(), path)
    rc, out = _run(capsys, "--checkpoint", str(path), "--group", "e3", "--json", "--limit", "4")
    assert rc == 0
    report = json.loads(out.out)
    assert report["group"] == "E(3)" and report["count"] == 4
    for key in ("eps_sampled", "eps_adversarial", "eps_lie"):
        assert report[key] < 1e-10
    assert report["eps_adversarial"] >= report["eps_sampled"]
    assert np.asarray(report["worst_adversarial_element"]).shape == (4, 4)


def test_check_e3_on_a_flat_model_with_data(tmp_path, capsys):
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(15, 15), torch.nn.Unflatten(1, (5, 3))
    ).double()
    path = tmp_path / "flat.pt"
    torch.save({"module": net, "input_roles": ["position"], "output_roles": "position"}, path)
    data = tmp_path / "points.npz"
    np.savez(data, np.random.default_rng(0).normal(size=(6, 5, 3)))
    args = ["--checkpoint", str(path), "--group", "e3", "--json", "--data", str(data)]
    rc, out = _run(capsys, *args)
    report = json.loads(out.out)
    assert rc == 0 and report["count"] == 6
    for key in ("eps_sampled", "eps_adversarial", "eps_lie"):
        assert report[key] > 1e-2


def test_a_bad_checkpoint_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_text("not a checkpoint")
    assert main(["check", "--checkpoint", str(bad), "--group", "e3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read" in err
