"""Rebuild the reports of committed heat-benchmark folders from their cells, running nothing.

For every folder under benchmarks/results/ with a heat `results.json`, the profile recorded there
is rebuilt, the folder's finished cells are read (a cell is used only if it was made under that
profile), and table.csv, table.md, the plots, results.json and results.md are written again by
the current report code, keeping the machine record of the run that made the cells.

    python benchmarks/heat_reports.py [FOLDER ...]
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from pathlib import Path

from orbitlearn.apps.heat.bench import HeatBenchmark, aggregate
from orbitlearn.apps.heat.profile import HeatProfile
from orbitlearn.apps.heat.report import write_reports

ROOT = Path(__file__).resolve().parents[1]


def rebuild(folder: Path) -> int:
    """Rewrite one folder's reports; the number of cells used."""
    record = json.loads((folder / "results.json").read_text())
    saved = record["profile"]
    kinds = {f.name: f.type for f in fields(HeatProfile)}
    profile = HeatProfile(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in saved.items() if k in kinds}
    )
    bench = HeatBenchmark(profile, folder, require_so2=False)
    cells = bench.cells()
    expected = len(profile.models) * len(profile.levels) * len(profile.seeds)
    if len(cells) != expected:
        raise SystemExit(f"{folder}: {len(cells)} of {expected} cells match the recorded profile")
    write_reports(profile, cells, aggregate(cells), folder, machine=record["machine"])
    return len(cells)


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or sorted(
        p.parent
        for p in (ROOT / "benchmarks" / "results").rglob("results.json")
        if (p.parent / "cells").is_dir() and "heat" in str(p)
    )
    for folder in folders:
        print(
            f"{folder.relative_to(ROOT) if folder.is_absolute() else folder}: {rebuild(folder)} cells"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
