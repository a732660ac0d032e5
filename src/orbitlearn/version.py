"""The package's version, defined here once (pyproject.toml reads it from this file; a leaf
module: checkpoints and the CLI import it, and it costs no metadata scan at start-up)."""

__version__ = "0.1.0"

__all__ = ["__version__"]
