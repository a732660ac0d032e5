"""Rebuild the reports of committed heat-benchmark folders from their cells, running nothing.

For every folder under benchmarks/results/ with a heat `results.json`, the profile recorded there
is rebuilt, the folder's finished cells are read (a cell is used only if it was made under that
profile), and table.csv, table.md, the plots, results.json and results.md are written again by
the current report code, keeping the machine record of the run that made the cells.

    python benchmarks/heat_reports.py [FOLDER ...]
    python benchmarks/heat_reports.py --partial --profile full benchmarks/results/heat-full

`--profile NAME` uses that profile of the current code (its rows, levels and seeds) instead of the
recorded one; `--partial` writes the reports from the cells there are when some are still missing
(a run in progress: every row says its `n_seeds`, and the SO(2) columns stay empty for a row until
all its cells have them), instead of refusing.
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from pathlib import Path

from orbitlearn.apps.heat.bench import HeatBenchmark, aggregate
from orbitlearn.apps.heat.profile import HeatProfile, get_profile
from orbitlearn.apps.heat.report import write_reports

ROOT = Path(__file__).resolve().parents[1]


def rebuild(folder: Path, profile_name: str | None = None, partial: bool = False) -> str:
    """Rewrite one folder's reports; how many cells were used."""
    record = json.loads((folder / "results.json").read_text())
    if profile_name is None:
        saved = record["profile"]
        kinds = {f.name: f.type for f in fields(HeatProfile)}
        profile = HeatProfile(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in saved.items() if k in kinds}
        )
    else:
        profile = get_profile(profile_name)
    bench = HeatBenchmark(profile, folder, require_so2=False)
    cells = bench.cells()
    expected = len(profile.models) * len(profile.levels) * len(profile.seeds)
    if len(cells) != expected and not partial:
        raise SystemExit(f"{folder}: {len(cells)} of {expected} cells match the recorded profile")
    machine = record["machine"] if profile_name is None else None
    write_reports(profile, cells, aggregate(cells), folder, machine=machine)
    return f"{len(cells)} of {expected} cells"


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--profile", help="a profile of the current code, not the recorded one")
    parser.add_argument("--partial", action="store_true", help="write reports of a run in progress")
    args = parser.parse_args(argv)
    folders = args.folders or sorted(
        p.parent
        for p in (ROOT / "benchmarks" / "results").rglob("results.json")
        if (p.parent / "cells").is_dir() and "heat" in str(p)
    )
    for folder in folders:
        print(
            f"{folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}: "
            f"{rebuild(folder, args.profile, args.partial)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
