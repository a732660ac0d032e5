"""Is a model's fit to y invariant under G? Paired tests of score(x, y) against score(g·x, y).

For each example draw g_i from the group and score the model on (x_i, y_i) and on (g_i·x_i, y_i):

* ``metric="accuracy"``: c_i = [f(x_i) = y_i], c'_i = [f(g_i·x_i) = y_i]. Under H0 (the model's
  correctness is exchangeable between x_i and g_i·x_i) the discordant pairs split
  b = #{c = 1, c' = 0} ~ Binomial(b + c, 1/2): the exact McNemar test (two-sided binomial p).
  Effect: the accuracy drop Δ = mean(c − c') with the Wald interval Δ ± z·sd(c − c')/√n.
* ``metric="loss"``: ℓ_i, ℓ'_i the log losses (probabilities clipped to [1e-15, 1]); the
  Wilcoxon signed-rank test of the differences ℓ' − ℓ (zeros dropped), effect: the mean loss
  increase with a t interval.

If the label is G-invariant and the model learned it exactly, both scores agree everywhere;
a significant drop says the model (not necessarily the label) is not invariant. The data-side
question — is y a function of the orbit at all? — is `accuracy_ceiling(F, y) == 1` for an exact
canonical form F (see `orbitlearn.stats.separation`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats as sps

from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups.action import Action
from orbitlearn.rng import check_random_state

METRICS = ("accuracy", "loss")


@dataclass
class LabelInvarianceResult:
    """Scores on the data and on random group images, the paired test and the effect size."""

    metric: str
    test: str
    group: str
    n: int
    score_original: float
    score_transformed: float
    effect: float  # accuracy drop (accuracy) or mean loss increase (loss)
    ci_low: float
    ci_high: float
    confidence: float
    p_value: float
    changed_predictions: float  # share of examples whose prediction (or loss) changed
    discordant: tuple[int, int] | None = None  # (b, c) for accuracy

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON data."""
        return asdict(self)


def _predictor(model: Any, metric: str) -> Callable[[np.ndarray], np.ndarray]:
    if metric == "accuracy":
        fn = getattr(model, "predict", None) or model
    else:
        fn = getattr(model, "predict_proba", None) or model
    if not callable(fn):
        raise OrbitlearnError(
            f"the model needs {'predict' if metric == 'accuracy' else 'predict_proba'} or to be callable"
        )
    return lambda x: np.asarray(fn(x))


def label_invariance_test(
    model: Any,
    X: Any,
    y: Any,
    group: Action,
    *,
    rng: np.random.Generator | int,
    metric: str = "accuracy",
    confidence: float = 0.95,
    prepare: Callable[[np.ndarray], Any] | None = None,
) -> LabelInvarianceResult:
    """Paired test of score(f; x, y) = score(f; g·x, y), g ~ group sampler: exact McNemar (accuracy) or Wilcoxon (loss).

    ``model``: a fitted estimator (``predict`` / ``predict_proba``) or a callable returning labels
    (accuracy) or class probabilities (loss, columns in the order of ``model.classes_`` when it
    has one, else class indices 0..C−1). ``prepare`` maps a batch of raw inputs to the model's
    input (e.g. flattening, or an invariant feature map) and is applied to x and g·x alike.
    """
    if metric not in METRICS:
        raise OrbitlearnError(f"unknown metric {metric!r}: expected accuracy or loss")
    if not 0 < confidence < 1:
        raise OrbitlearnError(f"confidence must lie in (0, 1), got {confidence}")
    rng = check_random_state(rng)
    a = np.asarray(X)
    y = np.asarray(y).reshape(-1)
    n = len(a)
    if n != len(y) or n < 2:
        raise OrbitlearnError(f"need at least 2 examples with one label each, got {n} and {len(y)}")
    images = group.act_batch(group.sample(n, rng), a)
    prep = prepare or (lambda v: v)
    f = _predictor(model, metric)
    out0, out1 = f(prep(a)), f(prep(np.asarray(images)))
    discordant = None
    if metric == "accuracy":
        c0, c1 = out0.reshape(-1) == y, out1.reshape(-1) == y
        b, c = int((c0 & ~c1).sum()), int((~c0 & c1).sum())
        test, discordant = "mcnemar-exact", (b, c)
        p = float(sps.binomtest(b, b + c, 0.5).pvalue) if b + c else 1.0
        score0, score1 = c0.astype(np.float64), c1.astype(np.float64)
        d = score0 - score1
        quantile = sps.norm.ppf(0.5 + confidence / 2)
        changed = out0.reshape(-1) != out1.reshape(-1)
    else:
        classes = getattr(model, "classes_", None)
        if classes is not None:
            pos = np.searchsorted(np.asarray(classes), y)
            if (pos >= len(classes)).any() or (
                np.asarray(classes)[np.minimum(pos, len(classes) - 1)] != y
            ).any():
                raise OrbitlearnError("some labels are not among the model's classes_")
        else:
            pos = y.astype(np.int64)
        rows = np.arange(n)
        score0 = -np.log(np.clip(out0[rows, pos], 1e-15, 1.0))
        score1 = -np.log(np.clip(out1[rows, pos], 1e-15, 1.0))
        d = score1 - score0
        nz = d[d != 0]
        test = "wilcoxon"
        p = float(sps.wilcoxon(nz).pvalue) if len(nz) >= 1 else 1.0
        quantile = sps.t.ppf(0.5 + confidence / 2, df=n - 1)
        changed = d != 0
    effect = float(d.mean())
    half = float(quantile * d.std(ddof=1) / np.sqrt(n))
    return LabelInvarianceResult(
        metric=metric,
        test=test,
        group=group.name,
        n=n,
        score_original=float(score0.mean()),
        score_transformed=float(score1.mean()),
        effect=effect,
        ci_low=effect - half,
        ci_high=effect + half,
        confidence=confidence,
        p_value=p,
        changed_predictions=float(changed.mean()),
        discordant=discordant,
    )
