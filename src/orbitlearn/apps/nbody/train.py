"""Training on the N-body task under the published protocol, resumable from a state file.

Protocol (Satorras et al. 2021): Adam, batch 100 (last short batch dropped), weight decay 1e-12,
MSE over particles and coordinates; validation (and test) every `val_every` epochs from epoch 0;
the reported test MSE is the one at the best validation epoch. Options beyond it (a cosine learning
rate, Haar augmentation, sampled frames) are off unless a row asks for them.

Every epoch's shuffle (and augmentation) comes from a generator seeded by (seed, epoch), so a run
resumed from its state file continues exactly as an unbroken one would (same batches).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from orbitlearn.apps.nbody.profile import PUBLISHED_VAL_EVERY
from orbitlearn.datasets.nbody import NBodySplit


@dataclass(frozen=True)
class TrainConfig:
    """What a training depends on (stored with the results)."""

    lr: float
    epochs: int
    batch: int = 100
    weight_decay: float = 1e-12
    val_every: int = PUBLISHED_VAL_EVERY
    schedule: str = "constant"  # or "cosine" (linear warm-up over `warmup` epochs, then to 0)
    warmup: int = 0
    clip: float | None = None  # gradient-norm clip
    augment: bool = False  # a Haar-random E(3) move of every training example, every epoch
    compile: bool = False  # torch.compile the model (faster on CPU after a one-off warm-up)
    seed: int = 0

    def as_dict(self) -> dict:
        """The settings as a plain dict (stored in state files and cells)."""
        return asdict(self)


def as_tensors(part: NBodySplit, dtype=torch.float32) -> tuple[torch.Tensor, ...]:
    """(loc, vel, charges, target) of a split as torch tensors."""
    return tuple(
        torch.as_tensor(a, dtype=dtype) for a in (part.loc, part.vel, part.charges, part.target)
    )


@torch.no_grad()
def mse(model: nn.Module, tensors, batch: int = 100) -> float:
    """Mean squared error of model over a split (in batches, as the published evaluation)."""
    loc, vel, q, y = tensors
    total = 0.0
    for s in range(0, len(loc), batch):
        pred = model(loc[s : s + batch], vel[s : s + batch], q[s : s + batch])
        total += float(((pred - y[s : s + batch]) ** 2).sum())
    return total / y.numel()


def _lr_at(cfg: TrainConfig, epoch: int) -> float:
    if cfg.schedule == "cosine":
        if epoch < cfg.warmup:
            return cfg.lr * (epoch + 1) / cfg.warmup
        frac = (epoch - cfg.warmup) / max(1, cfg.epochs - cfg.warmup)
        return 0.5 * cfg.lr * (1.0 + math.cos(math.pi * frac))
    return cfg.lr


def train(
    model: nn.Module,
    parts: dict[str, NBodySplit],
    cfg: TrainConfig,
    state_path: str | Path | None = None,
    log: Callable[[str], None] | None = None,
    train_mode: Callable[[nn.Module, bool, torch.Generator | None], None] | None = None,
    save_every_s: float = 30.0,
) -> dict:
    """Train `model` (in place) and return the record: best validation epoch, its val and test MSE,
    the validation curve, seconds; the model ends with its best-validation weights.

    With `state_path`, the state (weights, optimiser, curve, best weights) is saved after a
    validation at most every `save_every_s` seconds (and at the end), and a later call with the same path continues from it. `train_mode(model, on, gen)`
    is called before each epoch's training (on=True, with the epoch's torch generator) and before
    evaluation (on=False), e.g. to switch a frame averager between sampled and full frames."""
    from orbitlearn.torch_io import safe_torch_load, save_atomic

    torch.manual_seed(cfg.seed)
    tr, va, te = (as_tensors(parts[k]) for k in ("train", "valid", "test"))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    run = torch.compile(model) if cfg.compile else model
    rec = {
        "curve": [],
        "best_epoch": -1,
        "best_val": math.inf,
        "best_test": math.inf,
        "seconds": 0.0,
    }
    best_state = None
    start = 0
    state_path = None if state_path is None else Path(state_path)
    if state_path is not None and state_path.exists():
        st = safe_torch_load(state_path)
        if st["config"] == cfg.as_dict():
            model.load_state_dict(st["model"])
            opt.load_state_dict(st["opt"])
            rec = st["record"]
            best_state = st["best"]
            start = st["epoch"] + 1
            if log:
                log(f"resumed at epoch {start} (best val {rec['best_val']:.5f})")
    n = (len(tr[0]) // cfg.batch) * cfg.batch
    t0 = time.perf_counter()
    last_save = time.perf_counter()
    for epoch in range(start, cfg.epochs):
        gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + epoch)
        for g in opt.param_groups:
            g["lr"] = _lr_at(cfg, epoch)
        rng = np.random.default_rng([cfg.seed, epoch])
        if train_mode:
            train_mode(model, True, gen)
        model.train()
        perm = torch.randperm(len(tr[0]), generator=gen)[:n]
        loss_sum = 0.0
        for s in range(0, n, cfg.batch):
            idx = perm[s : s + cfg.batch]
            loc, vel, q, y = (t[idx] for t in tr)
            if cfg.augment:
                from orbitlearn.apps.nbody.symmetric import haar_move

                loc, vel, y = haar_move(loc, vel, y, rng)
            opt.zero_grad(set_to_none=True)
            loss = ((run(loc, vel, q) - y) ** 2).mean()
            loss.backward()
            if cfg.clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            opt.step()
            loss_sum += loss.item()
        if epoch % cfg.val_every == 0 or epoch == cfg.epochs - 1:
            if train_mode:
                train_mode(model, False, None)
            model.eval()
            v, t = mse(run, va), mse(run, te)
            rec["curve"].append([epoch, loss_sum / (n // cfg.batch), v, t])
            if v < rec["best_val"]:
                rec.update(best_val=v, best_test=t, best_epoch=epoch)
                best_state = {k: x.detach().clone() for k, x in model.state_dict().items()}
            if log:
                log(
                    f"epoch {epoch}: train {loss_sum / (n // cfg.batch):.5f} val {v:.5f} "
                    f"test {t:.5f} (best val {rec['best_val']:.5f} at {rec['best_epoch']})"
                )
            now = time.perf_counter()
            if state_path is not None and (
                now - last_save >= save_every_s or epoch == cfg.epochs - 1
            ):
                rec["seconds"] += now - t0
                t0 = now
                save_atomic(
                    {
                        "config": cfg.as_dict(),
                        "model": model.state_dict(),
                        "opt": opt.state_dict(),
                        "record": rec,
                        "best": best_state,
                        "epoch": epoch,
                    },
                    state_path,
                )
                last_save = now
    rec["seconds"] += time.perf_counter() - t0
    if best_state is not None:
        model.load_state_dict(best_state)
    return rec


def predict_numpy(model: nn.Module, loc, vel, charges, batch: int = 500) -> np.ndarray:
    """Predictions (B, n, 3) for numpy inputs, in float32 batches."""
    out = []
    with torch.no_grad():
        for s in range(0, len(loc), batch):
            a = [
                torch.as_tensor(np.asarray(z[s : s + batch]), dtype=torch.float32)
                for z in (loc, vel, charges)
            ]
            out.append(model(*a).numpy())
    return np.concatenate(out) if out else np.zeros((0, *np.shape(loc)[1:]), np.float32)


__all__ = ["TrainConfig", "as_tensors", "mse", "predict_numpy", "train"]
