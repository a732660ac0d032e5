"""The installed package's version (a leaf module: checkpoints and the CLI import it)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orbitlearn")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
