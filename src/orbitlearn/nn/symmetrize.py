"""Symmetrisation of any torch model over a group: the Reynolds operator and frame averaging.

* exact:  f̄(x) = (1/|G|) Σ_{g∈G} ρ_Y(g)⁻¹ f(ρ(g)x)         (all elements of a small finite group)
* mc:     f̄(x) ≈ (1/k) Σ_{i=1..k} ρ_Y(g_i)⁻¹ f(ρ(g_i)x)    (k sampled elements: approximate)
* frame:  f̄(x) = f(π(x))                                   (π a canonicaliser; invariant iff π is exact)

With no output group (the default) ρ_Y is trivial and f̄ is invariant; with `output_group`
the average is equivariant. `exact` tells whether the result is exactly symmetric.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from orbitlearn.averaging import group_average
from orbitlearn.groups.action import Action
from orbitlearn.groups.claims import Equivariance, Invariance
from orbitlearn.rng import check_random_state
from orbitlearn.symmetry import EXHAUSTIVE_LIMIT

#: the largest group averaged over exactly by default (the one limit of exhaustive checks)
MAX_EXACT = EXHAUSTIVE_LIMIT


class Symmetrized(nn.Module):
    """f̄ = Reynolds average of `model` over `group` (exact or Monte-Carlo), or f ∘ π (frame).

    Parameters
    ----------
    model : torch module f, applied to batches.
    group : the group acting on the model's input (not needed for mode="frame").
    mode : "exact", "mc" or "frame"; default: "frame" if a canonicaliser is given, "exact" for
        finite groups with at most `MAX_EXACT` elements, else "mc".
    k : number of sampled elements per forward pass in "mc" mode.
    canonicalizer : an `orbitlearn.canon` canonicaliser for "frame" mode.
    seed : seeds the Monte-Carlo sampler (numpy Generator).
    resample : in "mc" mode, draw fresh elements at every forward (True) or fix k elements once.
    output_group : ρ_Y for equivariant averaging (same elements as `group`); None = invariant.
    """

    def __init__(
        self,
        model: nn.Module,
        group: Action | None = None,
        *,
        mode: str | None = None,
        k: int = 16,
        canonicalizer: Any = None,
        seed: int | np.random.Generator | None = 0,
        resample: bool = True,
        output_group: Action | None = None,
    ):
        super().__init__()
        if mode is None:
            if canonicalizer is not None:
                mode = "frame"
            elif group is not None and group.is_small(MAX_EXACT):
                mode = "exact"
            else:
                mode = "mc"
        if mode not in ("exact", "mc", "frame"):
            raise ValueError(f"mode must be 'exact', 'mc' or 'frame', not {mode!r}")
        if mode == "frame" and canonicalizer is None:
            raise ValueError("mode='frame' needs a canonicalizer")
        if mode != "frame" and group is None:
            raise ValueError(f"mode={mode!r} needs a group")
        if mode == "exact" and not group.is_small(MAX_EXACT):
            raise ValueError(
                f"{group.name} is not a finite group with <= {MAX_EXACT} elements: use mode='mc'"
            )
        if k < 1:
            raise ValueError("k must be >= 1")
        self.model = model
        self.group = group
        self.mode = mode
        self.k = int(k)
        self.canonicalizer = canonicalizer
        self.output_group = output_group
        self.resample = resample
        self._rng = check_random_state(seed)
        self._elements = group.elements() if mode == "exact" else None
        self._fixed = None if (mode != "mc" or resample) else group.sample(self.k, self._rng)
        self._canon_module = canonicalizer.as_module() if mode == "frame" else None

    @property
    def exact(self) -> bool:
        """True when f̄ is exactly symmetric (up to float rounding): exact mode, or frame with an exact π."""
        if self.mode == "exact":
            return True
        if self.mode == "frame":
            return bool(getattr(self.canonicalizer, "exact", False))
        return False

    @property
    def symmetry(self) -> Invariance | Equivariance | None:
        """The exact claim: invariance (or equivariance with `output_group`) under `group` in
        exact mode, invariance under the canonicaliser's group in frame mode with an exact π;
        None in Monte-Carlo mode (only approximately symmetric)."""
        if not self.exact:
            return None
        if self.mode == "frame":
            return Invariance(self.canonicalizer.group())
        if self.output_group is None:
            return Invariance(self.group)
        return Equivariance(self.group, self.output_group)

    def elements_for_forward(self) -> list:
        """The group elements the next forward pass averages over."""
        if self.mode == "exact":
            return self._elements
        if self._fixed is not None:
            return self._fixed
        return self.group.sample(self.k, self._rng)

    def forward(self, *x: torch.Tensor) -> torch.Tensor:
        """f̄(x); several arguments are one tuple of inputs moved jointly (a `Joint` group)."""
        if self.mode == "frame":
            return self.model(self._canon_module(*x))
        return group_average(
            self.model,
            self.group,
            self.elements_for_forward(),
            x[0] if len(x) == 1 else x,
            output_action=self.output_group,
            batched=True,
        )

    def extra_repr(self) -> str:
        """The wrapper's settings for printing."""
        g = self.group.name if self.group is not None else type(self.canonicalizer).__name__
        extra = f", k={self.k}" if self.mode == "mc" else ""
        return f"mode={self.mode}, group={g}{extra}, exact={self.exact}"
