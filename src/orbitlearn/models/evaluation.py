"""Metrics of a trained pipeline: accuracy, accuracy within ±1, per-class accuracy, confusion
matrix, and the measured invariance of its predictions under a group."""

from __future__ import annotations

import numpy as np

from orbitlearn.errors import OrbitlearnError


def transform_inputs(x: np.ndarray, transform: str, seed: int) -> np.ndarray:
    """Each (d, n) input replaced by a seeded random image under the named vertex-matrix group
    (`orbitlearn.groups.registry`; "none": unchanged)."""
    if transform == "none":
        return np.asarray(x)
    from orbitlearn.groups.registry import ALIASES, VERTEX_MATRIX_GROUPS, get_group

    if ALIASES.get(transform, transform) not in VERTEX_MATRIX_GROUPS:
        known = ", ".join(["none", *ALIASES, *VERTEX_MATRIX_GROUPS])
        raise OrbitlearnError(f"unknown transform {transform!r}; known: {known}")
    x = np.asarray(x, dtype=np.int64)
    group = get_group(transform, shape=x.shape[1:])
    return group.act_batch(group.sample(len(x), np.random.default_rng(seed)), x)


def evaluate_pipeline(pipe, x: np.ndarray, h11: np.ndarray) -> dict:
    """Scores against h11 labels; labels outside the model's class list count as errors."""
    h11 = np.asarray(h11)
    classes = np.asarray(pipe.classes)
    if len(x) == 0:
        raise OrbitlearnError("no entries to evaluate")
    pred = classes[pipe.predict(x)]
    correct = pred == h11
    labels = np.unique(np.concatenate([classes, h11]))
    index = {int(v): i for i, v in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(h11, pred):
        confusion[index[int(t)], index[int(p)]] += 1
    per_class = {}
    for value in np.unique(h11):
        mask = h11 == value
        per_class[str(int(value))] = {
            "accuracy": float(correct[mask].mean()),
            "count": int(mask.sum()),
        }
    return {
        "count": int(len(h11)),
        "accuracy": float(correct.mean()),
        "accuracy_within_1": float((np.abs(pred - h11) <= 1).mean()),
        "unseen_classes": sorted(int(v) for v in set(h11.tolist()) - set(classes.tolist())),
        "per_class": per_class,
        "confusion": {"labels": [int(v) for v in labels], "matrix": confusion.tolist()},
    }


def invariance_check(pipe, x: np.ndarray, group_name: str, samples: int = 8, seed: int = 0) -> dict:
    """Change of predicted probabilities under random group images g·x (a fresh g per input and draw):
    Δ = max_c |p(g·x)_c − p(x)_c|; reports max and mean Δ and the share of changed predicted classes."""
    from orbitlearn.groups.registry import get_group

    x = np.asarray(x, dtype=np.int64)
    group = get_group(group_name, shape=x.shape[1:])
    rng = np.random.default_rng(seed)
    p0 = pipe.predict_proba(x)
    deltas, changed = [], []
    for _ in range(samples):
        p1 = pipe.predict_proba(group.act_batch(group.sample(len(x), rng), x))
        deltas.append(np.abs(p1 - p0).max(axis=1))
        changed.append(p1.argmax(1) != p0.argmax(1))
    d = np.concatenate(deltas)
    return {
        "group": group_name,
        "count": int(len(x)),
        "samples": int(samples),
        "max_abs": float(d.max()),
        "mean_abs": float(d.mean()),
        "changed_share": float(np.concatenate(changed).mean()),
    }
