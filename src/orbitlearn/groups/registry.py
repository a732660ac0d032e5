"""Named groups for tests, benchmarks and the CLI (``--group s4xs26|signed|gl4z``).

Each entry maps a name to a factory with no arguments. The KS groups act on (B, 4, 26)
vertex matrices: coordinates on axis -2, vertices on axis -1.
"""

from __future__ import annotations

from collections.abc import Callable

from orbitlearn.groups.action import Action
from orbitlearn.groups.concrete import (
    C4,
    D4,
    CyclicShift,
    GLnZ,
    Permutation,
    Product,
    SignedPermutation,
)

GROUPS: dict[str, Callable[[], Action]] = {
    # Kreuzer-Skarke vertex matrices (4 coordinates x 26 vertices)
    "s4xs26": lambda: Product(Permutation(4, axis=-2), Permutation(26, axis=-1)),
    "signed": lambda: Product(SignedPermutation(4, axis=-2), Permutation(26, axis=-1)),
    "gl4z": lambda: Product(GLnZ(4, axis=-2), Permutation(26, axis=-1)),
    # small groups (exactly enumerable)
    "s4": lambda: Permutation(4, axis=-2),
    "s26": lambda: Permutation(26, axis=-1),
    "signed4": lambda: SignedPermutation(4, axis=-2),
    "c4": lambda: C4(axes=(-2, -1)),
    "d4": lambda: D4(axes=(-2, -1)),
    "shift16": lambda: CyclicShift((16,), axes=(-1,)),
    "shift8x8": lambda: CyclicShift((8, 8), axes=(-2, -1)),
}


def get_group(name: str) -> Action:
    """The group registered under `name` (KeyError lists the known names)."""
    try:
        factory = GROUPS[name]
    except KeyError:
        raise KeyError(f"unknown group {name!r}; known: {', '.join(sorted(GROUPS))}") from None
    return factory()
