"""The heat-equation benchmark: strict, relaxed and no rotation symmetry as the symmetry breaks.

Task: learn the one-step map S: u_t ↦ u_{t+Δt} of `orbitlearn.datasets.heat` on a periodic grid,
for several breaking levels ℓ (ℓ = 0: S is exactly D4- and shift-equivariant). Models, all residual
y = x + net(x) with (nearly) the same number of parameters:

* ``persistence``: y = x (no training; the floor any model must beat);
* ``cnn``: circular CNN; ``cnn_aug``: the same trained on randomly rotated pairs (ρ(g)x, ρ(g)y);
* ``gcnn``: lifting + group convolutions (strict, p4 by default);
* ``relaxed_gcnn``: relaxed lifting + relaxed group convolutions, loss MSE + α·Σ|w_l(h) − w_l(h')|;
* ``steerable_c8``, ``steerable_c16``, ``steerable_so2``, ``relaxed_steerable``: steerable CNNs
  (e2cnn, `orbitlearn.apps.heat.steerable`), the relaxed one with the same penalty.

Measured per model, level and seed on held-out fields: one-step RMSE, rollout RMSE after T
model steps, and the equivariance error ε = max_g ‖f(ρ(g)x) − ρ(g)f(x)‖ / ‖ρ(g)f(x)‖ under the
point group's rotations (C4) and under D4, beside the same ε of the true map S (table columns ``eps_max_rel``, ``eps_max_rel_d4``,
``eps_max_rel_target``), and under SO(2) on windowed smooth fields (``eps_so2``, ``eps_so2_adv``,
the grid's round-trip error ``eps_so2_grid`` and the true map's ``eps_so2_target``;
`orbitlearn.apps.heat.so2`).

Every finished (model, level, seed) cell is a JSON file under ``<out>/cells`` and is never
rerun, so a long profile can be built over several runs; the table is rebuilt from the cells.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.apps.heat.data import HeatData, make_data
from orbitlearn.apps.heat.profile import MODELS, HeatProfile, get_profile
from orbitlearn.augment import batch_augmenter
from orbitlearn.bench.runner import CellStore, run_cells
from orbitlearn.extras import require_installed


def _augmenter(group_name: str):
    from orbitlearn.groups.regular import point_group

    # (x ⊕ y) ↦ ρ(g)(x ⊕ y) with one random g ∈ G per item (both fields move together)
    return batch_augmenter(point_group(group_name), then=np.ascontiguousarray)


def build(profile: HeatProfile, name: str, seed: int):
    """The untrained model `name` (its initial weights seeded by `seed`), matched to profile.params."""
    import torch

    from orbitlearn.apps.heat.models import build_field_model

    torch.manual_seed(seed)
    base = "cnn" if name == "cnn_aug" else name
    return build_field_model(
        base,
        params=profile.params,
        depth=profile.depth,
        kernel_size=profile.kernel_size,
        group=profile.group,
        banks=profile.banks,
    )


def train_model(profile: HeatProfile, name: str, data: HeatData, seed: int):
    """Train `name` with the shared Trainer (objective mse, + α·relaxation penalty for relaxed)."""
    import torch

    from orbitlearn.apps.heat.models import PairResidual, Unrolled
    from orbitlearn.nn.gconv import relaxation_penalty
    from orbitlearn.train.config import TrainConfig
    from orbitlearn.train.objectives import Objective, mse
    from orbitlearn.train.trainer import Trainer

    model = build(profile, name, seed)
    cfg = TrainConfig(
        epochs=profile.epochs,
        batch_size=profile.batch_size,
        lr=profile.lr,
        weight_decay=0.0,
        seed=seed,
        threads=profile.threads,
        device=profile.device,
    )
    objective = mse()
    if name.startswith("relaxed_") and profile.penalty > 0:
        base_loss, alpha = objective.loss, profile.penalty
        if name == "relaxed_gcnn":
            penalty = relaxation_penalty
        else:
            from orbitlearn.apps.heat.steerable import steerable_relaxation_penalty as penalty

        def loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            if not out.requires_grad:  # validation: the score and loss of the fit alone
                return base_loss(out, y)
            return base_loss(out, y) + alpha * penalty(model)

        objective = Objective(objective.name, loss, objective.score, float_targets=True)
    trainer = Trainer(cfg, show_progress=False)
    net = model if profile.unroll == 1 else Unrolled(model, profile.unroll)
    if name == "cnn_aug":
        pair = PairResidual(net, data.x_train.shape[1])
        xy_train = np.concatenate([data.x_train, data.y_train], axis=1)
        xy_val = np.concatenate([data.x_val, data.y_val], axis=1)
        result = trainer.fit(
            pair,
            xy_train,
            np.zeros_like(data.y_train),
            xy_val,
            np.zeros_like(data.y_val),
            augment=_augmenter(profile.group),
            objective=objective,
        )
    else:
        result = trainer.fit(
            net, data.x_train, data.y_train, data.x_val, data.y_val, objective=objective
        )
    model.eval()
    return model, result


def _predict(model, x: np.ndarray) -> np.ndarray:
    if model is None:  # persistence
        return np.asarray(x, dtype=np.float32)
    import torch

    from orbitlearn.train.trainer import module_device

    with torch.no_grad():
        return model(torch.as_tensor(x).to(module_device(model))).cpu().numpy()


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)))


def evaluate(profile: HeatProfile, model, data: HeatData, seed: int = 0) -> dict:
    """One-step and rollout RMSE on held-out fields; ε under C4 and D4 of the model and of S;
    ε under SO(2) of both on windowed smooth fields (`orbitlearn.apps.heat.so2`), with the
    grid's round-trip error and the model's ε against the angle."""
    from orbitlearn.apps.heat.so2 import eps_against_angle, so2_epsilon, so2_fields
    from orbitlearn.groups import C4, D4
    from orbitlearn.symmetry import equivariance_error

    rmse = _rmse(_predict(model, data.x_test), data.y_test)
    u = data.rollouts[:, 0]
    errs = []
    for t in range(1, profile.rollout_steps + 1):
        u = _predict(model, u)
        errs.append(_rmse(u, data.rollouts[:, t]))
    xe = data.x_test[: profile.eps_inputs]
    f = model if model is not None else (lambda x: x)
    c4 = equivariance_error(f, C4(), C4(), xe)
    d4 = equivariance_error(f, D4(), D4(), xe)
    target = equivariance_error(data.sim, C4(), C4(), xe.astype(np.float64))
    xs = so2_fields(profile, seed)
    so2 = so2_epsilon(f, xs, profile, seed)
    so2_target = so2_epsilon(data.sim, xs.astype(np.float64), profile, seed, adversarial=False)
    return {
        "rmse": rmse,
        "rollout_rmse": errs[-1],
        "rollout_curve": errs,
        "epsilon": c4.max_rel,
        "epsilon_mean": c4.mean_rel,
        "epsilon_d4": d4.max_rel,
        "epsilon_target": target.max_rel,
        "epsilon_so2": so2["eps_so2"],
        "epsilon_so2_adversarial": so2["eps_so2_adv"],
        "epsilon_so2_grid": so2["eps_so2_grid"],
        "epsilon_so2_target": so2_target["eps_so2"],
        "so2_curve": eps_against_angle(f, xs, profile),
        "so2_curve_target": eps_against_angle(data.sim, xs.astype(np.float64), profile)["eps"],
        "picture": {
            "u0": data.rollouts[0, 0, 0].tolist(),
            "truth": data.rollouts[0, -1, 0].tolist(),
            "pred": u[0, 0].tolist(),
        },
    }


def _cell_profile(profile: HeatProfile) -> dict:
    """The settings a cell depends on (not the list of levels, seeds or models, nor the name)."""
    d = asdict(profile)
    for key in ("name", "levels", "seeds", "models", "threads", "device", "picture_level"):
        d.pop(key)
    if d["unroll"] == 1:  # cells run before `unroll` existed (one-step loss) stay valid
        d.pop("unroll")
    defaults = HeatProfile(name="")
    for key in ("so2_samples", "so2_length"):  # likewise for the SO(2) settings at their defaults
        if d[key] == getattr(defaults, key):
            d.pop(key)
    return d  # (the cell store keeps it as JSON data)


def _level_key(level: float) -> str:
    return f"{level:g}".replace(".", "p")


#: what a cell measured before ε under SO(2) existed lacks (such a cell is run again)
SO2_KEY = "epsilon_so2"


class _HeatCellStore(CellStore):
    """A CellStore that, unless told otherwise, treats a cell without ε under SO(2) as unfinished."""

    def __init__(self, folder, identity, require_so2: bool):
        super().__init__(folder, identity=identity)
        self.require_so2 = require_so2

    def _valid(self, cell: dict) -> bool:
        return super()._valid(cell) and (not self.require_so2 or SO2_KEY in cell)


class HeatBenchmark:
    """Runs (model, level, seed) cells of a profile, caching finished cells under `out/cells`
    (a cell is reused while the settings it depends on, `_cell_profile`, are unchanged, and it
    has ε under SO(2); `require_so2=False` also reads older cells, for rebuilding reports)."""

    def __init__(
        self, profile: HeatProfile, out: str | Path | None = None, *, require_so2: bool = True
    ):
        self.profile = profile
        self.out = Path(out) if out is not None else None
        self.store = _HeatCellStore(self.out, _cell_profile(profile), require_so2)
        self._data: tuple[tuple[float, int], HeatData] | None = None

    @staticmethod
    def cell_stem(model: str, level: float, seed: int) -> str:
        """The file stem of one (model, level, seed) cell, e.g. ``gcnn_b0p1_s0``."""
        return f"{model}_b{_level_key(level)}_s{seed}"

    def tasks(self) -> list[tuple[str, float, int]]:
        """Every (model, level, seed) of the profile, grouped so one data set serves its models."""
        p = self.profile
        return [(m, lv, s) for s in p.seeds for lv in p.levels for m in p.models]

    def pending(self) -> list[tuple[float, int]]:
        """(level, seed) pairs with at least one model not yet run."""
        out: list[tuple[float, int]] = []
        for m, lv, s in self.tasks():
            if not self.store.done(self.cell_stem(m, lv, s)) and (lv, s) not in out:
                out.append((lv, s))
        return out

    def _data_for(self, level: float, seed: int) -> HeatData:
        if self._data is None or self._data[0] != (level, seed):
            self._data = ((level, seed), make_data(self.profile, level, seed))
        return self._data[1]

    def run_cell(self, name: str, level: float, seed: int) -> dict:
        """Train (unless persistence) and evaluate one model at one level and seed; the cell record."""
        p = self.profile
        data = self._data_for(level, seed)
        t0 = time.perf_counter()
        if name == "persistence":
            model, info = None, {"params": 0, "width": 0, "epochs_run": 0}
        else:
            from orbitlearn.apps.heat.models import count_params

            model, result = train_model(p, name, data, seed)
            info = {
                "params": count_params(model),
                "width": int(model.width),
                "epochs_run": len(result.history),
                "best_epoch": result.best_epoch,
            }
        return {
            "model": name,
            "breaking": float(level),
            "seed": int(seed),
            **info,
            **evaluate(p, model, data, seed),
            "seconds": time.perf_counter() - t0,
        }

    def run(self, show_progress: bool | None = None) -> list[dict]:
        """Run every missing cell; returns all cells of the profile (a user error before any
        training when a pending steerable row needs e2cnn and it is not installed)."""
        self._check_steerable()
        run_cells(
            self.tasks(),
            lambda t: self.cell_stem(*t),
            lambda t: self.run_cell(*t),
            self.store,
            desc=f"bench heat ({self.profile.name})",
            show_progress=show_progress,
        )
        return self.cells()

    def _check_steerable(self) -> None:
        from orbitlearn.apps.heat.rotations import STEERABLE_ROWS

        wanted = sorted(
            {
                m
                for m, lv, s in self.tasks()
                if m in STEERABLE_ROWS and not self.store.done(self.cell_stem(m, lv, s))
            }
        )
        if wanted:
            require_installed(
                "e2cnn", f"--models {' '.join(wanted)}", "or leave those rows out of --models"
            )

    def cells(self) -> list[dict]:
        """The finished cells of the profile, by model, level and seed."""
        p = self.profile
        found = [
            self.store.load(self.cell_stem(m, lv, s))
            for m in p.models
            for lv in p.levels
            for s in p.seeds
        ]
        return [c for c in found if c is not None]


def aggregate(cells: list[dict]) -> list[dict]:
    """One row per (model, breaking): means over seeds, sample std (0 for one seed)."""
    groups: dict[tuple[str, float], list[dict]] = {}
    for c in cells:
        groups.setdefault((c["model"], c["breaking"]), []).append(c)
    order = {m: i for i, m in enumerate(MODELS)}
    rows = []
    for (model, level), cs in sorted(groups.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):

        def stat(key: str, cs: list[dict] = cs) -> tuple[float, float]:
            v = np.array([c[key] for c in cs], dtype=np.float64)
            return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0

        rmse, rmse_sd = stat("rmse")
        roll, roll_sd = stat("rollout_rmse")
        eps, eps_sd = stat("epsilon")  # cells keep the measurement's own name
        rows.append(
            {
                "model": model,
                "breaking": level,
                "rmse": rmse,
                "rmse_std": rmse_sd,
                "rollout_rmse": roll,
                "rollout_rmse_std": roll_sd,
                "eps_max_rel": eps,
                "eps_max_rel_std": eps_sd,
                "eps_max_rel_d4": stat("epsilon_d4")[0],
                "eps_max_rel_target": stat("epsilon_target")[0],
                **_so2_columns(cs),
                "params": int(round(stat("params")[0])),
                "n_seeds": len(cs),
                "seconds": stat("seconds")[0],
            }
        )
    return rows


def _so2_columns(cs: list[dict]) -> dict:
    """The SO(2) ε columns of one row (means over seeds; empty for cells measured before them)."""
    if not all("epsilon_so2" in c for c in cs):
        return {}
    v = np.array([c["epsilon_so2"] for c in cs])
    return {
        "eps_so2": float(v.mean()),
        "eps_so2_std": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
        "eps_so2_adv": float(np.mean([c["epsilon_so2_adversarial"] for c in cs])),
        "eps_so2_grid": float(np.mean([c["epsilon_so2_grid"] for c in cs])),
        "eps_so2_target": float(np.mean([c["epsilon_so2_target"] for c in cs])),
    }


def run_heat_bench(
    profile: str | HeatProfile = "quick",
    out: str | Path | None = None,
    show_progress: bool | None = None,
    **overrides: Any,
) -> list[dict]:
    """Run (or resume) a profile and return the aggregated rows; with `out`, write the reports too."""
    prof = profile if isinstance(profile, HeatProfile) else get_profile(profile, **overrides)
    bench = HeatBenchmark(prof, out)
    cells = bench.run(show_progress)
    rows = aggregate(cells)
    if out is not None:
        from orbitlearn.apps.heat.report import write_reports

        write_reports(prof, cells, rows, Path(out))
    return rows


__all__ = [
    "HeatBenchmark",
    "aggregate",
    "evaluate",
    "make_data",
    "run_heat_bench",
    "train_model",
]
