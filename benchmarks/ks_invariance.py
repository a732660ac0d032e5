"""The committed KS models under many GL(4,Z) × S_n images with large entries: max |Δp|.

    python benchmarks/ks_invariance.py [--images 2000] [--seed 0] [--models NAME ...]

For each committed model (`models/*.pt`, loaded with `orbitlearn.load_model`) this takes
`--images` test polytopes of the seed-0 split of v26 (drawn with the seed, with repetition when
more images than test entries are asked for), replaces each by one image g·x·σ with g ∈ GL(4,Z)
and σ a permutation of the vertices, where g is a random walk of elementary moves on the image
itself kept while every entry of g·x stays within ±`--max-entry` (25), and adds the 45 entries of
v26 that the file writes transposed (each with its own image). It records, per model and target,
max over inputs and classes of |p(g·x·σ) − p(x)| (the exact claim is 0 up to float rounding), how
many images reach an entry of absolute value > 8 (outside the training range [−8, 6]), the largest
entry reached, and the seconds taken.

Writes benchmarks/results/ks-invariance/results.json (or `--out`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "ks-invariance"
MODELS = ("ks_h11_best", "ks_h11_gl4z", "ks_h21_gl4z", "ks_hodge_any")


def large_image(x: np.ndarray, rng: np.random.Generator, max_entry: int, steps: int = 64):
    """(g, σ, g·x·σ) for a (d, n) integer matrix: g a signed permutation times elementary moves
    row_i += ±row_j applied to the image, each kept only while |entries| <= max_entry (so g is a
    product of unimodular matrices, det g = ±1), σ a uniform permutation of the columns."""
    x = np.asarray(x, dtype=np.int64)
    d, n = x.shape
    g = np.zeros((d, d), dtype=np.int64)
    g[np.arange(d), rng.permutation(d)] = rng.choice([-1, 1], size=d)
    y = g @ x
    for _ in range(steps):
        i, j = rng.choice(d, size=2, replace=False)
        s = 1 if rng.random() < 0.5 else -1
        cand = y[i] + s * y[j]
        if np.abs(cand).max() <= max_entry:
            y[i] = cand
            g[i] += s * g[j]
    sigma = rng.permutation(n)
    return g, sigma, y[:, sigma]


def images(x: np.ndarray, seed: int, max_entry: int) -> np.ndarray:
    """One large GL(d,Z) × S_n image of each matrix of a (B, d, n) batch (seeded)."""
    rng = np.random.default_rng(seed)
    out = np.empty_like(np.asarray(x, dtype=np.int64))
    for k, m in enumerate(x):
        g, sigma, y = large_image(m, rng, max_entry)
        assert abs(round(np.linalg.det(g))) == 1 and np.array_equal(y, (g @ m)[:, sigma])
        out[k] = y
    return out


def max_change(model, x: np.ndarray, moved: np.ndarray) -> dict[str, float]:
    """max |p(moved) − p(x)| over inputs and classes, per target of a `orbitlearn.Model`."""
    p0, p1 = model.predict_proba(x), model.predict_proba(moved)
    if len(model.targets) == 1:
        p0, p1 = [p0], [p1]
    return {t: float(np.abs(a - b).max()) for t, a, b in zip(model.targets, p0, p1)}


def inputs(n_images: int, seed: int, data_path: str | None = None):
    """(test matrices drawn with the seed, the transposed entries, their file indices)."""
    from orbitlearn.datasets.ks_dataset import load_ks

    data = load_ks(data_path)
    test = data.split(seed=0).test
    pos = np.random.default_rng(seed).choice(test, size=n_images, replace=n_images > len(test))
    trans = np.flatnonzero(data.transposed)
    v = data.vertices.astype(np.int64)
    return v[pos], v[trans], data.indices[trans]


def run(names, n_images: int, seed: int, max_entry: int, data_path: str | None = None) -> dict:
    """The measurement described in the module docstring, as a JSON-able dict."""
    import orbitlearn

    test_x, trans_x, trans_idx = inputs(n_images, seed, data_path)
    x = np.concatenate([test_x, trans_x])
    moved = images(x, seed + 1, max_entry)
    record = {
        "images": int(n_images),
        "transposed_entries": int(len(trans_x)),
        "transposed_indices": [int(i) for i in trans_idx],
        "seed": int(seed),
        "max_entry": int(max_entry),
        "largest_entry_reached": int(np.abs(moved).max()),
        "images_beyond_training_range": int((np.abs(moved).max(axis=(1, 2)) > 8).sum()),
        "models": {},
    }
    for name in names:
        model = orbitlearn.load_model(name)
        start = time.perf_counter()
        change = max_change(model, x, moved)
        record["models"][name] = {
            "max_abs_dp": change,
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(f"{name}: max |Δp| {change} ({record['models'][name]['seconds']} s)", flush=True)
    return record


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-entry", type=int, default=25)
    ap.add_argument("--models", nargs="+", default=list(MODELS))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    import torch

    from orbitlearn.bench.machine import machine_info

    torch.set_num_threads(1)
    record = run(args.models, args.images, args.seed, args.max_entry)
    record["machine"] = machine_info()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {args.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
