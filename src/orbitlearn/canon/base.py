"""The canonicaliser interface: π(x) is one chosen representative of the orbit G·x.

A canonicaliser is exact for G when π(g·x) = π(x) for all g ∈ G and π(x) ∈ G·x; it is then a
projection, π(π(x)) = π(x). `project(batch)` maps a (B, m, n) batch to a (B, m, n) batch.
The same object is a scikit-learn transformer (fit/transform; 2-D inputs of width m·n are
reshaped with `shape=(m, n)` and returned flattened) and wraps as a torch module (`as_module`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orbitlearn.groups.action import Action
from orbitlearn.groups.backend import is_torch
from orbitlearn.rng import check_random_state

try:  # scikit-learn is optional: numpy-only users get a minimal stand-in
    from sklearn.base import BaseEstimator, TransformerMixin
except ImportError:  # pragma: no cover - sklearn is installed in the dev environment

    class BaseEstimator:  # type: ignore[no-redef]
        """Stand-in for sklearn.base.BaseEstimator when scikit-learn is not installed."""

    class TransformerMixin:  # type: ignore[no-redef]
        """Stand-in for sklearn.base.TransformerMixin when scikit-learn is not installed."""

        def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
            return self.fit(X, y, **fit_params).transform(X)


class Canonicalizer(TransformerMixin, BaseEstimator):
    """Base class: subclasses implement `_project(batch: np.ndarray) -> np.ndarray`."""

    #: True when π is a function of the orbit alone (claimed, and tested)
    exact: bool = False

    def group(self) -> Action:
        """The group this canonicaliser is built for (acting on (B, m, n))."""
        raise NotImplementedError

    def _project(self, batch: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def project(self, batch: Any) -> Any:
        """π applied to every matrix of a (B, m, n) batch (numpy or torch; same type back)."""
        if is_torch(batch):
            import torch

            out = self._project(batch.detach().cpu().numpy())
            return torch.as_tensor(out, device=batch.device).to(batch.dtype)
        a = np.asarray(batch)
        if a.ndim != 3:
            raise ValueError(f"project expects a (B, m, n) batch, got shape {a.shape}")
        return self._project(a)

    # ------------------------------------------------------------ scikit-learn
    def fit(self, X: Any, y: Any = None) -> Canonicalizer:
        """Nothing to learn: π is fixed."""
        return self

    def transform(self, X: Any) -> np.ndarray:
        """π on a (B, m, n) batch, or on (B, m·n) rows when `shape=(m, n)` is set (returned flattened)."""
        a = np.asarray(X)
        if a.ndim == 2:
            shape = getattr(self, "shape", None)
            if shape is None:
                raise ValueError("2-D input needs the canonicaliser's shape=(m, n) to be set")
            return self._project(a.reshape(len(a), *shape)).reshape(len(a), -1)
        return self._project(a).reshape(len(a), -1)

    # ------------------------------------------------------------ torch
    def as_module(self) -> Any:
        """A torch.nn.Module computing π (see `orbitlearn.nn.canonicalize.CanonicalizeModule`)."""
        from orbitlearn.nn.canonicalize import CanonicalizeModule

        return CanonicalizeModule(self)


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
