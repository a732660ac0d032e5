"""ε under SO(2) read two ways at breaking level 0, for the issue-45 target (steerable ≤ ½ G-CNN).

The benchmark's reading (`so2_epsilon`) windows the model's output before rotating it. On the
16×16 grid that costs about 0.009 before any network acts: the identity map scores that much,
because w·ρ(x) and ρ(w·x) interpolate different fields. The disk reading (`so2_disk_epsilon`)
rotates both sides first and compares them on a disk inside the window, so the identity scores 0
exactly. This script trains the given rows at level 0 with the full profile's settings, exactly as
`bench heat` does (same data, same seed, so the same weights: the one-step RMSE is printed beside
the committed cell's as a check), and measures both readings on the same fields and angles, with
persistence (the identity) and the true one-step map beside them. Writes OUT/results.json and
OUT/table.md.

    python benchmarks/heat_so2_disk.py --rows gcnn steerable_so2 --seeds 0 \
        --out benchmarks/results/heat-so2-disk
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

from orbitlearn.apps.heat.bench import _predict, _rmse, train_model
from orbitlearn.apps.heat.data import make_data
from orbitlearn.apps.heat.profile import MODELS, get_profile
from orbitlearn.apps.heat.so2 import DISK_SHARE, so2_disk_epsilon, so2_epsilon, so2_fields
from orbitlearn.fileio import write_text_atomic

CELLS = Path(__file__).resolve().parent / "results" / "heat-full" / "cells"


def measure(f, x, profile, seed: int) -> dict[str, float]:
    return {
        "eps_so2_windowed": so2_epsilon(f, x, profile, seed, adversarial=False)["eps_so2"],
        "eps_so2_disk": so2_disk_epsilon(f, x, profile, seed),
    }


def committed_rmse(row: str, seed: int) -> float | None:
    path = CELLS / f"{row}_b0_s{seed}.json"
    return json.loads(path.read_text())["rmse"] if path.exists() else None


def table_lines(rows: list[dict]) -> list[str]:
    """Per seed, then mean ± std over seeds and the ratio of each row's ε to the G-CNN's."""
    lines = [
        "| model | seed | ε SO(2) windowed (benchmark) | ε SO(2) on the disk |"
        " one-step RMSE | committed cell's |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        rm = f"{r['rmse']:.4f}" if "rmse" in r else "—"
        cm = f"{r['committed_rmse']:.4f}" if r.get("committed_rmse") is not None else "—"
        lines.append(
            f"| {r['model']} | {r['seed']} | {r['eps_so2_windowed']:.4f} | {r['eps_so2_disk']:.4f} |"
            f" {rm} | {cm} |"
        )
    models = list(dict.fromkeys(r["model"] for r in rows))
    mean = {
        (m, k): np.mean([r[k] for r in rows if r["model"] == m])
        for m in models
        for k in ("eps_so2_windowed", "eps_so2_disk")
    }
    lines += [
        "",
        "| model | seeds | ε SO(2) windowed | ε SO(2) on the disk | windowed / G-CNN's | disk / G-CNN's |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in models:
        rs = [r for r in rows if r["model"] == m]
        cols = []
        for k in ("eps_so2_windowed", "eps_so2_disk"):
            v = [r[k] for r in rs]
            cols.append(
                f"{np.mean(v):.4f} ± {np.std(v, ddof=1):.4f}" if len(v) > 1 else f"{v[0]:.4f}"
            )
        ratios = [
            f"{mean[(m, k)] / mean[('gcnn', k)]:.2f}" if ("gcnn", k) in mean else "—"
            for k in ("eps_so2_windowed", "eps_so2_disk")
        ]
        lines.append(f"| {m} | {len(rs)} | {cols[0]} | {cols[1]} | {ratios[0]} | {ratios[1]} |")
    return lines


def write_table(out: Path, rows: list[dict]) -> None:
    """OUT/table.md from the rows, also printed."""
    text = "\n".join(table_lines(rows)) + "\n"
    write_text_atomic(out / "table.md", text)
    print(text, end="")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", nargs="+", default=["gcnn", "steerable_so2"], choices=MODELS)
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/heat-so2-disk"))
    ap.add_argument(
        "--report-only", action="store_true", help="rebuild OUT/table.md from OUT/results.json"
    )
    args = ap.parse_args(argv)
    if args.report_only:
        write_table(args.out, json.loads((args.out / "results.json").read_text())["rows"])
        return 0
    profile = dataclasses.replace(get_profile("full"), threads=1)
    rows = []
    for seed in args.seeds:
        data = make_data(profile, 0.0, seed)
        x = so2_fields(profile, seed).astype(np.float64)
        fixed = {"persistence": lambda v: v, "true map": data.sim}
        for name, f in fixed.items():
            rows.append({"model": name, "seed": seed, **measure(f, x, profile, seed)})
        for name in args.rows:
            if name == "persistence":
                continue
            t0 = time.perf_counter()
            model, _ = train_model(profile, name, data, seed)
            rmse = _rmse(_predict(model, data.x_test), data.y_test)
            row = {
                "model": name,
                "seed": seed,
                **measure(model, x.astype(np.float32), profile, seed),
            }
            row.update(rmse=rmse, committed_rmse=committed_rmse(name, seed))
            row["seconds"] = time.perf_counter() - t0
            rows.append(row)
            print(f"{name} seed {seed}: {row}", file=sys.stderr, flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {
        "profile": "full",
        "level": 0.0,
        "disk_share": DISK_SHARE,
        "machine": f"{platform.processor() or platform.machine()}, {platform.system()}",
        "command": "python benchmarks/heat_so2_disk.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
    }
    write_text_atomic(
        args.out / "results.json", json.dumps({**meta, "rows": rows}, indent=1) + "\n"
    )
    write_table(args.out, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
