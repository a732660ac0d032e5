"""The one resumable cell runner under every benchmark.

A benchmark is a list of cells (one model, one setting, one seed ...), each a JSON record. A
`CellStore` keeps finished cells as files ``<out>/cells/<stem>.json`` (written atomically, so a
killed run leaves whole cells or none) and never runs a finished cell again; a cell is reused only
while its stored `identity` (the settings it depends on) equals the current one. `run_cells`
computes the missing cells of a task list in order, with a progress bar, storing each as it
lands, so a long table can be built over several runs. `pick_profile` and `write_csv` are the
shared pieces of profile lookup and report writing.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from orbitlearn.errors import OrbitlearnError
from orbitlearn.fileio import atomic_write, write_text_atomic

T = TypeVar("T")
P = TypeVar("P")


class CellStore:
    """Finished cells by stem, in memory and (with a folder) under ``folder/cells``."""

    def __init__(self, folder: str | Path | None, identity: Mapping[str, Any] | None = None):
        self.folder = None if folder is None else Path(folder)
        self.identity = None if identity is None else json.loads(json.dumps(identity))
        self._memory: dict[str, dict] = {}

    def path(self, stem: str) -> Path | None:
        """The file of cell `stem` (None without a folder)."""
        return None if self.folder is None else self.folder / "cells" / f"{stem}.json"

    def _valid(self, cell: dict) -> bool:
        return self.identity is None or cell.get("profile") == self.identity

    def load(self, stem: str) -> dict | None:
        """The finished cell `stem`, or None (missing, or made under another identity)."""
        if stem in self._memory:
            return self._memory[stem]
        path = self.path(stem)
        if path is not None and path.exists():
            cell = json.loads(path.read_text())
            if self._valid(cell):
                self._memory[stem] = cell
                return cell
        return None

    def done(self, stem: str) -> bool:
        """Whether cell `stem` is finished (and made under the current identity)."""
        return self.load(stem) is not None

    def store(self, stem: str, cell: dict) -> None:
        """Keep `cell` (tagged with the identity, when there is one) and write it atomically."""
        if self.identity is not None:
            cell = {**cell, "profile": self.identity}
        self._memory[stem] = cell
        path = self.path(stem)
        if path is not None:
            write_text_atomic(path, json.dumps(cell, indent=1) + "\n")

    def all(self) -> list[dict]:
        """Every valid cell in the folder (sorted by stem) and in memory."""
        cells: dict[str, dict] = {}
        if self.folder is not None and (self.folder / "cells").exists():
            for p in sorted((self.folder / "cells").glob("*.json")):
                cell = json.loads(p.read_text())
                if self._valid(cell):
                    cells[p.stem] = cell
        cells.update(self._memory)
        return [cells[k] for k in sorted(cells)]


def clock(seconds: float) -> str:
    """A duration as m:ss (h:mm:ss from an hour)."""
    seconds = max(0, round(seconds))
    h, rest = divmod(seconds, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


#: no time-left estimate before this share of the work is done: the first cells also pay for
#: loading the data and compiling the engine, and scaled up they promised half an hour for a
#: four-minute run
ESTIMATE_AFTER_SHARE = 0.1


def time_left(elapsed: float, done: float, remaining: float) -> float | None:
    """Seconds left when `done` units of work took `elapsed` seconds and `remaining` units are
    left (None before `ESTIMATE_AFTER_SHARE` of the work is done)."""
    if done <= 0 or done < ESTIMATE_AFTER_SHARE * (done + remaining):
        return None
    return elapsed * remaining / done


def run_cells(
    tasks: Sequence[T],
    stem: Callable[[T], str],
    compute: Callable[[T], dict],
    store: CellStore,
    *,
    desc: str = "cells",
    show_progress: bool | None = None,
    log: Callable[[str], None] | None = None,
    describe: Callable[[T], str] | None = None,
    summary: Callable[[dict], str] | None = None,
    weight: Callable[[T], float | None] | None = None,
) -> list[T]:
    """Compute and store every task whose cell is not finished, in order; returns those tasks.

    Each logged line says which cell of how many, the time spent and about how much is left:
    the time so far scaled by the work left, a task's work being `weight(task)` (e.g. its
    seconds in an earlier run; None or no `weight`: the mean of the known ones, or 1)."""
    from orbitlearn.progress import progress

    todo = [t for t in tasks if not store.done(stem(t))]
    known = [w for w in (weight(t) if weight else None for t in todo) if w is not None]
    mean = sum(known) / len(known) if known else 1.0
    weights = [
        max(w if w is not None else mean, 0.05)
        for w in (weight(t) if weight else None for t in todo)
    ]
    start, done = time.perf_counter(), 0.0
    for k, task in enumerate(progress(todo, total=len(todo), desc=desc, enabled=show_progress)):
        name = describe(task) if describe else stem(task)
        if log:
            log(f"{desc} [{k + 1}/{len(todo)}]: {name} ...")
        cell = compute(task)
        store.store(stem(task), cell)
        done += weights[k]
        elapsed = time.perf_counter() - start
        left = time_left(elapsed, done, sum(weights) - done)
        if log:
            when = f"{clock(elapsed)} so far" + (
                f", about {clock(left)} left" if left is not None and k + 1 < len(todo) else ""
            )
            log(
                f"{desc} [{k + 1}/{len(todo)}, {when}]: {name}: {summary(cell) if summary else 'done'}"
            )
    return todo


def pick_profile(profiles: Mapping[str, P], name: str) -> P:
    """The profile of that name (OrbitlearnError listing the known ones otherwise)."""
    if name not in profiles:
        raise OrbitlearnError(f"unknown profile {name!r}; known: {', '.join(profiles)}")
    return profiles[name]


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Path:
    """rows as CSV with these columns (missing values empty), written atomically."""
    with atomic_write(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if r.get(k) is None else r.get(k) for k in columns})
    return path


def write_results(folder: Path, rows: Sequence[Mapping[str, Any]], markdown: Sequence[str]) -> Path:
    """A one-off benchmark's record: results.json (the rows and this machine) and results.md (the
    given lines, then a Machine section), written atomically into `folder`."""
    from orbitlearn.bench.machine import machine_info, machine_lines

    info = machine_info()
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(
        folder / "results.json", json.dumps({"rows": list(rows), "machine": info}, indent=1) + "\n"
    )
    lines = [*markdown, "", "## Machine", "", *machine_lines(info), ""]
    return write_text_atomic(folder / "results.md", "\n".join(lines))


__all__ = ["CellStore", "pick_profile", "run_cells", "write_csv", "write_results"]
