"""The charged-particle N-body benchmark (Satorras et al. 2021): dense-graph networks (`models`),
the ways to E(3) around a backbone (`symmetric`), training under the published protocol
(`train`), the table's rows (`rows`), the resumable run (`bench`), reports (`report`) and
`orbitlearn bench nbody` (`commands`)."""

from orbitlearn._lazy import lazy_exports

_EXPORTS = {
    "NBodyBenchmark": "bench",
    "PROFILES": "bench",
    "run_nbody_bench": "bench",
    "ROWS": "rows",
    "EGNN": "models",
    "GNN": "models",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
