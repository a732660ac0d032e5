"""The KS command line's models by name: orbitlearn's zoo plus the published study's models.

The published study (Ewert et al., Phys. Lett. B 858 (2024) 138996; repository
danielplatt/kreuzer-skarke-ML) trained three networks, rebuilt in `apps.ks.reference`, and an
XGBoost regressor, `REFERENCE_XGBOOST` (its src/models/xgboost.py): Tweedie objective, learning
rate 0.01, depth 6, column subsampling 0.5, L1 penalty 1, up to 50,000 rounds stopped after 100
rounds without improvement of the *training* loss, predictions rounded to integers. `build_model`
builds any of them by name; torch is imported only when a network is built.
"""

from __future__ import annotations

from importlib import import_module

from orbitlearn.errors import OrbitlearnError
from orbitlearn.models import registry as core
from orbitlearn.models.base import Classifier

REFERENCE_XGBOOST = {
    "objective": "tweedie",
    "n_estimators": 50_000,
    "learning_rate": 0.01,
    "max_depth": 6,
    "subsample": 1.0,
    "colsample_bytree": 0.5,
    "reg_alpha": 1.0,
    "early_stopping": 100,
    "early_stopping_on": "train",
}

#: the published study's networks: name -> class of `orbitlearn.apps.ks.reference`
REFERENCE_NETWORKS = {
    "ref_cnn_mlp": "RefCNNMLPNet",
    "ref_vit": "RefViTNet",
    "encoder_decoder": "EncoderDecoderNet",
}
NETWORK_NAMES = (*core.NETWORK_NAMES, *REFERENCE_NETWORKS)
MODEL_NAMES = (*core.MODEL_NAMES, "ref_xgboost", *REFERENCE_NETWORKS)


def build_model(
    name: str, n_classes: int, shape: tuple[int, int], config: dict | None = None
) -> Classifier:
    """A fresh, unfitted classifier of the named kind (`orbitlearn.models.build_model` for the
    zoo's names; the published study's settings as defaults for "ref_xgboost")."""
    if name == "ref_xgboost":
        from orbitlearn.models.trees import XGBoostClassifier

        model = XGBoostClassifier(n_classes, shape, {**REFERENCE_XGBOOST, **(config or {})})
        model.name = "ref_xgboost"
        return model
    if name in REFERENCE_NETWORKS:
        from orbitlearn.models.torch_model import TorchClassifier

        network = getattr(import_module("orbitlearn.apps.ks.reference"), REFERENCE_NETWORKS[name])
        return TorchClassifier(name, n_classes, shape, config, network=network)
    if name not in core.MODEL_NAMES:
        raise OrbitlearnError(f"unknown model {name!r}; known: {', '.join(MODEL_NAMES)}")
    return core.build_model(name, n_classes, shape, config)


__all__ = ["MODEL_NAMES", "NETWORK_NAMES", "REFERENCE_NETWORKS", "REFERENCE_XGBOOST", "build_model"]
