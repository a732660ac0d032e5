"""The v26 data set, loaded once for the stats tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def v26(v26_path):
    from orbitlearn.datasets.ks_dataset import load_ks

    return load_ks(v26_path)
