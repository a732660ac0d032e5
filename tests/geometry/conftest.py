"""Fixtures of the geometry tests: the v26 entries and a stratified sample of them."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def v26_entries(v26_path):
    from orbitlearn.datasets.ks import read_ks

    return read_ks(v26_path).entries


@pytest.fixture(scope="session")
def v26_sample(v26_entries):
    """Up to 6 entries per h11 class (seeded choice), transposed ones included: ~200 entries."""
    rng = np.random.default_rng(26)
    by_class: dict[int, list] = {}
    for e in v26_entries:
        by_class.setdefault(e.h11, []).append(e)
    sample = []
    for h11 in sorted(by_class):
        group = by_class[h11]
        pick = rng.choice(len(group), size=min(6, len(group)), replace=False)
        sample.extend(group[i] for i in sorted(pick))
    sample.extend([e for e in v26_entries if e.transposed][:5])
    return sample
