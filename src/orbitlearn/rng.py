"""The one way to turn a seed into a numpy random Generator."""

from __future__ import annotations

import numpy as np


def check_random_state(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A numpy Generator from a seed (int), an existing Generator (returned as is) or None (fresh)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (int, np.integer)):
        return np.random.default_rng(None if seed is None else int(seed))
    raise TypeError(f"a seed must be an int, a numpy Generator or None, not {type(seed).__name__}")


__all__ = ["check_random_state"]
