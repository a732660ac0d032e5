"""The canonicalisers by method name: the one list of names (the CLI and pipelines look them up
here). Classes are imported only when one is asked for, so naming them costs nothing."""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: method name -> (module of orbitlearn.canon, class name)
METHOD_CLASSES = {
    "lex": ("lex", "LexCanonical"),
    "dirichlet": ("dirichlet", "Dirichlet"),
    "normal": ("normal", "PolytopeNormalForm"),
    "dirichlet_lex": ("lexascent", "LexAscentDirichlet"),
}
METHOD_NAMES = tuple(METHOD_CLASSES)


def canonicalizer_class(name: str) -> Any:
    """The canonicaliser class of a method name (KeyError lists the known names)."""
    if name not in METHOD_CLASSES:
        raise KeyError(f"unknown canonicaliser {name!r}; known: {', '.join(METHOD_NAMES)}")
    module, cls = METHOD_CLASSES[name]
    return getattr(import_module(f"orbitlearn.canon.{module}"), cls)


class _Methods(dict):
    """`METHODS[name]` → the class, resolved on first use (a mapping view of METHOD_CLASSES)."""

    def __missing__(self, name: str) -> Any:
        cls = canonicalizer_class(name)
        self[name] = cls
        return cls

    def __contains__(self, name: object) -> bool:
        return name in METHOD_CLASSES

    def __iter__(self):
        return iter(METHOD_NAMES)

    def __len__(self) -> int:
        return len(METHOD_NAMES)

    def keys(self):  # type: ignore[override]
        return METHOD_CLASSES.keys()


METHODS = _Methods()

__all__ = ["METHODS", "METHOD_NAMES", "canonicalizer_class"]
