"""`orbitlearn check --group e3 --checkpoint CKPT`: ε of a point-cloud model under a Lie group.

Checkpoints are data, never code: CKPT is read with `safe_torch_load` (tensors and plain data
only) and must be a point-cloud payload, written by `save_point_cloud_model`:

    {"format": "orbitlearn.pointcloud/1", "network": NAME, "config": {...}, "state_dict": {...},
     "input_roles": [...], "output_roles": ROLE or [...], "output_index": None or i,
     "input_shapes": [...] (optional), "input_names": [...] (optional)}

NAME is a key of `POINT_CLOUD_NETWORKS` (``"egnn"``: `orbitlearn.nn.EGNN`, ``"egnn_layer"``),
built as `NETWORKS[NAME](**config)` and loaded with the state dict; an application adds its own
network with `register_point_cloud_network(name, factory)`, or a reader of its own checkpoint
kind with `register_point_cloud_reader(kind, reader)`. The module is called as
module(*inputs); `output_index` picks one output of a tuple (e.g. 1: the positions of an EGNN's
(h, x, v)). Roles are "position", "vector" or "scalar"; when `input_roles` is missing they are
read from the module's declared symmetry (`PointCloud` / `Joint` actions).

Any loaded object can be checked in-process with `check_point_cloud_model(as_point_cloud_model(obj),
group, inputs)`: a torch module declaring a point-cloud symmetry, or an object / dict with
`module`, `input_roles`, `output_roles`.

Inputs are `--data FILE.npz` (arrays in argument order: named by `input_names`, else arr_0,
arr_1, ...) or, without data, seeded Gaussian arrays of `input_shapes` (one per-item shape per
argument, default (5, 3) for points and (5, 1) for scalars). The report gives `eps_sampled`,
`eps_adversarial` and `eps_lie` (`orbitlearn.lie_error`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
FORMAT = "orbitlearn.pointcloud/1"


def _egnn(**config: Any) -> Any:
    from orbitlearn.nn.egnn import EGNN

    return EGNN(**config)


def _egnn_layer(**config: Any) -> Any:
    from orbitlearn.nn.egnn import EGNNLayer

    return EGNNLayer(**config)


#: point-cloud networks a checkpoint may name: name -> factory(**config) -> torch module
POINT_CLOUD_NETWORKS: dict[str, Callable[..., Any]] = {"egnn": _egnn, "egnn_layer": _egnn_layer}


def register_point_cloud_network(name: str, factory: Callable[..., Any]) -> None:
    """Let checkpoints name `factory` (called with the checkpoint's config) as `name`."""
    POINT_CLOUD_NETWORKS[name] = factory


#: readers of applications' checkpoints by their "kind" field: payload -> PointCloudModel
POINT_CLOUD_READERS: dict[str, Callable[[dict], Any]] = {}


def register_point_cloud_reader(kind: str, reader: Callable[[dict], Any]) -> None:
    """Let `check --group` read checkpoints whose payload says ``"kind": kind`` (an application's
    own format) through `reader(payload)`, which returns a `PointCloudModel`."""
    POINT_CLOUD_READERS[kind] = reader


class PointCloudCheckpointError(OrbitlearnError, ValueError):
    """A checkpoint that is not a point-cloud model `check --group` can read."""


@dataclass
class PointCloudModel:
    """A torch module, the role of each input and output, and how to make inputs."""

    module: Any
    input_roles: tuple[str, ...]
    output_roles: tuple[str, ...] | str
    input_shapes: tuple[tuple[int, ...], ...] | None = None
    input_names: tuple[str, ...] | None = None
    output_index: int | None = None

    def __call__(self, *inputs: Any) -> Any:
        """The module's output (one output of a tuple when `output_index` is set)."""
        out = self.module(*inputs)
        return out if self.output_index is None else out[self.output_index]


def _roles(action: Action) -> tuple[str, ...]:
    if isinstance(action, Joint):
        return tuple(a.role for a in action.actions)  # type: ignore[attr-defined]
    if isinstance(action, PointCloud):
        return (action.role,)
    raise PointCloudCheckpointError(f"{action.name} is not an action on point clouds")


def as_point_cloud_model(obj: Any) -> PointCloudModel:
    """Read the interface of the module docstring from a loaded object or dict."""
    get = obj.get if isinstance(obj, dict) else (lambda k, d=None: getattr(obj, k, d))
    module = get("module") or (obj if hasattr(obj, "forward") else None)
    if module is None:
        raise PointCloudCheckpointError("no torch module: give `module` or a torch module")
    ins, outs, index = get("input_roles"), get("output_roles"), get("output_index")
    if ins is None:
        sym = getattr(module, "symmetry", None)
        if isinstance(sym, Equivariance):
            ins, out_roles = _roles(sym.action_in), _roles(sym.action_out)
            outs = out_roles if isinstance(sym.action_out, Joint) else out_roles[0]
            if index is not None and not isinstance(outs, str):
                outs = outs[int(index)]
        elif isinstance(sym, Invariance) and sym.action is not None:
            ins, outs = _roles(sym.action), "scalar"
        else:
            raise PointCloudCheckpointError(
                "the model gives no input_roles/output_roles and declares no point-cloud symmetry"
            )
    shapes, names = get("input_shapes"), get("input_names")
    return PointCloudModel(
        module,
        tuple(ins),
        outs if isinstance(outs, str) else tuple(outs),
        None if shapes is None else tuple(tuple(int(v) for v in sh) for sh in shapes),
        None if names is None else tuple(names),
        None if index is None else int(index),
    )


def save_point_cloud_model(
    path: str | Path,
    module: Any,
    network: str,
    config: dict[str, Any],
    *,
    input_roles: Sequence[str] | None = None,
    output_roles: Sequence[str] | str | None = None,
    output_index: int | None = None,
    input_shapes: Sequence[Sequence[int]] | None = None,
    input_names: Sequence[str] | None = None,
) -> Path:
    """Write the payload of the module docstring (plain data: `safe_torch_load` reads it)."""
    from orbitlearn.torch_io import save_atomic

    if network not in POINT_CLOUD_NETWORKS:
        raise PointCloudCheckpointError(
            f"unknown point-cloud network {network!r}; known: {', '.join(POINT_CLOUD_NETWORKS)}"
        )
    payload = {
        "format": FORMAT,
        "network": network,
        "config": dict(config),
        "state_dict": {k: v.detach().cpu() for k, v in module.state_dict().items()},
        "input_roles": None if input_roles is None else list(input_roles),
        "output_roles": output_roles
        if output_roles is None or isinstance(output_roles, str)
        else list(output_roles),
        "output_index": output_index,
        "input_shapes": None if input_shapes is None else [list(sh) for sh in input_shapes],
        "input_names": None if input_names is None else list(input_names),
    }
    return save_atomic(payload, path)


def load_point_cloud_model(path: str | Path) -> PointCloudModel:
    """Read a point-cloud payload safely and rebuild its network (one-line errors)."""
    from orbitlearn.torch_io import safe_torch_load

    p = Path(path)
    payload = safe_torch_load(p)
    if isinstance(payload, dict) and payload.get("kind") in POINT_CLOUD_READERS:
        return POINT_CLOUD_READERS[payload["kind"]](payload)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise PointCloudCheckpointError(
            f"{p}: not a point-cloud checkpoint (expected a {FORMAT!r} payload; see "
            "`orbitlearn.pointcloud_check.save_point_cloud_model`)"
        )
    factory = POINT_CLOUD_NETWORKS.get(payload["network"])
    if factory is None:
        raise PointCloudCheckpointError(
            f"{p}: unknown point-cloud network {payload['network']!r}; "
            f"known: {', '.join(POINT_CLOUD_NETWORKS)}"
        )
    module = factory(**payload["config"])
    try:
        module.load_state_dict(payload["state_dict"])
    except RuntimeError as exc:
        first = str(exc).splitlines()[0]
        raise PointCloudCheckpointError(f"{p}: weights do not fit the network: {first}") from None
    sd = payload["state_dict"]
    dtype = next(iter(sd.values())).dtype if sd else None
    if dtype is not None:
        module = module.to(dtype)
    return as_point_cloud_model({**payload, "module": module})


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


def _select_output(model: PointCloudModel) -> Any:
    """The module with one output of its tuple kept, as a torch module (eval mode, parameters)."""
    from torch import nn

    class Select(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model.module

        def forward(self, *inputs: Any) -> Any:
            return self.inner(*inputs)[model.output_index]

    return Select()


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
    f = model.module if model.output_index is None else _select_output(model)
    report = continuous_error(f, a_in, a_out, x, n_samples=samples, rng=seed, max_evals=max_evals)
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
    "register_point_cloud_network",
    "save_point_cloud_model",
    "POINT_CLOUD_NETWORKS",
]
