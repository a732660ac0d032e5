"""The reports of the Kreuzer-Skarke benchmark: table.csv, table.md, chart.png, curves.png, rows/.

Columns: test accuracies (orig, rnd perm, perm test, GL(4,Z) test), ``eps_max_dp`` (the largest
change of a predicted class probability under random S4×S26 elements; for the exact engine, whose
prediction is one class, the same quantity of its one-hot prediction), training seconds, and the
published numbers beside the rows they belong to.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from orbitlearn.apps.ks.bench import ACC_COLUMNS, KSBenchmark, slug
from orbitlearn.bench.machine import machine_info, machine_lines
from orbitlearn.bench.runner import write_csv
from orbitlearn.fileio import save_figure, write_text_atomic

#: the columns of table.csv
TABLE_COLUMNS = (
    "row",
    "protocol",
    *(f"{c}{sfx}" for c in (*ACC_COLUMNS, "eps_max_dp", "train_seconds") for sfx in ("", "_std")),
    "acc_orig_last_epoch",
    "acc_duals",
    "acc_duals_std",
    "parameters",
    "seeds",
    "seeds_rnd_perm",
    "seed_list",
    "claimed_invariance",
    "published_orig",
    "published_rnd_perm",
    "mirror_pair_fix_cells",
)


def _pct(v: float | None, std: float | None = None) -> str:
    if v is None:
        return "—"
    return f"{100 * v:.2f}" + (f" ± {100 * std:.2f}" if std else "")


def _seeds(r: dict) -> str:
    """The seed count, and the rnd perm column's own where it averages fewer runs."""
    perm = r.get("seeds_rnd_perm")
    if perm is not None and perm != r["seeds"]:
        return f"{r['seeds']} (rnd perm: {perm})"
    return str(r["seeds"])


def _before_fix(r: dict) -> str:
    """A mark on a duals-profile row with cells made before the mirror-pair fix."""
    fixed, cells = r.get("mirror_pair_fix_cells"), r.get("cells")
    if fixed is None or fixed == cells:
        return ""
    if fixed == 0:
        return " *(trained before the mirror-pair fix)*"
    return f" *({cells - fixed} of its {cells} cells trained before the mirror-pair fix)*"


def cell_machines(cells: list[dict]) -> dict[str, tuple[int, dict]]:
    """CPU name (and the torch device, where it was not the CPU) → (how many cells ran there, the
    machine record of the latest of them)."""
    out: dict[str, tuple[int, dict]] = {}
    for c in sorted(cells, key=lambda c: c.get("finished", "")):
        m = c.get("machine")
        if m:
            device = m.get("device", "cpu")
            key = m["cpu"] if device == "cpu" else f"{m['cpu']} with {device}"
            n = out.get(key, (0, m))[0]
            out[key] = (n + 1, m)
    return out


def write_reports(bench: KSBenchmark, table: list[dict]) -> dict[str, Path]:
    """table.csv, table.md, chart.png, curves.png, rows/*.json and machine.json under bench.out."""
    out = bench.out
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    paths["csv"] = write_csv(
        out / "table.csv",
        [{**rec, "seed_list": " ".join(map(str, rec["seed_list"]))} for rec in table],
        TABLE_COLUMNS,
    )

    sizes = bench.parts
    ref = bench.protocol_parts["reference"]
    lines = [
        f"# Kreuzer–Skarke {bench.profile.target} benchmark — profile `{bench.profile.name}`",
        "",
        f"Protocol *ours*: stratified split seed {bench.split_seed}; train / val / test sizes {len(sizes['train'])} / "
        f"{len(sizes['val'])} / {len(sizes['test'])}; selection on val; mean ± sample std over the seeds. "
        f"Protocol *reference* (the published one): 80/20 split of the file (numpy seed 42), train / test "
        f"{len(ref['train'])} / {len(ref['test'])}, no validation part, the best epoch chosen **on the test part** "
        "(optimistic, as published); mean ± population std over the runs. Published numbers stand only beside rows "
        "of the reference protocol. "
        "Test accuracy in %. *orig*: trained and tested on the matrices as given; "
        "*rnd perm*: every matrix replaced by a random S4×S26 image, then trained and tested; *perm test* and "
        "*GL(4,Z) test*: the orig model tested on random S4×S26 and GL(4,Z)×S26 images of the test matrices; "
        "ε (eps_max_dp): largest change of a predicted class probability under random S4×S26 elements (0 = exactly invariant "
        "up to float noise). *published*: Ewert et al. 2024 (orig / rnd perm).",
        "",
        "| row | protocol | seeds | orig | rnd perm | perm test | GL(4,Z) test | ε | train s | params | invariant under | published |"
        + (" duals test |" if bench.profile.duals else ""),
        "|---|---|---|---|---|---|---|---|---|---|---|---|"
        + ("---|" if bench.profile.duals else ""),
    ]
    if bench.profile.duals:
        fix = bench.mirror_pair_fix["dropped"]
        lines.insert(
            2,
            "Trained on the train part of the data and the polar duals of those polytopes (other "
            "vertex counts, zero-padded); *orig* is the test part, *duals test* the duals of the "
            "test part. The dual of a polytope can be another entry of the data (a mirror pair), "
            "and a pair can straddle two parts, so the dual of a train polytope is not always a "
            "train polytope: cells made with the mirror-pair fix (table.csv column "
            "`mirror_pair_fix_cells`) train on no input GL(4,Z)-equivalent to a val or test "
            "input and select on no val input equivalent to a test input (on this split: "
            f"{fix['train']} of {len(sizes['train']) + fix['train']} training and {fix['val']} of "
            f"{len(sizes['val']) + fix['val']} val inputs dropped, so cells made before the fix "
            "trained and selected on the larger parts); rows with cells made before the fix say "
            "so.\n",
        )
    for r in table:
        pub = (
            "—"
            if r["published_orig"] is None
            else f"{r['published_orig']:.2f} / {r['published_rnd_perm']:.2f}"
        )
        if not r["seeds"]:
            lines.append(
                f"| {r['row']} | {r['protocol']} | 0 (not run) |"
                + " — |" * 8
                + f" {pub} |"
                + (" — |" if bench.profile.duals else "")
            )
            continue
        eps = "—" if r["eps_max_dp"] is None else f"{r['eps_max_dp']:.1e}"
        secs = "—" if r["train_seconds"] is None else f"{r['train_seconds']:.0f}"
        lines.append(
            f"| {r['row']}{_before_fix(r)} | {r['protocol']} | {_seeds(r)} | {_pct(r['acc_orig'], r['acc_orig_std'])} | {_pct(r['acc_rnd_perm'], r['acc_rnd_perm_std'])} "
            f"| {_pct(r['acc_perm_test'], r['acc_perm_test_std'])} | {_pct(r['acc_gl4z_test'], r['acc_gl4z_test_std'])} "
            f"| {eps} | {secs} | {r['parameters']} | {r['claimed_invariance']} | {pub} |"
            + (f" {_pct(r['acc_duals'], r['acc_duals_std'])} |" if bench.profile.duals else "")
        )
    machines = cell_machines(bench.cells())
    lines += ["", "## Machines (where the cells ran)", ""]
    for cpu, (count, info) in machines.items():
        lines += [f"{count} cells on {cpu}; the latest of them:", "", *machine_lines(info), ""]
    info = {"cells_by_cpu": {cpu: n for cpu, (n, _) in machines.items()}, "report": machine_info()}
    write_text_atomic(out / "table.md", "\n".join(lines))
    paths["md"] = out / "table.md"
    write_text_atomic(out / "machine.json", json.dumps(info, indent=1) + "\n")
    rows_dir = out / "rows"
    rows_dir.mkdir(exist_ok=True)
    for rec in table:
        write_text_atomic(rows_dir / f"{slug(rec['row'])}.json", json.dumps(rec, indent=1) + "\n")
    run = [r for r in table if r["seeds"]]
    paths["chart"] = _bar_chart(run, out / "chart.png", bench.profile.name, bench.profile.target)
    paths["curves"] = _curves(bench.cells(), out / "curves.png")
    return paths


def _bar_chart(table: list[dict], path: Path, profile: str, target: str = "h11") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [r["row"] for r in table]
    cols = [
        ("acc_orig", "orig"),
        ("acc_rnd_perm", "rnd perm"),
        ("acc_perm_test", "perm test"),
        ("acc_gl4z_test", "GL(4,Z) test"),
    ]
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(labels) + 1.8))
    h = 0.2
    ys = np.arange(len(labels))
    for k, (col, name) in enumerate(cols):
        vals = [100 * (r[col] or 0) for r in table]
        errs = [100 * (r[f"{col}_std"] or 0) for r in table]
        ax.barh(ys + (k - 1.5) * h, vals, h, xerr=errs, label=name, capsize=2)
    pub = [r["published_orig"] for r in table]
    for y, p in zip(ys, pub):
        if p is not None:
            ax.plot([p, p], [y - 2 * h, y + 2 * h], color="black", lw=1.5)
    ax.set_yticks(ys, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("test accuracy (%)  —  black ticks: published orig")
    ax.set_xlim(0, 100)
    ax.set_title(f"Kreuzer–Skarke {target} (profile {profile})")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path


def _curves(cells: list[dict], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    for c in cells:
        if (
            c["variant"] == "orig"
            and c.get("curve")
            and c["seed"] == min(x["seed"] for x in cells if x["row"] == c["row"])
        ):
            ax.plot(
                [p["seconds"] for p in c["curve"]],
                [100 * p["val_accuracy"] for p in c["curve"]],
                marker=".",
                label=c["row"],
            )
    ax.set_xlabel("training wall time (s)")
    ax.set_ylabel("validation accuracy (%)")
    ax.set_title("accuracy vs training time (orig, first seed)")
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path


__all__ = ["TABLE_COLUMNS", "write_reports"]
