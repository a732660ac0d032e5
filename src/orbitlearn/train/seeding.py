"""Seeds for Python, numpy and torch in one call."""

from __future__ import annotations

import random

import numpy as np


def seed_everything(seed: int, threads: int | None = None) -> np.random.Generator:
    """Seed `random`, numpy's global state and torch; optionally fix torch's thread count.
    Returns a fresh numpy Generator from the same seed for code that takes one."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is part of the ml extra
        pass
    else:
        torch.manual_seed(seed)
        if threads is not None:
            torch.set_num_threads(int(threads))
    return np.random.default_rng(seed)
