"""ε for continuous groups, three ways (the finite groups keep the exhaustive check of
`orbitlearn.symmetry`):

(a) sampled:      max over `testing_elements()` and Haar samples of ‖f(ρ_X(g)x) − ρ_Y(g)f(x)‖ / ‖ρ_Y(g)f(x)‖
(b) adversarial:  the same relative error maximised over the group's coordinates g = c_k exp(ξ)
                  (Nelder-Mead on ξ in every component c_k), started from the worst elements of
                  (a); reported as max(found, (a)), with the worst element
(c) Lie:          the Lie derivative along each generator A (Gruver et al. 2023),
                  L_A f(x) = d/ds ρ_Y(exp(sA))⁻¹ f(ρ_X(exp(sA)) x) at s = 0
                           = J_f(x) · dρ_X(A)x − dρ_Y(A) f(x),
                  by a torch JVP (forward-mode AD, `torch.autograd.forward_ad`: the same J·v as
                  `torch.func.jvp`, and it lets a model read plain values such as a frame's
                  degeneracy count) or a central finite difference, reported as
                  max ‖L_A f(x)‖ / ‖f(x)‖ over generators and inputs

`continuous_error` runs all three and returns the `SymmetryReport` of (a) with `eps_adversarial`,
`eps_lie` and the worst elements in its `meta`. `output_action=None` means invariance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from orbitlearn.groups.action import Action
from orbitlearn.groups.algebra import Element
from orbitlearn.groups.backend import is_torch
from orbitlearn.groups.lie import LieGroup
from orbitlearn.rng import check_random_state
from orbitlearn.symmetry import (
    SymmetryReport,
    _act_precise,
    _EvalMode,
    _is_torch_module,
    _rownorm,
    _to_numpy64,
    as_numpy_function,
    equivariance_error,
    invariance_error,
    tree_sub,
)

DEFAULT_STARTS = 3
DEFAULT_EVALS = 120
FD_STEP = 1e-4


def _lie_group(action: Action) -> LieGroup:
    g = action.group
    if not isinstance(g, LieGroup):
        raise TypeError(f"{g} is not a Lie group: use the exhaustive or sampled check")
    return g


def _item(x: Any, b: int) -> Any:
    """Input b of a batch (kept as a batch of one), for arrays or tuples of arrays."""
    if isinstance(x, tuple):
        return tuple(_item(c, b) for c in x)
    return x[b : b + 1]


def _rho_out(output_action: Action | None, g: Element, y: Any) -> Any:
    return y if output_action is None else _to_numpy64(output_action.act(g, y))


def _relative_error(
    fn: Callable[[Any], Any], a_in: Action, a_out: Action | None, g: Element, x: Any, fx: Any
) -> np.ndarray:
    target = _rho_out(a_out, g, fx)
    err = _rownorm(tree_sub(fn(_act_precise(a_in, g, x)), target))
    return err / np.maximum(_rownorm(target), 1e-12)


def sampled_error(
    f: Any,
    input_action: Action,
    output_action: Action | None,
    x: Any,
    *,
    n_samples: int | None = None,
    rng: np.random.Generator | int | None = None,
) -> SymmetryReport:
    """(a): the errors over `testing_elements()` and `n_samples` Haar samples (default 16)."""
    _lie_group(input_action)
    if output_action is None:
        return invariance_error(f, input_action, x, n_samples=n_samples, rng=rng)
    return equivariance_error(f, input_action, output_action, x, n_samples=n_samples, rng=rng)


def adversarial_error(
    f: Any,
    input_action: Action,
    output_action: Action | None,
    x: Any,
    start: SymmetryReport,
    *,
    n_starts: int = DEFAULT_STARTS,
    max_evals: int = DEFAULT_EVALS,
) -> tuple[float, Element, int]:
    """(b): (ε, worst element, worst input) maximising the relative error over the coordinates
    of the group, from the `n_starts` worst (element, input) pairs of `start`; ε ≥ start.max_rel."""
    from scipy.optimize import minimize

    group = _lie_group(input_action)
    fn = as_numpy_function(f)
    errors = start.rel_errors
    order = np.argsort(errors, axis=None)[::-1][: max(1, n_starts)]
    best_err, best_g, best_input = start.max_rel, start.worst_element, start.worst_input
    with _EvalMode(f):
        for flat in order:
            k_el, b = np.unravel_index(int(flat), errors.shape)
            xb = _item(x, int(b))
            fx = fn(xb)
            comp, xi0 = group.coordinates(start.elements[int(k_el)])

            def loss(xi: np.ndarray, comp: int = comp, xb: Any = xb, fx: Any = fx) -> float:
                g = group.from_coordinates(comp, xi)
                return -float(_relative_error(fn, input_action, output_action, g, xb, fx)[0])

            res = minimize(
                loss,
                xi0,
                method="Nelder-Mead",
                options={"maxfev": max_evals, "initial_simplex": _simplex(xi0, 0.3)},
            )
            if -res.fun > best_err:
                best_err = float(-res.fun)
                best_g = group.from_coordinates(comp, res.x)
                best_input = int(b)
    return best_err, best_g, best_input


def _simplex(x0: np.ndarray, step: float) -> np.ndarray:
    """x0 and x0 + step along each coordinate."""
    return np.vstack([x0, x0 + step * np.eye(len(x0))])


# ---------------------------------------------------------------------- the Lie derivative


def _tangent(action: Action | None, a: np.ndarray, y: Any) -> Any:
    if action is None:
        return _zeros_like(y)
    tangent = getattr(action, "tangent", None)
    if tangent is None:
        raise TypeError(f"{action.name} has no infinitesimal action (tangent)")
    return tangent(a, y)


def _zeros_like(y: Any) -> Any:
    if isinstance(y, tuple):
        return tuple(_zeros_like(c) for c in y)
    return y * 0


def _as_tensors(x: Any, dtype: Any, device: Any) -> Any:
    import torch

    if isinstance(x, tuple):
        return tuple(_as_tensors(c, dtype, device) for c in x)
    t = x if is_torch(x) else torch.as_tensor(np.asarray(x))
    return t.to(dtype=dtype if not t.dtype.is_floating_point else t.dtype, device=device)


def lie_derivative(
    f: Any,
    input_action: Action,
    output_action: Action | None,
    x: Any,
    *,
    method: str = "auto",
    step: float = FD_STEP,
) -> np.ndarray:
    """(c): ‖L_A f(x)‖ per generator A and input, (dim, B) float64 (absolute; see the module
    docstring). `method` "jvp" (torch modules), "fd" (central difference, any f) or "auto"."""
    group = _lie_group(input_action)
    gens = group.generators()
    if method == "auto":
        method = "jvp" if _is_torch_module(f) else "fd"
    if method == "jvp":
        return _lie_jvp(f, input_action, output_action, x, gens)
    if method != "fd":
        raise ValueError(f"method must be 'jvp', 'fd' or 'auto', not {method!r}")
    fn = as_numpy_function(f)
    out = []
    with _EvalMode(f):
        for i in range(len(gens)):
            e = np.zeros(len(gens))
            e[i] = step
            vals = []
            for s in (1.0, -1.0):
                g = group.exp(s * e)
                y = fn(_act_precise(input_action, g, x))
                vals.append(
                    y
                    if output_action is None
                    else _to_numpy64(output_action.act(group.inverse(g), y))
                )
            diff = tree_sub(vals[0], vals[1])
            out.append(_rownorm(diff) / (2 * step))
    return np.stack(out)


def _lie_jvp(
    f: Any, input_action: Action, output_action: Action | None, x: Any, gens: np.ndarray
) -> np.ndarray:
    import torch
    import torch.autograd.forward_ad as fwad

    params = list(f.parameters())
    dtype = params[0].dtype if params else torch.get_default_dtype()
    device = params[0].device if params else torch.device("cpu")
    xt = _as_tensors(x, dtype, device)
    primals = xt if isinstance(xt, tuple) else (xt,)
    out = []
    with _EvalMode(f):
        for a in gens:
            tangents = _tangent(input_action, a, xt)
            tangents = tangents if isinstance(tangents, tuple) else (tangents,)
            tangents = tuple(t.to(p.dtype) for t, p in zip(tangents, primals, strict=True))
            with fwad.dual_level():
                out_dual = f(
                    *(fwad.make_dual(p, t) for p, t in zip(primals, tangents, strict=True))
                )
                pairs = [
                    fwad.unpack_dual(o)
                    for o in (out_dual if isinstance(out_dual, tuple) else (out_dual,))
                ]
                fx = _to_numpy64(tuple(p.primal for p in pairs))
                jv = _to_numpy64(tuple(_tangent_or_zero(p) for p in pairs))
            if not isinstance(out_dual, tuple):
                fx, jv = fx[0], jv[0]
            lie = tree_sub(jv, _to_numpy64(_tangent(output_action, a, fx)))
            out.append(_rownorm(lie))
    return np.stack(out)


def _tangent_or_zero(pair: Any) -> Any:
    """The forward-mode tangent of an output (zeros when the output does not depend on x)."""
    import torch

    return pair.tangent if pair.tangent is not None else torch.zeros_like(pair.primal)


def lie_error(
    f: Any, input_action: Action, output_action: Action | None, x: Any, *, method: str = "auto"
) -> float:
    """max over generators and inputs of ‖L_A f(x)‖ / ‖f(x)‖."""
    lie = lie_derivative(f, input_action, output_action, x, method=method)
    fx = as_numpy_function(f)(x)
    return float((lie / np.maximum(_rownorm(fx), 1e-12)).max()) if lie.size else 0.0


def continuous_error(
    f: Any,
    input_action: Action,
    output_action: Action | None,
    x: Any,
    *,
    n_samples: int | None = None,
    rng: np.random.Generator | int | None = None,
    adversarial: bool = True,
    lie: bool = True,
    n_starts: int = DEFAULT_STARTS,
    max_evals: int = DEFAULT_EVALS,
) -> SymmetryReport:
    """(a), then (b) and (c) when asked: the report of (a) with meta eps_sampled,
    eps_adversarial, worst_adversarial_element, worst_adversarial_input, eps_lie."""
    report = sampled_error(
        f, input_action, output_action, x, n_samples=n_samples, rng=check_random_state(rng)
    )
    report.meta["eps_sampled"] = report.max_rel
    if adversarial:
        eps, g, b = adversarial_error(
            f, input_action, output_action, x, report, n_starts=n_starts, max_evals=max_evals
        )
        report.meta.update(
            eps_adversarial=eps, worst_adversarial_element=g, worst_adversarial_input=b
        )
    if lie:
        report.meta["eps_lie"] = lie_error(f, input_action, output_action, x)
    return report


__all__ = [
    "adversarial_error",
    "continuous_error",
    "lie_derivative",
    "lie_error",
    "sampled_error",
]
