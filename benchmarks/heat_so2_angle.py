"""ε against the rotation angle (0–90°) at breaking level 0, from a heat benchmark's results.json.

Every cell of `orbitlearn bench heat` records ε(θ) = max over its windowed smooth test fields of
‖f̃(ρ(θ)x) − ρ(θ)f̃(x)‖ / ‖ρ(θ)f̃(x)‖ at θ = 0°, 5°, …, 90° (`orbitlearn.apps.heat.so2`), the
interpolation's round-trip error at the same angles and (cells from this version on) the true
map's ε(θ). This script draws them for cnn, cnn_aug, gcnn, relaxed_gcnn and the steerable rows at
level 0 (mean over seeds, one line per model), the grid's round-trip error and the true map
dashed, into <folder>/eps_so2_angle.png. It runs nothing: no results file, no figure.

    python benchmarks/heat_so2_angle.py benchmarks/results/heat-full
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from orbitlearn.apps.heat.rotations import STEERABLE_ROWS

ROWS = ("cnn", "cnn_aug", "gcnn", "relaxed_gcnn", *STEERABLE_ROWS)


def curves(cells: list[dict], level: float = 0.0) -> dict[str, dict[str, np.ndarray]]:
    """Per model: the angles, ε(θ) averaged over seeds, the round-trip error and (when recorded)
    the true map's ε(θ), from the cells at `level` that have a curve."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for model in ROWS:
        cs = [c for c in cells if c["model"] == model and c["breaking"] == level]
        cs = [c for c in cs if "so2_curve" in c]
        if not cs:
            continue
        entry = {
            "degrees": np.array(cs[0]["so2_curve"]["degrees"]),
            "eps": np.mean([c["so2_curve"]["eps"] for c in cs], axis=0),
            "grid": np.mean([c["so2_curve"]["grid"] for c in cs], axis=0),
            "n_seeds": np.array(len(cs)),
        }
        if all("so2_curve_target" in c for c in cs):
            entry["target"] = np.mean([c["so2_curve_target"] for c in cs], axis=0)
        out[model] = entry
    return out


def plot(found: dict[str, dict[str, np.ndarray]], path: Path, title: str) -> Path:
    """The figure: ε(θ) per model (log scale), the grid's round-trip error and the true map."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from orbitlearn.fileio import save_figure

    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for i, (model, c) in enumerate(found.items()):
        eps = np.where(c["eps"] > 0, c["eps"], np.nan)  # 0 (quarter turns) has no log place
        style = "-" if model in STEERABLE_ROWS else "-."
        ax.plot(c["degrees"], eps, style, marker="o", ms=3, color=f"C{i}", label=model)
    first = next(iter(found.values()))
    grid = np.where(first["grid"] > 0, first["grid"], np.nan)
    ax.plot(first["degrees"], grid, "k:", label="grid round trip ρ(−θ)ρ(θ)")
    if "target" in first:
        target = np.where(first["target"] > 0, first["target"], np.nan)
        ax.plot(first["degrees"], target, "k--", label="true map S")
    inner = [
        v for c in found.values() for d, v in zip(c["degrees"], c["eps"]) if 0 < d < 90 and v > 0
    ]
    if inner:  # quarter turns are exact (rot90): their tiny ε would squash the rest of the plot
        ax.set_ylim(bottom=min(inner) / 3)
    ax.set_xlabel("rotation angle θ (degrees; at 0° and 90° ε is the exact C4 one)")
    ax.set_ylabel("ε(θ), max relative over fields")
    ax.set_yscale("log")
    ax.set_xticks(range(0, 91, 15))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a heat benchmark output folder (with results.json)")
    parser.add_argument("--level", type=float, default=0.0, help="breaking level (default 0)")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    record = folder / "results.json"
    if not record.exists():
        print(
            f"benchmarks/heat_so2_angle.py: no {record}: run the benchmark first", file=sys.stderr
        )
        return 2
    data = json.loads(record.read_text())
    found = curves(data["cells"], args.level)
    if not found:
        print(
            f"benchmarks/heat_so2_angle.py: no cell at level {args.level:g} in {record} has "
            "ε against the angle (cells from before ε under SO(2))",
            file=sys.stderr,
        )
        return 2
    seeds = sorted({int(c["n_seeds"]) for c in found.values()})
    title = (
        f"ε under rotations by θ, breaking level {args.level:g}, profile "
        f"{data['profile']['name']} ({'/'.join(map(str, seeds))} seed(s) per model)"
    )
    path = plot(found, folder / "eps_so2_angle.png", title)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
