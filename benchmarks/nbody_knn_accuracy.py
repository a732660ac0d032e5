"""Does a k-nearest-neighbour graph keep the EGNN's accuracy on a many-particle Coulomb system?

    python benchmarks/nbody_knn_accuracy.py --graph dense|K [--particles 20] [--epochs 100]

Simulates a charged system of `--particles` particles with orbitlearn's simulator (the published
physics and settings otherwise: positions N(0, (n/5)^(2/3)), speeds 0.5, 5000 steps, frame 30 → 40;
training, validation and test sets from seeds 201, 202, 203), trains the N-body EGNN (published
size, lr 5e-4, Adam, batch 100, validation every 5 epochs, test at the best validation epoch) on
the fully connected graph (`dense`) or on each particle's K nearest (`models.EGNN(neighbours=K)`),
and adds the result to benchmarks/results/nbody-knn-accuracy/results.json (one entry per graph,
particle count, training size, epochs and seed, replaced when rerun) and results.md. Run one graph
per process to train two side by side.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from orbitlearn.apps.nbody import models
from orbitlearn.apps.nbody.train import TrainConfig, train
from orbitlearn.bench.runner import write_results
from orbitlearn.datasets.nbody import constant_velocity_mse, simulate, split_from_arrays

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "nbody-knn-accuracy"
SEEDS = {"train": 201, "valid": 202, "test": 203}


def parts(particles: int, sizes: dict[str, int]) -> dict:
    return {
        k: split_from_arrays(simulate(sizes[k], particles, seed=SEEDS[k]).to_npz_arrays(k), k)
        for k in SEEDS
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", help="dense, or K (the K nearest particles)")
    ap.add_argument("--particles", type=int, default=20)
    ap.add_argument("--train", type=int, default=1000)
    ap.add_argument("--eval", type=int, default=300)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--report-only", action="store_true", help="rewrite results.md only")
    args = ap.parse_args(argv)
    path = args.out / "results.json"
    if args.report_only:
        write_report(args.out, json.loads(path.read_text())["rows"])
        return 0
    if args.graph is None:
        ap.error("--graph is required")
    torch.set_num_threads(1)
    k = None if args.graph == "dense" else int(args.graph)
    data = parts(args.particles, {"train": args.train, "valid": args.eval, "test": args.eval})
    torch.manual_seed(args.seed)
    net = models.EGNN(neighbours=k)
    cfg = TrainConfig(lr=5e-4, epochs=args.epochs, compile=True, seed=args.seed)
    rec = train(net, data, cfg, log=lambda s: print(s, flush=True))
    baseline = constant_velocity_mse(data["test"])
    entry = {
        "graph": "fully connected" if k is None else f"{k} nearest",
        "particles": args.particles,
        "train_sims": args.train,
        "eval_sims": args.eval,
        "epochs": args.epochs,
        "seed": args.seed,
        "test_mse": rec["best_test"],
        "val_mse": rec["best_val"],
        "best_epoch": rec["best_epoch"],
        "train_seconds": rec["seconds"],
        "constant_velocity_mse": baseline,
    }
    rows = json.loads(path.read_text())["rows"] if path.exists() else []
    same = ("graph", "particles", "train_sims", "epochs", "seed")
    rows = [r for r in rows if any(r[f] != entry[f] for f in same)] + [entry]
    write_report(args.out, rows)
    print(entry)
    return 0


def write_report(out: Path, rows: list[dict]) -> None:
    """results.json (the rows and this machine) and results.md."""
    md = [
        "# N-body: the EGNN on a fully connected vs a k-nearest-neighbour graph",
        "",
        "Simulated charged systems (seeds 201 / 202 / 203 for training / validation / test), EGNN "
        "of the published size, lr 5e-4, test MSE at the best validation epoch; x + v: the "
        "constant-velocity guess on the same test set.",
        "",
        "| graph | particles | training sims | epochs | seed | test MSE | x + v | best epoch "
        "| train s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=lambda r: (r["particles"], r["graph"], r["seed"])):
        md.append(
            f"| {r['graph']} | {r['particles']} | {r['train_sims']} | {r['epochs']} | {r['seed']} "
            f"| {r['test_mse']:.5f} | {r['constant_velocity_mse']:.5f} | {r['best_epoch']} "
            f"| {r['train_seconds']:.0f} |"
        )
    write_results(out, rows, md)


if __name__ == "__main__":
    raise SystemExit(main())
