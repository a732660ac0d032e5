"""`orbitlearn train | evaluate | check` on small KS files the tests write."""

from __future__ import annotations

import csv
import dataclasses
import json

import numpy as np
import pytest

from orbitlearn.apps.ks.names import get_group
from orbitlearn.cli import main
from orbitlearn.datasets.ks import KSEntry, read_ks, write_ks


def _entries(n: int, seed: int) -> list[KSEntry]:
    """Matrices whose label is an S4 x S26-invariant function of the entries (a learnable toy)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        m = rng.integers(-2, 3, size=(4, 26))
        h11 = int(np.abs(m).sum() // 12)
        h21 = 30
        out.append(
            KSEntry(
                index=i,
                vertices=m,
                m_points=40,
                m_vertices=26,
                n_points=12,
                n_vertices=10,
                h11=h11,
                h21=h21,
                euler=2 * (h11 - h21),
            )
        )
    return out


@pytest.fixture(scope="module")
def ksfile(tmp_path_factory):
    path = tmp_path_factory.mktemp("ks") / "toy.txt"
    write_ks(_entries(300, seed=0), path)
    return path


@pytest.fixture(scope="module")
def permuted_file(ksfile, tmp_path_factory):
    """The same entries, each matrix replaced by a random S4 x S26 image."""
    entries = read_ks(ksfile).entries
    group = get_group("s4xs26")
    rng = np.random.default_rng(9)
    moved = [
        dataclasses.replace(e, vertices=group.act(group.sample(1, rng)[0], e.vertices))
        for e in entries
    ]
    path = tmp_path_factory.mktemp("ks") / "toy_perm.txt"
    write_ks(moved, path)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def trained(ksfile, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    code = main(
        [
            "train",
            "--model",
            "exchangeable",
            "--data",
            str(ksfile),
            "--epochs",
            "3",
            "--config",
            '{"width": 16, "depth": 2}',
            "--out",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    return out


def test_train_leaves_checkpoint_and_metrics(trained):
    assert (trained / "model.pt").exists() and (trained / "metrics.csv").exists()
    metrics = json.loads((trained / "metrics.json").read_text())
    assert metrics["model"] == "exchangeable" and metrics["claimed_invariance"] == "S4 x S26"
    assert 0 <= metrics["test_accuracy"] <= 1 and metrics["epochs_run"] == 3
    assert metrics["data_sha256"] and metrics["split_seed"] == 0


def test_train_patience_on_the_training_score(ksfile, tmp_path, capsys):
    code, _, err = run(
        capsys, "train", "--model", "mlp", "--data", ksfile, "--epochs", "60", "--lr", "0.5",
        "--patience", "1", "--patience-on", "train", "--out", tmp_path,
    )  # fmt: skip
    assert code == 0, err
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["train_config"]["patience_on"] == "train"
    with open(tmp_path / "metrics.csv") as fh:
        train_scores = [float(r["train_score"]) for r in csv.DictReader(fh)]
    assert len(train_scores) == metrics["epochs_run"]
    # patience 1 on the training score: it stops at the first epoch below the best before it
    below = [k for k in range(1, len(train_scores)) if train_scores[k] < max(train_scores[:k])]
    if metrics["stopped_by"] == "patience":
        assert below and metrics["epochs_run"] == below[0] + 1
    else:
        assert not below and metrics["epochs_run"] == 60


def test_evaluate_json_contract_and_permuted_copy_gives_the_same_accuracy(
    trained, ksfile, permuted_file, capsys
):
    _, out, _ = run(
        capsys, "evaluate", "--checkpoint", trained / "model.pt", "--data", ksfile, "--json"
    )
    orig = json.loads(out)
    _, out, _ = run(
        capsys, "evaluate", "--checkpoint", trained / "model.pt", "--data", permuted_file, "--json"
    )
    perm = json.loads(out)
    assert orig["count"] == perm["count"] == 60
    assert orig["accuracy"] == perm["accuracy"]
    _, out, _ = run(
        capsys,
        "evaluate",
        "--checkpoint",
        trained / "model.pt",
        "--data",
        ksfile,
        "--transform",
        "perm",
        "--json",
    )
    assert json.loads(out)["accuracy"] == orig["accuracy"]


def test_evaluate_plot(trained, ksfile, tmp_path, capsys):
    target = tmp_path / "cm.png"
    code, out, _ = run(
        capsys, "evaluate", "--checkpoint", trained / "model.pt", "--data", ksfile, "--plot", target
    )
    assert code == 0 and target.stat().st_size > 1000 and "accuracy" in out


def test_check_json_contract(trained, ksfile, capsys):
    _, out, _ = run(
        capsys,
        "check",
        "--checkpoint",
        trained / "model.pt",
        "--data",
        ksfile,
        "--limit",
        "50",
        "--json",
    )
    report = json.loads(out)
    assert (
        report["max_abs"] < 1e-5
        and report["changed_share"] == 0.0
        and report["mean_abs"] <= report["max_abs"]
    )


def test_non_invariant_model_is_flagged_by_check(ksfile, tmp_path, capsys):
    code = main(
        ["train", "--model", "mlp", "--data", str(ksfile), "--epochs", "2", "--out", str(tmp_path)]
    )
    capsys.readouterr()
    assert code == 0
    _, out, _ = run(
        capsys,
        "check",
        "--checkpoint",
        tmp_path / "model.pt",
        "--data",
        ksfile,
        "--limit",
        "50",
        "--json",
    )
    assert json.loads(out)["max_abs"] > 1e-3


def test_user_errors(tmp_path, ksfile, capsys):
    code, _, err = run(capsys, "evaluate", "--checkpoint", tmp_path / "none.pt", "--data", ksfile)
    assert code == 2 and "no such checkpoint" in err
    (tmp_path / "junk.pt").write_text("not a checkpoint")
    code, _, err = run(capsys, "evaluate", "--checkpoint", tmp_path / "junk.pt", "--data", ksfile)
    assert code == 2 and "not a readable checkpoint" in err
    code, _, err = run(
        capsys,
        "train",
        "--model",
        "mlp",
        "--data",
        ksfile,
        "--config",
        "{bad",
        "--out",
        tmp_path / "r",
    )
    assert code == 2 and "--config is not valid JSON" in err
