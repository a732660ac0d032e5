"""The committed models' training domain, written once: `python benchmarks/model_domains.py`.

Every committed model (models/README.md) was trained on the train part of the seed-0 stratified
split of v26 together with the polar duals of those polytopes. This script describes that set
the way `orbitlearn.apps.ks.domain` describes an input: the vertex count and the lattice points of
Δ and of Δ* from the KS headers (M: and N:, the file's documented facts; the engine rechecks them
when the duals are computed), the entries of the PALP normal form of Δ and of Δ* from the exact
engine. It writes models/training_domains.json: one domain, and which models it belongs to.
About a minute on one core.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from orbitlearn.apps.ks.domain import DOMAINS_FILE, TrainingDomain
from orbitlearn.datasets.fetch import resolve_ks_path
from orbitlearn.datasets.ks import read_ks
from orbitlearn.datasets.ks_dataset import stratified_split
from orbitlearn.geometry.batch import dual_record
from orbitlearn.geometry.normalform import normal_form

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
KEY = "v26 seed-0 train part and its polar duals"
#: the committed models trained on that set (models/README.md)
TRAINED_ON_IT = ("ks_h11_best", "ks_h11_gl4z", "ks_h21_gl4z", "ks_hodge_any")


def _records(entries):
    for e in entries:
        nf = normal_form(e.vertices)
        yield {
            "vertices": e.n_columns,
            "coordinates": [int(nf.min()), int(nf.max())],
            "points": e.m_points,
            "dual_points": e.n_points,
        }
        dual_nf, rec = dual_record(e.vertices)
        if (rec["m_points"], rec["n_points"]) != (e.n_points, e.m_points):
            raise SystemExit(f"entry {e.index}: the engine's dual counts differ from the header")
        yield {
            "vertices": rec["m_vertices"],
            "coordinates": [int(dual_nf.min()), int(dual_nf.max())],
            "points": rec["m_points"],
            "dual_points": rec["n_points"],
        }


def main() -> int:
    start = time.perf_counter()
    ks = read_ks(resolve_ks_path(26, download=False))
    h11 = [e.h11 for e in ks.entries]
    train = stratified_split(h11, seed=0).train
    entries = [ks.entries[i] for i in train]
    domain = TrainingDomain.of(
        _records(entries),
        description=f"{KEY}: {len(entries)} polytopes and their {len(entries)} duals",
    )
    out = {"domains": {KEY: domain.to_dict()}, "models": dict.fromkeys(TRAINED_ON_IT, KEY)}
    (MODELS / DOMAINS_FILE).write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out["domains"][KEY]), f"{time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
