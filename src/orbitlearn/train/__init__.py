"""One trainer for every torch model: seeds, AdamW with a cosine schedule, early stopping and model
selection on validation only, a wall-clock budget, progress bar, metrics log, resumable state."""

from orbitlearn.train.config import BatchTransform, TrainConfig
from orbitlearn.train.seeding import seed_everything

__all__ = ["seed_everything", "TrainConfig", "BatchTransform", "Trainer", "TrainResult"]


def __getattr__(name: str):
    if name in ("Trainer", "TrainResult"):  # imported on use: they need torch
        from orbitlearn.train import trainer

        return getattr(trainer, name)
    raise AttributeError(name)
