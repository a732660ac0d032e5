"""The published study's models, projection and regressor, rebuilt (orbitlearn.apps.ks.reference,
apps.ks.lexascent, the XGBoost regressor): their structure as described, and that they train."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
import torch

from orbitlearn.apps.ks.checkpoints import ks_pipeline, resolve
from orbitlearn.apps.ks.lexascent import LexAscentDirichlet
from orbitlearn.apps.ks.models import build_model
from orbitlearn.apps.ks.names import get_group
from orbitlearn.apps.ks.reference import vit_image
from orbitlearn.models import ModelPipeline
from orbitlearn.train import TrainConfig


def _climb_one(x: np.ndarray) -> np.ndarray:
    """The study's first-improvement climb, one matrix at a time (scan rows, then columns)."""
    x = x.copy()
    m, n = x.shape
    while True:
        for i in range(m - 1):
            y = x.copy()
            y[[i, i + 1]] = y[[i + 1, i]]
            if tuple(y.ravel()) > tuple(x.ravel()):
                x = y
                break
        else:
            for j in range(n - 1):
                y = x.copy()
                y[:, [j, j + 1]] = y[:, [j + 1, j]]
                if tuple(y.ravel()) > tuple(x.ravel()):
                    x = y
                    break
            else:
                return x


def test_lex_ascent_is_the_studys_climb():
    rng = np.random.default_rng(0)
    x = rng.integers(-2, 3, size=(200, 4, 9))
    out = LexAscentDirichlet(chunk=64).project(x)
    np.testing.assert_array_equal(out, np.stack([_climb_one(v) for v in x]))
    # end points: rows and columns in descending lexicographic order, in the orbit, fixed by π
    for y in out:
        assert [tuple(r) for r in y] == sorted((tuple(r) for r in y), reverse=True)
        assert [tuple(c) for c in y.T] == sorted((tuple(c) for c in y.T), reverse=True)
    np.testing.assert_array_equal(np.sort(out.reshape(200, -1)), np.sort(x.reshape(200, -1)))
    np.testing.assert_array_equal(LexAscentDirichlet().project(out), out)


def test_lex_ascent_is_approximate_on_v26(v26_path):
    """Different starts can end at different local maxima: π(g·x) ≠ π(x) for some inputs."""
    from orbitlearn.datasets.ks import iter_ks

    x = np.stack([e.vertices for e, _ in zip(iter_ks(v26_path), range(300))]).astype(np.int64)
    g = get_group("s4xs26")
    moved = g.act_batch(g.sample(len(x), np.random.default_rng(1)), x)
    canon = LexAscentDirichlet()
    same = (canon.project(moved) == canon.project(x)).all(axis=(1, 2))
    assert 0.0 < same.mean() < 1.0


def test_reference_cnn_mlp_shapes():
    model = build_model("ref_cnn_mlp", 35, (4, 26), {"encoding": "raw"})
    first = next(m for m in model.module.head if isinstance(m, torch.nn.Linear))
    assert first.in_features == 2688  # 64 channels x 3 x 14 after the two convolutions and pooling
    assert model.module(torch.zeros(2, 4, 26, dtype=torch.long)).shape == (2, 35)


def test_vit_image_is_the_studys_52_by_52_picture():
    x = torch.arange(4 * 26).reshape(1, 4, 26)
    img = vit_image(x)
    assert img.shape == (1, 52, 52)
    perms = list(itertools.permutations(range(4)))
    shuffle = list(range(26))
    random.Random(4).shuffle(shuffle)
    for j in range(13):
        block = img[0, 4 * j : 4 * j + 4]
        want = x[0, list(perms[j % 12])]
        assert torch.equal(block[:, :26], want) and torch.equal(block[:, 26:], want[:, shuffle])


def test_reference_vit_size():
    model = build_model("ref_vit", 45, (4, 26), {"encoding": "raw"})
    # patch 16 -> 64, positions 169 x 64, 8 blocks of 83,200, head 10816 -> 2048 -> 1024 -> 45
    expected = 16 * 64 + 64 + 169 * 64 + 8 * 83_200 + 2 * 64
    expected += 10_816 * 2048 + 2048 + 2048 * 1024 + 1024 + 1024 * 45 + 45
    assert model.parameter_count() == expected


def test_encoder_decoder_trains_and_is_not_invariant():
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(96, 4, 26))
    y = (x[:, 0, :].sum(axis=1) > 0).astype(int)
    pipe = ks_pipeline(
        build_model("encoder_decoder", 2, (4, 26), {"encoding": "raw"}), np.array([1, 2])
    )
    pipe.fit(
        x, y, x, y, TrainConfig(epochs=3, batch_size=32, schedule="constant", weight_decay=0.0)
    )
    assert pipe.claimed_invariance().label == "none"
    g = get_group("s4xs26")
    moved = g.act_batch(g.sample(len(x), np.random.default_rng(2)), x)
    assert np.abs(pipe.predict_proba(moved) - pipe.predict_proba(x)).max() > 1e-4


def test_xgboost_regressor_rounds_to_a_class_and_round_trips(tmp_path):
    pytest.importorskip("xgboost")
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(200, 4, 26))
    classes = np.array([6, 7, 8, 11])  # label values, with a gap
    y = np.clip(np.abs(x[:, 0, :4]).sum(axis=1) // 3, 0, 3)
    pipe = ks_pipeline(build_model("ref_xgboost", 4, (4, 26), {"n_estimators": 60}), classes)
    summary = pipe.fit(x, y, None, None, TrainConfig())
    # the rounds that ran are recorded: at most the 60 asked for, the best one among them
    assert 0 < summary["boosting_rounds"] <= 60
    assert 0 <= summary["best_iteration"] < summary["boosting_rounds"]
    p = pipe.predict_proba(x)
    assert set(np.unique(p)) <= {0.0, 1.0} and (p.sum(axis=1) == 1).all()
    value = pipe.model.predict_value(x)
    nearest = np.abs(classes[None, :] - np.rint(value)[:, None]).argmin(axis=1)
    np.testing.assert_array_equal(p.argmax(axis=1), nearest)
    again = ModelPipeline.load(pipe.save(tmp_path / "xgb.pt"), resolve, build_model)
    np.testing.assert_array_equal(again.predict_proba(x), p)
    assert again.model.name == "ref_xgboost" and again.model.config["objective"] == "tweedie"
