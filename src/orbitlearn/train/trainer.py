"""The trainer: fits a torch module on (X, y) arrays, selects on validation, logs, resumes.

Learning rate: AdamW with linear warm-up and a cosine decay driven by training progress
p = max(epoch fraction, time-budget fraction), so the same schedule serves --epochs and
--time-budget (or, with schedule="constant", the plain learning rate throughout; optional
gradient-norm clipping). Model selection keeps the weights of the epoch with the best validation score
(accuracy for classifiers; ties: lower validation loss), or the last epoch when no validation
data is given; the test part is never seen here.
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from orbitlearn.errors import OrbitlearnError, first_line
from orbitlearn.fileio import atomic_write, remove_stale_temps
from orbitlearn.progress import progress_enabled
from orbitlearn.torch_io import safe_torch_load, save_atomic
from orbitlearn.train.config import BatchTransform, TrainConfig, setting_changes
from orbitlearn.train.devices import resolve_device
from orbitlearn.train.distributed import is_main, world
from orbitlearn.train.objectives import Objective, classification
from orbitlearn.train.seeding import seed_everything

#: the columns of metrics.csv, one row per epoch
LOG_COLUMNS = ["epoch", "train_loss", "train_score", "lr", "val_score", "val_loss", "seconds"]


@dataclass
class TrainResult:
    """What a training returns: the per-epoch history, the selected epoch with its validation score and loss, the seconds, and what stopped it."""

    history: list[dict] = field(default_factory=list)
    best_epoch: int = -1
    best_val_score: float = float("nan")
    best_val_loss: float = float("inf")
    seconds: float = 0.0
    stopped_by: str = "epochs"


def module_device(module: nn.Module) -> torch.device:
    """The device of the module's first parameter or buffer (the CPU for a module without any)."""
    for t in (*module.parameters(), *module.buffers()):
        return t.device
    return torch.device("cpu")


def predict_logits(module: nn.Module, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Logits of `module` on a numpy batch, in eval mode and without gradients (mode restored);
    batches go to the module's device and come back to the CPU."""
    was_training = module.training
    module.eval()
    device = module_device(module)
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            xb = torch.as_tensor(x[i : i + batch_size]).to(device)
            out.append(module(xb).float().cpu().numpy())
    module.train(was_training)
    if not out:
        return np.zeros((0, 0), dtype=np.float32)
    return np.concatenate(out)


def epochs_since_record(scores: list[float]) -> int:
    """How many epochs have passed since the last one whose score was at or above every earlier
    one (0 when the last epoch is such a record)."""
    best, since = None, 0
    for score in scores:
        if best is None or score >= best:
            best, since = score, 0
        else:
            since += 1
    return since


def _check_same_config(path, saved: dict, current: dict) -> None:
    """Resuming under another training config would splice two different runs together."""
    # they do not change what is computed (a run may resume on another device)
    ignored = frozenset({"threads", "eval_batch_size", "device"})
    # a setting added after the state was written had its default value then
    defaults = asdict(TrainConfig())
    saved = {**{k: v for k, v in defaults.items() if k not in saved}, **saved}
    detail = setting_changes(saved, current, ignored)
    if detail:
        raise OrbitlearnError(
            f"{path} was written under another training config ({detail}); "
            "resume with the same settings, or delete it to start afresh"
        )


def _evaluate(
    module: nn.Module, x: np.ndarray, y: np.ndarray, batch_size: int, objective: Objective
) -> tuple[float, float]:
    """(score, loss) of the module on a whole validation set."""
    out = torch.from_numpy(predict_logits(module, x, batch_size))
    target = torch.from_numpy(y)
    return objective.score(out, target), float(objective.loss(out, target))


@dataclass
class _FitData:
    """The training and validation arrays of one fit, as the objective wants them."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    has_val: bool

    @classmethod
    def of(cls, x_train, y_train, x_val, y_val, objective: Objective) -> _FitData:
        """Arrays with the objective's label dtype; ValueError without training data."""
        x_train = np.asarray(x_train)
        y_train = np.asarray(y_train, dtype=np.float32 if objective.float_targets else np.int64)
        if y_val is not None:
            y_val = np.asarray(y_val, dtype=y_train.dtype)
        if len(x_train) == 0:
            raise ValueError("no training data")
        has_val = x_val is not None and y_val is not None and len(x_val) > 0
        return cls(x_train, y_train, x_val, y_val, has_val)


@dataclass
class _FitRun:
    """What changes while one fit runs: the module and its optimiser, the random stream, the
    result so far, the best weights and the epochs since them."""

    module: nn.Module
    step_module: nn.Module
    device: torch.device
    rank: int
    world_size: int
    rng: np.random.Generator
    objective: Objective
    opt: torch.optim.Optimizer
    autocast_dtype: torch.dtype | None
    scaler: Any
    best_state: dict
    result: TrainResult = field(default_factory=TrainResult)
    start_epoch: int = 0
    since_best: int = 0
    t0: float = 0.0


class Trainer:
    """Trains one module; `state_path` (optional) receives a resumable state after every epoch."""

    def __init__(
        self,
        config: TrainConfig,
        log_path: str | Path | None = None,
        state_path: str | Path | None = None,
        show_progress: bool | None = None,
    ):
        self.config = config
        self.log_path = Path(log_path) if log_path else None
        self.state_path = Path(state_path) if state_path else None
        self.show_progress = progress_enabled(show_progress)

    def _lr_factor(self, p: float) -> float:
        if self.config.schedule == "constant":
            return 1.0
        w = self.config.warmup
        if p < w:
            return max(p / w, 1e-3)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (p - w) / max(1e-9, 1 - w))))

    def fit(
        self,
        module: nn.Module,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        augment: BatchTransform | None = None,
        resume: bool = False,
        objective: Objective | None = None,
    ) -> TrainResult:
        """Train `module` in place; on return it holds the weights of the best validation epoch.

        `objective` (default: classification with the config's label smoothing) gives the loss and
        the score used for selection (see `orbitlearn.train.objectives`)."""
        cfg = self.config
        rng = seed_everything(cfg.seed, cfg.threads)
        objective = objective or classification(cfg.label_smoothing)
        data = _FitData.of(x_train, y_train, x_val, y_val, objective)
        run = self._start(module, rng, objective)
        if self.state_path is not None:  # a writer killed mid-save left its temporary file
            remove_stale_temps(self.state_path)
        if resume and self.state_path is not None and self.state_path.exists():
            self._resume(run)
        log = self.log_path is not None and run.rank == 0
        if log:
            self._write_log(run.result.history)  # the log restarts from the state's epochs
        board = self._open_tensorboard() if run.rank == 0 else None
        bar = self._bar(cfg.epochs, run.start_epoch) if run.rank == 0 else None
        run.t0 = time.perf_counter() - run.result.seconds
        try:
            for epoch in range(run.start_epoch, cfg.epochs):
                row = self._train_epoch(run, data, epoch, augment)
                _refuse_divergence(run.module, row, epoch, self.config.lr)
                row.update(self._validate(run, data))
                row["seconds"] = time.perf_counter() - run.t0
                run.result.history.append(row)
                self._select(run, row, epoch, data.has_val)
                run.result.seconds = row["seconds"]
                self._record(run, row, log, board, bar)
                run.result.stopped_by = self._stop_reason(run, row)
                self._save_state(module, run.opt, run.best_state, run.result, epoch, rng)
                if run.result.stopped_by != "epochs":
                    break
        finally:
            if bar is not None:
                bar.close()
            if board is not None:
                board.close()
        module.load_state_dict(run.best_state)
        module.eval()
        return run.result

    def _start(self, module: nn.Module, rng: np.random.Generator, objective: Objective) -> _FitRun:
        """The module on its device (wrapped for data parallelism over several ranks), the
        optimiser, mixed precision and a fresh result: a run at epoch 0."""
        cfg = self.config
        device = resolve_device(cfg.device)
        module.to(device)
        rank, world_size = world()
        step_module: nn.Module = module
        if world_size > 1:  # gradients averaged over the ranks; each takes a share of every batch
            from torch.nn.parallel import DistributedDataParallel

            step_module = DistributedDataParallel(
                module, device_ids=[device.index] if device.type == "cuda" else None
            )
        if cfg.precision == "fp16" and device.type != "cuda":
            raise OrbitlearnError("precision fp16 needs a CUDA device; use bf16 or fp32 here")
        return _FitRun(
            module=module,
            step_module=step_module,
            device=device,
            rank=rank,
            world_size=world_size,
            rng=rng,
            objective=objective,
            opt=torch.optim.AdamW(module.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay),
            autocast_dtype={"bf16": torch.bfloat16, "fp16": torch.float16}.get(cfg.precision),
            scaler=torch.amp.GradScaler("cuda") if cfg.precision == "fp16" else None,
            best_state={k: v.detach().clone() for k, v in module.state_dict().items()},
        )

    def _resume(self, run: _FitRun) -> None:
        """Continue from the state file: weights, optimiser, best weights, history, random streams."""
        assert self.state_path is not None
        saved = safe_torch_load(self.state_path)
        if not isinstance(saved, dict):
            raise OrbitlearnError(f"{self.state_path}: not a training state (not a dictionary)")
        _check_same_config(self.state_path, saved.get("config", {}), asdict(self.config))
        try:
            run.module.load_state_dict(saved["module"])
            run.opt.load_state_dict(saved["optimizer"])
            run.best_state = saved["best_state"]
            run.result = TrainResult(**saved["result"])
            run.start_epoch = saved["epoch"] + 1
            run.rng.bit_generator.state = saved["rng"]
            torch.set_rng_state(saved["torch_rng"])
        except Exception as exc:  # another model's weights, or a damaged file
            raise OrbitlearnError(
                f"{self.state_path}: cannot resume from this training state "
                f"({type(exc).__name__}: {first_line(exc)}); delete it to start afresh"
            ) from None
        if run.result.stopped_by != "epochs":  # it had stopped early: resuming finds it finished
            run.start_epoch = self.config.epochs
        best = run.result.best_epoch
        run.since_best = 0 if best < 0 else len(run.result.history) - 1 - best

    def _train_epoch(
        self, run: _FitRun, data: _FitData, epoch: int, augment: BatchTransform | None
    ) -> dict:
        """One pass over the (shuffled) training data: the epoch's mean loss and score over every
        rank, and the last learning rate."""
        cfg = self.config
        run.module.train()
        n = len(data.x_train)
        order = run.rng.permutation(n) if cfg.shuffle else np.arange(n)
        steps = math.ceil(n / cfg.batch_size)
        total_loss, total_score, count = 0.0, 0.0, 0
        for step in range(steps):
            idx = order[step * cfg.batch_size : (step + 1) * cfg.batch_size]
            if run.world_size > 1 and len(idx) >= run.world_size:
                idx = idx[run.rank :: run.world_size]
            xb = data.x_train[idx]
            count += len(idx)
            if augment is not None:
                xb = augment(xb, run.rng)
            self._set_lr(run, (epoch + step / steps) / cfg.epochs)
            yb = torch.as_tensor(data.y_train[idx]).to(run.device)
            loss, logits = self._step(run, xb, yb)
            total_loss += loss.item() * len(idx)
            total_score += run.objective.score(logits.detach(), yb) * len(idx)
        seen = float(n)
        if run.world_size > 1:  # the epoch's sums over every rank's shares
            import torch.distributed as dist

            sums = torch.tensor([total_loss, total_score, float(count)], dtype=torch.float64)
            dist.all_reduce(sums)
            total_loss, total_score, seen = (float(v) for v in sums)
        return {
            "epoch": epoch,
            "train_loss": total_loss / seen,
            "train_score": total_score / seen,
            "lr": run.opt.param_groups[0]["lr"],
        }

    def _set_lr(self, run: _FitRun, p: float) -> None:
        """The scheduled learning rate at progress p (epochs), or further when the time budget is."""
        if self.config.time_budget:
            p = max(p, (time.perf_counter() - run.t0) / self.config.time_budget)
        for group in run.opt.param_groups:
            group["lr"] = self.config.lr * self._lr_factor(p)

    def _step(self, run: _FitRun, xb: np.ndarray, yb: torch.Tensor):
        """One optimisation step on a batch (mixed precision, clipping): (loss, logits)."""
        dtype = run.autocast_dtype
        with torch.autocast(run.device.type, dtype=dtype, enabled=dtype is not None):
            logits = run.step_module(torch.as_tensor(xb).to(run.device))
            loss = run.objective.loss(logits.float(), yb)
        run.opt.zero_grad(set_to_none=True)
        if run.scaler is not None:
            run.scaler.scale(loss).backward()
            run.scaler.unscale_(run.opt)
        else:
            loss.backward()
        if self.config.clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(run.module.parameters(), self.config.clip_norm)
        if run.scaler is not None:
            run.scaler.step(run.opt)
            run.scaler.update()
        else:
            run.opt.step()
        return loss, logits

    def _validate(self, run: _FitRun, data: _FitData) -> dict:
        """The validation score and loss (NaN without validation data: the last epoch wins)."""
        if not data.has_val:
            return {"val_score": float("nan"), "val_loss": float("nan")}
        score, loss = _evaluate(
            run.module, data.x_val, data.y_val, self.config.eval_batch_size, run.objective
        )
        return {"val_score": score, "val_loss": loss}

    def _select(self, run: _FitRun, row: dict, epoch: int, has_val: bool) -> None:
        """Keep this epoch's weights if its validation score is the best so far (ties: the lower
        validation loss), or always without validation data."""
        r = run.result
        better = (
            not has_val
            or r.best_epoch < 0
            or row["val_score"] > r.best_val_score
            or (row["val_score"] == r.best_val_score and row["val_loss"] < r.best_val_loss)
        )
        if better:
            r.best_epoch, r.best_val_score, r.best_val_loss = (
                epoch,
                row["val_score"],
                row["val_loss"],
            )
            run.best_state = {k: v.detach().clone() for k, v in run.module.state_dict().items()}
            run.since_best = 0
        else:
            run.since_best += 1

    def _record(self, run: _FitRun, row: dict, log: bool, board, bar) -> None:
        """The epoch's row to the CSV log, TensorBoard and the progress bar."""
        if log:
            self._write_log(run.result.history)
        if board is not None:
            for key, value in row.items():
                if key != "epoch":
                    board.add_scalar(key, value, row["epoch"])
        if bar is not None:
            bar.set_postfix(loss=f"{row['train_loss']:.3f}", val=f"{row['val_score']:.4f}")
            bar.update(1)

    def _stop_reason(self, run: _FitRun, row: dict) -> str:
        """ "patience" (no record for that many epochs), "time_budget", or "epochs": go on."""
        cfg = self.config
        stale = (
            run.since_best
            if cfg.patience_on == "val"
            else epochs_since_record([r["train_score"] for r in run.result.history])
        )
        if cfg.patience is not None and stale >= cfg.patience:
            return "patience"
        if cfg.time_budget and row["seconds"] >= cfg.time_budget:
            return "time_budget"
        return "epochs"

    def _save_state(self, module, opt, best_state, result: TrainResult, epoch: int, rng) -> None:
        if self.state_path is None or not is_main():
            return
        save_atomic(
            {
                "module": module.state_dict(),
                "optimizer": opt.state_dict(),
                "best_state": best_state,
                "result": asdict(result),
                "epoch": epoch,
                "rng": rng.bit_generator.state,
                "torch_rng": torch.get_rng_state(),
                "config": asdict(self.config),
            },
            self.state_path,
        )

    def _write_log(self, history: list[dict]) -> None:
        """metrics.csv: one row per epoch so far, rewritten atomically after every epoch."""
        assert self.log_path is not None
        with atomic_write(self.log_path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=LOG_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(history)

    def _open_tensorboard(self):
        """A TensorBoard writer beside the CSV log when the tensorboard package is installed."""
        if self.log_path is None:
            return None
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            return None
        return SummaryWriter(log_dir=str(self.log_path.parent / "tensorboard"))

    def _bar(self, total: int, initial: int):
        if not self.show_progress:
            return None
        import sys

        from tqdm.auto import tqdm

        return tqdm(total=total, initial=initial, desc="training", unit="epoch", file=sys.stderr)


def _refuse_divergence(module, row: dict, epoch: int, lr: float) -> None:
    """OrbitlearnError when an epoch's training loss or the weights are no longer finite: a
    diverged training stops before anything of that epoch is logged or saved."""
    from orbitlearn.torch_io import non_finite_tensor

    bad = None if math.isfinite(row["train_loss"]) else "the training loss"
    if bad is None:
        name = non_finite_tensor(module.state_dict())
        bad = None if name is None else f"weight {name}"
    if bad is not None:
        raise OrbitlearnError(
            f"training diverged at epoch {epoch} ({bad} is NaN or infinite) and was stopped; "
            f"nothing of that epoch was saved: try a lower --lr (this run: {lr:g})"
        )
