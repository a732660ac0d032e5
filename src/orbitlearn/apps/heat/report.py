"""The reports of the heat-equation benchmark: table.csv, table.md, errors.png, fields.png,
results.json and results.md.

ε columns are named by what they measure: ``eps_max_rel`` = max_g ‖f(ρ(g)x) − ρ(g)f(x)‖ /
‖ρ(g)f(x)‖ under C4 (``eps_max_rel_d4`` under D4, ``eps_max_rel_target`` of the true map S);
``eps_so2`` the same under SO(2), rotations by uniform angles on windowed smooth fields
(`orbitlearn.apps.heat.so2`; ``eps_so2_adv`` after the adversarial search over θ,
``eps_so2_grid`` the interpolation's own round-trip error on those fields, ``eps_so2_target``
the true map's ε under SO(2)). Rows from cells measured before ε under SO(2) leave those empty.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from orbitlearn.apps.heat.profile import MODELS, HeatProfile
from orbitlearn.bench.machine import machine_info, machine_lines
from orbitlearn.bench.runner import write_csv
from orbitlearn.fileio import save_figure, write_text_atomic

TABLE_COLUMNS = (
    "model",
    "breaking",
    "rmse",
    "rmse_std",
    "rollout_rmse",
    "rollout_rmse_std",
    "eps_max_rel",
    "eps_max_rel_std",
    "eps_max_rel_d4",
    "eps_max_rel_target",
    "eps_so2",
    "eps_so2_std",
    "eps_so2_adv",
    "eps_so2_grid",
    "eps_so2_target",
    "params",
    "n_seeds",
    "seconds",
)


def _fmt(mean: float, std: float, n: int, digits: int = 4) -> str:
    if n > 1:
        return f"{mean:.{digits}f} ± {std:.{digits}f}"
    return f"{mean:.{digits}f}"


def markdown_table(rows: list[dict]) -> str:
    """The results as a Markdown table (mean ± std over seeds when there are several); the SO(2)
    columns only when some row has them."""
    so2 = any("eps_so2" in r for r in rows)
    head = "| model | breaking | params | seeds | one-step RMSE | rollout RMSE | ε max rel (C4) | ε max rel (D4) | ε max rel of the true map |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    if so2:
        head += " ε SO(2) | ε SO(2) adversarial | grid round trip | ε SO(2) of the true map |"
        rule += "---:|---:|---:|---:|"
    lines = [head, rule]
    for r in rows:
        n = r["n_seeds"]
        line = (
            f"| {r['model']} | {r['breaking']:g} | {r['params']} | {n} | "
            f"{_fmt(r['rmse'], r['rmse_std'], n)} | {_fmt(r['rollout_rmse'], r['rollout_rmse_std'], n)} | "
            f"{_fmt(r['eps_max_rel'], r['eps_max_rel_std'], n, 4)} | {r['eps_max_rel_d4']:.4f} | {r['eps_max_rel_target']:.4f} |"
        )
        if so2 and "eps_so2" in r:
            line += (
                f" {_fmt(r['eps_so2'], r['eps_so2_std'], n, 4)} | {r['eps_so2_adv']:.4f} |"
                f" {r['eps_so2_grid']:.4f} | {r['eps_so2_target']:.4f} |"
            )
        elif so2:
            line += " — | — | — | — |"
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_reports(
    profile: HeatProfile,
    cells: list[dict],
    rows: list[dict],
    out: Path,
    machine: dict | None = None,
) -> dict[str, Path]:
    """table.csv, table.md, errors.png, fields.png, results.json and results.md under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    machine = machine or machine_info()
    paths = {"csv": out / "table.csv", "md": out / "table.md"}
    write_csv(paths["csv"], rows, TABLE_COLUMNS)
    write_text_atomic(paths["md"], markdown_table(rows))
    paths["errors"] = plot_errors(rows, out / "errors.png", profile)
    paths["fields"] = plot_fields(cells, out / "fields.png", profile)
    total = sum(c["seconds"] for c in cells)
    paths["json"] = out / "results.json"
    write_text_atomic(
        paths["json"],
        json.dumps(
            {
                "profile": asdict(profile),
                "machine": machine,
                "compute_seconds": total,
                "rows": rows,
                "cells": [
                    {k: v for k, v in c.items() if k not in ("picture", "profile")} for c in cells
                ],
            },
            indent=1,
        ),
    )
    p = profile
    info = "\n".join(machine_lines(machine))
    paths["results_md"] = out / "results.md"
    write_text_atomic(
        paths["results_md"],
        f"# Heat equation benchmark — profile `{p.name}`\n\n"
        f"Grid {p.grid}×{p.grid}, Δt = {p.dt}; {p.n_train} / {p.n_val} / {p.n_test} train / val / test "
        f"pairs; training and validation fields stretched ×{p.train_stretch:g} along y (test "
        f"fields isotropic); {p.epochs} epochs, batch {p.batch_size}, lr {p.lr}"
        + (f", loss over {p.unroll} autoregressive model steps" if p.unroll > 1 else "")
        + f"; parameter budget {p.params} "
        f"(depth {p.depth}, kernel {p.kernel_size}, group {p.group}, {p.banks} filter banks, "
        f"penalty α = {p.penalty:g}); rollout RMSE after {p.rollout_steps} steps on {p.n_rollouts} "
        f"held-out fields; ε on {p.eps_inputs} test fields (under SO(2): {p.eps_inputs} windowed "
        f"fields of correlation length {p.so2_length:g}, {p.so2_samples} uniform angles + "
        f"SO(2)'s testing elements, then the adversarial search); seeds {list(p.seeds)}. "
        f"Compute: {total:.0f} s.\n\n"
        + markdown_table(rows)
        + "\n![errors](errors.png)\n\n![fields](fields.png)\n\n## Machine\n\n"
        + info
        + "\n",
    )
    return paths


def plot_errors(rows: list[dict], path: Path, profile: HeatProfile) -> Path:
    """RMSE, rollout RMSE and ε against the breaking level, one line per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = sorted({r["breaking"] for r in rows})
    pos = {lv: i for i, lv in enumerate(levels)}
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    panels = [
        ("rmse", "rmse_std", "one-step RMSE (test)"),
        ("rollout_rmse", "rollout_rmse_std", f"RMSE after {profile.rollout_steps} model steps"),
        ("eps_max_rel", "eps_max_rel_std", "equivariance error ε (C4, max relative)"),
    ]
    for ax, (key, sd, title) in zip(axes, panels):
        for i, model in enumerate(MODELS):
            rs = sorted((r for r in rows if r["model"] == model), key=lambda r: r["breaking"])
            if not rs:
                continue
            if key == "eps_max_rel" and model == "persistence":
                continue  # y = x: ε = 0 exactly, nothing to draw on a log axis
            xs = [pos[r["breaking"]] for r in rs]
            ys = [r[key] if r[key] > 0 else np.nan for r in rs]  # 0 has no place on a log axis
            ax.errorbar(
                xs, ys, yerr=[r[sd] for r in rs], marker="o", label=model, capsize=3, color=f"C{i}"
            )
        if key == "eps_max_rel":
            rs = sorted(
                (r for r in rows if r["model"] == rows[0]["model"]), key=lambda r: r["breaking"]
            )
            ys = [r["eps_max_rel_target"] if r["eps_max_rel_target"] > 0 else np.nan for r in rs]
            ax.plot([pos[r["breaking"]] for r in rs], ys, "k--", label="true map S (0 at level 0)")
        ax.set_xticks(range(len(levels)), [f"{lv:g}" for lv in levels])
        ax.set_xlabel("breaking level")
        ax.set_title(title)
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    axes[2].legend(fontsize=8)
    fig.suptitle(f"heat equation, profile {profile.name}")
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path


def plot_fields(cells: list[dict], path: Path, profile: HeatProfile) -> Path:
    """u₀, the true u_T and each model's T-step rollout (top) with its error (bottom), at one level."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = sorted({c["breaking"] for c in cells})
    level = profile.picture_level
    if level is None or level not in levels:
        level = levels[len(levels) // 2] if levels else 0.0
    seed = min(c["seed"] for c in cells)
    chosen = [
        c
        for c in cells
        if c["breaking"] == level and c["seed"] == seed and c["model"] != "persistence"
    ]
    order = {m: i for i, m in enumerate(MODELS)}
    chosen.sort(key=lambda c: order[c["model"]])
    ncol = 2 + len(chosen)
    fig, axes = plt.subplots(2, ncol, figsize=(2.3 * ncol, 4.8), squeeze=False)
    truth = np.array(chosen[0]["picture"]["truth"]) if chosen else np.zeros((2, 2))
    u0 = np.array(chosen[0]["picture"]["u0"]) if chosen else np.zeros((2, 2))
    vmax = float(np.abs(truth).max()) or 1.0  # predictions share the truth's colour scale
    emax = max(
        [float(np.abs(np.array(c["picture"]["pred"]) - truth).max()) for c in chosen] + [1e-12]
    )
    u0max = float(np.abs(u0).max()) or 1.0
    axes[0, 0].imshow(u0, cmap="RdBu_r", vmin=-u0max, vmax=u0max)
    axes[0, 0].set_title(f"u₀ (scale ±{u0max:.2f})", fontsize=9)
    axes[0, 1].imshow(truth, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    axes[0, 1].set_title(f"true u_{profile.rollout_steps} (±{vmax:.2f})", fontsize=9)
    axes[1, 0].axis("off")
    axes[1, 1].axis("off")
    for j, c in enumerate(chosen, start=2):
        pred = np.array(c["picture"]["pred"])
        axes[0, j].imshow(pred, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        axes[0, j].set_title(c["model"], fontsize=9)
        im = axes[1, j].imshow(pred - truth, cmap="PuOr", vmin=-emax, vmax=emax)
        axes[1, j].set_title(f"error, RMSE {c['rollout_rmse']:.3f}", fontsize=8)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    if chosen:
        fig.colorbar(im, ax=axes[1, :].tolist(), shrink=0.8, label="prediction − truth")
    fig.suptitle(f"{profile.rollout_steps}-step rollouts at breaking level {level:g} (seed {seed})")
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path


__all__ = ["TABLE_COLUMNS", "markdown_table", "plot_errors", "plot_fields", "write_reports"]
