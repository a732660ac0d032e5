"""Shared fixtures: a fixed seed for every test and the location of the real KS data."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _fixed_seed():
    random.seed(0)
    np.random.seed(0)
    try:
        import torch
    except ImportError:
        pass
    else:
        torch.manual_seed(0)
        torch.set_num_threads(
            1
        )  # small test models gain nothing from threads; keeps timings steady
    yield


@pytest.fixture(scope="session")
def v26_path() -> Path:
    """The real v26 file under $ORBITLEARN_DATA; tests that need it skip loudly when it is absent."""
    root = os.environ.get("ORBITLEARN_DATA")
    if not root:
        pytest.skip("ORBITLEARN_DATA is not set: the v26 tests need the KS file")
    path = Path(root) / "ks" / "v26.gz"
    if not path.exists():
        pytest.fail(f"ORBITLEARN_DATA is set but {path} does not exist")
    return path
