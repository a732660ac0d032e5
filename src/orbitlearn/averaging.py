"""Group averaging (the Reynolds operator) of any function, numpy or torch: the one implementation
behind `orbitlearn.nn.Symmetrized` and the symmetrised pipelines of `orbitlearn.models`.

    f̄(x) = (1/|S|) Σ_{g ∈ S} ρ_out(g)⁻¹ f(ρ_in(g) x)

over a set S of elements: all of a finite group (then f̄ is exactly invariant, or equivariant when
`output_action` is given) or a sample (Monte Carlo: approximately so).

`frame_average` is the same average over an input-dependent set, the 2^d PCA sign frames of a
point cloud (`orbitlearn.frames`; Puny et al. 2022): exactly E(d)-invariant or -equivariant on
inputs whose covariance eigenvalues are distinct.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from orbitlearn.frames import PCAFrames, sign_frames
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


def frame_average(
    f: Callable[..., Any],
    inputs: Sequence[Any],
    roles_in: Sequence[str],
    roles_out: Sequence[str] | str,
    frames: PCAFrames,
) -> Any:
    """(1/2^d) Σ_S ρ_out(g_S)⁻¹ f(ρ_in(g_S) x) over the sign frames g_S: x ↦ (x − c) U S.

    `inputs` are the model's arguments (each (B, n, d) for "position"/"vector", any shape for
    "scalar"), moved by their role; the output (one array, or a tuple when `roles_out` is a
    sequence) is moved back by its role(s). f is called once on the 2^d frames stacked along
    the batch axis.
    """
    single = isinstance(roles_out, str)
    outs_roles = [roles_out] if single else list(roles_out)
    first = inputs[0]
    d = frames.axes.shape[-1]
    signs = sign_frames(d)
    if is_torch(first):
        import torch

        signs = torch.as_tensor(signs, dtype=frames.axes.dtype, device=frames.axes.device)
        cat = torch.cat
    else:
        import numpy as np

        signs = signs.astype(frames.axes.dtype)
        cat = np.concatenate
    n = first.shape[0]
    k = len(signs)
    moved = [
        cat([frames.to_frame(x, role, signs=s) for s in signs], 0)
        for x, role in zip(inputs, roles_in, strict=True)
    ]
    y = f(*moved)
    ys = [y] if single else list(y)
    out = []
    for yi, role in zip(ys, outs_roles, strict=True):
        parts = [
            frames.from_frame(yi[j * n : (j + 1) * n], role, signs=s) for j, s in enumerate(signs)
        ]
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        out.append(total / k)
    return out[0] if single else tuple(out)


__all__ = ["frame_average", "group_average"]
