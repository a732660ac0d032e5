"""Gradient-boosted trees (XGBoost, hist) on the flattened matrix: a multiclass softmax, or a
regressor on the label value whose prediction is rounded to the nearest class (for ordinal labels).
"""

from __future__ import annotations

import time

import numpy as np

from orbitlearn.models.base import Classifier

OBJECTIVES = ("softmax", "tweedie", "squarederror")


def _rounds(model) -> dict[str, int]:
    """How many boosting rounds ran (early stopping included) and the best one (0-based; -1
    without early stopping) of a fitted XGBoost model."""
    return {
        "boosting_rounds": int(model.get_booster().num_boosted_rounds()),
        "best_iteration": int(getattr(model, "best_iteration", -1)),
    }


class XGBoostClassifier(Classifier):
    """Config: objective (softmax: 35-class probabilities; tweedie or squarederror: a regressor on the
    label value, rounded to the nearest class, `predict_proba` the one-hot of that class),
    n_estimators, max_depth, learning_rate, subsample, colsample_bytree, reg_alpha,
    early_stopping (rounds), early_stopping_on (val or train). No symmetry: the features are the
    matrix entries in their given positions."""

    name = "xgboost"

    def __init__(self, n_classes, shape, config=None):
        super().__init__(n_classes, shape, config)
        self.booster = None
        objective = self.config.get("objective", "softmax")
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
        if self.config.get("early_stopping_on", "val") not in ("val", "train"):
            raise ValueError("early_stopping_on must be 'val' or 'train'")

    @property
    def regression(self) -> bool:
        """Whether this is a regressor on the label value (rounded to a class)."""
        return self.config.get("objective", "softmax") != "softmax"

    def _values(self) -> np.ndarray:
        """The label value of each class index (the indices themselves when none were given)."""
        values = getattr(self, "class_values", None)
        return np.arange(self.n_classes) if values is None else np.asarray(values, np.float64)

    def _model(self, seed: int, threads: int | None):
        import xgboost

        c = self.config
        common = {
            "n_estimators": int(c.get("n_estimators", 300)),
            "max_depth": int(c.get("max_depth", 6)),
            "learning_rate": float(c.get("learning_rate", 0.1)),
            "colsample_bytree": float(c.get("colsample_bytree", 0.9)),
            "tree_method": "hist",
            "random_state": seed,
            "n_jobs": threads or 1,
            "early_stopping_rounds": int(c.get("early_stopping", 20)),
        }
        if self.regression:
            return xgboost.XGBRegressor(
                **common,
                subsample=float(c.get("subsample", 1.0)),
                reg_alpha=float(c.get("reg_alpha", 0.0)),
                objective=f"reg:{c.get('objective')}",
            )
        return xgboost.XGBClassifier(
            **common,
            subsample=float(c.get("subsample", 0.9)),
            objective="multi:softprob",
            num_class=self.n_classes,
            eval_metric="mlogloss",
        )

    def fit(self, x, y, x_val, y_val, train, augment=None, run_dir=None, resume=False):
        rng = np.random.default_rng(train.seed)
        x_fit, y_fit = x, y
        if augment is not None:  # trees have no batches: add `augment_copies` random images
            copies = int(self.config.get("augment_copies", 3))
            x_fit = np.concatenate([x] + [augment(x, rng) for _ in range(copies)])
            y_fit = np.concatenate([y] * (copies + 1))
        if self.regression:
            return self._fit_regression(x_fit, y_fit, x_val, y_val, train)
        # xgboost needs every class present: one zero-weight dummy row per missing class
        missing = np.setdiff1d(np.arange(self.n_classes), np.unique(y_fit))
        weights = np.ones(len(y_fit))
        if len(missing):
            x_fit = np.concatenate([x_fit, np.repeat(x_fit[:1], len(missing), axis=0)])
            y_fit = np.concatenate([y_fit, missing])
            weights = np.concatenate([weights, np.zeros(len(missing))])
        model = self._model(train.seed, train.threads)
        eval_set = (
            [(self._features(x_val), y_val)]
            if x_val is not None and len(x_val)
            else [(self._features(x), y)]
        )
        t0 = time.perf_counter()
        model.fit(
            self._features(x_fit), y_fit, sample_weight=weights, eval_set=eval_set, verbose=False
        )
        self.booster = model
        return {"wall_seconds": time.perf_counter() - t0, **_rounds(model)}

    def _fit_regression(self, x, y, x_val, y_val, train) -> dict:
        values = self._values()
        model = self._model(train.seed, train.threads)
        on_train = self.config.get("early_stopping_on", "val") == "train"
        if on_train or x_val is None or not len(x_val):
            eval_set = [(self._features(x), values[np.asarray(y)])]
        else:
            eval_set = [(self._features(x_val), values[np.asarray(y_val)])]
        t0 = time.perf_counter()
        model.fit(self._features(x), values[np.asarray(y)], eval_set=eval_set, verbose=False)
        self.booster = model
        return {"wall_seconds": time.perf_counter() - t0, **_rounds(model)}

    def predict_value(self, x: np.ndarray) -> np.ndarray:
        """The regressor's real-valued prediction of the label value, (N,)."""
        if self.booster is None:
            raise RuntimeError("the model has not been fitted")
        return np.asarray(self.booster.predict(self._features(x)), dtype=np.float64)

    @staticmethod
    def _features(x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float32).reshape(len(x), -1)

    def predict_proba(self, x):
        if self.booster is None:
            raise RuntimeError("the model has not been fitted")
        if self.regression:  # the rounded value's class (the nearest class value), one-hot
            rounded = np.rint(self.predict_value(x))
            index = np.abs(self._values()[None, :] - rounded[:, None]).argmin(axis=1)
            return np.eye(self.n_classes)[index]
        return self.booster.predict_proba(self._features(x)).astype(np.float64)

    def get_state(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "model.ubj"
            self.booster.save_model(path)
            return {"ubj": path.read_bytes()}

    def set_state(self, state):
        import tempfile
        from pathlib import Path

        import xgboost

        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "model.ubj"
            path.write_bytes(state["ubj"])
            model = xgboost.XGBRegressor() if self.regression else xgboost.XGBClassifier()
            model.load_model(path)
        self.booster = model

    def parameter_count(self) -> int:
        """The number of tree nodes (splits and leaves) of the fitted booster."""
        if self.booster is None:
            return 0
        # tree nodes (splits and leaves), the trees' analogue of a parameter count
        return sum(len(tree.splitlines()) for tree in self.booster.get_booster().get_dump())
