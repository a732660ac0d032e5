"""The scikit-learn side of orbitlearn's maps: one transformer base for canonicalisers and features.

An `ArrayTransformer` is a fixed map (nothing is learned) with scikit-learn's contract:
`fit(X)` checks X and records its shape (`n_features_in_`, `input_shape_`), `transform(X)` refuses
to run before `fit` and on data of another width, and inputs are checked once, here: numeric
(object arrays of numbers are converted), real, finite, dense, at least one sample and one feature,
2-D (samples, features) or 3-D (samples, m, n). A 2-D input is read as matrices of `shape` when
the transformer has one, as the shape seen at `fit` when that was 3-D, and otherwise as one row
per sample (a 1 × F matrix, i.e. a set of F values).

Code that wants the map without the estimator protocol calls the stateless method of the
subclass (`Canonicalizer.project`, `FeatureMap.features`).
scikit-learn is optional: without it a minimal stand-in keeps `fit_transform` and `get_params`.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

try:  # scikit-learn is optional: numpy-only users get a minimal stand-in
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.exceptions import NotFittedError
except ImportError:  # pragma: no cover - sklearn is installed in the dev environment

    class NotFittedError(ValueError, AttributeError):  # type: ignore[no-redef]
        """Raised when `transform` is called before `fit`."""

    class BaseEstimator:  # type: ignore[no-redef]
        """Stand-in for sklearn.base.BaseEstimator: constructor arguments as parameters."""

        def get_params(self, deep: bool = True) -> dict[str, Any]:
            names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
            return {n: getattr(self, n) for n in names}

        def set_params(self, **params: Any) -> Any:
            for k, v in params.items():
                setattr(self, k, v)
            return self

    class TransformerMixin:  # type: ignore[no-redef]
        """Stand-in for sklearn.base.TransformerMixin when scikit-learn is not installed."""

        def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
            return self.fit(X, y, **fit_params).transform(X)


def check_input(X: Any) -> np.ndarray:
    """X as a numeric numpy array of 2 or 3 dimensions with real, finite values (ValueError or
    TypeError naming what is wrong otherwise)."""
    if hasattr(X, "tocsr") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError("sparse input is not supported: pass a dense array (X.toarray())")
    a = np.asarray(X)
    if a.dtype.kind == "O":
        a = a.astype(np.float64)  # TypeError when an entry is not a number
    if a.dtype.kind == "c":
        raise ValueError("Complex data not supported")
    if a.dtype.kind not in "biuf":
        raise ValueError(f"expected numbers, got an array of dtype {a.dtype}")
    if a.ndim not in (2, 3):
        raise ValueError(
            f"Expected a 2-D array (samples, features) or a 3-D batch (samples, m, n), got shape "
            f"{a.shape}. Reshape your data: X.reshape(1, -1) for a single sample"
        )
    if a.shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={a.shape}) while a minimum of 1 is required."
        )
    if math.prod(a.shape[1:]) == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={a.shape}) while a minimum of 1 is required."
        )
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError("Input contains NaN or infinity.")
    return a


class ArrayTransformer(TransformerMixin, BaseEstimator):
    """A fixed map of arrays with scikit-learn's fit/transform contract (see the module docstring).

    Subclasses implement `_map(a)` on a checked 2-D or 3-D array and return (N, k) features.
    """

    #: input dimensions `_map` takes: 2 (sets, (N, n)) and/or 3 (matrices, (N, m, n))
    input_ndims: tuple[int, ...] = (3,)
    #: whether transform keeps a float input's dtype (count features do not)
    keeps_dtype: bool = True

    def _as_matrices(self, a: np.ndarray) -> np.ndarray:
        """A checked array in the layout `_map` takes: a 2-D input is read as matrices of `shape`
        (or of the 3-D shape seen at fit), else kept as rows when the map takes rows, else as
        one 1 x F matrix per sample."""
        if a.ndim == 2:
            shape = getattr(self, "shape", None)
            if shape is None and len(getattr(self, "input_shape_", ())) == 2:
                shape = self.input_shape_
            if shape is not None:
                m, n = (int(v) for v in shape)
                if a.shape[1] != m * n:
                    raise ValueError(
                        f"X has {a.shape[1]} features, which is not shape={m}x{n} flattened"
                    )
                a = a.reshape(len(a), m, n)
            elif 2 not in self.input_ndims:
                a = a[:, None, :]  # one row: a 1 x F matrix
        if a.ndim not in self.input_ndims:
            raise ValueError(f"{type(self).__name__} cannot take an array of shape {a.shape}")
        return a

    def _check_params(self) -> None:
        """ValueError for a parameter value the map cannot use (checked at fit and transform)."""

    def fit(self, X: Any, y: Any = None) -> ArrayTransformer:
        """Nothing to learn: checks X and records its shape."""
        self._check_params()
        a = check_input(X)
        self._as_matrices(a)
        self.n_features_in_ = int(math.prod(a.shape[1:]))
        self.input_shape_ = tuple(int(v) for v in a.shape[1:])
        self._after_fit(a)
        return self

    def _after_fit(self, a: np.ndarray) -> None:
        """Hook for what a subclass records about the fit data (nothing by default)."""

    def transform(self, X: Any) -> np.ndarray:
        """The map on every sample of X, as (samples, features)."""
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )
        self._check_params()
        a = check_input(X)
        width = int(math.prod(a.shape[1:]))
        if width != self.n_features_in_:
            raise ValueError(
                f"X has {width} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        if a.ndim == 3 and len(self.input_shape_) == 2 and a.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has matrices of shape {a.shape[1:]}, but {type(self).__name__} was fitted on "
                f"{self.input_shape_}"
            )
        if a.ndim == 2 and len(self.input_shape_) == 2:
            a = a.reshape(len(a), *self.input_shape_)
        return self._map(self._as_matrices(a))

    def _map(self, a: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.three_d_array = 3 in self.input_ndims
        if not self.keeps_dtype:
            tags.transformer_tags.preserves_dtype = []
        return tags


__all__ = ["ArrayTransformer", "BaseEstimator", "NotFittedError", "TransformerMixin", "check_input"]
