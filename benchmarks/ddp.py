"""Data-parallel training on this machine's CPUs: 1 process against 2 (gloo), same recipe and seed.

Trains a PointNet behind π lex on a seeded subset of the v26 split with `orbitlearn train
--devices N --device cpu --threads 1` and records seconds per epoch and the accuracies. Writes
benchmarks/results/ddp/results.json and results.md (with the machine record).

    python benchmarks/ddp.py [--limit 8000] [--epochs 20]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from orbitlearn.bench.runner import write_results

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "ddp"


def run(devices: int, limit: int, epochs: int, out: Path) -> dict:
    cmd = [
        sys.executable, "-m", "orbitlearn.cli", "train", "--model", "pointnet", "--canon", "lex",
        "--epochs", str(epochs), "--limit", str(limit), "--out", str(out),
        "--devices", str(devices), "--device", "cpu", "--threads", "1",
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    metrics = json.loads((out / "metrics.json").read_text())
    with (out / "metrics.csv").open() as fh:
        seconds = [float(r["seconds"]) for r in csv.DictReader(fh)]
    per_epoch = [b - a for a, b in zip([0.0, *seconds[:-1]], seconds, strict=True)]
    return {
        "processes": devices,
        "world_size": metrics["world_size"],
        "seconds_per_epoch": sum(per_epoch) / len(per_epoch),
        "val_accuracy": metrics["val_accuracy"],
        "test_accuracy": metrics["test_accuracy"],
        "train_count": metrics["train_count"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run(n, args.limit, args.epochs, Path(tmp) / f"p{n}") for n in (1, 2)]
    lines = [
        "# Data-parallel training on CPUs: 1 process against 2",
        "",
        f"PointNet behind π lex, {rows[0]['train_count']} training matrices, {args.epochs} epochs, "
        "batch 128, one torch thread per process, gloo.",
        "",
        "| processes | seconds per epoch | val accuracy | test accuracy |",
        "|---|---|---|---|",
        *[
            f"| {r['processes']} | {r['seconds_per_epoch']:.2f} | {100 * r['val_accuracy']:.2f}% | "
            f"{100 * r['test_accuracy']:.2f}% |"
            for r in rows
        ],
    ]
    write_results(OUT, rows, lines)
    print("\n".join(lines[5:8]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
