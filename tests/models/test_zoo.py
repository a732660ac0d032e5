"""The zoo's symmetry claims measured, overfitting, checkpoints, determinism."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from orbitlearn.apps.ks import models as ks_models
from orbitlearn.apps.ks.checkpoints import ks_pipeline, resolve
from orbitlearn.apps.ks.names import get_group
from orbitlearn.models import MODEL_NAMES, ModelPipeline, build_model
from orbitlearn.models.networks import NETWORKS
from orbitlearn.models.registry import NETWORK_NAMES
from orbitlearn.symmetry import invariance_error
from orbitlearn.train import TrainConfig

SHAPE = (4, 26)
EPS = 1e-5


def ks_like(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-4, 5, size=(n, *SHAPE))


def test_network_names_match_the_registry():
    assert NETWORK_NAMES == tuple(NETWORKS)
    assert set(MODEL_NAMES) == {"random", "majority", "xgboost", *NETWORKS}
    published = {"ref_xgboost", *ks_models.REFERENCE_NETWORKS}
    assert set(ks_models.MODEL_NAMES) == {*MODEL_NAMES, *published}


#: a group each network must NOT be invariant under (what it is invariant under is its own claim)
NOT_INVARIANT = {
    "exchangeable": None,
    "deepsets": "s4",
    "pointnet": "s4",
    "settransformer": "s4",
    "mlp": "s26",
    "cnn_mlp": "s26",
    "vit": "s26",
}


def test_every_zoo_network_is_checked():
    assert set(NOT_INVARIANT) == set(NETWORKS)


@pytest.mark.parametrize("name", list(NOT_INVARIANT))
@pytest.mark.parametrize("encoding", ["scaled", "onehot"])
def test_network_invariance_claims(name, encoding):
    """The claim a network declares is measured; the group it must break is found broken."""
    model = build_model(name, 7, SHAPE, {"encoding": encoding})
    x = torch.as_tensor(ks_like(6, seed=1), dtype=torch.float32)
    claim, broken = model.invariance(), NOT_INVARIANT[name]
    module = model.module
    if not claim.is_trivial():
        invariance_error(module, claim.action, x, n_samples=12, rng=0).assert_below(EPS)
    if broken:  # detected as not invariant
        report = invariance_error(module, get_group(broken), x, n_samples=12, rng=0)
        assert report.max_rel > 1e-4, f"{name} looks {broken}-invariant but should not be"


def test_pipeline_invariance_claims_are_measured():
    x = ks_like(8, seed=2)
    y = np.arange(8) % 3
    classes = np.arange(3)
    cases = [
        (ks_pipeline(build_model("mlp", 3, SHAPE), classes, canon="lex"), "s4xs26", "S4 x S26"),
        (
            ks_pipeline(
                build_model("deepsets", 3, SHAPE), classes, symmetrize=-1, symmetrize_group="s4"
            ),
            "s4xs26",
            "S4 x S26",
        ),
        (ks_pipeline(build_model("exchangeable", 3, SHAPE), classes), "s4xs26", "S4 x S26"),
    ]
    for pipe, group, claim in cases:
        pipe.fit(x, y, train=TrainConfig(epochs=1))
        assert pipe.claimed_invariance().label == claim
        invariance_error(pipe.predict_proba, get_group(group), x, n_samples=10, rng=3).assert_below(
            EPS
        )
    # the bare MLP is not invariant, and the same measurement says so
    bare = ks_pipeline(build_model("mlp", 3, SHAPE), classes)
    bare.fit(x, y, train=TrainConfig(epochs=2))
    assert (
        invariance_error(bare.predict_proba, get_group("s4xs26"), x, n_samples=10, rng=3).max_rel
        > 1e-4
    )


def test_monte_carlo_symmetrisation_reduces_but_does_not_remove_the_error():
    x = ks_like(16, seed=3)
    y = np.arange(16) % 4
    model = build_model("mlp", 4, SHAPE, {"init_seed": 1})
    plain = ks_pipeline(model, np.arange(4))
    plain.fit(x, y, train=TrainConfig(epochs=3))
    sym = ks_pipeline(model, np.arange(4), symmetrize=32, symmetrize_group="s4xs26")
    g = get_group("s4xs26")
    e_plain = invariance_error(plain.predict_proba, g, x, n_samples=6, rng=4).mean_abs
    e_sym = invariance_error(sym.predict_proba, g, x, n_samples=6, rng=4).mean_abs
    assert 0 < e_sym < e_plain


@pytest.mark.parametrize("name", ks_models.NETWORK_NAMES)
def test_each_network_overfits_a_tiny_batch(name):
    x = ks_like(24, seed=5)
    y = np.arange(24) % 6
    config = {"encoding": "onehot"} if name in ("mlp", "cnn_mlp") else {}
    if name in ("mlp", "cnn_mlp", "vit"):
        config["dropout"] = 0.0
    if name == "vit":
        config.update(dim=32, depth=2)
    if name == "ref_vit":  # the published size (25M parameters) is for the benchmark, not a test
        config.update(depth=1, key_dim=16, head=[64], dropout=0.0, head_dropout=0.0)
    model = ks_models.build_model(name, 6, SHAPE, config)
    cfg = TrainConfig(epochs=200, batch_size=24, lr=5e-3, weight_decay=0.0, warmup=0.0)
    model.fit(x, y, None, None, cfg)
    assert (model.predict(x) == y).mean() == 1.0


@pytest.mark.parametrize("name", ["majority", "random", "xgboost"])
def test_non_torch_models(name):
    x = ks_like(60, seed=6)
    y = (x[:, 0, 0] > 0).astype(int) + 2 * (x[:, 1, 1] > 0)
    model = build_model(name, 5, SHAPE, {"n_estimators": 30})  # class 4 never seen
    model.fit(x, y, x, y, TrainConfig(seed=0))
    p = model.predict_proba(x)
    assert p.shape == (60, 5)
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-6)
    if name == "majority":
        assert (model.predict(x) == np.bincount(y).argmax()).all()
    if name == "random":  # uniform draws: every class shows up, accuracy near 1/5
        big = ks_like(5000, seed=11)
        guesses = model.predict(big)
        assert set(guesses.tolist()) == set(range(5))
        assert abs((guesses == 0).mean() - 0.2) < 0.03
    if name == "xgboost":
        assert (model.predict(x) == y).mean() > 0.9


@pytest.mark.parametrize("name", ["exchangeable", "vit", "xgboost", "majority", "random"])
def test_checkpoint_reloads_to_identical_predictions(tmp_path, name):
    x = ks_like(40, seed=7)
    y = np.arange(40) % 3
    pipe = ks_pipeline(
        build_model(name, 3, SHAPE, {"n_estimators": 10} if name == "xgboost" else {}),
        np.array([5, 6, 7]),
        canon="lex",
        augment="s4xs26",
    )
    pipe.fit(x, y, x, y, TrainConfig(epochs=2))
    pipe.metadata = {"split_seed": 0}
    path = pipe.save(tmp_path / "m.pt")
    again = ModelPipeline.load(path, resolve)
    np.testing.assert_array_equal(pipe.predict_proba(x), again.predict_proba(x))
    assert again.describe() == pipe.describe() and again.metadata == {"split_seed": 0}


def test_same_seed_same_numbers_different_seed_different():
    x = ks_like(64, seed=8)
    y = np.arange(64) % 4

    def run(seed):
        m = build_model("deepsets", 4, SHAPE, {"init_seed": seed})
        pipe = ks_pipeline(m, np.arange(4), augment="s4xs26", seed=seed)
        summary = pipe.fit(x, y, x, y, TrainConfig(epochs=3, seed=seed))
        return pipe.predict_proba(x), [h["train_loss"] for h in summary["history"]]

    (p1, l1), (p2, l2), (p3, l3) = run(0), run(0), run(1)
    assert not np.array_equal(p1, p3)
    np.testing.assert_array_equal(p1, p2)
    assert l1 == l2 and l1 != l3


def test_bad_names_are_user_errors():
    from orbitlearn.errors import OrbitlearnError

    with pytest.raises(OrbitlearnError, match="unknown model"):
        build_model("resnet", 3, SHAPE)
    with pytest.raises(OrbitlearnError, match="unknown canonicaliser"):
        ks_pipeline(build_model("mlp", 3, SHAPE), np.arange(3), canon="sorted")


def test_regression_with_rounding():
    x = ks_like(64, seed=10)
    total = np.abs(x).sum(axis=(1, 2))
    y = np.searchsorted(
        np.quantile(total, [0.2, 0.4, 0.6, 0.8]), total
    )  # invariant, ordered: 5 bins
    model = build_model("deepsets", 5, SHAPE, {"task": "regression", "width": 32})
    summary = model.fit(x, y, x, y, TrainConfig(epochs=80, batch_size=16, lr=1e-2))
    p = model.predict_proba(x)
    assert p.shape == (64, 5) and set(np.unique(p)) <= {0.0, 1.0}
    assert summary["history"][-1]["train_loss"] < summary["history"][0]["train_loss"]
    assert (model.predict(x) == y).mean() > 0.5
    with pytest.raises(Exception, match="task must be"):
        build_model("mlp", 5, SHAPE, {"task": "ranking"})


def test_ordinal_task_learns_ordered_classes_and_keeps_probabilities():
    from orbitlearn.errors import OrbitlearnError

    x = ks_like(64, seed=10)
    total = np.abs(x).sum(axis=(1, 2))
    y = np.searchsorted(np.quantile(total, [0.2, 0.4, 0.6, 0.8]), total)  # ordered: 5 bins
    model = build_model(
        "deepsets", 5, SHAPE, {"task": "ordinal", "ordinal_sigma": 0.7, "width": 32}
    )
    summary = model.fit(x, y, x, y, TrainConfig(epochs=80, batch_size=16, lr=1e-2))
    p = model.predict_proba(x)
    # one logit per class, read as a softmax: graded probabilities, not a one-hot
    assert p.shape == (64, 5) and np.allclose(p.sum(axis=1), 1.0)
    assert len(np.unique(np.round(p, 6))) > 10
    assert summary["history"][-1]["train_loss"] < summary["history"][0]["train_loss"]
    assert (model.predict(x) == y).mean() > 0.5
    with pytest.raises(OrbitlearnError, match="sigma"):
        build_model("mlp", 5, SHAPE, {"task": "ordinal", "ordinal_sigma": 0})
    with pytest.raises(OrbitlearnError, match="sigma"):
        build_model("mlp", 5, SHAPE, {"task": "ordinal", "ordinal_sigma": "wide"})
    with pytest.raises(OrbitlearnError, match="needs"):
        build_model("mlp", 5, SHAPE, {"ordinal_sigma": 1.0})


def test_pointnet_pools_are_checked_and_stay_invariant():
    with pytest.raises(Exception, match="pools"):
        build_model("pointnet", 3, SHAPE, {"pools": ["median"]})
    model = build_model("pointnet", 3, SHAPE, {"pools": ["max", "sum", "mean"]})
    x = torch.as_tensor(ks_like(6, seed=4), dtype=torch.float32)
    invariance_error(model.module, get_group("s26"), x, n_samples=8, rng=0).assert_below(EPS)


def test_engine_vertex_features_behind_the_normal_form_are_gl4z_invariant(v26_path):
    from itertools import islice

    from orbitlearn.datasets.ks import iter_ks

    entries = list(islice(iter_ks(v26_path), 40))
    x = np.stack([e.vertices for e in entries])
    y = np.array([e.h11 for e in entries])
    classes = np.unique(y)
    config = {"vertex_features": True, "pools": ["max", "sum"]}
    # the network alone: S26-invariant (the features permute with the vertices), not GL(4,Z)
    net = build_model("pointnet", len(classes), SHAPE, config).module
    xt = torch.as_tensor(x[:12], dtype=torch.float32)
    invariance_error(net, get_group("s26"), xt, n_samples=6, rng=1).assert_below(EPS)
    assert invariance_error(net, get_group("gl4z"), xt, n_samples=6, rng=1).max_rel > 1e-4
    # behind the normal form: exactly GL(4,Z) x S26-invariant, claimed and measured
    pipe = ks_pipeline(
        build_model("pointnet", len(classes), SHAPE, config), classes, canon="normal"
    )
    pipe.fit(x, np.searchsorted(classes, y), train=TrainConfig(epochs=2))
    assert pipe.claimed_invariance().label == "GL(4,Z) x S26"
    for group in ("gl4z", "s4xs26"):
        invariance_error(
            pipe.predict_proba, get_group(group), x[:12], n_samples=6, rng=2
        ).assert_below(EPS)
