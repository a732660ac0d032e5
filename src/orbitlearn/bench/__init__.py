"""What every benchmark shares: the resumable cell runner (`runner`) and the machine record
(`machine`). The benchmarks themselves are applications under `orbitlearn.apps`."""

from orbitlearn._lazy import lazy_exports

_EXPORTS = {
    "CellStore": "runner",
    "run_cells": "runner",
    "pick_profile": "runner",
    "write_csv": "runner",
    "machine_info": "machine",
    "machine_lines": "machine",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
