"""orbitlearn: invariant and equivariant machine learning, measured."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orbitlearn")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from orbitlearn.errors import DataNotFoundError, GeometryError, KSFormatError, OrbitlearnError

__all__ = [
    "__version__",
    "OrbitlearnError",
    "KSFormatError",
    "DataNotFoundError",
    "GeometryError",
]
