"""The committed KS models load, score on held-out entries, and are as invariant as they claim."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from orbitlearn.apps.ks.checkpoints import load_pipeline
from orbitlearn.apps.ks.names import part
from orbitlearn.datasets.ks_dataset import load_ks, subsample
from orbitlearn.models.evaluation import evaluate_pipeline, transform_inputs

MODELS = Path(__file__).resolve().parents[2] / "models"
CASES = {
    "ks_h11_best.pt": ("s4xs26",),
    "ks_h11_gl4z.pt": ("s4xs26", "gl4z"),
    "ks_h21_gl4z.pt": ("s4xs26", "gl4z"),
    "ks_hodge_any.pt": ("s4xs26", "gl4z"),
}


@pytest.fixture(scope="module")
def test_part(v26_path):
    data = load_ks(v26_path)
    pos = subsample(data.split(seed=0).test, 300, seed=1)
    return data.vertices[pos].astype(np.int64), {k: data.labels[k][pos] for k in ("h11", "h21")}


@pytest.mark.parametrize("name", list(CASES))
def test_committed_model(name, test_part):
    whole = load_pipeline(MODELS / name)
    meta = json.loads((MODELS / name).with_suffix(".json").read_text())
    assert whole.claimed_invariance().label == meta["claimed_invariance"]
    x, labels = test_part
    # a multi-target checkpoint: each target's member against its own record
    multi = isinstance(getattr(whole, "members", None), dict)
    members = whole.members if multi else {whole.target: whole}
    records = meta["targets"] if multi else {whole.target: meta}
    for target, pipe in members.items():
        acc = evaluate_pipeline(pipe, x, labels[target])["accuracy"]
        # a 300-entry sample of the same test part: within 4 binomial standard deviations
        p = records[target]["test_accuracy"]
        assert abs(acc - p) < 4 * np.sqrt(p * (1 - p) / len(x)) + 0.01
        p0 = pipe.predict_proba(x)
        for group in CASES[name]:
            moved = transform_inputs(
                x, part("group", "perm" if group == "s4xs26" else group), seed=7
            )
            np.testing.assert_allclose(pipe.predict_proba(moved), p0, atol=1e-5)
