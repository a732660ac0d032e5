from __future__ import annotations

import csv

import numpy as np
import pytest
import torch

from orbitlearn.errors import OrbitlearnError
from orbitlearn.models import build_model
from orbitlearn.train import TrainConfig, Trainer, seed_everything
from orbitlearn.train.trainer import epochs_since_record

SHAPE = (4, 26)


def data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(-4, 5, size=(n, *SHAPE)).astype(np.float32)
    y = (x[:, 0].sum(1) > 0).astype(np.int64) + (x[:, 1].sum(1) > 0)
    return x, y


def net(seed=0):
    return build_model("deepsets", 3, SHAPE, {"init_seed": seed, "width": 32, "depth": 2}).module


def test_seed_everything_makes_streams_repeat():
    a = seed_everything(5).integers(0, 1000, 5), torch.rand(3)
    b = seed_everything(5).integers(0, 1000, 5), torch.rand(3)
    np.testing.assert_array_equal(a[0], b[0])
    assert torch.equal(a[1], b[1])


def test_selects_the_best_validation_epoch_and_logs(tmp_path):
    x, y = data()
    module = net()
    result = Trainer(TrainConfig(epochs=6, batch_size=32), log_path=tmp_path / "log.csv").fit(
        module, x, y, x[:32], y[:32]
    )
    accs = [h["val_score"] for h in result.history]
    assert result.best_val_score == max(accs)
    assert accs[result.best_epoch] == max(accs)
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    assert [int(r["epoch"]) for r in rows] == list(range(6))
    # the module holds the selected weights
    logits = module(torch.as_tensor(x[:32]))
    assert float((logits.argmax(1).numpy() == y[:32]).mean()) == pytest.approx(
        result.best_val_score
    )


def test_patience_stops_early():
    x, y = data()
    cfg = TrainConfig(epochs=50, batch_size=32, lr=0.0, patience=2)  # lr 0: no progress at all
    result = Trainer(cfg).fit(net(), x, y, x, y)
    assert result.stopped_by == "patience" and len(result.history) == 3


def test_epochs_since_record_counts_from_the_last_score_at_or_above_the_best():
    assert epochs_since_record([]) == 0
    assert epochs_since_record([0.5]) == 0
    assert epochs_since_record([0.1, 0.3, 0.2]) == 1
    assert epochs_since_record([0.1, 0.3, 0.2, 0.3, 0.25, 0.2]) == 2  # a tie is a record
    assert epochs_since_record([0.4, 0.3, 0.2, 0.1]) == 3


def test_patience_on_the_training_score_stops_where_the_training_score_stalls():
    x, y = data()

    def fit(on):
        cfg = TrainConfig(
            epochs=40, batch_size=32, lr=0.5, schedule="constant", patience=2, patience_on=on
        )
        return Trainer(cfg).fit(net(), x, y, x[:32], y[:32])

    by_train, by_val = fit("train"), fit("val")
    assert by_train.stopped_by == by_val.stopped_by == "patience"
    train_scores = [h["train_score"] for h in by_train.history]
    # it stops at the first epoch two epochs past the training score's last record, not before
    assert epochs_since_record(train_scores) == 2
    assert all(epochs_since_record(train_scores[:k]) < 2 for k in range(1, len(train_scores)))
    # the two rules watch different scores, and here they stop at different epochs
    assert len(by_train.history) != len(by_val.history)
    # selection stays on validation either way
    val_scores = [h["val_score"] for h in by_train.history]
    assert by_train.best_val_score == max(val_scores)


def test_patience_on_must_name_a_score():
    with pytest.raises(ValueError, match="patience_on"):
        TrainConfig(patience_on="loss")


def test_resuming_a_run_that_stopped_early_does_not_train_on(tmp_path):
    x, y = data()
    cfg = TrainConfig(epochs=50, batch_size=32, lr=0.0, patience=2)
    state = tmp_path / "state.pt"
    first = Trainer(cfg, state_path=state).fit(net(), x, y, x, y)
    assert first.stopped_by == "patience" and len(first.history) == 3
    again = Trainer(cfg, state_path=state).fit(net(), x, y, x, y, resume=True)
    assert again.stopped_by == "patience" and len(again.history) == 3


def test_resuming_under_another_config_is_refused(tmp_path):
    x, y = data()
    state = tmp_path / "state.pt"
    Trainer(TrainConfig(epochs=1, batch_size=32), state_path=state).fit(net(), x, y, x, y)
    with pytest.raises(OrbitlearnError, match="epochs: 1 -> 2"):
        Trainer(TrainConfig(epochs=2, batch_size=32), state_path=state).fit(
            net(), x, y, x, y, resume=True
        )
    # threads do not change the numbers: that resume is allowed
    Trainer(TrainConfig(epochs=1, batch_size=32, threads=1), state_path=state).fit(
        net(), x, y, x, y, resume=True
    )


def test_time_budget_stops_training():
    x, y = data()
    result = Trainer(TrainConfig(epochs=10_000, batch_size=8, time_budget=0.5)).fit(
        net(), x, y, x, y
    )
    assert result.stopped_by == "time_budget"
    assert len(result.history) < 10_000 and result.seconds >= 0.5


def _recording_augment(seen: list):
    def augment(xb, rng):
        seen.append(xb.copy())
        return xb

    return augment


@pytest.mark.parametrize("shuffle", [True, False])
def test_shuffle_false_walks_the_training_set_in_its_given_order(shuffle):
    x, y = data(n=100)
    seen: list = []
    cfg = TrainConfig(epochs=3, batch_size=32, shuffle=shuffle)
    Trainer(cfg).fit(net(), x, y, x, y, augment=_recording_augment(seen))
    assert [len(b) for b in seen] == [32, 32, 32, 4] * 3  # the last, short batch is kept
    epochs = [np.concatenate(seen[4 * e : 4 * e + 4]) for e in range(3)]
    for walked in epochs:  # every epoch sees every example once
        assert sorted(map(bytes, walked)) == sorted(map(bytes, x))
    if shuffle:
        assert not np.array_equal(epochs[0], x) and not np.array_equal(epochs[0], epochs[1])
    else:
        assert all(np.array_equal(walked, x) for walked in epochs)


class _Interrupt(Exception):
    pass


def _identity_augment(stop_after: int | None = None):
    calls = {"n": 0}

    def augment(xb, rng):
        calls["n"] += 1
        if stop_after is not None and calls["n"] > stop_after:
            raise _Interrupt
        return xb

    return augment


def test_resume_gives_the_same_model_as_an_uninterrupted_run(tmp_path):
    x, y = data()  # 96 items, batch 32: 3 steps per epoch
    cfg = dict(epochs=4, batch_size=32, seed=3)
    straight = net(1)
    Trainer(TrainConfig(**cfg)).fit(straight, x, y, x[:40], y[:40], augment=_identity_augment())

    state = tmp_path / "state.pt"
    interrupted = net(1)
    with pytest.raises(_Interrupt):  # dies in the first batch of epoch 2
        Trainer(TrainConfig(**cfg), state_path=state).fit(
            interrupted, x, y, x[:40], y[:40], augment=_identity_augment(6)
        )
    assert torch.load(state, weights_only=False)["epoch"] == 1

    resumed = net(1)
    result = Trainer(TrainConfig(**cfg), state_path=state).fit(
        resumed, x, y, x[:40], y[:40], augment=_identity_augment(), resume=True
    )
    assert [h["epoch"] for h in result.history] == [0, 1, 2, 3]
    for a, b in zip(straight.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)


def test_tensorboard_log_when_installed(tmp_path):
    pytest.importorskip(
        "tensorboard",
        reason="TensorBoard logging is optional: the tensorboard package is not installed",
    )
    x, y = data()
    Trainer(TrainConfig(epochs=2, batch_size=32), log_path=tmp_path / "metrics.csv").fit(
        net(), x, y, x, y
    )
    assert any((tmp_path / "tensorboard").iterdir())


def test_mse_objective_fits_a_field_regression():
    from orbitlearn.train.objectives import mse

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3, 8, 8)).astype(np.float32)
    y = (2 * x - 0.5 * np.roll(x, 1, axis=-1)).astype(np.float32)  # a linear, shift-equivariant map
    module = torch.nn.Conv2d(3, 3, 3, padding=1, padding_mode="circular")
    result = Trainer(TrainConfig(epochs=60, batch_size=16, lr=2e-2, weight_decay=0.0)).fit(
        module, x, y, x, y, objective=mse()
    )
    first_rmse, best_rmse = -result.history[0]["val_score"], -result.best_val_score
    assert best_rmse < 0.25 * first_rmse


def test_resume_accepts_a_state_written_before_a_setting_existed(tmp_path):
    """A training state saved before a TrainConfig field was added had that field's default: it
    resumes; a real change of setting is still refused."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    state = tmp_path / "state.pt"
    net = torch.nn.Linear(5, 2)
    Trainer(TrainConfig(epochs=2, batch_size=16), state_path=state).fit(net, x, y, x, y)
    saved = torch.load(state, weights_only=True)
    for key in ("schedule", "clip_norm"):  # as written by a version without these settings
        saved["config"].pop(key)
    torch.save(saved, state)
    Trainer(TrainConfig(epochs=2, batch_size=16), state_path=state).fit(
        torch.nn.Linear(5, 2), x, y, x, y, resume=True
    )
    with pytest.raises(OrbitlearnError, match="schedule"):
        Trainer(TrainConfig(epochs=2, batch_size=16, schedule="constant"), state_path=state).fit(
            torch.nn.Linear(5, 2), x, y, x, y, resume=True
        )
