"""The N-body table from the finished cells: table.csv, table.md, val_curves.png, evals.json.

Per row, over its finished seeds: test MSE at the best validation epoch (mean ± std), the
published MSE (reference rows only), ε under E(3) three ways from the core
(`orbitlearn.lie_error.continuous_error`: sampled, adversarial, Lie derivative; max relative,
first seed's network, 32 test inputs), the test MSE on E(3)-moved copies of the test inputs with
the targets moved alike (one Haar O(3) element and N(0, 1) shift per example, the same for every
row), parameters, and the forward time of a batch of 100 (eager, one thread, every row measured
in the same process one after another). Rows that reuse another row's weights (Haar Monte Carlo,
the ensemble) are scored here from those weights.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from orbitlearn.apps.nbody.models import Ensemble, count_parameters
from orbitlearn.apps.nbody.networks import load_cell_model, row_epochs
from orbitlearn.apps.nbody.profile import NBodyProfile
from orbitlearn.apps.nbody.rows import ROWS
from orbitlearn.apps.nbody.symmetric import INPUT_ACTION, OUTPUT_ACTION, haar_move
from orbitlearn.apps.nbody.train import as_tensors, mse
from orbitlearn.bench.runner import CellStore, write_csv
from orbitlearn.fileio import save_figure, write_text_atomic

TABLE_COLUMNS = (
    "row",
    "protocol",
    "seeds",
    "mse",
    "mse_std",
    "published_mse",
    "eps_sampled",
    "eps_adversarial",
    "eps_lie",
    "mse_moved",
    "params",
    "forward_ms",
    "label",
    "epochs",
    "train_s",
    "best_epoch",
    "val_mse",
    "exact",
    "n_seeds",
)
EPS_INPUTS = 32
EPS_SAMPLES = 16


def _forward_ms(model, tensors, reps: int = 10) -> float:
    loc, vel, q, _ = (t[:100] for t in tensors)
    with torch.no_grad():
        for _ in range(2):
            model(loc, vel, q)
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            model(loc, vel, q)
            times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def _epsilon(model, tensors, profile: NBodyProfile) -> dict:
    from orbitlearn.lie_error import continuous_error

    x = tuple(t[:EPS_INPUTS] for t in tensors[:3])
    rep = continuous_error(
        model,
        INPUT_ACTION,
        OUTPUT_ACTION,
        x,
        n_samples=EPS_SAMPLES,
        rng=0,
        n_starts=profile.eps_starts,
        max_evals=profile.eps_evals,
    )
    return {
        "eps_sampled": rep.eps_sampled,
        "eps_adversarial": rep.eps_adversarial,
        "eps_lie": rep.eps_lie,
    }


def _moved(tensors) -> tuple:
    """The test set moved by one random E(3) element per example (seed 0, the same for all rows)."""
    loc, vel, q, y = tensors
    ml, mv, my = haar_move(loc.double(), vel.double(), y.double(), np.random.default_rng(0))
    return ml.float(), mv.float(), q, my.float()


def _row_models(name: str, cells: dict, out: Path, profile: NBodyProfile) -> list[tuple]:
    """[(seed, model, cell)] for a row: its own cells, or those of the row it reuses."""
    row = ROWS[name]
    source = row.trained_as or name
    epochs = row_epochs(ROWS[source], profile)
    found = sorted(
        ((c["seed"], c) for c in cells.values() if c["row"] == source and c["epochs"] == epochs),
        key=lambda sc: sc[0],
    )
    models = [(s, load_cell_model(out, c, profile, name), c) for s, c in found]
    if row.ensemble:
        if len(models) < 2:
            return []
        ens = Ensemble([m for _, m, _ in models]).eval()
        return [(tuple(s for s, _, _ in models), ens, None)]
    return models


def evaluate(out: Path, profile: NBodyProfile, log=None) -> list[dict]:
    """One record per row with at least one finished cell (see the module docstring)."""
    from orbitlearn.datasets.nbody import load_nbody

    torch.set_num_threads(1)
    store = CellStore(out, identity=profile.identity())
    cells = {(c["row"], c["epochs"], c["seed"]): c for c in store.all()}
    parts = load_nbody(max_train=1, max_eval=profile.max_eval)
    test = as_tensors(parts["test"])
    valid = as_tensors(parts["valid"])
    moved = _moved(test)
    records = []
    for name, row in ROWS.items():
        models = _row_models(name, cells, out, profile)
        if not models:
            continue
        if log:
            log(f"report: {name} ({len(models)} networks)")
        if row.trained_as is None:
            mses = [c["mse"] for _, _, c in models]
            vals = [c["val_mse"] for _, _, c in models]
        else:
            mses = [mse(m, test) for _, m, _ in models]
            vals = [mse(m, valid) for _, m, _ in models]
        first = models[0][1]
        seeds = [s for seed, _, _ in models for s in (seed if isinstance(seed, tuple) else [seed])]
        rec = {
            "row": name,
            "label": row.label,
            "protocol": row.protocol,
            "seeds": " ".join(str(s) for s in seeds),
            "n_seeds": len(seeds),  # an ensemble: the seeds of its members
            "mse": float(np.mean(mses)),
            "mse_std": float(np.std(mses, ddof=1)) if len(mses) > 1 else None,
            "published_mse": row.published_mse,
            "val_mse": float(np.mean(vals)),
            "exact": row.exact,
            "mse_moved": float(np.mean([mse(m, moved) for _, m, _ in models])),
            "params": count_parameters(first),
            "forward_ms": _forward_ms(first, test),
            "epochs": row_epochs(ROWS[row.trained_as or name], profile),
            **_epsilon(first, test, profile),
        }
        own = [c for _, _, c in models if c is not None]
        if own and row.trained_as is None:
            rec["train_s"] = float(np.mean([c["train_seconds"] for c in own]))
            rec["best_epoch"] = " ".join(str(c["best_epoch"]) for c in own)
            rec["machine"] = own[0]["machine"]
        records.append(rec)
    return records


def _num(v, digits: int = 5) -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and (abs(v) < 1e-3 or abs(v) >= 1e4):
        return f"{v:.1e}"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def markdown_table(records: list[dict]) -> str:
    """The table as Markdown (MSE as mean ± std over the seeds listed)."""
    head = (
        "| row | epochs | seeds | test MSE | published | ε sampled | ε adversarial | ε Lie "
        "| MSE moved | params | forward ms (B=100) | train s / seed |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in records:
        m = _num(r["mse"]) + (f" ± {_num(r['mse_std'])}" if r.get("mse_std") is not None else "")
        lines.append(
            f"| {r['label']} | {r['epochs']} | {r['seeds']} | {m} | {_num(r.get('published_mse'), 4)} "
            f"| {_num(r['eps_sampled'])} | {_num(r['eps_adversarial'])} | {_num(r['eps_lie'])} "
            f"| {_num(r['mse_moved'])} | {r['params']} | {r['forward_ms']:.2f} "
            f"| {_num(r.get('train_s'), 0)} |"
        )
    return head + "\n".join(lines) + "\n"


def plot_curves(out: Path, profile: NBodyProfile) -> Path | None:
    """Validation MSE against epoch, every finished cell (log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = CellStore(out, identity=profile.identity()).all()
    if not cells:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    colors = {}
    for c in sorted(cells, key=lambda c: (c["row"], c["seed"])):
        curve = np.asarray(c["curve"])
        color = colors.setdefault(c["row"], f"C{len(colors) % 10}")
        ax.plot(
            curve[:, 0],
            curve[:, 2],
            color=color,
            lw=1,
            alpha=0.9 if c["seed"] == 0 else 0.4,
            label=ROWS[c["row"]].label
            if c["seed"] == min(x["seed"] for x in cells if x["row"] == c["row"])
            else None,
        )
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation MSE")
    ax.set_title(f"N-body, profile {profile.name}: validation MSE (faint: seeds > 0)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    path = save_figure(fig, out / "val_curves.png")
    plt.close(fig)
    return path


def write_reports(out: str | Path, profile: NBodyProfile, log=None) -> list[dict]:
    """Evaluate every row and write table.csv, table.md, evals.json and val_curves.png."""
    from orbitlearn.bench.machine import machine_info, machine_lines

    out = Path(out)
    records = evaluate(out, profile, log)
    write_csv(out / "table.csv", records, TABLE_COLUMNS)
    info = machine_info()
    write_text_atomic(
        out / "evals.json",
        json.dumps({"profile": profile.name, "rows": records, "machine": info}, indent=1) + "\n",
    )
    md = [
        f"# N-body (charged, 5 particles): profile {profile.name}",
        "",
        f"Budget: {profile.epochs} epochs a cell unless the row's recipe fixes its own (the epochs "
        "column; the published protocol trains 10,000); test MSE at the best validation epoch "
        "(validation every 5 epochs), mean ± std over the seeds listed. Rows without training "
        "seconds reuse another row's weights. ε: max relative error under E(3), sampled / "
        "adversarial / Lie derivative (orbitlearn.lie_error.continuous_error, 32 test inputs); "
        "MSE moved: test MSE on E(3)-moved copies of the test inputs with the targets moved alike.",
        "",
        markdown_table(records),
        "## Machine (this report's evaluation and timings)",
        "",
        *machine_lines(info),
        "",
    ]
    write_text_atomic(out / "table.md", "\n".join(md))
    plot_curves(out, profile)
    return records


def read_table(out: str | Path) -> list[dict]:
    """The rows of a written table.csv."""
    import csv

    with open(Path(out) / "table.csv", newline="") as fh:
        return list(csv.DictReader(fh))


__all__ = [
    "TABLE_COLUMNS",
    "evaluate",
    "markdown_table",
    "plot_curves",
    "read_table",
    "write_reports",
]
