"""Targets: a model learns h11 or h21, its checkpoint says which, and everything downstream
(predict, evaluate, ensembles, the benchmark) follows the checkpoint's target."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import orbitlearn
from orbitlearn.apps.ks.bench import KSBenchmark
from orbitlearn.apps.ks.checkpoints import load_pipeline
from orbitlearn.apps.ks.rows import PROFILES, Profile, find_row
from orbitlearn.apps.ks.targets import TARGETS
from orbitlearn.cli import main
from orbitlearn.datasets.ks import read_ks, write_ks
from orbitlearn.datasets.ks_dataset import KSDataset, subsample
from orbitlearn.errors import OrbitlearnError
from orbitlearn.models.ensemble import EnsemblePipeline


@pytest.fixture(scope="module")
def small(v26_path, tmp_path_factory):
    entries = read_ks(v26_path).entries
    keep = subsample(np.arange(len(entries)), 600, seed=4)
    path = tmp_path_factory.mktemp("targets") / "small.txt"
    write_ks([entries[i] for i in keep], path)
    return path


@pytest.fixture(scope="module")
def trained(small, tmp_path_factory):
    out = {}
    for target in TARGETS:
        run = tmp_path_factory.mktemp(f"run_{target}")
        argv = ["train", "--model", "pointnet", "--canon", "normal", "--data", str(small)]
        argv += ["--target", target, "--epochs", "2", "--threads", "1", "--out", str(run)]
        assert main(argv) == 0
        out[target] = run / "model.pt"
    return out


def test_dataset_target_sets_classes_and_keeps_the_split(small):
    data = KSDataset.from_file(read_ks(small))
    h21 = data.with_target("h21")
    assert h21.target == "h21" and list(h21.classes) == sorted(set(data.h21.tolist()))
    assert (h21.classes[h21.y] == data.h21).all()
    a, b = data.split(seed=0), h21.split(seed=0)
    assert all((a.parts()[k] == b.parts()[k]).all() for k in ("train", "val", "test"))
    with pytest.raises(ValueError, match="unknown target"):
        data.with_target("h12")


def test_checkpoint_carries_the_target_to_predict_and_evaluate(trained, small, capsys):
    pipe = load_pipeline(trained["h21"])
    assert pipe.target == "h21" and pipe.describe()["target"] == "h21"
    capsys.readouterr()
    assert main(["predict", "--checkpoint", str(trained["h21"]), str(small), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 600 and all("h21" in r and "h11" not in r for r in records)
    data = KSDataset.from_file(read_ks(small))
    assert {r["h21"] for r in records} <= set(data.h21.tolist())
    assert (
        main(["evaluate", "--checkpoint", str(trained["h21"]), "--data", str(small), "--json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["target"] == "h21"
    assert set(map(int, report["per_class"])) <= set(data.h21.tolist())
    model = orbitlearn.load_model(trained["h21"])
    assert model.target == "h21" and set(model.classes_) == set(pipe.classes)


def test_committed_models_predict_h11(trained):
    assert orbitlearn.load_model("ks_h11_gl4z").target == "h11"
    assert load_pipeline(trained["h11"]).target == "h11"


def test_a_checkpoint_from_before_targets_predicts_h11(trained, tmp_path):
    from orbitlearn.models.pipeline import read_checkpoint
    from orbitlearn.torch_io import save_atomic

    payload = read_checkpoint(trained["h11"])
    del payload["target"]  # as written before targets existed (and before checksums)
    del payload["checksum"]
    save_atomic(payload, tmp_path / "old.pt")
    old = load_pipeline(tmp_path / "old.pt")
    assert old.target == "h11" and list(old.classes) == list(load_pipeline(trained["h11"]).classes)


def test_an_ensemble_of_different_targets_is_refused(trained):
    with pytest.raises(OrbitlearnError, match="different targets"):
        EnsemblePipeline([load_pipeline(trained["h11"]), load_pipeline(trained["h21"])])


def test_the_h21_profile_and_the_exact_row(small, tmp_path):
    assert PROFILES["h21"].target == "h21" and PROFILES["h21"].out.endswith("ks-h21")
    rows = (find_row("majority"), find_row("exact engine (Batyrev)"))
    profile = Profile("t", rows, seeds=(0,), limits=(None, None, None), check_count=20,
                      check_samples=1, target="h21")  # fmt: skip
    data = KSDataset.from_file(read_ks(small))
    bench = KSBenchmark(data, profile, tmp_path, threads=1)
    table = {r["row"]: r for r in bench.run()}
    assert table["exact engine (Batyrev)"]["acc_orig"] == 1.0
    counts = np.bincount(bench.data.y[bench.parts["train"]])
    majority = bench.data.classes[counts.argmax()]
    test = bench.data.target_values[bench.parts["test"]]
    assert table["majority"]["acc_orig"] == pytest.approx(float((test == majority).mean()))
    from orbitlearn.apps.ks.report import write_reports

    paths = write_reports(bench, bench.table())
    assert "h21 benchmark" in paths["md"].read_text()


@pytest.fixture(scope="module")
def both(small, tmp_path_factory):
    run = tmp_path_factory.mktemp("both")
    argv = ["train", "--model", "pointnet", "--canon", "normal", "--data", str(small)]
    assert (
        main([*argv, "--target", "both", "--epochs", "2", "--threads", "1", "--out", str(run)]) == 0
    )
    return run


def test_both_targets_in_one_checkpoint(both, small, capsys):
    from orbitlearn.apps.ks.multi import MultiTargetPipeline

    pipe = load_pipeline(both / "model.pt")
    assert isinstance(pipe, MultiTargetPipeline) and pipe.targets == ("h11", "h21")
    assert pipe.claimed_invariance().label == "GL(4,Z) x S26"
    data = KSDataset.from_file(read_ks(small))
    model = orbitlearn.load_model(both / "model.pt")
    values = model.predict(data.vertices[:50])
    assert values.shape == (50, 2)
    alone = {
        t: orbitlearn.load_model(both / t / "model.pt").predict(data.vertices[:50]) for t in TARGETS
    }
    assert (values[:, 0] == alone["h11"]).all() and (values[:, 1] == alone["h21"]).all()
    probas = model.predict_proba(data.vertices[:5])
    assert [p.shape[1] for p in probas] == [len(c) for c in model.classes_]
    capsys.readouterr()
    assert (
        main(
            ["predict", "--checkpoint", str(both / "model.pt"), str(small), "--json", "--top", "2"]
        )
        == 0
    )
    records = json.loads(capsys.readouterr().out)
    assert all({"h11", "h21", "top_h11", "top_h21"} <= set(r) for r in records)
    assert [r["h21"] for r in records[:50]] == alone["h21"].tolist()
    metrics = json.loads((both / "metrics.json").read_text())
    assert set(metrics["test_accuracy"]) == {"h11", "h21"}


def test_evaluate_and_check_choose_a_target_of_a_multi_checkpoint(both, small, capsys):
    ckpt = str(both / "model.pt")
    assert (
        main(["evaluate", "--checkpoint", ckpt, "--data", str(small), "--target", "h21", "--json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["target"] == "h21"
    assert (
        main(["check", "--checkpoint", ckpt, "--data", str(small), "--limit", "20", "--json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["max_abs"] < 1e-5
    single = str(both / "h11" / "model.pt")
    assert main(["evaluate", "--checkpoint", single, "--data", str(small), "--target", "h21"]) == 2
    assert "predicts h11, not h21" in capsys.readouterr().err


def test_a_label_range_lets_a_regression_head_answer_unseen_values(small, tmp_path, capsys):
    out = tmp_path / "reg"
    argv = ["train", "--model", "pointnet", "--canon", "normal", "--data", str(small)]
    argv += ["--config", '{"task": "regression"}', "--label-range", "0", "80"]
    assert main([*argv, "--epochs", "1", "--threads", "1", "--out", str(out)]) == 0
    pipe = load_pipeline(out / "model.pt")
    assert list(pipe.classes) == list(range(81))
    data = KSDataset.from_file(read_ks(small))
    assert 70 not in set(data.h11.tolist())
    last = [m for m in pipe.model.module.modules() if isinstance(m, torch.nn.Linear)][-1]
    with torch.no_grad():  # a head that answers 70 whatever the input
        last.weight.zero_()
        last.bias.fill_(70.0)
    from orbitlearn.apps.ks.predict import Model

    assert (Model(pipe).predict(data.vertices[:10]) == 70).all()
    bad = ["train", "--model", "pointnet", "--data", str(small), "--label-range", "0", "10"]
    assert main([*bad, "--epochs", "1", "--out", str(tmp_path / "bad")]) == 2
    assert "not in the class list" in capsys.readouterr().err
