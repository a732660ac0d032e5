"""Metrics of a trained pipeline: accuracy, accuracy within ±1, per-class accuracy, confusion
matrix, and the measured invariance of its predictions under a group."""

from __future__ import annotations

import numpy as np

from orbitlearn.errors import OrbitlearnError
from orbitlearn.models.pipeline import Named


def transform_inputs(x: np.ndarray, transform: Named | None, seed: int) -> np.ndarray:
    """Each (d, n) input replaced by a seeded random image under the group `transform` builds for
    (d, n) (None: unchanged)."""
    if transform is None:
        return np.asarray(x)
    x = np.asarray(x, dtype=np.int64)
    group = transform.build(x.shape[1:])
    return group.act_batch(group.sample(len(x), np.random.default_rng(seed)), x)


def evaluate_pipeline(pipe, x: np.ndarray, y: np.ndarray) -> dict:
    """Scores against label values y; labels outside the model's class list count as errors."""
    y = np.asarray(y)
    classes = np.asarray(pipe.classes)
    if len(x) == 0:
        raise OrbitlearnError("no entries to evaluate")
    pred = classes[pipe.predict(x)]
    correct = pred == y
    labels = np.unique(np.concatenate([classes, y]))
    index = {int(v): i for i, v in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(y, pred):
        confusion[index[int(t)], index[int(p)]] += 1
    per_class = {}
    for value in np.unique(y):
        mask = y == value
        per_class[str(int(value))] = {
            "accuracy": float(correct[mask].mean()),
            "count": int(mask.sum()),
        }
    return {
        "count": int(len(y)),
        "accuracy": float(correct.mean()),
        "accuracy_within_1": float((np.abs(pred - y) <= 1).mean()),
        "unseen_classes": sorted(int(v) for v in set(y.tolist()) - set(classes.tolist())),
        "per_class": per_class,
        "confusion": {"labels": [int(v) for v in labels], "matrix": confusion.tolist()},
    }


def invariance_check(pipe, x: np.ndarray, group: Named, samples: int = 8, seed: int = 0) -> dict:
    """Change of predicted probabilities under random group images g·x (a fresh g per input and draw):
    Δ = max_c |p(g·x)_c − p(x)_c|; reports max and mean Δ and the share of changed predicted classes."""
    x = np.asarray(x, dtype=np.int64)
    name, group = group.name, group.build(x.shape[1:])
    rng = np.random.default_rng(seed)
    p0 = pipe.predict_proba(x)
    deltas, changed = [], []
    for _ in range(samples):
        p1 = pipe.predict_proba(group.act_batch(group.sample(len(x), rng), x))
        deltas.append(np.abs(p1 - p0).max(axis=1))
        changed.append(p1.argmax(1) != p0.argmax(1))
    d = np.concatenate(deltas)
    return {
        "group": name,
        "count": int(len(x)),
        "samples": int(samples),
        "max_abs": float(d.max()),
        "mean_abs": float(d.mean()),
        "changed_share": float(np.concatenate(changed).mean()),
    }
