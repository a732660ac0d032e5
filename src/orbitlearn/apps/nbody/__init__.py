"""The charged-particle N-body benchmark (Satorras et al. 2021): dense-graph networks (`models`),
the ways to E(3) around a backbone (`symmetric`), training under the published protocol
(`train`), the table's rows (`rows`) and profiles (`profile`), networks of rows and cells
(`networks`), the resumable run (`bench`), reports (`report`), committed models (`predictor`) and
`orbitlearn bench nbody` (`commands`)."""

from orbitlearn._lazy import lazy_exports

_EXPORTS = {
    "NBodyBenchmark": "bench",
    "PROFILES": "profile",
    "NBodyModel": "predictor",
    "run_nbody_bench": "bench",
    "ROWS": "rows",
    "EGNN": "models",
    "GNN": "models",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
