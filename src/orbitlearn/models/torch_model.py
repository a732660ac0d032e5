"""A torch network of the zoo behind the `Classifier` interface, trained by `orbitlearn.train`."""

from __future__ import annotations

import time
from dataclasses import asdict

import numpy as np
import torch

from orbitlearn.errors import OrbitlearnError, first_line
from orbitlearn.models.base import Classifier
from orbitlearn.models.encoding import Encoding
from orbitlearn.models.networks import NETWORKS
from orbitlearn.train.objectives import Objective, rounded_labels, rounded_regression, soft_ordinal
from orbitlearn.train.trainer import Trainer, predict_logits


def _build_network(
    name: str, factory, shape, outputs: int, enc: Encoding, kwargs: dict
) -> torch.nn.Module:
    """factory(shape, outputs, enc, **kwargs), with a one-line error for an unknown key or a value
    of the wrong kind (e.g. a --config of '{"width": "abc"}')."""
    import inspect

    params = inspect.signature(factory).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    known = [k for k in list(params)[3:] if params[k].kind is not inspect.Parameter.VAR_KEYWORD]
    unknown = sorted(k for k in kwargs if k not in params)
    if unknown and not takes_any:
        raise OrbitlearnError(
            f"config of {name}: unknown key(s) {', '.join(unknown)}; known: "
            f"{', '.join([*TorchClassifier._ENCODING_KEYS, 'init_seed', *known])}"
        )
    try:
        return factory(shape, outputs, enc, **kwargs)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise OrbitlearnError(f"config of {name}: {first_line(exc)} (given {kwargs})") from None


class TorchClassifier(Classifier):
    """Config: `encoding` (raw|scaled|onehot), `scale`, `max_abs`, `task` (classification |
    regression: one output, trained on the class index and rounded | ordinal: one logit per class,
    trained on soft ordinal labels of width `ordinal_sigma` classes, default 1), the network's own
    keywords. `network` is the network class (default `NETWORKS[name]`; an application passes its
    own, `name` then being what checkpoints record)."""

    _ENCODING_KEYS = ("encoding", "scale", "max_abs", "task", "ordinal_sigma")
    TASKS = ("classification", "regression", "ordinal")

    def __init__(self, name: str, n_classes: int, shape, config=None, network=None):
        super().__init__(n_classes, shape, config)
        if network is None and name not in NETWORKS:
            raise ValueError(f"unknown network {name!r}; known: {', '.join(NETWORKS)}")
        network = NETWORKS[name] if network is None else network
        self.name = name
        try:
            enc = Encoding(
                self.config.get("encoding", "scaled"),
                scale=self.config.get("scale", 8.0),
                max_abs=self.config.get("max_abs", 8),
            )
        except (TypeError, ValueError) as exc:
            raise OrbitlearnError(f"config of {name}: {exc}") from None
        net_kwargs = {k: v for k, v in self.config.items() if k not in self._ENCODING_KEYS}
        for k, v in net_kwargs.items():  # JSON gives lists where the networks take tuples
            if isinstance(v, list):
                net_kwargs[k] = tuple(v)
        seed = int(self.config.get("init_seed", 0))
        net_kwargs.pop("init_seed", None)
        torch.manual_seed(seed)
        self.task = self.config.get("task", "classification")
        if self.task not in self.TASKS:
            raise OrbitlearnError(f"task must be one of {', '.join(self.TASKS)}, not {self.task!r}")
        if "ordinal_sigma" in self.config and self.task != "ordinal":
            raise OrbitlearnError('config key ordinal_sigma needs "task": "ordinal"')
        try:
            self.objective = self._objective()
        except (TypeError, ValueError) as exc:
            raise OrbitlearnError(f"config of {name}: {exc}") from None
        outputs = 1 if self.task == "regression" else self.n_classes
        self.module = _build_network(name, network, self.shape, outputs, enc, net_kwargs)
        self.invariant_axes = self.module.invariant_axes

    def fit(self, x, y, x_val, y_val, train, augment=None, run_dir=None, resume=False):
        torch.manual_seed(train.seed)
        trainer = Trainer(
            train,
            log_path=run_dir / "metrics.csv" if run_dir else None,
            state_path=run_dir / "train_state.pt" if run_dir else None,
        )
        t0 = time.perf_counter()
        result = trainer.fit(
            self.module,
            x.astype(np.float32),
            y,
            None if x_val is None else x_val.astype(np.float32),
            y_val,
            augment=augment,
            resume=resume,
            objective=self.objective,
        )
        out = asdict(result)
        out["wall_seconds"] = time.perf_counter() - t0
        return out

    def _objective(self) -> Objective | None:
        """The training objective of the task (None: the trainer's classification default)."""
        if self.task == "regression":
            return rounded_regression(self.n_classes)
        if self.task == "ordinal":
            return soft_ordinal(self.n_classes, self.config.get("ordinal_sigma", 1.0))
        return None

    def predict_proba(self, x):
        logits = predict_logits(self.module, np.asarray(x, dtype=np.float32))
        if self.task == "regression":  # the rounded prediction gets all the mass
            labels = rounded_labels(torch.from_numpy(logits), self.n_classes).numpy()
            return np.eye(self.n_classes)[labels]
        return torch.softmax(torch.from_numpy(logits).double(), dim=1).numpy()

    def to(self, device):
        """Move the network to a torch device (predictions still come back as numpy on the CPU)."""
        self.module.to(device)
        return self

    def get_state(self):
        return {k: v.detach().cpu() for k, v in self.module.state_dict().items()}

    def set_state(self, state):
        self.module.load_state_dict(state)
        self.module.eval()

    def parameter_count(self) -> int:
        """The number of trainable parameters of the network."""
        return sum(p.numel() for p in self.module.parameters())
