"""Applications built on the general library: the Kreuzer-Skarke table (`apps.ks`) and the
heat-equation benchmark (`apps.heat`). Only these (and the command line) know their data's shapes."""

import importlib

__all__ = ["heat", "ks"]


def __getattr__(name: str):
    """The application subpackages, imported on first use."""
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
