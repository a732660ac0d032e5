"""The committed N-body models scored on test sets that are not in the repository: fresh
simulations from orbitlearn's own simulator (the published physics and settings: 5 particles,
5000 steps, a frame every 100, frame 30 → 40) under seeds the published file does not use.

    python benchmarks/nbody_fresh.py [--seeds 1001 1002 1003] [--sims 2000]

For each seed: the MSE of `load_model("nbody_best")` and `load_model("nbody_gnn")`, and of the
constant-velocity guess x + 1.0·v as a yardstick, beside the models' MSE on the published test part.
Writes benchmarks/results/nbody-fresh/results.{json,md}.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from orbitlearn import load_model
from orbitlearn.bench.runner import write_results
from orbitlearn.datasets.nbody import (
    NBodySplit,
    constant_velocity_mse,
    load_nbody,
    simulate,
    split_from_arrays,
)

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("nbody_best", "nbody_gnn")


def mse(model, part: NBodySplit) -> float:
    pred = model.predict(part.loc, part.vel, part.charges)
    return float(np.mean((np.asarray(pred, dtype=np.float64) - part.target) ** 2))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", nargs="+", type=int, default=[1001, 1002, 1003])
    ap.add_argument("--sims", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "nbody-fresh")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    models = {name: load_model(name) for name in MODELS}
    sets = {"published test part": load_nbody(max_train=1)["test"]}
    for seed in args.seeds:
        arrays = simulate(args.sims, seed=seed).to_npz_arrays("test")
        sets[f"simulated, seed {seed}"] = split_from_arrays(arrays, "test")
    rows = []
    for label, part in sets.items():
        row = {"test_set": label, "sims": len(part)}
        row["constant_velocity"] = constant_velocity_mse(part)
        for name, model in models.items():
            row[name] = mse(model, part)
        rows.append(row)
        print(row, flush=True)
    md = [
        "# N-body: the committed models on test sets not in the repository",
        "",
        f"Fresh simulations ({args.sims} each, `orbitlearn.datasets.nbody.simulate`, the published "
        "settings) under seeds the published file does not use; test MSE of frame 30 → 40.",
        "",
        "| test set | simulations | x + v | nbody_best | nbody_gnn |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        md.append(
            f"| {r['test_set']} | {r['sims']} | {r['constant_velocity']:.5f} "
            f"| {r['nbody_best']:.5f} | {r['nbody_gnn']:.5f} |"
        )
    write_results(args.out, rows, md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
