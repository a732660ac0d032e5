"""`orbitlearn check --group e3 --checkpoint CKPT`: ε of a point-cloud model under a Lie group.

The checkpoint is a file `torch.load` reads (weights_only=False) into one of

* a torch module declaring its symmetry as an `Equivariance` / `Invariance` of `PointCloud` /
  `Joint` actions (an `orbitlearn.nn.EGNN`, a `FrameAveraging`), whose roles are read from it;
* an object (or a dict) with `module` (a torch module called as module(*inputs)),
  `input_roles` (one role per argument: "position", "vector" or "scalar") and `output_roles`
  (one role, or one per output of a tuple).

Inputs are `--data FILE.npz` (arrays in argument order: named by the model's `input_names`, else
arr_0, arr_1, ...) or, without data, seeded Gaussian arrays of the model's `input_shapes` (one
per-item shape per argument, default (5, 3) for points and (5, 1) for scalars). The report gives
`eps_sampled`, `eps_adversarial` and `eps_lie` (`orbitlearn.lie_error`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups.action import Action
from orbitlearn.groups.claims import Equivariance, Invariance
from orbitlearn.groups.lie import LIE_GROUP_NAMES, LieGroup
from orbitlearn.groups.pointcloud import Joint, PointCloud, point_cloud_inputs
from orbitlearn.rng import check_random_state

DEFAULT_POINTS = 5


class PointCloudCheckpointError(OrbitlearnError, ValueError):
    """A checkpoint that is not a point-cloud model `check --group` can read."""


@dataclass
class PointCloudModel:
    """A torch module and the role of each input and output."""

    module: Any
    input_roles: tuple[str, ...]
    output_roles: tuple[str, ...] | str
    input_shapes: tuple[tuple[int, ...], ...] | None = None
    input_names: tuple[str, ...] | None = None


def _roles(action: Action) -> tuple[str, ...]:
    if isinstance(action, Joint):
        return tuple(a.role for a in action.actions)  # type: ignore[attr-defined]
    if isinstance(action, PointCloud):
        return (action.role,)
    raise PointCloudCheckpointError(f"{action.name} is not an action on point clouds")


def as_point_cloud_model(obj: Any) -> PointCloudModel:
    """Read the interface of the module docstring from a loaded object."""
    get = obj.get if isinstance(obj, dict) else (lambda k, d=None: getattr(obj, k, d))
    module = get("module") or (obj if hasattr(obj, "forward") else None)
    if module is None:
        raise PointCloudCheckpointError(
            "the checkpoint holds neither a torch module nor an object with `module`"
        )
    ins, outs = get("input_roles"), get("output_roles")
    if ins is None:
        sym = getattr(module, "symmetry", None)
        if isinstance(sym, Equivariance):
            ins, out_roles = _roles(sym.action_in), _roles(sym.action_out)
            outs = out_roles if isinstance(sym.action_out, Joint) else out_roles[0]
        elif isinstance(sym, Invariance) and sym.action is not None:
            ins, outs = _roles(sym.action), "scalar"
        else:
            raise PointCloudCheckpointError(
                "the checkpoint's model gives no input_roles/output_roles and declares no "
                "point-cloud symmetry"
            )
    shapes, names = get("input_shapes"), get("input_names")
    return PointCloudModel(
        module,
        tuple(ins),
        outs if isinstance(outs, str) else tuple(outs),
        None if shapes is None else tuple(tuple(int(v) for v in s) for s in shapes),
        None if names is None else tuple(names),
    )


def load_point_cloud_model(path: str | Path) -> PointCloudModel:
    """torch.load the checkpoint and read its interface (one-line errors)."""
    import torch

    p = Path(path)
    if not p.is_file():
        raise PointCloudCheckpointError(f"no checkpoint at {p}")
    try:
        obj = torch.load(p, map_location="cpu", weights_only=False)
    except Exception as exc:  # a file torch cannot read: one line, no traceback
        raise PointCloudCheckpointError(f"cannot read {p} as a torch checkpoint: {exc}") from None
    return as_point_cloud_model(obj)


def _inputs(
    model: PointCloudModel, data: str | Path | None, d: int, limit: int, seed: int
) -> tuple[Any, ...]:
    import torch

    params = list(model.module.parameters())
    dtype = params[0].dtype if params else torch.float64
    if data is not None:
        with np.load(data) as z:
            names = model.input_names or tuple(f"arr_{i}" for i in range(len(model.input_roles)))
            missing = [n for n in names if n not in z]
            if missing:
                raise PointCloudCheckpointError(f"{data} has no arrays {', '.join(missing)}")
            arrays = [np.asarray(z[n])[:limit] for n in names]
        return tuple(torch.as_tensor(a).to(dtype) for a in arrays)
    rng = check_random_state(seed)
    shapes = model.input_shapes or tuple(
        (DEFAULT_POINTS, d if r != "scalar" else 1) for r in model.input_roles
    )
    return tuple(torch.as_tensor(rng.normal(size=(limit, *s))).to(dtype) for s in shapes)


def _action(group: LieGroup, roles: Sequence[str] | str) -> Action:
    if isinstance(roles, str):
        return PointCloud(group, roles)
    return PointCloud(group, roles[0]) if len(roles) == 1 else point_cloud_inputs(group, *roles)


def check_point_cloud_model(
    model: PointCloudModel,
    group: LieGroup,
    inputs: tuple[Any, ...],
    *,
    samples: int = 16,
    seed: int = 0,
    max_evals: int = 120,
) -> dict[str, Any]:
    """The three ε of `orbitlearn.lie_error.continuous_error` for the model under `group`."""
    from orbitlearn.lie_error import continuous_error

    x = inputs if len(inputs) > 1 else inputs[0]
    a_in = _action(group, model.input_roles)
    a_out = None if model.output_roles == "scalar" else _action(group, model.output_roles)
    report = continuous_error(
        model.module, a_in, a_out, x, n_samples=samples, rng=seed, max_evals=max_evals
    )
    return {
        "group": group.name,
        "kind": "invariance" if a_out is None else "equivariance",
        "count": int(len(inputs[0])),
        "samples": samples,
        "n_testing_elements": len(group.testing_elements()),
        "eps_sampled": report.eps_sampled,
        "eps_adversarial": report.eps_adversarial,
        "eps_lie": report.eps_lie,
        "worst_adversarial_element": np.asarray(report.meta["worst_adversarial_element"]).tolist(),
    }


def cmd_check_point_cloud(args: Any) -> int:
    """The `check` command for a continuous group (called by `orbitlearn check --group e3`)."""
    from orbitlearn.report import emit

    group = LIE_GROUP_NAMES[args.group]()
    model = load_point_cloud_model(args.checkpoint)
    inputs = _inputs(model, args.data, group.d, args.limit, args.seed)
    report = check_point_cloud_model(model, group, inputs, samples=args.samples, seed=args.seed)
    report["checkpoint"] = str(args.checkpoint)

    def text(r: dict) -> str:
        return (
            f"{r['group']} on {r['count']} inputs: ε sampled {r['eps_sampled']:.3g} "
            f"({r['n_testing_elements']} testing + {r['samples']} Haar elements), "
            f"adversarial {r['eps_adversarial']:.3g}, Lie derivative {r['eps_lie']:.3g}"
        )

    emit(report, args.json, text)
    return 0


__all__ = [
    "PointCloudCheckpointError",
    "PointCloudModel",
    "as_point_cloud_model",
    "check_point_cloud_model",
    "cmd_check_point_cloud",
    "load_point_cloud_model",
]
