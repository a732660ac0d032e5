"""What a training run minimises and how it scores (higher is better) for model selection.

classification: cross-entropy, score = accuracy of the argmax;
rounded_regression: smooth L1 on the class index, score = accuracy of the rounded output;
soft_ordinal: cross-entropy against a Gaussian around the true class index, score = accuracy;
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


def _argmax_accuracy(out: torch.Tensor, y: torch.Tensor) -> float:
    """The share of rows whose largest output is at the label's index."""
    return float((out.argmax(1) == y).float().mean())


def classification(label_smoothing: float = 0.0) -> Objective:
    """Cross-entropy loss, accuracy score."""
    return Objective(
        "accuracy",
        lambda out, y: nn.functional.cross_entropy(out, y, label_smoothing=label_smoothing),
        _argmax_accuracy,
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


def soft_ordinal(n_classes: int, sigma: float = 1.0) -> Objective:
    """Cross-entropy against soft ordinal labels q_k ∝ exp(−(k − y)² / 2σ²) over the class indices
    k (classes in label order, so a near miss costs less than a far one); σ → 0 is plain
    cross-entropy. Scored, like classification, by the accuracy of the argmax."""
    try:
        width = float(sigma)
    except (TypeError, ValueError):
        width = float("nan")
    if not 0 < width < float("inf"):
        raise ValueError(
            f"the soft ordinal labels' width sigma must be a positive number, not {sigma!r}"
        )
    index = torch.arange(n_classes, dtype=torch.float32)

    def loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        dist = index.to(out.device)[None, :] - y.to(torch.float32)[:, None]
        target = torch.softmax(-dist.square() / (2 * width**2), dim=1)
        return -(target * torch.log_softmax(out.float(), dim=1)).sum(dim=1).mean()

    return Objective("accuracy", loss, _argmax_accuracy)


def mse() -> Objective:
    """Mean squared error loss, scored by the negative RMSE."""
    return Objective(
        "neg_rmse",
        lambda out, y: nn.functional.mse_loss(out, y),
        lambda out, y: -float(torch.sqrt(nn.functional.mse_loss(out, y))),
        float_targets=True,
    )
