"""How test MSE falls with the training set: augmentation vs frames vs the equivariant architecture.

For each training size n (100, 300, 1000, 3000 simulations, the first n of the published training
part) the rows of `DATA_ROWS` are trained under the published protocol with the same number of
gradient steps as the 3000-simulation cell: epochs × 3000 / n, validated as often (every
5 × 3000 / n epochs, so every run is validated 60 times); validation and test parts are the full
published ones. Equal steps keep the comparison about data: a 100-simulation run given 300 epochs
would take 30 times fewer steps and be undertrained rather than short of data.

The cells of size n live in ``OUT/n<n>/`` (resumable, like the main benchmark's; only the cells'
JSON is committed, their weights and resume states stay local); the 3000-simulation
points are the main benchmark's own cells (``benchmarks/results/nbody``), not retrained. Writes
``OUT/table.csv``, ``OUT/table.md`` and ``OUT/data_efficiency.png``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from orbitlearn.apps.nbody.profile import NBodyProfile, get_profile
from orbitlearn.apps.nbody.rows import ROWS
from orbitlearn.bench.runner import CellStore, write_csv
from orbitlearn.fileio import save_figure, write_text_atomic

#: training sizes of the curve (simulations)
DATA_SIZES = (100, 300, 1000, 3000)
#: the rows compared: Haar augmentation, frame averaging, the equivariant architecture
DATA_ROWS = ("gnn_aug", "gnn_fa", "egnn")
TABLE_COLUMNS = (
    "row",
    "label",
    "n_train",
    "epochs",
    "val_every",
    "seeds",
    "n_seeds",
    "mse",
    "mse_std",
    "mse_median",
    "mse_per_seed",
)


def data_profile(n: int, base: str | NBodyProfile = "quick") -> NBodyProfile:
    """The base profile cut to n training simulations, with its number of gradient steps."""
    b = get_profile(base) if isinstance(base, str) else base
    if n <= 0 or b.max_train % n:
        raise ValueError(f"training size {n} must divide the base's {b.max_train} simulations")
    scale = b.max_train // n
    return replace(
        b,
        name=f"{b.name}-n{n}",
        max_train=n,
        epochs=b.epochs * scale,
        val_every=b.val_every * scale,
        rows=DATA_ROWS,
    )


def size_folder(out: str | Path, main_out: str | Path, n: int, base: NBodyProfile) -> Path:
    """Where the cells of training size n are kept: the main benchmark's folder at the base's own
    size (`data_profile` there has the base's identity, so its cells are the main table's)."""
    return Path(main_out) if n == base.max_train else Path(out) / f"n{n}"


def run_data_efficiency(
    out: str | Path,
    main_out: str | Path,
    seeds: tuple[int, ...] = (0,),
    sizes: tuple[int, ...] = DATA_SIZES,
    base: str = "quick",
    log=None,
) -> list[dict]:
    """Train the missing cells (seed by seed, smallest size first), then write the reports."""
    from orbitlearn.apps.nbody.bench import NBodyBenchmark

    full = get_profile(base)
    for seed in seeds:
        for n in sizes:
            folder = size_folder(out, main_out, n, full)
            if folder == Path(main_out):
                continue  # the main benchmark's cells, not retrained here
            prof = replace(data_profile(n, full), seeds=(seed,))
            NBodyBenchmark(prof, folder).run(log=log)
    return write_reports(out, main_out, sizes, base)


def collect(out: Path, main_out: Path, sizes=DATA_SIZES, base: str = "quick") -> list[dict]:
    """One record per (row, size) with at least one finished cell."""
    full = get_profile(base)
    records = []
    for n in sizes:
        prof = data_profile(n, full)
        cells = CellStore(size_folder(out, main_out, n, full), identity=prof.identity()).all()
        for row in DATA_ROWS:
            mine = sorted(
                (c for c in cells if c["row"] == row and c["epochs"] == prof.epochs),
                key=lambda c: c["seed"],
            )
            if not mine:
                continue
            mses = [c["mse"] for c in mine]
            records.append(
                {
                    "row": row,
                    "label": ROWS[row].label,
                    "n_train": n,
                    "epochs": prof.epochs,
                    "val_every": prof.val_every,
                    "seeds": " ".join(str(c["seed"]) for c in mine),
                    "n_seeds": len(mine),
                    "mse": float(np.mean(mses)),
                    "mse_std": float(np.std(mses, ddof=1)) if len(mses) > 1 else None,
                    "mse_median": float(np.median(mses)),
                    "mse_per_seed": " ".join(f"{m:.5f}" for m in mses),
                }
            )
    return records


def plot(records: list[dict], path: Path) -> Path:
    """Test MSE against training simulations, one line per row through the seeds' median, each
    seed a dot (log–log; a median is not pulled by one diverging seed the way a mean is)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for i, row in enumerate(DATA_ROWS):
        rs = sorted((r for r in records if r["row"] == row), key=lambda r: r["n_train"])
        if not rs:
            continue
        n = [r["n_train"] for r in rs]
        ax.plot(n, [r["mse_median"] for r in rs], marker="o", color=f"C{i}", label=ROWS[row].label)
        for r in rs:
            seeds = [float(v) for v in r["mse_per_seed"].split()]
            ax.scatter([r["n_train"]] * len(seeds), seeds, s=10, color=f"C{i}", alpha=0.4)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training simulations")
    ax.set_ylabel("test MSE (best validation epoch)")
    ax.set_title("N-body data efficiency (equal steps; line: median, dots: seeds)", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return path


def write_reports(out: str | Path, main_out: str | Path, sizes=DATA_SIZES, base: str = "quick"):
    """table.csv, table.md and data_efficiency.png in `out`; returns the records."""
    out = Path(out)
    records = collect(out, Path(main_out), sizes, base)
    if not records:
        return records
    write_csv(out / "table.csv", records, TABLE_COLUMNS)
    lines = [
        "# N-body: test MSE against training simulations",
        "",
        "Published protocol, the same number of gradient steps at every size (epochs × 3000 / n, "
        "validated every 5 × 3000 / n epochs); the 3000-simulation points are the main "
        "benchmark's cells. Mean ± std over the seeds listed.",
        "",
        "| row | training simulations | epochs | seeds | test MSE | median | per seed |",
        "|---|---:|---:|---|---|---:|---|",
    ]
    for r in records:
        m = f"{r['mse']:.5f}" + (f" ± {r['mse_std']:.5f}" if r["mse_std"] is not None else "")
        lines.append(
            f"| {r['label']} | {r['n_train']} | {r['epochs']} | {r['seeds']} | {m} "
            f"| {r['mse_median']:.5f} | {r['mse_per_seed']} |"
        )
    write_text_atomic(out / "table.md", "\n".join(lines) + "\n")
    plot(records, out / "data_efficiency.png")
    return records


__all__ = [
    "DATA_ROWS",
    "DATA_SIZES",
    "collect",
    "data_profile",
    "run_data_efficiency",
    "size_folder",
    "write_reports",
]
