"""What a training run minimises and how it scores (higher is better) for model selection.

classification: cross-entropy, score = accuracy of the argmax;
rounded_regression: smooth L1 on the class index, score = accuracy of the rounded output;
mse: mean squared error on any target shape, score = −RMSE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Objective:
    """A training objective: its name, the loss, the validation score (higher is better) and whether targets are floats."""

    name: str  # what `score` is, e.g. "accuracy" or "neg_rmse"
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    score: Callable[[torch.Tensor, torch.Tensor], float]
    float_targets: bool = False


def classification(label_smoothing: float = 0.0) -> Objective:
    """Cross-entropy loss, accuracy score."""
    return Objective(
        "accuracy",
        lambda out, y: nn.functional.cross_entropy(out, y, label_smoothing=label_smoothing),
        lambda out, y: float((out.argmax(1) == y).float().mean()),
    )


def rounded_labels(out: torch.Tensor, n_classes: int) -> torch.Tensor:
    """The single regression output rounded to the nearest class index in [0, n_classes)."""
    return out[:, 0].round().clamp(0, n_classes - 1).long()


def rounded_regression(n_classes: int) -> Objective:
    """Smooth-L1 loss on the class index as a number, scored by the accuracy of the rounded prediction."""
    return Objective(
        "accuracy",
        lambda out, y: nn.functional.smooth_l1_loss(out[:, 0], y.float()),
        lambda out, y: float((rounded_labels(out, n_classes) == y).float().mean()),
    )


def mse() -> Objective:
    """Mean squared error loss, scored by the negative RMSE."""
    return Objective(
        "neg_rmse",
        lambda out, y: nn.functional.mse_loss(out, y),
        lambda out, y: -float(torch.sqrt(nn.functional.mse_loss(out, y))),
        float_targets=True,
    )
