"""Data-parallel training with a real process group: 2 processes, gloo, on the CPU."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys


def _train(out, v26_path, devices: int) -> dict:
    cmd = [
        sys.executable, "-m", "orbitlearn.cli", "train", "--model", "pointnet", "--canon", "lex",
        "--epochs", "2", "--limit", "400", "--data", str(v26_path), "--out", str(out),
        "--devices", str(devices), "--device", "cpu", "--threads", "1",
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ}, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    metrics = json.loads((out / "metrics.json").read_text())
    with (out / "metrics.csv").open() as fh:
        metrics["losses"] = [float(r["train_loss"]) for r in csv.DictReader(fh)]
    return metrics


def test_two_processes_train_like_one(tmp_path, v26_path):
    two = _train(tmp_path / "two", v26_path, 2)
    assert two["world_size"] == 2
    again = _train(tmp_path / "again", v26_path, 2)
    assert again["losses"] == two["losses"] and again["test_accuracy"] == two["test_accuracy"]
    one = _train(tmp_path / "one", v26_path, 1)
    assert one["world_size"] == 1
    # the shares of every batch average to the whole batch's gradient: the same training up to
    # float rounding
    assert all(abs(a - b) < 1e-4 for a, b in zip(one["losses"], two["losses"], strict=True))
