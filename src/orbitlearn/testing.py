"""Testing helpers: check a module against the symmetry it declares.

`assert_equivariant(module, x)` reads ``module.symmetry`` (an `Invariance` or `Equivariance` of
`orbitlearn.groups.claims`), fixes any open sizes from ``x`` and the output, checks every element
of a small group (at most 1024) or samples a large one, and raises AssertionError when the largest
relative error reaches the tolerance of the input's dtype (`TOLERANCES`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orbitlearn.groups.claims import Equivariance, Invariance
from orbitlearn.groups.lie import LieGroup
from orbitlearn.lie_error import continuous_error
from orbitlearn.symmetry import SymmetryReport, equivariance_error, invariance_error

#: largest relative error allowed for an exactly symmetric map, by the input's float type
TOLERANCES = {"float16": 1e-2, "bfloat16": 2e-2, "float32": 1e-5, "float64": 1e-10}


def _dtype_name(x: Any) -> str:
    if isinstance(x, tuple):  # the first float array of a tuple of inputs
        floats = [c for c in x if "float" in _dtype_name(c)]
        return _dtype_name(floats[0] if floats else x[0])
    return str(getattr(x, "dtype", np.asarray(x).dtype)).removeprefix("torch.")


def declared_symmetry(module: Any) -> Invariance | Equivariance:
    """What `module` declares (TypeError when it declares nothing exact)."""
    sym = getattr(module, "symmetry", None)
    if sym is None or (isinstance(sym, Invariance) and sym.is_trivial()):
        raise TypeError(
            f"{type(module).__name__} declares no exact symmetry (its `symmetry` is {sym!r}); "
            "pass symmetry=... to check one anyway"
        )
    if not isinstance(sym, (Invariance, Equivariance)):
        raise TypeError(f"{type(module).__name__}.symmetry must be an Invariance or Equivariance")
    return sym


def _shape(x: Any) -> Any:
    """x's shape, or the tuple of shapes of a tuple of inputs."""
    return tuple(tuple(c.shape) for c in x) if isinstance(x, tuple) else tuple(x.shape)


def _output_shape(module: Any, x: Any) -> Any:
    import torch

    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            return _shape(module(*x) if isinstance(x, tuple) else module(x))
    finally:
        module.train(was_training)


def assert_equivariant(
    module: Any,
    x: Any,
    *,
    symmetry: Invariance | Equivariance | None = None,
    n_samples: int | None = None,
    rng: int | np.random.Generator | None = 0,
    rtol: float | None = None,
    adversarial: bool = True,
    lie: bool = True,
) -> SymmetryReport:
    """Check module(ρ_in(g)x) against module(x) (invariance) or ρ_out(g)module(x) (equivariance).

    `symmetry` defaults to the module's declaration. Small groups are checked element by element,
    large ones on `n_samples` (default 16) elements drawn with `rng`. `rtol` defaults to the
    tolerance of x's dtype. Returns the `SymmetryReport` when the check passes.

    For a continuous group (`LieGroup`) the check is the three measures of
    `orbitlearn.lie_error.continuous_error`: testing elements and Haar samples, then (unless
    turned off) an adversarial search and the Lie derivative, each below the tolerance.
    """
    sym = symmetry if symmetry is not None else declared_symmetry(module)
    if isinstance(sym, Invariance) and sym.everything:
        raise TypeError("a claim of invariance under everything cannot be checked by sampling")
    tol = rtol if rtol is not None else TOLERANCES.get(_dtype_name(x), 1e-5)
    if isinstance(sym, Invariance):
        action = sym.action.bind(_shape(x))  # type: ignore[union-attr]
        action.check_shape(_shape(x))
        if isinstance(action.group, LieGroup):
            report = continuous_error(
                module,
                action,
                None,
                x,
                n_samples=n_samples,
                rng=rng,
                adversarial=adversarial,
                lie=lie,
            )
        else:
            report = invariance_error(module, action, x, n_samples=n_samples, rng=rng)
    elif isinstance(sym.action_in.group, LieGroup):
        sym.action_in.check_shape(_shape(x))
        report = continuous_error(
            module,
            sym.action_in,
            sym.action_out,
            x,
            n_samples=n_samples,
            rng=rng,
            adversarial=adversarial,
            lie=lie,
        )
    else:
        bound = sym.bind(_shape(x), _output_shape(module, x))
        bound.action_in.check_shape(_shape(x))
        report = equivariance_error(
            module, bound.action_in, bound.action_out, x, n_samples=n_samples, rng=rng
        )
    report.assert_below(tol, relative=True)
    return report


__all__ = ["TOLERANCES", "assert_equivariant", "declared_symmetry"]
