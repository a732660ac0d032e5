"""Models by name: `build_model("exchangeable", n_classes=35, shape=(4, 26), config={...})`."""

from __future__ import annotations

from orbitlearn.errors import OrbitlearnError
from orbitlearn.models.base import Classifier
from orbitlearn.models.baselines import Majority, RandomGuess
from orbitlearn.models.trees import REFERENCE_XGBOOST, XGBoostClassifier

#: the torch networks (orbitlearn.models.networks.NETWORKS, imported on use: it needs torch)
NETWORK_NAMES = (
    "mlp",
    "cnn_mlp",
    "vit",
    "deepsets",
    "pointnet",
    "exchangeable",
    "settransformer",
    # the published study's networks (orbitlearn.models.reference)
    "ref_cnn_mlp",
    "ref_vit",
    "encoder_decoder",
)
MODEL_NAMES = ("random", "majority", "xgboost", "ref_xgboost", *NETWORK_NAMES)


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
    if name == "ref_xgboost":  # the published study's regressor, its settings as defaults
        model = XGBoostClassifier(n_classes, shape, {**REFERENCE_XGBOOST, **(config or {})})
        model.name = "ref_xgboost"
        return model
    if name in NETWORK_NAMES:
        from orbitlearn.models.torch_model import TorchClassifier

        return TorchClassifier(name, n_classes, shape, config)
    raise OrbitlearnError(f"unknown model {name!r}; known: {', '.join(MODEL_NAMES)}")
