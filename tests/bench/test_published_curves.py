"""benchmarks/ks_published_curves.py: its reader of TensorBoard event files, on files written here."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "ks_published_curves.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("ks_published_curves", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up while being built
    spec.loader.exec_module(module)
    return module


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    key = _varint(number << 3 | wire)
    return key + (_varint(len(payload)) + payload if wire == 2 else payload)


def _event(step: int, tag: str, value: float) -> bytes:
    summary_value = _field(1, 2, tag.encode()) + _field(2, 5, struct.pack("<f", value))
    event = (
        _field(1, 1, struct.pack("<d", 1.7e9))  # wall time
        + _field(2, 0, _varint(step))
        + _field(5, 2, _field(1, 2, summary_value))
    )
    return struct.pack("<Q", len(event)) + b"\0" * 4 + event + b"\0" * 4


def _write_logs(root: Path, folder: str, accs: list[float]) -> None:
    """A run's test-accuracy and training-loss logs in `folder` (with {metric}) of a checkout."""
    for metric, tag in (("accuracy_val", "accuracy/val"), ("loss_train", "loss/train")):
        path = root / folder.format(metric=metric)
        path.mkdir(parents=True)
        values = accs if metric == "accuracy_val" else [2.0 - a for a in accs]
        data = b"".join(_event(step, tag, v) for step, v in enumerate(values))
        (path / "events.out.tfevents.1.host.1.2").write_bytes(data)


def _vanilla(root: Path, dataset: str, runs: dict[int, list[float]]) -> None:
    for run, accs in runs.items():
        folder = "data/runs/tensorboard/peter_runs/vanilla_full_runs"
        _write_logs(root, f"{folder}/{{metric}}_vanilla_nn_{dataset}_trygpu{run}", accs)


def test_scalar_events_reads_steps_tags_and_values(script):
    data = _event(0, "accuracy/val", 0.25) + _event(300, "accuracy/val", 0.5)
    assert script.scalar_events(data) == [(0, "accuracy/val", 0.25), (300, "accuracy/val", 0.5)]
    assert script.scalar_events(data[:-5]) == [(0, "accuracy/val", 0.25)]  # a cut-off record


def test_runs_and_best_epochs_from_a_checkout(script, tmp_path):
    _vanilla(tmp_path, "original", {1: [0.25, 0.5, 0.375], 2: [0.5, 0.5, 0.75]})
    _vanilla(tmp_path, "original_permuted", {1: [0.125, 0.25]})
    runs = script.published_runs(script.Repo(tmp_path), script.STUDY["vanilla_cnn"])
    assert sorted(runs) == ["original", "original_permuted"]
    assert runs["original"][1][1] == {"test_accuracy": 0.5, "train_loss": 1.5}
    best = script.best_epochs(runs)
    assert best["original"]["runs"][1]["best_epoch"] == 1
    assert best["original"]["runs"][2] == {
        "best_epoch": 2,
        "test_accuracy": 75.0,
        "epochs_logged": 3,
    }
    assert best["original"]["mean_best_test_accuracy"] == pytest.approx(62.5)
    # within a budget of two epochs run 2's best is its first 0.5
    early = script.best_epochs(runs, within=2)["original"]
    assert early["runs"][2]["best_epoch"] == 0
    assert early["mean_best_test_accuracy"] == pytest.approx(50.0)
    # the MLP(CNN) logs are not read as encoder-decoder runs
    assert script.published_runs(script.Repo(tmp_path), script.STUDY["encoder_decoder"]) == {}


def test_encoder_decoder_folders_and_runs_without_a_test_log(script, tmp_path):
    folder = "data/runs/tensorboard/invariantMLP_latest/{metric}_invariantmlp_"
    _write_logs(tmp_path, folder + "original1", [0.5, 0.75])
    _write_logs(tmp_path, folder + "original12", [0.25])
    _write_logs(tmp_path, folder + "original_permuted3", [0.125, 0.5])
    _write_logs(tmp_path, folder + "dirichlet1", [0.9])  # a data set without a row of ours
    # a training log with no test log: left out
    path = tmp_path / "data/runs/tensorboard/invariantMLP_latest"
    path = path / "loss_train_invariantmlp_original_permuted1"
    path.mkdir(parents=True)
    (path / "events.out.tfevents.1.host.1.1").write_bytes(_event(0, "loss/train", 1.0))
    study = script.STUDY["encoder_decoder"]
    runs = script.published_runs(script.Repo(tmp_path), study)
    assert sorted(runs) == ["original", "original_permuted"]
    assert sorted(runs["original"]) == [1, 12]
    assert sorted(runs["original_permuted"]) == [3]
    assert runs["original"][1][1] == {"test_accuracy": 0.75, "train_loss": 1.25}


def test_the_published_pairs_come_from_the_rows(script):
    vanilla, encoder = script.STUDY["vanilla_cnn"], script.STUDY["encoder_decoder"]
    assert vanilla.published_number("original") == 56.71
    assert vanilla.published_number("dirichlet_permuted") == 61.28
    assert encoder.published_number("original_permuted") == 92.11
    not_reshuffled, reshuffled = vanilla.rows("none")
    assert not_reshuffled.train["shuffle"] is False and reshuffled.published is None
    assert script.row_epochs(encoder.rows("none")[0]) == 40


def test_logs_that_do_not_give_the_published_numbers_are_refused(script, tmp_path, capsys):
    for dataset in script.STUDY["vanilla_cnn"].datasets:
        _vanilla(tmp_path, dataset, {1: [0.25, 0.5]})
    assert script.main([str(tmp_path), "--study", "vanilla_cnn"]) == 1
    assert "do not give the published" in capsys.readouterr().err
    assert script.main([str(tmp_path), "--study", "encoder_decoder"]) == 1
    assert "no logs of original" in capsys.readouterr().err
