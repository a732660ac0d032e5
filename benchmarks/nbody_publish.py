"""Copy the N-body benchmark's networks into models/: `nbody_best` (the exactly E(3)-equivariant
row with the lowest validation MSE in table.csv, gnn_aug_long_fa_ens: the 800-epoch Haar-augmented
GNN seeds, each frame-averaged over the 8 PCA sign frames, averaged) and `nbody_gnn` (the plain GNN
reference row that comes within 15% of the published number, gnn_long: 3000 epochs, the seed with
the lowest validation MSE), each with a JSON card (its cells' test and validation MSE, budget,
commit).

    python benchmarks/nbody_publish.py [--profile quick] [--out benchmarks/results/nbody]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from orbitlearn.apps.nbody.predictor import publish
from orbitlearn.apps.nbody.profile import get_profile
from orbitlearn.bench.runner import CellStore
from orbitlearn.fileio import write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
#: name → (row, architecture, average every seed)
PUBLISHED = {
    "nbody_best": (
        "gnn_aug_long",
        {"backbone": "GNN", "hidden": 64, "layers": 4, "wrapper": "FrameAveraged"},
        True,
    ),
    "nbody_gnn": ("gnn_long", {"backbone": "GNN", "hidden": 64, "layers": 4}, False),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="quick")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "nbody"))
    args = ap.parse_args()
    prof = get_profile(args.profile)
    out = Path(args.out)
    cells = CellStore(out, identity=prof.identity()).all()
    for name, (row, arch, average) in PUBLISHED.items():
        n_cells = sum(c["row"] == row for c in cells)
        meta = publish(
            out, prof, row, arch, ROOT / "models" / f"{name}.pt", average and n_cells > 1
        )
        card = {
            **meta,
            "architecture": arch,
            "cells": [
                {k: c[k] for k in ("seed", "mse", "val_mse", "best_epoch", "epochs", "config")}
                | {"git_commit": c["machine"]["git_commit"], "cpu": c["machine"]["cpu"]}
                for c in cells
                if c["row"] == row and c["seed"] in meta["seeds"]
            ],
        }
        write_text_atomic(ROOT / "models" / f"{name}.json", json.dumps(card, indent=1) + "\n")
        print(name, meta)


if __name__ == "__main__":
    main()
