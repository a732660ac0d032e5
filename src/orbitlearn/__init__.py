"""orbitlearn: invariant and equivariant machine learning, measured."""

from orbitlearn.errors import DataNotFoundError, GeometryError, KSFormatError, OrbitlearnError
from orbitlearn.version import __version__

__all__ = [
    "__version__",
    "load_model",
    "OrbitlearnError",
    "KSFormatError",
    "DataNotFoundError",
    "GeometryError",
]


def __getattr__(name: str):
    """`load_model` imported on first use (it brings numpy and the model zoo)."""
    if name == "load_model":
        from orbitlearn.apps.loading import load_model

        return load_model
    raise AttributeError(f"module 'orbitlearn' has no attribute {name!r}")
