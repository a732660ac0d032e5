"""Testing helpers: check a module against the symmetry it declares.

`assert_equivariant(module, x)` reads ``module.symmetry`` (an `Invariance` or `Equivariance` of
`orbitlearn.groups.claims`), fixes any open sizes from ``x`` and the output, checks every element
of a small group (at most `symmetry.EXHAUSTIVE_LIMIT` elements) or samples a large one, and raises AssertionError when the largest
relative error reaches the tolerance of the input's dtype (`TOLERANCES`).

Generic checks, as scikit-learn's `check_estimator` and escnn's group tests: `group_checks(G)`
yields the group axioms (identity, inverse, associativity; for a Lie group also exp/log round
trips, membership, and Haar invariance checked statistically) as named callables, `check_group`
runs them all, `all_groups()` lists every group of the checks (`FINITE_GROUPS` and the Lie
groups), and `check_layer_dtypes` runs `assert_equivariant` on a layer in float32 and float64.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from orbitlearn.groups.algebra import (
    GLZ,
    CyclicGroup,
    DihedralGroup,
    DirectProduct,
    Element,
    Group,
    HyperoctahedralGroup,
    SymmetricGroup,
    TranslationGroup,
    Trivial,
)
from orbitlearn.groups.claims import Equivariance, Invariance
from orbitlearn.groups.lie import LIE_GROUPS, LieGroup, split
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


# ---------------------------------------------------------------------- generic group checks


#: the finite groups the generic checks run over (a new group is tested by adding one line)
FINITE_GROUPS: tuple[Callable[[], Group], ...] = (
    Trivial,
    lambda: SymmetricGroup(4),
    lambda: SymmetricGroup(26),
    lambda: HyperoctahedralGroup(4),
    lambda: GLZ(4),
    lambda: CyclicGroup(4),
    lambda: DihedralGroup(4),
    lambda: TranslationGroup((16,)),
    lambda: TranslationGroup((8, 8)),
    lambda: DirectProduct(SymmetricGroup(4), SymmetricGroup(26)),
    lambda: DirectProduct(HyperoctahedralGroup(4), SymmetricGroup(26)),
    lambda: DirectProduct(GLZ(4), SymmetricGroup(26)),
)


def all_groups() -> list[Group]:
    """Every group of the generic checks: `FINITE_GROUPS` and every Lie group."""
    return [make() for make in FINITE_GROUPS] + [cls() for cls in LIE_GROUPS]


def _check_identity(group: Group, gs: Sequence[Element]) -> None:
    e = group.identity()
    for g in gs:
        assert group.equal(group.compose(e, g), g), f"{group}: e g != g"
        assert group.equal(group.compose(g, e), g), f"{group}: g e != g"


def _check_inverse(group: Group, gs: Sequence[Element]) -> None:
    e = group.identity()
    for g in gs:
        gi = group.inverse(g)
        assert group.equal(group.compose(g, gi), e), f"{group}: g g⁻¹ != e"
        assert group.equal(group.compose(gi, g), e), f"{group}: g⁻¹ g != e"


def _check_associativity(group: Group, gs: Sequence[Element]) -> None:
    for a, b, c in zip(gs, gs[1:], gs[2:], strict=False):
        left = group.compose(group.compose(a, b), c)
        assert group.equal(left, group.compose(a, group.compose(b, c))), f"{group}: (ab)c != a(bc)"


def _check_exp_log(group: LieGroup, gs: Sequence[Element]) -> None:
    for g in gs:
        assert group.contains(g), f"{group}: a sampled matrix is not an element"
        k, xi = group.coordinates(g)
        assert np.allclose(group.from_coordinates(k, xi), g, atol=1e-9), f"{group}: exp(log g) != g"
    xi = np.linspace(-0.9, 1.1, group.dim)  # inside the injectivity radius
    assert np.allclose(group.log(group.exp(xi)), xi, atol=1e-9), f"{group}: log(exp ξ) != ξ"


def _check_haar(group: LieGroup, rng: np.random.Generator, n: int = 4000) -> None:
    """E[R] under the samples and under their left translates h·g agree within 6 standard errors
    (the rotation part of a Haar measure is left-invariant; translations are not Haar)."""
    if not group.has_rotations:
        return
    h = group.sample_array(1, rng)[0]
    gs = group.sample_array(n, rng)
    r, _ = split(gs, group.d)
    rh, _ = split(h @ gs, group.d)
    se = np.sqrt((r.var(0) + rh.var(0)) / n) + 1e-12
    z = np.abs(r.mean(0) - rh.mean(0)) / se
    assert z.max() < 6.0, f"{group}: sampling is not left-invariant (z = {z.max():.1f})"


def group_checks(
    group: Group, rng: int | np.random.Generator | None = 0, n: int = 8
) -> Iterator[tuple[str, Callable[[], None]]]:
    """(name, check) for each axiom of `group` (see the module docstring); a check raises
    AssertionError. The elements are `n` samples, plus the testing elements of a Lie group."""
    from orbitlearn.rng import check_random_state

    gen = check_random_state(rng)
    gs = list(group.sample(n, gen))
    if isinstance(group, LieGroup):
        gs += group.testing_elements()
    yield "identity", lambda: _check_identity(group, gs)
    yield "inverse", lambda: _check_inverse(group, gs)
    yield "associativity", lambda: _check_associativity(group, gs)
    if isinstance(group, LieGroup):
        yield "exp_log", lambda: _check_exp_log(group, gs)
        yield "haar", lambda: _check_haar(group, gen)


def check_group(group: Group, rng: int | np.random.Generator | None = 0, n: int = 8) -> None:
    """Run every check of `group_checks` (AssertionError on the first that fails)."""
    for _, check in group_checks(group, rng, n):
        check()


def check_layer_dtypes(
    make: Callable[[], Any],
    inputs: Callable[[Any], Any],
    dtypes: Sequence[str] = ("float32", "float64"),
    **kwargs: Any,
) -> dict[str, SymmetryReport]:
    """assert_equivariant on `make()` cast to each dtype, with `inputs(dtype)` (a torch dtype),
    against that dtype's tolerance; the reports by dtype name."""
    import torch

    out = {}
    for name in dtypes:
        dtype = getattr(torch, name)
        module = make().to(dtype)
        out[name] = assert_equivariant(module, inputs(dtype), **kwargs)
    return out


__all__ = [
    "TOLERANCES",
    "all_groups",
    "assert_equivariant",
    "check_group",
    "check_layer_dtypes",
    "declared_symmetry",
    "group_checks",
]
