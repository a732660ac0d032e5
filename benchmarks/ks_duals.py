"""The committed models meet other vertex counts: the polar duals of the v26 test part.

    python benchmarks/ks_duals.py [--models ks_h11_gl4z ks_h11_best PATH.pt ...]

The polar duals of the test part of the seed-0 split (a dual is usually no v26 entry; where it
is one, `orbitlearn.apps.ks.mirror_pairs`, it may sit in another part) have 11 to 28 vertices
and swapped Hodge numbers: h11(Δ*) = h21(Δ) lies in 22..68 where v26's
h11 lies in 6..42. Each model (any set model behind an exact canonical form takes them) predicts
its target on every dual; the table gives the accuracy on all of them, the share of duals whose
true value is one of the model's classes at all, and the accuracy on those. The exact engine's
row checks the engine on the duals against the source's swapped header values (mirror
symmetry; every label here comes from the KS file, none is computed). Writes benchmarks/results/ks-duals/table.csv, table.md and results.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "ks-duals"


def trained_on(model: str, target: str) -> str:
    """What the committed model's member for `target` was trained on, read off the benchmark
    record beside its checkpoint (models/NAME.json: the profile it came from; for a member of a
    multi-target model read off the polar dual, that of the member it mirrors)."""
    import json

    from orbitlearn.apps.ks.rows import get_profile

    record_path = ROOT / "models" / f"{Path(model).stem}.json"
    if not record_path.exists():
        return "unknown (no benchmark record beside the checkpoint)"
    record = json.loads(record_path.read_text())
    mirrored = record.get("mirrored", {})
    cell = record.get("targets", {}).get(mirrored.get(target, target), record)
    with_duals = get_profile(cell["profile"]).duals
    text = "v26 and its duals, train parts" if with_duals else "v26 train part"
    text += f" (seed-{cell.get('split_seed', 0)} split)"
    if target in mirrored or cell.get("spec", {}).get("mirror"):
        text += "; the other Hodge number's model on the polar dual"
    return text


COLUMNS = (
    "row",
    "model",
    "target",
    "trained_on",
    "test_set",
    "count",
    "accuracy",
    "in_range_share",
    "accuracy_in_range",
    "seconds",
)


def test_duals() -> tuple[list, np.ndarray, np.ndarray, np.ndarray, dict]:
    """(dual vertex matrices in normal form, their h11, their h21, the test part's own matrices,
    v26's h11 and h21 ranges) for the seed-0 test part of v26; the duals' labels are the source's
    header values swapped (mirror symmetry), not computed."""
    from orbitlearn.datasets.ks_dataset import load_ks
    from orbitlearn.geometry.batch import dual_record
    from orbitlearn.progress import progress

    data = load_ks(vertices=26)
    test = data.split(seed=0).test
    mats = [
        dual_record(np.asarray(data.vertices[pos], dtype=np.int64))[0]
        for pos in progress(test, desc="duals of the test part")
    ]
    ranges = {k: (int(data.labels[k].min()), int(data.labels[k].max())) for k in ("h11", "h21")}
    sources = np.asarray(data.vertices[test], dtype=np.int64)
    return mats, np.asarray(data.h21[test]), np.asarray(data.h11[test]), sources, ranges


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models",
        nargs="+",
        default=["ks_h11_gl4z", "ks_h11_best", "ks_h21_gl4z", "ks_hodge_any"],
    )
    args = parser.parse_args(argv)

    import orbitlearn
    from orbitlearn.bench.runner import write_csv, write_results
    from orbitlearn.datasets.fetch import resolve_ks_path
    from orbitlearn.fileio import write_text_atomic

    resolve_ks_path(26, download=False)  # a clear error when the data is missing
    mats, h11, h21, sources, source_ranges = test_duals()
    truth = {"h11": h11, "h21": h21}
    counts = np.array([m.shape[1] for m in mats])
    from orbitlearn.geometry.batch import hodge_record

    t = time.perf_counter()
    exact = [hodge_record(m) for m in mats]
    seconds = time.perf_counter() - t
    rows = []
    for target in ("h11", "h21"):
        pred = np.array([rec[target] for rec in exact])
        rows.append(
            {
                "row": "exact engine (Batyrev)",
                "model": "exact",
                "target": target,
                "trained_on": "—",
                "test_set": "duals of the v26 test part",
                "count": len(mats),
                "accuracy": float((pred == truth[target]).mean()),
                "in_range_share": None,  # no class list: any value can come out
                "accuracy_in_range": None,
                "seconds": seconds,
            }
        )
    # and, for the models that predict both numbers, their mirror consistency: (h11, h21) of Δ*
    # against (h21, h11) of Δ, and how often both sides are right
    mirror = []
    for name in args.models:
        model = orbitlearn.load_model(name)
        t = time.perf_counter()
        results = model.predict_each(mats)
        seconds = time.perf_counter() - t
        on_dual = {}
        for target in model.targets:
            pred = np.array([-1 if r.values is None else r.values[target] for r in results])
            on_dual[target] = pred
            y = truth[target]
            classes = (
                model.classes_
                if len(model.targets) == 1
                else model.classes_[model.targets.index(target)]
            )
            in_range = np.isin(y, classes)
            source = trained_on(str(name), target)
            rows.append(
                {
                    "row": f"{Path(str(name)).stem} [{target}] (trained on {source})",
                    "model": str(name),
                    "target": target,
                    "trained_on": source,
                    "test_set": "duals of the v26 test part",
                    "count": len(mats),
                    "accuracy": float((pred == y).mean()),
                    "in_range_share": float(in_range.mean()),
                    "accuracy_in_range": float((pred[in_range] == y[in_range]).mean())
                    if in_range.any()
                    else None,
                    "seconds": seconds,
                }
            )
            print(rows[-1], file=sys.stderr)
        if set(model.targets) != {"h11", "h21"}:
            continue
        on_source = model.predict(sources)  # (B, 2): h11, h21 of Δ
        src = dict(zip(model.targets, on_source.T))
        consistent = (on_dual["h11"] == src["h21"]) & (on_dual["h21"] == src["h11"])
        right = (src["h11"] == truth["h21"]) & (src["h21"] == truth["h11"])
        right_dual = (on_dual["h11"] == truth["h11"]) & (on_dual["h21"] == truth["h21"])
        mirror.append(
            {
                "model": str(name),
                "pairs": len(mats),
                "mirror_consistent": float(consistent.mean()),
                "both_right_on_source": float(right.mean()),
                "both_right_on_dual": float(right_dual.mean()),
            }
        )
        print(mirror[-1], file=sys.stderr)
    write_csv(OUT / "table.csv", rows, COLUMNS)
    lines = [
        "# The committed models on the duals of the v26 test part",
        "",
        f"{len(mats)} duals of the seed-0 test part, {counts.min()}–{counts.max()} vertices; "
        f"their h11 in {h11.min()}..{h11.max()}, h21 in {h21.min()}..{h21.max()} (v26: h11 "
        f"{source_ranges['h11'][0]}..{source_ranges['h11'][1]}, h21 {source_ranges['h21'][0]}.."
        f"{source_ranges['h21'][1]}). *in range*: the share of duals whose true value is one of "
        "the model's classes (a classifier cannot name any other).",
        "",
        "| row | target | accuracy | in range | accuracy in range |",
        "|---|---|---|---|---|",
    ]
    for r in rows:

        def pct(v):
            return "—" if v is None else f"{100 * v:.2f}%"

        lines.append(
            f"| {r['row']} | {r['target']} | {pct(r['accuracy'])} | "
            f"{pct(r['in_range_share'])} | {pct(r['accuracy_in_range'])} |"
        )
    if mirror:
        lines += [
            "",
            "## Mirror consistency",
            "",
            "For a model of both Hodge numbers: how often its (h11, h21) for a dual Δ* equals its "
            "(h21, h11) for the source Δ (mirror symmetry says the true ones always do), and how "
            "often both numbers are right on each side (the test part and its duals).",
            "",
            "| model | consistent | both right on Δ | both right on Δ* |",
            "|---|---|---|---|",
        ]
        for m in mirror:
            lines.append(
                f"| {m['model']} | {100 * m['mirror_consistent']:.2f}% | "
                f"{100 * m['both_right_on_source']:.2f}% | {100 * m['both_right_on_dual']:.2f}% |"
            )
    write_text_atomic(OUT / "table.md", "\n".join(lines) + "\n")
    write_results(OUT, [*rows, *({"mirror": m} for m in mirror)], lines)
    print(f"results in {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
