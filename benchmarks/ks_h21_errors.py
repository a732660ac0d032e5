"""Where the h21 model errs: its validation errors by h21 value and by Batyrev's 2-face term.

    python benchmarks/ks_h21_errors.py [--model ks_h21_gl4z] [--part val]

For a reflexive 4-polytope Δ with n vertices, Batyrev's formula reads
h21 = n − 4 + Σ_edges l*(e) + Σ_2-faces l*(θ)(1 + l*(θ*)): a vertex count, the interior lattice
points of the edges, and a 2-face term (interior points of 2-faces, weighted by the dual edges).
The engine's vertex features carry the edge term (`orbitlearn.geometry.features`), so
r = h21 − (n − 4 + Σ_e l*(e)) >= 0 is the 2-face term, computed exactly from each entry's label.
This script takes a committed h21 model (by default `ks_h21_gl4z`; an ensemble, such as a network
on Δ with a mirror network on Δ*, is split into its members too) and, on the seed-0 split's
validation part of v26 (never the test part, so that what it shows can steer choices), gives the accuracy of the model and of each of
its members by h21 value and by r, with the number of training entries of each h21 value.
Writes benchmarks/results/ks-duals/h21-errors/{table.csv, results.md, errors.png, results.json}.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "ks-duals" / "h21-errors"


def edge_term(mats: np.ndarray) -> np.ndarray:
    """n − 4 + Σ_edges l*(e) of each (4, n) matrix of a batch, from the engine's vertex features
    (each edge is seen from both its ends: Σ_e l*(e) = (Σ_v length sum − Σ_v edges) / 2)."""
    from orbitlearn.geometry.features import VERTEX_FEATURES, vertex_features_batch
    from orbitlearn.progress import progress

    edges = VERTEX_FEATURES.index("edges")
    lengths = VERTEX_FEATURES.index("edge lattice lengths, sum")
    out = np.empty(len(mats), dtype=np.int64)
    for start in progress(range(0, len(mats), 512), desc="edge terms"):
        f = vertex_features_batch(mats[start : start + 512])
        twice = f[:, lengths].sum(axis=1) - f[:, edges].sum(axis=1)
        out[start : start + 512] = mats.shape[2] - 4 + twice // 2
    return out


def grouped(keys: np.ndarray, hits: dict[str, np.ndarray]) -> list[dict]:
    """One row per distinct key: its count and each model's accuracy."""
    rows = []
    for k in np.unique(keys):
        sel = keys == k
        rows.append(
            {"value": int(k), "count": int(sel.sum())}
            | {name: float(h[sel].mean()) for name, h in hits.items()}
        )
    return rows


def markdown_table(
    heads: list[str], leading: list[list], rows: list[dict], names: list[str]
) -> list[str]:
    """Markdown lines: the leading cells of each row, then each model's accuracy in it."""
    lines = [
        "| " + " | ".join([*heads, *names]) + " |",
        "|" + "---|" * (len(heads) + len(names)),
    ]
    for cells, row in zip(leading, rows):
        accs = [f"{100 * row[n]:.2f}%" for n in names]
        lines.append("| " + " | ".join([*map(str, cells), *accs]) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="ks_h21_gl4z")
    parser.add_argument("--part", choices=("val", "train"), default="val")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    import orbitlearn
    from orbitlearn.apps.ks.mirror import MirrorPipeline
    from orbitlearn.bench.runner import write_csv, write_results
    from orbitlearn.datasets.ks_dataset import load_ks
    from orbitlearn.progress import progress

    data = load_ks(vertices=26)
    split = data.split(seed=0)
    part = split.val if args.part == "val" else split.train
    mats = np.asarray(data.vertices[part], dtype=np.int64)
    y = np.asarray(data.h21[part])
    train_counts = dict(zip(*np.unique(np.asarray(data.h21[split.train]), return_counts=True)))

    model = orbitlearn.load_model(args.model)
    if model.target != "h21":
        raise SystemExit(f"{args.model}: predicts {model.target}, not h21")
    pipe = model.pipeline
    classes = np.asarray(pipe.classes)
    members = getattr(pipe, "members", None)
    members = members if isinstance(members, list) else []
    labels = [
        f"member {i + 1} ({'on Δ*' if isinstance(m, MirrorPipeline) else 'on Δ'})"
        for i, m in enumerate(members)
    ]
    parts: dict[str, list[np.ndarray]] = {name: [] for name in [*labels, "model"]}
    for s in progress(range(0, len(mats), 1024), desc="predicting"):
        batch, cache = mats[s : s + 1024], {}  # members share one π(x) per batch
        ps = [m.predict_proba(batch, cache) for m in members] or [pipe.predict_proba(batch)]
        for name, p in zip(labels, ps):
            parts[name].append(p)
        parts["model"].append(sum(ps) / len(ps))
    hits = {name: classes[np.concatenate(ps).argmax(axis=1)] == y for name, ps in parts.items()}

    r = y - edge_term(mats)
    if (r < 0).any():
        raise SystemExit(f"{int((r < 0).sum())} entries with h21 below the edge term: engine bug")
    by_value = grouped(y, hits)
    for row in by_value:
        row["train_count"] = int(train_counts.get(row["value"], 0))
    by_r = grouped(np.minimum(r, 10), hits)  # r >= 10 pooled
    overall = {name: float(h.mean()) for name, h in hits.items()}

    table = [{"by": "h21", **row} for row in by_value] + [
        {"by": "2-face term r (10: 10 or more)", **row} for row in by_r
    ]
    names = list(hits)
    write_csv(args.out / "table.csv", table, ["by", "value", "count", "train_count", *names])
    plot(by_value, by_r, args.out / "errors.png", args.model, args.part)

    lines = [
        f"# Where `{args.model}` errs on h21 ({args.part} part, seed-0 split, {len(y)} entries)",
        "",
        "Generated by `python benchmarks/ks_h21_errors.py`. r is Batyrev's 2-face term, "
        "h21 − (n − 4 + Σ_edges l*(e)), computed from the label and the engine's edge lengths.",
        "",
        "Accuracy: " + ", ".join(f"{n} {100 * a:.2f}%" for n, a in overall.items()),
        "",
        "![errors](errors.png)",
        "",
        *markdown_table(
            ["r", "entries"],
            [[f"{row['value']}" if row["value"] < 10 else ">= 10", row["count"]] for row in by_r],
            by_r,
            names,
        ),
        "",
        *markdown_table(
            ["h21", "entries", "train entries"],
            [[row["value"], row["count"], row["train_count"]] for row in by_value],
            by_value,
            names,
        ),
    ]
    rows = [{"model": args.model, "part": args.part, "count": len(y), **overall}, *table]
    write_results(args.out, rows, lines)
    print("\n".join(lines[:6]))
    return 0


def plot(by_value: list[dict], by_r: list[dict], path: Path, model: str, part: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [k for k in by_value[0] if k not in ("value", "count", "train_count")]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    for ax, rows, xlabel in (
        (axes[0], by_value, "h21"),
        (axes[1], by_r, "2-face term r (10: 10 or more)"),
    ):
        x = [row["value"] for row in rows]
        for name in names:
            ax.plot(x, [100 * row[name] for row in rows], marker="o", ms=3, label=name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"accuracy on the {part} part (%)")
        twin = ax.twinx()
        twin.bar(x, [row["count"] for row in rows], color="0.85", zorder=0)
        twin.set_ylabel("entries")
        ax.set_zorder(twin.get_zorder() + 1)
        ax.patch.set_visible(False)
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle(f"{model}: h21 accuracy by value and by Batyrev's 2-face term")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
