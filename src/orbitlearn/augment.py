"""Data augmentation: random group actions x ↦ ρ(g)x, g drawn from G with a seeded generator.

`RandomAction(group, seed)` is a callable transform for numpy arrays and torch tensors.
With ``batched=True`` (default) the input is a batch (B, ...) and every item gets its own
random element; with ``batched=False`` it is one sample (no batch axis) and gets one element.
The same seed gives the same sequence of elements, call after call.

For a continuous group the elements are Haar-random (`LieGroup.sample`: uniform rotations,
Gaussian translations), e.g. ``RandomAction(PointCloud(E3()), seed)`` on (B, n, 3) batches; a
`Joint` action moves a tuple of batches (positions, velocities, charges) with one element per item.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from orbitlearn.groups.action import Action
from orbitlearn.groups.algebra import Element
from orbitlearn.groups.backend import is_torch
from orbitlearn.rng import check_random_state


def _batch_size(x: Any) -> int:
    """B of a batch, or of the first array of a tuple of batches (a joint action's input)."""
    return int((x[0] if isinstance(x, (tuple, list)) else x).shape[0])


def random_action(
    x: Any, group: Action, rng: int | np.random.Generator | None = None, batched: bool = True
) -> tuple[Any, list[Element]]:
    """(ρ(g_b) x_b for each item, [g_b]) with g_b ~ G; one element for all when `batched` is False."""
    gen = check_random_state(rng)
    if batched:
        gs = group.sample(_batch_size(x), gen)
        return group.act_batch(gs, x), gs
    g = group.sample(1, gen)[0]
    if isinstance(x, (tuple, list)):  # a joint action on several inputs
        one = tuple(xi.unsqueeze(0) if is_torch(xi) else np.asarray(xi)[None] for xi in x)
        return tuple(y[0] for y in group.act(g, one)), [g]
    if is_torch(x):
        return group.act(g, x.unsqueeze(0))[0], [g]
    return group.act(g, np.asarray(x)[None])[0], [g]


def batch_augmenter(
    action: Action, then: Callable[[Any], Any] | None = None
) -> Callable[[Any, np.random.Generator], Any]:
    """A trainer batch transform (batch, rng) ↦ then(ρ(g_b) batch_b), one fresh g_b per item."""

    def transform(batch: Any, rng: np.random.Generator) -> Any:
        moved, _ = random_action(batch, action, rng)
        return moved if then is None else then(moved)

    return transform


class RandomAction:
    """Transform x ↦ ρ(g)x with g ~ G drawn from a seeded numpy Generator (numpy or torch input).

    Parameters
    ----------
    group : the group G (see `orbitlearn.groups`).
    seed : int or numpy Generator; the same seed reproduces the same elements.
    batched : True for (B, ...) batches (one element per item), False for single samples.
    p : probability of transforming an input at all (the others are left unchanged).
    """

    def __init__(
        self,
        group: Action,
        seed: int | np.random.Generator | None = None,
        batched: bool = True,
        p: float = 1.0,
    ):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must lie in [0, 1], got {p}")
        self.group = group
        self.rng = check_random_state(seed)
        self.batched = batched
        self.p = p
        self.last_elements: list[Element] = []

    def __call__(self, x: Any) -> Any:
        if self.p < 1.0:
            return self._maybe(x)
        y, self.last_elements = random_action(x, self.group, self.rng, self.batched)
        return y

    def _maybe(self, x: Any) -> Any:
        if not self.batched:
            if self.rng.random() >= self.p:
                self.last_elements = [self.group.identity()]
                return x
            y, self.last_elements = random_action(x, self.group, self.rng, batched=False)
            return y
        gs = self.group.sample(_batch_size(x), self.rng)
        keep = self.rng.random(_batch_size(x)) >= self.p
        e = self.group.identity()
        gs = [e if k else g for g, k in zip(gs, keep, strict=True)]
        self.last_elements = gs
        return self.group.act_batch(gs, x)

    def __repr__(self) -> str:
        return f"RandomAction({self.group.name}, batched={self.batched}, p={self.p})"


class AugmentedDataset:
    """A map-style dataset whose inputs are randomly transformed on access: (ρ(g)x, y).

    Wraps any sequence of (x, y) pairs (a torch Dataset included); each access draws a fresh
    element from the seeded generator, so an epoch sees new images of every input.
    """

    def __init__(
        self, dataset: Sequence[Any], group: Action, seed: int | np.random.Generator | None = None
    ):
        self.dataset = dataset
        self.transform = RandomAction(group, seed, batched=False)

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, i: int) -> Any:
        item = self.dataset[i]
        if isinstance(item, tuple):
            return (self.transform(item[0]), *item[1:])
        return self.transform(item)


__all__ = ["RandomAction", "AugmentedDataset", "batch_augmenter", "random_action"]
