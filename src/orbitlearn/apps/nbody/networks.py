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
    """The row's network at the profile's size (`profile.hidden`; None: the published size)."""
    return row.build(profile.hidden)


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
