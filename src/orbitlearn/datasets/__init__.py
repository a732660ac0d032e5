"""Datasets: the Kreuzer-Skarke files (read, write, fetch, split) and synthetic sets (heat equation).

The names below are imported on first use.
"""

from orbitlearn._lazy import lazy_exports

_EXPORTS = {
    "KSEntry": "ks",
    "KSFile": "ks",
    "SkippedEntries": "ks",
    "iter_ks": "ks",
    "read_ks": "ks",
    "write_ks": "ks",
    "KSDataset": "ks_dataset",
    "Split": "ks_dataset",
    "load_ks": "ks_dataset",
    "stratified_split": "ks_dataset",
    "subsample": "ks_dataset",
    "data_root": "fetch",
    "fetch_ks": "fetch",
    "resolve_ks_path": "fetch",
    "KSTorchDataset": "torch_dataset",
    "HeatParams": "heat",
    "HeatSimulator": "heat",
    "breaking_params": "heat",
    "make_pairs": "heat",
    "make_rollouts": "heat",
    "random_fields": "heat",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
