"""The network of a row (built to the profile's sizes), of a finished cell (its best weights), and
a row's training budget."""

from __future__ import annotations

from pathlib import Path

import torch

from orbitlearn.apps.nbody.profile import NBodyProfile, cell_stem
from orbitlearn.apps.nbody.rows import ROWS, Row, train_mode


def row_epochs(row: Row, profile: NBodyProfile) -> int:
    """A row's training budget: its own (`Row.epochs`, capped by `profile.max_row_epochs`) or the
    profile's."""
    if row.epochs is None:
        return profile.epochs
    return row.epochs if profile.max_row_epochs is None else min(row.epochs, profile.max_row_epochs)


def build_row_model(row: Row, profile: NBodyProfile) -> torch.nn.Module:
    """The row's network (shrunk to `profile.hidden` features in tests)."""
    if profile.hidden is None:
        return row.build()
    from orbitlearn.apps.nbody import models, symmetric

    base = {
        "gnn": lambda: models.GNN(hidden=profile.hidden, layers=2),
        "egnn": lambda: models.EGNN(hidden=profile.hidden, layers=2),
        "rf": lambda: models.RadialField(hidden=profile.hidden, layers=2),
        "linear": models.LinearDynamics,
    }
    if row.name in base:
        return base[row.name]()
    if row.name in ("tfn", "se3_transformer"):
        from orbitlearn.apps.nbody.tensor_field import SE3Transformer, TensorFieldNetwork

        cls = TensorFieldNetwork if row.name == "tfn" else SE3Transformer
        return cls(channels=max(1, profile.hidden // 4), degrees=2, layers=2)
    if row.name.startswith("egnn_cosine"):
        return base["egnn"]()
    if row.name.startswith("rf_"):
        return base["rf"]()
    inner = models.GNN(hidden=profile.hidden, layers=2)
    if row.name == "gnn_pca":
        return symmetric.CanonicalFrame(inner)
    if row.name == "gnn_fa":
        return symmetric.FrameAveraged(inner)
    return inner


def load_cell_model(out: Path, cell: dict, profile: NBodyProfile, row_name: str | None = None):
    """The network of a finished cell with its best weights (wrapped for `row_name`'s evaluation
    when that row reuses the cell's weights)."""
    from orbitlearn.torch_io import safe_torch_load

    row = ROWS[cell["row"]]
    model = build_row_model(row, profile)
    st = safe_torch_load(
        out / "weights" / f"{cell_stem(cell['row'], cell['epochs'], cell['seed'])}.pt"
    )
    model.load_state_dict(st["state"])
    model.eval()
    train_mode(model, False, None)
    target = ROWS[row_name] if row_name else row
    return target.wrap_eval(model) if target.wrap_eval else model


__all__ = ["build_row_model", "load_cell_model", "row_epochs"]
