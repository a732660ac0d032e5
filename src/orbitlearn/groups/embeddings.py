"""Subgroups from one table of declared embeddings, keyed by a group's `key()` (family, size).

    C_n ≤ D_n,  C_n ≤ SO(2),  D_n ≤ O(2),  S_n ≤ S_(any n),  S_n ≤ B_n ≤ GL(n,Z),  B_n ≤ O(n),
    SO(d) ≤ O(d) ≤ E(d),  SO(d) ≤ SE(d) ≤ E(d),  T(d) ≤ SE(d)

H ≤ G when G's key is reached from H's by following the table (the embeddings compose).
Each embedding is the standard one: permutations and signed permutations as matrices, C_n and
D_n as rotations by 2πk/n and reflections of the plane, rotations and translations as the
linear and translation parts of rigid motions. Adding a group family is one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

Key = tuple[Hashable, ...]

#: family -> the keys a group of that family with parameter p embeds into (directly)
EMBEDDINGS: dict[str, Callable[[Hashable], list[Key]]] = {
    "S": lambda n: [] if n is None else [("S", None), ("B", n)],
    "B": lambda n: [("GL", n), ("O", n)],
    "C": lambda n: [("D", n), ("SO", 2)],
    "D": lambda n: [("O", 2)],
    "SO": lambda d: [("O", d), ("SE", d)],
    "O": lambda d: [("E", d)],
    "SE": lambda d: [("E", d)],
    "Rn": lambda d: [("SE", d)],
}


def supergroup_keys(key: Key) -> set[Key]:
    """Every key reachable from `key` through the table (itself included)."""
    seen = {key}
    todo = [key]
    while todo:
        k = todo.pop()
        rule = EMBEDDINGS.get(k[0]) if len(k) == 2 else None
        if rule is None:
            continue
        for sup in rule(k[1]):
            if sup not in seen:
                seen.add(sup)
                todo.append(sup)
    return seen


def embeds(sub: Key, sup: Key) -> bool:
    """Whether the group with key `sub` is a subgroup of the group with key `sup`."""
    return sup in supergroup_keys(sub)


__all__ = ["EMBEDDINGS", "embeds", "supergroup_keys"]
