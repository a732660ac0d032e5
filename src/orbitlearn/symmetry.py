"""Invariance and equivariance as measurements.

* invariance error of f at (g, x):    ‖f(ρ(g)x) − f(x)‖
* equivariance error of f at (g, x):  ‖f(ρ_X(g)x) − ρ_Y(g)f(x)‖

Norms are Euclidean over everything but the batch axis, computed in float64; the relative
error divides by ‖f(x)‖ (invariance) or ‖ρ_Y(g)f(x)‖ (equivariance), floored at `tiny`.
The group acts exactly on integer inputs and in float64 on float inputs (then cast back to
the input dtype before f sees it). Nothing here prints; `SymmetryReport.assert_below` raises.

`f` may be a numpy callable, a scikit-learn estimator (predict_proba if it has one, else
predict; given x reshaped to (B, -1)) or a torch module (run in eval mode without gradients,
its training mode restored afterwards). Any other callable is called as is.

Inputs and outputs may be tuples of arrays (positions, velocities, charges) moved by a `Joint`
action: f is then called as f(*x), and norms run over all the arrays of an item together.

For a continuous group (`LieGroup`) with no `elements` given, the errors are measured over the
group's `testing_elements()` and `n_samples` Haar samples; `orbitlearn.lie_error` adds the
adversarial search and the Lie derivative.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from orbitlearn.groups.action import Action
from orbitlearn.groups.algebra import Element, check_random_state
from orbitlearn.groups.backend import is_torch

DEFAULT_SAMPLES = 16
EXHAUSTIVE_LIMIT = 1024


# --------------------------------------------------------------------------- report


@dataclass
class SymmetryReport:
    """Errors of one symmetry claim, per group element (rows) and input (columns)."""

    kind: str  # "invariance" or "equivariance"
    group: str
    elements: list[Element]
    abs_errors: np.ndarray  # (n_elements, B) float64
    rel_errors: np.ndarray  # (n_elements, B) float64
    exhaustive: bool  # True when every element of the group was checked
    meta: dict[str, Any] = field(default_factory=dict)

    def _errors(self, relative: bool) -> np.ndarray:
        return self.rel_errors if relative else self.abs_errors

    @property
    def max_abs(self) -> float:
        """The largest absolute error over elements and inputs."""
        return float(self.abs_errors.max()) if self.abs_errors.size else 0.0

    @property
    def mean_abs(self) -> float:
        """The mean absolute error over elements and inputs."""
        return float(self.abs_errors.mean()) if self.abs_errors.size else 0.0

    @property
    def max_rel(self) -> float:
        """The largest relative error over elements and inputs."""
        return float(self.rel_errors.max()) if self.rel_errors.size else 0.0

    @property
    def mean_rel(self) -> float:
        """The mean relative error over elements and inputs."""
        return float(self.rel_errors.mean()) if self.rel_errors.size else 0.0

    def worst(self, relative: bool = True) -> tuple[int, Element]:
        """(input index, group element) of the largest error."""
        e = self._errors(relative)
        k, b = np.unravel_index(int(np.argmax(e)), e.shape)
        return int(b), self.elements[int(k)]

    @property
    def worst_input(self) -> int:
        """The index of the input with the largest relative error."""
        return self.worst(relative=True)[0]

    @property
    def worst_element(self) -> Element:
        """The group element with the largest relative error."""
        return self.worst(relative=True)[1]

    @property
    def eps_sampled(self) -> float:
        """(a) for a continuous group: the largest relative error over testing and Haar elements."""
        return self.max_rel

    @property
    def eps_adversarial(self) -> float | None:
        """(b): the adversarial search's largest relative error (None when not run)."""
        return self.meta.get("eps_adversarial")

    @property
    def eps_lie(self) -> float | None:
        """(c): the largest relative Lie derivative (None when not run)."""
        return self.meta.get("eps_lie")

    def summary(self) -> dict[str, Any]:
        """JSON-friendly numbers (with eps_adversarial / eps_lie when they were measured)."""
        extra = {
            k: self.meta[k] for k in ("eps_sampled", "eps_adversarial", "eps_lie") if k in self.meta
        }
        return extra | {
            "kind": self.kind,
            "group": self.group,
            "n_elements": len(self.elements),
            "n_inputs": int(self.abs_errors.shape[1]) if self.abs_errors.ndim == 2 else 0,
            "exhaustive": self.exhaustive,
            "max_abs": self.max_abs,
            "mean_abs": self.mean_abs,
            "max_rel": self.max_rel,
            "mean_rel": self.mean_rel,
            "worst_input": self.worst_input if self.abs_errors.size else None,
        }

    def assert_below(self, eps: float, relative: bool = True) -> None:
        """Raise AssertionError naming the worst input and element when the max error is >= eps."""
        e = self._errors(relative)
        if e.size == 0:
            return
        worst = float(e.max())
        if not worst < eps:
            b, g = self.worst(relative)
            which = "relative" if relative else "absolute"
            scope = "all" if self.exhaustive else "sampled"
            raise AssertionError(
                f"{self.kind} error under {self.group}: max {which} error {worst:.3e} >= {eps:.3e} "
                f"(mean {float(e.mean()):.3e}) over {len(self.elements)} {scope} elements x "
                f"{e.shape[1]} inputs; worst at input {b}, element {_fmt(g)}"
            )
        if not relative:
            return
        adv = self.meta.get("eps_adversarial")
        if adv is not None and not adv < eps:
            raise AssertionError(
                f"{self.kind} error under {self.group}: the adversarial search found relative "
                f"error {adv:.3e} >= {eps:.3e} at input {self.meta.get('worst_adversarial_input')}, "
                f"element {_fmt(self.meta.get('worst_adversarial_element'))}"
            )
        lie = self.meta.get("eps_lie")
        if lie is not None and not lie < eps:
            raise AssertionError(
                f"{self.kind} error under {self.group}: relative Lie derivative {lie:.3e} >= {eps:.3e}"
            )


def _fmt(g: Element) -> str:
    if isinstance(g, tuple):
        return "(" + ", ".join(_fmt(c) for c in g) + ")"
    return np.array2string(np.asarray(g), separator=",").replace("\n", "")


# --------------------------------------------------------------------------- adapters


def _is_torch_module(f: Any) -> bool:
    return any(
        c.__module__.startswith("torch.nn") and c.__name__ == "Module" for c in type(f).__mro__
    )


def _to_numpy64(y: Any) -> Any:
    if isinstance(y, (tuple, list)):
        return tuple(_to_numpy64(c) for c in y)
    if is_torch(y):
        y = y.detach().cpu().numpy()
    return np.asarray(y, dtype=np.float64)


def _call(f: Callable[..., Any], x: Any) -> Any:
    """f(*x) for a tuple of inputs, f(x) otherwise."""
    return f(*x) if isinstance(x, tuple) else f(x)


def batch_size(y: Any) -> int:
    """B of an array, or of the first array of a tuple."""
    return int(len(y[0]) if isinstance(y, tuple) else len(y))


def tree_sub(a: Any, b: Any) -> Any:
    """a − b, array by array for tuples."""
    if isinstance(a, tuple):
        return tuple(tree_sub(u, v) for u, v in zip(a, b, strict=True))
    return np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)


def as_numpy_function(f: Any) -> Callable[[Any], np.ndarray]:
    """Wrap a callable, estimator or torch module as x ↦ f(x) returned as a float64 numpy array."""
    if _is_torch_module(f):
        import torch

        params = list(f.parameters())
        dtype = params[0].dtype if params else torch.get_default_dtype()
        device = params[0].device if params else torch.device("cpu")

        def to_tensor(x: Any) -> Any:
            if isinstance(x, tuple):
                return tuple(to_tensor(c) for c in x)
            t = x if is_torch(x) else torch.as_tensor(np.ascontiguousarray(x))
            if not t.dtype.is_floating_point:
                t = t.to(dtype)
            return t.to(device)

        def call_module(x: Any) -> np.ndarray:
            with torch.no_grad():
                return _to_numpy64(_call(f, to_tensor(x)))

        return call_module
    if hasattr(f, "predict_proba") or hasattr(f, "predict"):
        method = f.predict_proba if hasattr(f, "predict_proba") else f.predict

        def call_estimator(x: Any) -> np.ndarray:
            a = _to_numpy64(x) if is_torch(x) else np.asarray(x)
            return np.asarray(method(a.reshape(len(a), -1)), dtype=np.float64)

        return call_estimator
    if not callable(f):
        raise TypeError(f"expected a callable, estimator or torch module, got {type(f).__name__}")
    return lambda x: _to_numpy64(_call(f, x))


class _EvalMode:
    """Context: a torch module in eval mode, its previous training flag restored on exit."""

    def __init__(self, f: Any):
        self.f = f if _is_torch_module(f) else None
        self.was_training = False

    def __enter__(self) -> _EvalMode:
        if self.f is not None:
            self.was_training = self.f.training
            self.f.eval()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.f is not None:
            self.f.train(self.was_training)


def _upcast(x: Any) -> Any:
    if isinstance(x, tuple):
        return tuple(_upcast(c) for c in x)
    if is_torch(x):
        return x.double() if x.dtype.is_floating_point else x
    xa = np.asarray(x)
    return xa.astype(np.float64) if np.issubdtype(xa.dtype, np.floating) else xa


def _downcast(y: Any, like: Any) -> Any:
    if isinstance(y, tuple):
        return tuple(_downcast(a, b) for a, b in zip(y, like, strict=True))
    if is_torch(like):
        return y.to(like.dtype) if like.dtype.is_floating_point else y
    la = np.asarray(like)
    return np.asarray(y).astype(la.dtype) if np.issubdtype(la.dtype, np.floating) else y


def _act_precise(group: Action, g: Element, x: Any) -> Any:
    """ρ(g)x computed exactly on integers, in float64 on floats, returned in x's dtype."""
    if isinstance(x, tuple):
        return _downcast(group.act(g, _upcast(x)), x)
    if is_torch(x):
        if x.dtype.is_floating_point:
            return group.act(g, x.double()).to(x.dtype)
        return group.act(g, x)
    xa = np.asarray(x)
    if np.issubdtype(xa.dtype, np.floating):
        return group.act(g, xa.astype(np.float64)).astype(xa.dtype)
    return group.act(g, xa)


def _choose_elements(
    group: Action,
    n_samples: int | None,
    rng: np.random.Generator | int | None,
    elements: Sequence[Element] | None,
) -> tuple[list[Element], bool]:
    if elements is not None:
        return list(elements), False
    testing = getattr(group.group, "testing_elements", None)
    if testing is not None:  # a continuous group: its testing elements and Haar samples
        drawn = group.sample(n_samples or DEFAULT_SAMPLES, check_random_state(rng))
        return [*testing(), *drawn], False
    if n_samples is None and group.is_small(EXHAUSTIVE_LIMIT):
        return group.elements(), True
    return group.sample(n_samples or DEFAULT_SAMPLES, check_random_state(rng)), False


def _rownorm(a: Any) -> np.ndarray:
    """The Euclidean norm of every item (over all the arrays of a tuple together)."""
    if isinstance(a, tuple):
        return np.sqrt(sum(_rownorm(c) ** 2 for c in a))
    a = np.asarray(a, dtype=np.float64)
    return np.sqrt((a.reshape(len(a), -1) ** 2).sum(axis=1))


# --------------------------------------------------------------------------- measurements


def invariance_error(
    f: Any,
    group: Action,
    x: Any,
    *,
    n_samples: int | None = None,
    rng: np.random.Generator | int | None = None,
    elements: Sequence[Element] | None = None,
    tiny: float = 1e-12,
) -> SymmetryReport:
    """‖f(ρ(g)x) − f(x)‖ per element g and input x[b].

    Checks every element when the group has at most `EXHAUSTIVE_LIMIT` elements and `n_samples` is None, else
    `n_samples` (default 16) elements sampled with `rng`; or exactly the given `elements`.
    """
    fn = as_numpy_function(f)
    gs, exhaustive = _choose_elements(group, n_samples, rng, elements)
    with _EvalMode(f):
        ref = fn(x)
        ref_norm = np.maximum(_rownorm(ref), tiny)
        abs_e = np.empty((len(gs), batch_size(ref)))
        for k, g in enumerate(gs):
            abs_e[k] = _rownorm(tree_sub(fn(_act_precise(group, g, x)), ref))
    return SymmetryReport("invariance", group.name, gs, abs_e, abs_e / ref_norm, exhaustive)


def equivariance_error(
    f: Any,
    group_in: Action,
    group_out: Action | Callable[[Element, Any], Any],
    x: Any,
    *,
    n_samples: int | None = None,
    rng: np.random.Generator | int | None = None,
    elements: Sequence[Element] | None = None,
    tiny: float = 1e-12,
) -> SymmetryReport:
    """‖f(ρ_X(g)x) − ρ_Y(g)f(x)‖ per element g of `group_in` and input x[b].

    `group_out` is an action of the same group on the output (ValueError otherwise: the two
    actions must share their `group`, e.g. `C4()` on images and `RegularAction("p4")` on
    feature maps), or a function (g, y) ↦ ρ_Y(g)y. Elements are chosen as in `invariance_error`.
    """
    if isinstance(group_out, Action) and group_out.group != group_in.group:
        raise ValueError(
            f"the input action's group is {group_in.group.name}, the output action's "
            f"{group_out.group.name}: an equivariance needs one group acting on both"
        )
    fn = as_numpy_function(f)
    gs, exhaustive = _choose_elements(group_in, n_samples, rng, elements)
    rho_out = group_out.act if isinstance(group_out, Action) else group_out
    with _EvalMode(f):
        fx = fn(x)
        abs_e = np.empty((len(gs), batch_size(fx)))
        rel_e = np.empty_like(abs_e)
        for k, g in enumerate(gs):
            target = _to_numpy64(rho_out(g, fx))
            abs_e[k] = _rownorm(tree_sub(fn(_act_precise(group_in, g, x)), target))
            rel_e[k] = abs_e[k] / np.maximum(_rownorm(target), tiny)
    name = (
        group_in.name
        if not isinstance(group_out, Action)
        else f"{group_in.name} -> {group_out.name}"
    )
    return SymmetryReport("equivariance", name, gs, abs_e, rel_e, exhaustive)


__all__ = ["SymmetryReport", "invariance_error", "equivariance_error", "as_numpy_function"]
