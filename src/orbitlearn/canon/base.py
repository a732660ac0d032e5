"""The canonicaliser interface: π(x) is one chosen representative of the orbit G·x.

A canonicaliser is exact for G when π(g·x) = π(x) for all g ∈ G and π(x) ∈ G·x; it is then a
projection, π(π(x)) = π(x). `project(batch)` maps a (B, m, n) batch to a (B, m, n) batch, any
m and n. The same object is a scikit-learn transformer (`orbitlearn.estimators.ArrayTransformer`:
fit/transform, output flattened; 2-D inputs of width m·n are read with `shape=(m, n)`, or as the
shape seen at fit, or else as one row per sample) and wraps as a torch module (`as_module`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orbitlearn.estimators import ArrayTransformer
from orbitlearn.groups.action import Action
from orbitlearn.groups.backend import is_torch
from orbitlearn.groups.concrete import rows_and_columns
from orbitlearn.rng import check_random_state


class Canonicalizer(ArrayTransformer):
    """Base class: subclasses implement `_project(batch: np.ndarray) -> np.ndarray`."""

    #: True when π is a function of the orbit alone (claimed, and tested)
    exact: bool = False

    def group(self, m: int | None = None, n: int | None = None) -> Action:
        """The group this canonicaliser is built for, acting on (B, m, n)."""
        raise NotImplementedError

    def _project(self, batch: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def project(self, batch: Any) -> Any:
        """π applied to every matrix of a (B, m, n) batch (numpy or torch; same type back)."""
        self._check_params()
        if is_torch(batch):
            import torch

            out = self._project(batch.detach().cpu().numpy())
            return torch.as_tensor(out, device=batch.device).to(batch.dtype)
        a = np.asarray(batch)
        if a.ndim != 3:
            raise ValueError(f"project expects a (B, m, n) batch, got shape {a.shape}")
        return self._project(a)

    # ------------------------------------------------------------ scikit-learn
    def _map(self, a: np.ndarray) -> np.ndarray:
        """π of a checked (N, m, n) batch, flattened to (N, m·n)."""
        return self._project(a).reshape(len(a), -1)

    # ------------------------------------------------------------ torch
    def as_module(self) -> Any:
        """A torch.nn.Module computing π (see `orbitlearn.nn.canonicalize.CanonicalizeModule`)."""
        from orbitlearn.nn.canonicalize import CanonicalizeModule

        return CanonicalizeModule(self)


class RowColumnCanonicalizer(Canonicalizer):
    """Base of the canonicalisers for S_m × S_n (rows × columns): its group, of `shape` when set."""

    def group(self, m: int | None = None, n: int | None = None) -> Action:
        """S_m × S_n on the last two axes (m, n default to `shape`, else any size: bind to a shape)."""
        if (m is None or n is None) and getattr(self, "shape", None) is not None:
            m, n = self.shape
        return rows_and_columns(m, n)


def invariance_rate(
    canon: Canonicalizer,
    group: Action,
    batch: np.ndarray,
    rng: np.random.Generator | int | None = None,
) -> float:
    """Share of inputs x with π(g·x) = π(x) exactly, for one random g ∈ G per input."""
    gen = check_random_state(rng)
    batch = np.asarray(batch)
    gs = group.sample(len(batch), gen)
    a = canon.project(batch)
    b = canon.project(group.act_batch(gs, batch))
    same = (a.reshape(len(a), -1) == b.reshape(len(b), -1)).all(axis=1)
    return float(same.mean()) if len(same) else 1.0
