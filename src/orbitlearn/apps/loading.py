"""`orbitlearn.load_model`: any committed model or checkpoint, whichever application made it.

A checkpoint of kind "nbody" becomes an `apps.nbody.predictor.NBodyModel` (`.predict(loc, vel,
charges)` → positions 1000 steps later); every other checkpoint is a Kreuzer–Skarke model
(`apps.ks.predict.Model`: Hodge numbers of vertex matrices). Names of committed models and the
folder they are found in are resolved once, by `apps.ks.predict.resolve_model`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def load_model(path_or_name: str | Path) -> Any:
    """The model of a checkpoint path or a committed model's name, by the checkpoint's kind."""
    from orbitlearn.apps.ks import predict as ks
    from orbitlearn.models.pipeline import read_checkpoint

    path = ks.resolve_model(path_or_name)
    payload = read_checkpoint(path)  # read once, whichever application reads it
    if payload.get("kind") == "nbody":
        from orbitlearn.apps.nbody.predictor import NBodyModel

        return NBodyModel.from_checkpoint(payload, source=str(path))
    return ks.load_model(path, payload)


def register_point_cloud_readers() -> None:
    """Let `orbitlearn check --group e3` read the applications' point-cloud checkpoints (N-body)."""
    from orbitlearn.apps.nbody.predictor import as_point_cloud
    from orbitlearn.pointcloud_check import register_point_cloud_reader

    register_point_cloud_reader("nbody", as_point_cloud)


__all__ = ["load_model", "register_point_cloud_readers"]
