"""Models by name: `build_model("exchangeable", n_classes=35, shape=(4, 26), config={...})`."""

from __future__ import annotations

from orbitlearn.errors import OrbitlearnError
from orbitlearn.models.base import Classifier
from orbitlearn.models.baselines import Majority, RandomGuess
from orbitlearn.models.network_names import NETWORK_CLASSES
from orbitlearn.models.trees import XGBoostClassifier

NETWORK_NAMES = tuple(NETWORK_CLASSES)
MODEL_NAMES = ("random", "majority", "xgboost", *NETWORK_NAMES)


def build_model(
    name: str, n_classes: int, shape: tuple[int, int], config: dict | None = None
) -> Classifier:
    """A fresh, unfitted classifier of the named kind."""
    if name == "random":
        return RandomGuess(n_classes, shape, config)
    if name == "majority":
        return Majority(n_classes, shape, config)
    if name == "xgboost":
        return XGBoostClassifier(n_classes, shape, config)
    if name in NETWORK_NAMES:
        from orbitlearn.models.torch_model import TorchClassifier

        return TorchClassifier(name, n_classes, shape, config)
    raise OrbitlearnError(f"unknown model {name!r}; known: {', '.join(MODEL_NAMES)}")
