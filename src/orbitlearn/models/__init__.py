"""The model zoo: baselines, XGBoost and torch networks behind one interface, built by name,
each combinable with canonicalisation, augmentation and symmetrisation (`ModelPipeline`)."""

from orbitlearn.models.base import Classifier
from orbitlearn.models.pipeline import ModelPipeline, Named
from orbitlearn.models.registry import MODEL_NAMES, build_model

__all__ = [
    "Classifier",
    "ModelPipeline",
    "Named",
    "build_model",
    "MODEL_NAMES",
]
