"""benchmarks/ks_published_curves.py: its reader of TensorBoard event files, on files written here."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "ks_published_curves.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("ks_published_curves", PATH)
    module = importlib.util.module_from_spec(spec)
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


def _write_logs(root: Path, dataset: str, runs: dict[int, list[float]]) -> None:
    for run, accs in runs.items():
        for metric, tag in (("accuracy_val", "accuracy/val"), ("loss_train", "loss/train")):
            folder = root / "data/runs/tensorboard/peter_runs/vanilla_full_runs"
            folder = folder / f"{metric}_vanilla_nn_{dataset}_trygpu{run}"
            folder.mkdir(parents=True)
            values = accs if metric == "accuracy_val" else [2.0 - a for a in accs]
            data = b"".join(_event(step, tag, v) for step, v in enumerate(values))
            (folder / "events.out.tfevents.1.host.1.2").write_bytes(data)


def test_scalar_events_reads_steps_tags_and_values(script):
    data = _event(0, "accuracy/val", 0.25) + _event(300, "accuracy/val", 0.5)
    assert script.scalar_events(data) == [(0, "accuracy/val", 0.25), (300, "accuracy/val", 0.5)]
    assert script.scalar_events(data[:-5]) == [(0, "accuracy/val", 0.25)]  # a cut-off record


def test_runs_and_best_epochs_from_a_checkout(script, tmp_path):
    _write_logs(tmp_path, "original", {1: [0.25, 0.5, 0.375], 2: [0.5, 0.5, 0.75]})
    _write_logs(tmp_path, "original_permuted", {1: [0.125, 0.25]})
    runs = script.published_runs(script.Repo(tmp_path))
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


def test_logs_that_do_not_give_the_published_numbers_are_refused(script, tmp_path, capsys):
    for dataset in script.DATASETS:
        _write_logs(tmp_path, dataset, {1: [0.25, 0.5]})
    assert script.main([str(tmp_path)]) == 1
    assert "do not give the published" in capsys.readouterr().err
