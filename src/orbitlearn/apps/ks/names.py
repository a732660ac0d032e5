"""Named actions for the command line, benchmarks and tests: the one place names live.

`get_group(name)` turns a name into an action object (`canon_names` does the same for
canonicalisers); everything past the command line passes the objects (`part(kind, name)` wraps
one as a `Named` part, which is how a pipeline and its checkpoint know it). The actions on vertex
matrices (B, d, n) — coordinates on axis -2, vertices on axis -1 — are defined for any d and n
(`VERTEX_MATRIX_GROUPS`, built by `get_group(name, shape=(d, n))`); without a shape they are the
Kreuzer–Skarke ones, d = 4 and n = 26. `ALIASES` are other names the command line accepts for
the same actions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from orbitlearn.groups.action import Action
from orbitlearn.groups.concrete import (
    C4,
    D4,
    CyclicShift,
    GLnZ,
    Permutation,
    Product,
    SignedPermutation,
    rows_and_columns,
)

KS_SHAPE = (4, 26)
#: the group a model is symmetrised over unless told otherwise (S_4 x S_26 on vertex matrices)
DEFAULT_GROUP = "s4xs26"

#: actions on (B, d, n) vertex matrices, by name, for any (d, n)
VERTEX_MATRIX_FACTORIES: dict[str, Callable[[int, int], Action]] = {
    "s4xs26": rows_and_columns,
    "signed": lambda d, n: Product(SignedPermutation(d, axis=-2), Permutation(n, axis=-1)),
    "gl4z": lambda d, n: Product(GLnZ(d, axis=-2), Permutation(n, axis=-1)),
}
VERTEX_MATRIX_GROUPS = tuple(VERTEX_MATRIX_FACTORIES)

GROUPS: dict[str, Callable[[], Action]] = {
    # Kreuzer-Skarke vertex matrices (4 coordinates x 26 vertices)
    **{name: (lambda f=factory: f(*KS_SHAPE)) for name, factory in VERTEX_MATRIX_FACTORIES.items()},
    # small groups (exactly enumerable)
    "s4": lambda: Permutation(4, axis=-2),
    "s26": lambda: Permutation(26, axis=-1),
    "signed4": lambda: SignedPermutation(4, axis=-2),
    "c4": lambda: C4(axes=(-2, -1)),
    "d4": lambda: D4(axes=(-2, -1)),
    "shift16": lambda: CyclicShift((16,), axes=(-1,)),
    "shift8x8": lambda: CyclicShift((8, 8), axes=(-2, -1)),
}

#: other names for registered actions ("perm": a random permutation of coordinates and vertices)
ALIASES = {"perm": DEFAULT_GROUP}


def get_group(name: str, shape: Sequence[int] | None = None) -> Action:
    """The action registered under `name` (or an alias); for a vertex-matrix action, built for
    matrices of `shape` = (d, n) when given. KeyError lists the known names."""
    name = ALIASES.get(name, name)
    if shape is not None and name in VERTEX_MATRIX_FACTORIES:
        d, n = (int(v) for v in shape[-2:])
        return VERTEX_MATRIX_FACTORIES[name](d, n)
    try:
        factory = GROUPS[name]
    except KeyError:
        known = ", ".join(sorted([*GROUPS, *ALIASES]))
        raise KeyError(f"unknown group {name!r}; known: {known}") from None
    return factory()


#: what `--augment` accepts ("none": no augmentation)
AUGMENT_CHOICES = ("none", *VERTEX_MATRIX_GROUPS)


def part(kind: str, name: str) -> Any:
    """The named part of a pipeline: kind "canon" (a canonicaliser name) or "group" (an action
    name, built for the model's (d, n)); None for "none". KeyError lists the known names."""
    from orbitlearn.apps.ks.canon_names import canonicalizer_class
    from orbitlearn.models.pipeline import Named

    if name == "none":
        return None
    if kind == "canon":
        cls = canonicalizer_class(name)
        return Named(name, lambda shape: cls())
    if kind == "group":
        get_group(name)  # KeyError for an unknown name, now rather than at first use
        return Named(name, lambda shape: get_group(name, shape=shape))
    raise ValueError(f"unknown kind of part {kind!r}: expected canon or group")


__all__ = [
    "ALIASES",
    "AUGMENT_CHOICES",
    "DEFAULT_GROUP",
    "GROUPS",
    "KS_SHAPE",
    "VERTEX_MATRIX_GROUPS",
    "get_group",
    "part",
]
