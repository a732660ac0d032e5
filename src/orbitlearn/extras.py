"""Optional dependencies: which extra of the package installs each, and the one error that says so.

The table below is the only place that names them; the CLI, the Parquet writer, the Dask cluster,
the steerable heat rows and the tensor-field N-body rows all ask it.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from orbitlearn.errors import OrbitlearnError

#: top-level module of each optional dependency → the extra that installs it
OPTIONAL_EXTRAS = {
    "torch": "ml",
    "sklearn": "ml",
    "xgboost": "ml",
    "matplotlib": "ml",
    "mkdocs": "docs",
    "mkdocstrings": "docs",
    "dask": "dist",
    "distributed": "dist",
    "pyarrow": "dist",
    "e3nn": "e3nn",
    "e2cnn": "steerable",
}


def missing_extra_text(module: str | None, needed_by: str = "this command") -> str | None:
    """One line naming the extra to install for the missing `module` (None when it is not optional)."""
    top = (module or "").split(".")[0]
    extra = OPTIONAL_EXTRAS.get(top)
    if extra is None:
        return None
    return f"{needed_by} needs {top}, an optional dependency: pip install 'orbitlearn[{extra}]'"


def _error(module: str, needed_by: str, hint: str = "") -> OrbitlearnError:
    text = missing_extra_text(module, needed_by)
    if text is None:
        raise KeyError(f"{module} is not an optional dependency of orbitlearn")
    return OrbitlearnError(f"{text} ({hint})" if hint else text)


def import_optional(module: str, needed_by: str) -> ModuleType:
    """`import module`, or an OrbitlearnError that names the extra when it (or a module it needs)
    is not installed."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        name = exc.name if missing_extra_text(exc.name) else module
        raise _error(name, needed_by) from None


def require_installed(module: str, needed_by: str, hint: str = "") -> None:
    """Fail early, before any work, when the optional `module` is not installed (nothing is
    imported); `hint` is added in brackets, e.g. how to do without it."""
    if importlib.util.find_spec(module.split(".")[0]) is None:
        raise _error(module, needed_by, hint)
