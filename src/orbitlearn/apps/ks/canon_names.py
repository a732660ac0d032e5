"""The canonicalisers by name, for the command line, benchmarks and checkpoints (`apps.ks.names`
hands them out as pipeline parts). Classes are imported only when one is asked for."""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: canonicaliser name -> (module, class name); classes are imported only when one is asked for
METHOD_CLASSES = {
    "lex": ("orbitlearn.canon.lex", "LexCanonical"),
    "dirichlet": ("orbitlearn.canon.dirichlet", "Dirichlet"),
    "normal": ("orbitlearn.canon.normal", "PolytopeNormalForm"),
    "dirichlet_lex": ("orbitlearn.apps.ks.lexascent", "LexAscentDirichlet"),
}
METHOD_NAMES = tuple(METHOD_CLASSES)
#: what `--canon` accepts ("none": no canonicaliser)
CANON_CHOICES = ("none", *METHOD_NAMES)


def canonicalizer_class(name: str) -> Any:
    """The canonicaliser class of a method name (KeyError lists the known names)."""
    if name not in METHOD_CLASSES:
        raise KeyError(f"unknown canonicaliser {name!r}; known: {', '.join(METHOD_NAMES)}")
    module, cls = METHOD_CLASSES[name]
    return getattr(import_module(module), cls)


__all__ = ["CANON_CHOICES", "METHOD_CLASSES", "METHOD_NAMES", "canonicalizer_class"]
