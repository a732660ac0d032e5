"""What decides a training run, as plain data (no torch import)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: a batch transform used for augmentation: (batch, rng) -> transformed batch
BatchTransform = Callable[[np.ndarray, np.random.Generator], np.ndarray]


PRECISIONS = ("fp32", "bf16", "fp16")

#: torch / XGBoost threads of a training the command line starts when --threads is not given: the
#: project's networks are small (batches of 128 matrices of 4 x 26), so a second thread buys
#: little on an idle machine and costs much when another process holds the other core
#: (issue 47: several times slower on two threads beside a busy core). More only where a
#: measurement shows it helps: pass --threads N.
DEFAULT_CLI_THREADS = 1
THREADS_HELP = (
    f"torch / XGBoost threads per training (default {DEFAULT_CLI_THREADS}: small networks gain "
    "little from more, and lose much when other work shares the cores)"
)

#: what `patience` watches: the validation score (the default), or the training score, which is
#: how the published encoder-decoder stopped (an epoch at or above the best so far resets the count)
PATIENCE_ON = ("val", "train")


@dataclass
class TrainConfig:
    """Everything that decides a training run (with the model config and data, the whole recipe)."""

    epochs: int = 30
    time_budget: float | None = (
        None  # seconds; training stops at the end of the epoch that passes it
    )
    batch_size: int = 128
    shuffle: bool = True  # reshuffle the training set every epoch (False: its given order)
    lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup: float = 0.02  # share of training spent warming up the learning rate
    schedule: str = "cosine"  # "cosine" (warm-up, then cosine decay) or "constant" (plain lr)
    clip_norm: float | None = None  # clip the gradient norm to this value
    device: str = "cpu"  # auto | cpu | cuda | cuda:N | mps (orbitlearn.train.devices)
    precision: str = "fp32"  # fp32, or bf16 / fp16 mixed precision (autocast; fp16 needs CUDA)
    label_smoothing: float = 0.0
    patience: int | None = None  # epochs without improvement before stopping
    patience_on: str = "val"  # which score `patience` watches: one of PATIENCE_ON
    seed: int = 0
    threads: int | None = None
    eval_batch_size: int = 1024

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise ValueError("epochs must be at least 1")
        if self.time_budget is not None and self.time_budget <= 0:
            raise ValueError("time_budget must be positive")
        if self.schedule not in ("cosine", "constant"):
            raise ValueError(f"schedule must be 'cosine' or 'constant', not {self.schedule!r}")
        if self.clip_norm is not None and self.clip_norm <= 0:
            raise ValueError("clip_norm must be positive")
        from orbitlearn.train.devices import check_device_spec

        check_device_spec(self.device)
        if self.patience_on not in PATIENCE_ON:
            raise ValueError(f"patience_on must be one of {PATIENCE_ON}, not {self.patience_on!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {self.precision!r}")


def setting_changes(saved: dict, current: dict, ignored: frozenset[str] = frozenset()) -> str:
    """ "key: old -> new, ..." for every key whose value differs between two settings dicts
    (keys in `ignored` left out); "" when they agree. Resume checks quote it."""
    changed = sorted(
        k for k in set(saved) | set(current) if k not in ignored and saved.get(k) != current.get(k)
    )
    return ", ".join(f"{k}: {saved.get(k)!r} -> {current.get(k)!r}" for k in changed)
