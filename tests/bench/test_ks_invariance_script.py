"""benchmarks/ks_invariance.py: the committed models under large GL(4,Z) × S_n images."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "ks_invariance.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("ks_invariance", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_large_images_are_unimodular_images_within_the_bound(script):
    rng = np.random.default_rng(0)
    x = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
    largest = 0
    for _ in range(50):
        g, sigma, y = script.large_image(x, rng, max_entry=25)
        assert round(abs(np.linalg.det(g))) == 1 and g.dtype == np.int64
        np.testing.assert_array_equal(y, (g @ x)[:, sigma])
        assert np.abs(y).max() <= 25
        largest = max(largest, int(np.abs(y).max()))
    assert largest > 8  # the walk leaves the training range [-8, 6]


def test_the_committed_models_are_exactly_invariant_on_200_large_images(script, v26_path):
    """The benchmark at a tenth of its size (200 test polytopes and the 45 transposed entries);
    benchmarks/results/ks-invariance/results.json holds the 2,000-image run."""
    import torch

    torch.set_num_threads(1)
    record = script.run(script.MODELS, n_images=200, seed=5, max_entry=25, data_path=v26_path)
    assert record["transposed_entries"] == 45 and record["images_beyond_training_range"] > 200
    for name, rec in record["models"].items():
        for target, dp in rec["max_abs_dp"].items():
            assert dp < 1e-6, (name, target, dp)
