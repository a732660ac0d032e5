"""PCA-frame canonicalisation of point clouds: exact for E(3) on generic inputs, degeneracy counted."""

from __future__ import annotations

import numpy as np
import torch

from orbitlearn.canon.pca import PCAFrame
from orbitlearn.groups import E3, PointCloud


def test_pca_frame_is_e3_invariant_on_generic_clouds():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 7, 3))
    canon = PCAFrame()
    y = canon.project(x)
    moved = PointCloud(E3()).act_batch(E3().sample(10, rng), x)
    assert np.abs(canon.project(moved) - y).max() < 1e-10
    assert canon.last_report.n_degenerate == 0
    # π(x) is in the orbit of x: same pairwise distances
    d = np.linalg.norm(x[:, :, None] - x[:, None], axis=-1)
    dy = np.linalg.norm(y[:, :, None] - y[:, None], axis=-1)
    assert np.allclose(d, dy)


def test_frames_map_predictions_back():
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    canon = PCAFrame()
    xc, frames = canon.canonicalize(x)
    assert torch.allclose(frames.from_frame(xc, "position"), x)


def test_degenerate_and_sign_ambiguous_inputs_are_reported():
    square = np.array([[[1.0, 0, 0], [0, 1, 0], [-1, 0, 0], [0, -1, 0]]])
    generic = np.random.default_rng(1).normal(size=(2, 4, 3))
    canon = PCAFrame()
    canon.project(np.concatenate([square, generic]))
    assert canon.last_report.n_degenerate == 1
    assert canon.last_report.n_sign_ambiguous >= 1
    assert canon.last_report.summary()["n_inputs"] == 3
