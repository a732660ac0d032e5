"""Committed N-body networks: checkpoints of kind "nbody" and the model `load_model` returns for them.

A checkpoint holds the architecture (`arch`: backbone name and sizes, and optionally a `wrapper`
put around each member after loading, e.g. "FrameAveraged"), one state dict per member
(several: an ensemble, predictions averaged) and what was measured (`meta`). `NBodyModel.predict
(loc, vel, charges)` takes (B, n, 3), (B, n, 3), (B, n) arrays and returns the positions 1000
integrator steps later, (B, n, 3) float64. `publish` writes one from finished benchmark cells.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from orbitlearn.apps.nbody import models, symmetric
from orbitlearn.errors import OrbitlearnError

KIND = "nbody"
#: backbones a checkpoint may name (the one place their names are mapped to classes)
BACKBONES = {
    "LinearDynamics": models.LinearDynamics,
    "GNN": models.GNN,
    "RadialField": models.RadialField,
    "EGNN": models.EGNN,
    "EGNNPlus": models.EGNNPlus,
}

#: ways to E(3) a checkpoint may put around its backbone (applied after the weights are loaded)
WRAPPERS = {"FrameAveraged": symmetric.FrameAveraged, "CanonicalFrame": symmetric.CanonicalFrame}


def _build(arch: dict) -> nn.Module:
    cls = BACKBONES.get(arch.get("backbone"))
    if cls is None:
        raise OrbitlearnError(f"unknown N-body backbone {arch.get('backbone')!r} in checkpoint")
    kwargs = {k: arch[k] for k in ("hidden", "layers") if k in arch}
    return cls(**kwargs)


class NBodyModel:
    """A committed N-body network (or ensemble): `.predict(loc, vel, charges)` → positions."""

    def __init__(self, network: nn.Module, meta: dict, source: str = ""):
        self.network = network.eval()
        self.meta = meta
        self.source = source

    @classmethod
    def from_checkpoint(cls, ckpt: dict, source: str = "") -> NBodyModel:
        """The model of a checkpoint dict (one network, or the ensemble of its members)."""
        arch = ckpt["arch"]
        wrapper = arch.get("wrapper")
        if wrapper is not None and wrapper not in WRAPPERS:
            raise OrbitlearnError(f"unknown wrapper {wrapper!r} in N-body checkpoint")
        members = []
        for state in ckpt["members"]:
            net = _build(arch)
            net.load_state_dict(state)
            members.append(WRAPPERS[wrapper](net) if wrapper else net)
        network = members[0] if len(members) == 1 else models.Ensemble(members)
        return cls(network, ckpt.get("meta", {}), source)

    def predict(self, loc, vel, charges, batch: int = 500) -> np.ndarray:
        """Positions after 1000 steps, (B, n, 3), for loc, vel (B, n, 3) and charges (B, n)."""
        loc, vel, charges = (np.asarray(a, dtype=np.float64) for a in (loc, vel, charges))
        if loc.ndim != 3 or loc.shape[-1] != 3 or vel.shape != loc.shape:
            raise OrbitlearnError(
                f"predict needs loc and vel of shape (B, n, 3); got {loc.shape} and {vel.shape}"
            )
        if charges.shape != loc.shape[:2]:
            raise OrbitlearnError(f"charges must be (B, n) = {loc.shape[:2]}, got {charges.shape}")
        out = []
        with torch.no_grad():
            for s in range(0, len(loc), batch):
                t = [
                    torch.as_tensor(a[s : s + batch], dtype=torch.float32)
                    for a in (loc, vel, charges)
                ]
                out.append(self.network(*t).double().numpy())
        return np.concatenate(out) if out else np.zeros_like(loc)

    def __repr__(self) -> str:
        return f"NBodyModel({self.meta.get('row', '?')}, from {self.source or 'memory'})"


def as_point_cloud(ckpt: dict):
    """A checkpoint of kind "nbody" as the point-cloud model `orbitlearn check --group e3` measures:
    (positions, velocities, charges) of 5 particles → positions."""
    from orbitlearn.pointcloud_check import PointCloudModel

    return PointCloudModel(
        NBodyModel.from_checkpoint(ckpt).network,
        input_roles=("position", "vector", "scalar"),
        output_roles="position",
        input_shapes=((5, 3), (5, 3), (5,)),
        input_names=("loc", "vel", "charges"),
    )


def checkpoint(arch: dict, states: list[dict], meta: dict) -> dict:
    """The checkpoint dict (plain tensors, numbers and strings: loadable with weights_only)."""
    return {"kind": KIND, "arch": dict(arch), "members": list(states), "meta": dict(meta)}


def publish(out: Path, profile, row: str, arch: dict, path: Path, ensemble: bool) -> dict:
    """Write `path` from the finished cells of `row` in `out`: all its seeds averaged when
    `ensemble`, else the seed with the lowest validation MSE. Returns the meta written."""
    from orbitlearn.apps.nbody.networks import row_epochs
    from orbitlearn.apps.nbody.rows import ROWS
    from orbitlearn.bench.runner import CellStore
    from orbitlearn.torch_io import safe_torch_load, save_atomic

    epochs = row_epochs(ROWS[row], profile)
    cells = [
        c
        for c in CellStore(out, identity=profile.identity()).all()
        if c["row"] == row and c["epochs"] == epochs
    ]
    if not cells:
        raise OrbitlearnError(f"no finished cells of row {row!r} in {out}")
    chosen = (
        sorted(cells, key=lambda c: c["seed"])
        if ensemble
        else [min(cells, key=lambda c: c["val_mse"])]
    )
    from orbitlearn.apps.nbody.profile import cell_stem

    states = [
        safe_torch_load(out / "weights" / f"{cell_stem(row, c['epochs'], c['seed'])}.pt")["state"]
        for c in chosen
    ]
    meta = {
        "row": row,
        "seeds": [c["seed"] for c in chosen],
        "epochs": chosen[0]["epochs"],
        "cell_test_mse": [c["mse"] for c in chosen],
        "task": "charged 5-body, positions + velocities at frame 30 -> positions at frame 40",
    }
    save_atomic(checkpoint(arch, states, meta), path)
    return meta


__all__ = ["BACKBONES", "KIND", "WRAPPERS", "NBodyModel", "checkpoint", "publish"]
