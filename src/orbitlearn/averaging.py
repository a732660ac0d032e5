"""Group averaging (the Reynolds operator) of any function, numpy or torch: the one implementation
behind `orbitlearn.nn.Symmetrized` and the symmetrised pipelines of `orbitlearn.models`.

    f̄(x) = (1/|S|) Σ_{g ∈ S} ρ_out(g)⁻¹ f(ρ_in(g) x)

over a set S of elements: all of a finite group (then f̄ is exactly invariant, or equivariant when
`output_action` is given) or a sample (Monte Carlo: approximately so).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from orbitlearn.groups.action import Action
from orbitlearn.groups.algebra import Element
from orbitlearn.groups.backend import is_torch


def group_average(
    f: Callable[[Any], Any],
    action: Action,
    elements: Sequence[Element],
    x: Any,
    *,
    output_action: Action | None = None,
    batched: bool = False,
) -> Any:
    """The average of f over the images of x under `elements` (see the module docstring).

    `batched=True` stacks all images along the batch axis and calls f once (fast for networks);
    otherwise f is called once per element (for models that cannot take a bigger batch at once).
    """
    elements = list(elements)
    if not elements:
        raise ValueError("an average needs at least one group element")
    if batched:
        n = x.shape[0]
        if is_torch(x):
            import torch

            out = f(torch.cat([action.act(g, x) for g in elements], dim=0))
        else:
            import numpy as np

            out = f(np.concatenate([action.act(g, x) for g in elements], axis=0))
        out = out.reshape(len(elements), n, *out.shape[1:])
        if output_action is not None:
            moved = [
                output_action.act(output_action.inverse(g), out[i]) for i, g in enumerate(elements)
            ]
            if is_torch(out):
                import torch

                out = torch.stack(moved)
            else:
                import numpy as np

                out = np.stack(moved)
        return out.mean(0) if not is_torch(out) else out.mean(dim=0)
    total = None
    for g in elements:
        y = f(action.act(g, x))
        if output_action is not None:
            y = output_action.act(output_action.inverse(g), y)
        total = y if total is None else total + y
    return total / len(elements)


__all__ = ["group_average"]
