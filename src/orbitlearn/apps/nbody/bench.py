"""The resumable N-body benchmark: one cell per (row, seed), trained and stored one at a time.

A cell is `cells/<row>_e<epochs>_s<seed>.json` (test MSE at the best validation epoch, the
validation curve, seconds, parameters, machine and commit) plus its best weights,
`weights/<stem>.pt` (small, committed, so every later measurement — ε, moved copies, timing — is
made from them). A training interrupted mid-way continues from `state/<stem>.pt` (not committed).
Rows with `trained_as` reuse another row's weights and train nothing.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import torch

from orbitlearn.apps.nbody.networks import build_row_model, row_epochs
from orbitlearn.apps.nbody.profile import PRIORITY, NBodyProfile, cell_stem, get_profile
from orbitlearn.apps.nbody.rows import ROWS, train_mode
from orbitlearn.bench.runner import CellStore, run_cells


class NBodyBenchmark:
    """Cells of one profile in `out` (default benchmarks/results/nbody)."""

    def __init__(self, profile: NBodyProfile, out: str | Path):
        self.profile = profile
        self.out = Path(out)
        self.store = CellStore(self.out, identity=profile.identity())
        self._parts = None
        from orbitlearn.bench.machine import source_state

        self.source = source_state()

    def parts(self):
        """The task's splits (loaded once, cut to the profile's sizes)."""
        if self._parts is None:
            from orbitlearn.datasets.nbody import load_nbody

            self._parts = load_nbody(
                max_train=self.profile.max_train, max_eval=self.profile.max_eval
            )
        return self._parts

    def tasks(self) -> list[tuple[str, int]]:
        """(row, seed) in run order: every row's first seed, then PRIORITY rows' other seeds, then
        the rest seed by seed."""
        rows = [r for r in self.profile.rows if not ROWS[r].trained_as]
        first, rest = self.profile.seeds[:1], self.profile.seeds[1:]
        order = [(r, s) for s in first for r in rows]
        order += [(r, s) for r in PRIORITY if r in rows for s in rest]
        order += [(r, s) for s in rest for r in rows if r not in PRIORITY]
        return order

    def stem(self, task: tuple[str, int]) -> str:
        """The cell's file stem: <row>_e<epochs>_s<seed>."""
        return cell_stem(task[0], self.epochs(task[0]), task[1])

    def epochs(self, row: str) -> int:
        """The row's own budget where it fixes one (a recipe), else the profile's."""
        return row_epochs(ROWS[row], self.profile)

    def weights_path(self, stem: str) -> Path:
        """Where a finished cell's best weights are kept."""
        return self.out / "weights" / f"{stem}.pt"

    def run_cell(self, task: tuple[str, int], log=None) -> dict:
        """Train one (row, seed) (resuming its state file), store its weights, return its cell."""
        from orbitlearn.apps.nbody.models import count_parameters
        from orbitlearn.apps.nbody.train import TrainConfig, train
        from orbitlearn.bench.machine import machine_info
        from orbitlearn.torch_io import save_atomic

        name, seed = task
        row = ROWS[name]
        torch.manual_seed(seed)
        model = build_row_model(row, self.profile)
        cfg = TrainConfig(
            lr=row.lr,
            epochs=self.epochs(name),
            schedule=row.schedule,
            warmup=row.warmup,
            clip=row.clip,
            augment=row.augment,
            compile=self.profile.compile,
            seed=seed,
            val_every=self.profile.val_every,
        )
        stem = self.stem(task)
        (self.out / "state").mkdir(parents=True, exist_ok=True)
        rec = train(model, self.parts(), cfg, self.out / "state" / f"{stem}.pt", log, train_mode)
        save_atomic(
            {"row": name, "seed": seed, "hidden": self.profile.hidden, "state": model.state_dict()},
            self.weights_path(stem),
        )
        return {
            "row": name,
            "seed": seed,
            "epochs": self.epochs(name),
            "config": cfg.as_dict(),
            "mse": rec["best_test"],
            "val_mse": rec["best_val"],
            "best_epoch": rec["best_epoch"],
            "curve": rec["curve"],
            "train_seconds": rec["seconds"],
            "params": count_parameters(model),
            "machine": machine_info(self.source),
        }

    def run(self, log=None, show_progress: bool | None = None) -> list[dict]:
        """Run every missing cell in order, storing each; returns all finished cells."""
        run_cells(
            self.tasks(),
            self.stem,
            lambda t: self.run_cell(t, log),
            self.store,
            desc="nbody",
            show_progress=show_progress,
            log=log,
            summary=lambda c: f"test MSE {c['mse']:.5f} at epoch {c['best_epoch']}",
        )
        return self.store.all()


def run_nbody_bench(
    profile: str | NBodyProfile = "quick",
    out: str | Path = "benchmarks/results/nbody",
    seeds: tuple[int, ...] | None = None,
    rows: tuple[str, ...] | None = None,
    epochs: int | None = None,
    log=None,
    report: bool = True,
) -> list[dict]:
    """Run (or resume) a profile's missing cells, then write the reports; returns the cells."""
    prof = get_profile(profile) if isinstance(profile, str) else profile
    changes = {k: v for k, v in (("seeds", seeds), ("rows", rows), ("epochs", epochs)) if v}
    prof = replace(prof, **changes)
    if log is None:
        log = lambda s: print(f"orbitlearn: {s}", file=sys.stderr, flush=True)  # noqa: E731
    torch.set_num_threads(1)
    bench = NBodyBenchmark(prof, out)
    cells = bench.run(log=log)
    if report:
        from orbitlearn.apps.nbody.report import write_reports

        write_reports(Path(out), prof)
    return cells


__all__ = [
    "NBodyBenchmark",
    "run_nbody_bench",
]
