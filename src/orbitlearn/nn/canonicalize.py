"""Canonicalisers as torch modules: forward(x) = π(x), with gradients when π is a permutation.

Any object with `project(batch)` and `group(m, n)` (an `orbitlearn.canon.Canonicalizer`) can be
wrapped; this module does not import `orbitlearn.canon` (the dependency goes canon → nn only).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from orbitlearn.groups.claims import Invariance


class CanonicalizeModule(nn.Module):
    """x ↦ π(x). When the canonicaliser returns the group element g with π(x) = g·x
    (`project_with_elements`), the output is computed as g·x on the tensor itself, so gradients
    flow to x; otherwise π is computed in numpy and has no gradient."""

    def __init__(self, canon: Any):
        super().__init__()
        self.canon = canon

    @property
    def symmetry(self) -> Invariance | None:
        """Invariance under the canonicaliser's group when π is exact, else None."""
        return Invariance(self.canon.group()) if getattr(self.canon, "exact", False) else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with_elements = getattr(self.canon, "project_with_elements", None)
        if with_elements is None:
            return self.canon.project(x)
        _, elements = with_elements(x.detach().cpu().numpy())
        return self.canon.group(*x.shape[-2:]).act_batch(elements, x)
