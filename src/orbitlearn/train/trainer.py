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
        x_train = np.asarray(x_train)
        objective = objective or classification(cfg.label_smoothing)
        y_train = np.asarray(y_train, dtype=np.float32 if objective.float_targets else np.int64)
        if y_val is not None:
            y_val = np.asarray(y_val, dtype=y_train.dtype)
        if len(x_train) == 0:
            raise ValueError("no training data")
        has_val = x_val is not None and y_val is not None and len(x_val) > 0
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
        autocast_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(cfg.precision)
        scaler = torch.amp.GradScaler("cuda") if cfg.precision == "fp16" else None
        opt = torch.optim.AdamW(module.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        steps_per_epoch = math.ceil(len(x_train) / cfg.batch_size)
        result = TrainResult()
        best_state = {k: v.detach().clone() for k, v in module.state_dict().items()}
        start_epoch, spent = 0, 0.0
        if self.state_path is not None:  # a writer killed mid-save left its temporary file
            remove_stale_temps(self.state_path)
        if resume and self.state_path is not None and self.state_path.exists():
            saved = safe_torch_load(self.state_path)
            if not isinstance(saved, dict):
                raise OrbitlearnError(f"{self.state_path}: not a training state (not a dictionary)")
            _check_same_config(self.state_path, saved.get("config", {}), asdict(cfg))
            try:
                module.load_state_dict(saved["module"])
                opt.load_state_dict(saved["optimizer"])
                best_state = saved["best_state"]
                result = TrainResult(**saved["result"])
                start_epoch, spent = saved["epoch"] + 1, result.seconds
                rng.bit_generator.state = saved["rng"]
                torch.set_rng_state(saved["torch_rng"])
            except Exception as exc:  # another model's weights, or a damaged file
                raise OrbitlearnError(
                    f"{self.state_path}: cannot resume from this training state "
                    f"({type(exc).__name__}: {first_line(exc)}); delete it to start afresh"
                ) from None
            if result.stopped_by != "epochs":  # it had stopped early: resuming finds it finished
                start_epoch = cfg.epochs
        since_best = 0 if result.best_epoch < 0 else len(result.history) - 1 - result.best_epoch
        log = self.log_path is not None and rank == 0
        if log:
            self._write_log(result.history)  # the log restarts from the state's epochs: no repeats
        board = self._open_tensorboard() if rank == 0 else None
        bar = self._bar(cfg.epochs, start_epoch) if rank == 0 else None
        t0 = time.perf_counter() - spent
        try:
            for epoch in range(start_epoch, cfg.epochs):
                module.train()
                order = rng.permutation(len(x_train)) if cfg.shuffle else np.arange(len(x_train))
                total_loss, total_score, count = 0.0, 0.0, 0
                for step in range(steps_per_epoch):
                    idx = order[step * cfg.batch_size : (step + 1) * cfg.batch_size]
                    if world_size > 1 and len(idx) >= world_size:
                        idx = idx[rank::world_size]
                    xb = x_train[idx]
                    count += len(idx)
                    if augment is not None:
                        xb = augment(xb, rng)
                    p = (epoch + step / steps_per_epoch) / cfg.epochs
                    if cfg.time_budget:
                        p = max(p, (time.perf_counter() - t0) / cfg.time_budget)
                    for group in opt.param_groups:
                        group["lr"] = cfg.lr * self._lr_factor(p)
                    yb = torch.as_tensor(y_train[idx]).to(device)
                    with torch.autocast(
                        device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None
                    ):
                        logits = step_module(torch.as_tensor(xb).to(device))
                        loss = objective.loss(logits.float(), yb)
                    opt.zero_grad(set_to_none=True)
                    if scaler is not None:
                        scaler.scale(loss).backward()
                        scaler.unscale_(opt)
                    else:
                        loss.backward()
                    if cfg.clip_norm is not None:
                        torch.nn.utils.clip_grad_norm_(module.parameters(), cfg.clip_norm)
                    if scaler is not None:
                        scaler.step(opt)
                        scaler.update()
                    else:
                        opt.step()
                    total_loss += loss.item() * len(idx)
                    total_score += objective.score(logits.detach(), yb) * len(idx)
                seen = float(len(x_train))
                if world_size > 1:  # the epoch's sums over every rank's shares
                    import torch.distributed as dist

                    sums = torch.tensor(
                        [total_loss, total_score, float(count)], dtype=torch.float64
                    )
                    dist.all_reduce(sums)
                    total_loss, total_score, seen = (float(v) for v in sums)
                row = {
                    "epoch": epoch,
                    "train_loss": total_loss / seen,
                    "train_score": total_score / seen,
                    "lr": opt.param_groups[0]["lr"],
                }
                _refuse_divergence(module, row, epoch, cfg.lr)
                if has_val:
                    row["val_score"], row["val_loss"] = _evaluate(
                        module, x_val, y_val, cfg.eval_batch_size, objective
                    )
                else:  # nothing to select on: the last epoch is the model
                    row["val_score"], row["val_loss"] = float("nan"), float("nan")
                row["seconds"] = time.perf_counter() - t0
                result.history.append(row)
                better = (
                    not has_val
                    or result.best_epoch < 0
                    or row["val_score"] > result.best_val_score
                    or (
                        row["val_score"] == result.best_val_score
                        and row["val_loss"] < result.best_val_loss
                    )
                )
                if better:
                    result.best_epoch, result.best_val_score, result.best_val_loss = (
                        epoch,
                        row["val_score"],
                        row["val_loss"],
                    )
                    best_state = {k: v.detach().clone() for k, v in module.state_dict().items()}
                    since_best = 0
                else:
                    since_best += 1
                result.seconds = row["seconds"]
                if log:
                    self._write_log(result.history)
                if board is not None:
                    for key, value in row.items():
                        if key != "epoch":
                            board.add_scalar(key, value, epoch)
                if bar is not None:
                    bar.set_postfix(loss=f"{row['train_loss']:.3f}", val=f"{row['val_score']:.4f}")
                    bar.update(1)
                stale = (
                    since_best
                    if cfg.patience_on == "val"
                    else epochs_since_record([r["train_score"] for r in result.history])
                )
                if cfg.patience is not None and stale >= cfg.patience:
                    result.stopped_by = "patience"
                elif cfg.time_budget and row["seconds"] >= cfg.time_budget:
                    result.stopped_by = "time_budget"
                self._save_state(module, opt, best_state, result, epoch, rng)
                if result.stopped_by != "epochs":
                    break
        finally:
            if bar is not None:
                bar.close()
            if board is not None:
                board.close()
        module.load_state_dict(best_state)
        module.eval()
        return result

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
