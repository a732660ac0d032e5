"""Where torch computes: --device on the commands, resolve_device, models moved and brought back."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from orbitlearn.apps.ks.checkpoints import ks_pipeline
from orbitlearn.cli import main
from orbitlearn.errors import OrbitlearnError
from orbitlearn.models import build_model
from orbitlearn.train import TrainConfig
from orbitlearn.train.devices import describe_device, resolve_device


def test_resolve_device_on_this_machine():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda:0" if torch.cuda.is_available() else None
    if expected:
        assert resolve_device("auto") == torch.device(expected)
    else:
        assert resolve_device("auto").type in ("cpu", "mps")
        with pytest.raises(OrbitlearnError, match="no CUDA GPU"):
            resolve_device("cuda:1")
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("gpu")
    with pytest.raises(ValueError, match="unknown device"):
        TrainConfig(device="tpu")


def test_a_device_is_described_with_the_cards_name():
    assert describe_device("cpu") == "cpu"
    described = describe_device("auto")
    if torch.cuda.is_available():
        assert described == f"cuda:0 ({torch.cuda.get_device_name(0)})"
    else:
        assert described in ("cpu", "mps")
        with pytest.raises(OrbitlearnError, match="no CUDA GPU"):
            describe_device("cuda")


def test_a_pipeline_trains_and_predicts_on_the_resolved_device():
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(64, 4, 26))
    y = (x[:, 0, 0] > 0).astype(int)
    pipe = ks_pipeline(build_model("pointnet", 2, (4, 26)), np.array([5, 6]))
    pipe.fit(x, y, x, y, TrainConfig(epochs=2, device="auto"))
    p = pipe.to("auto").predict_proba(x)
    assert isinstance(p, np.ndarray) and p.shape == (64, 2)
    state = pipe.model.get_state()
    assert all(v.device.type == "cpu" for v in state.values())  # checkpoints hold CPU tensors


def test_device_option_errors_are_one_line(capsys):
    assert main(["evaluate", "--checkpoint", "x.pt", "--device", "gpu"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown device 'gpu'" in err[0]
    if not torch.cuda.is_available():
        assert main(["predict", "--checkpoint", "ks_h11_gl4z", "-", "--device", "cuda"]) == 2
        assert "no CUDA GPU" in capsys.readouterr().err


def test_mixed_precision_trains_and_fp16_needs_cuda():
    rng = np.random.default_rng(1)
    x = rng.integers(-3, 4, size=(64, 4, 26))
    y = (x[:, 0, 0] > 0).astype(int)
    pipe = ks_pipeline(build_model("pointnet", 2, (4, 26)), np.array([5, 6]))
    summary = pipe.fit(x, y, x, y, TrainConfig(epochs=2, precision="bf16"))
    assert np.isfinite(summary["history"][-1]["train_loss"])
    assert pipe.predict_proba(x).dtype == np.float64
    if not torch.cuda.is_available():
        with pytest.raises(OrbitlearnError, match="fp16 needs a CUDA"):
            pipe.fit(x, y, x, y, TrainConfig(epochs=1, precision="fp16"))
    with pytest.raises(ValueError, match="precision"):
        TrainConfig(precision="int8")
