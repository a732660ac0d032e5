"""The heat-equation benchmark: profiles (`profile`), seeded data (`data`), the field networks
(`models`; the steerable rows in `rotations` and `steerable`), ε under SO(2) (`so2`), training,
evaluation and the resumable run (`bench`), reports (`report`) and `orbitlearn bench heat`
(`commands`)."""

from orbitlearn._lazy import lazy_exports

_EXPORTS = {
    "HeatBenchmark": "bench",
    "run_heat_bench": "bench",
    "aggregate": "bench",
    "HeatProfile": "profile",
    "PROFILES": "profile",
    "MODELS": "profile",
    "get_profile": "profile",
    "make_data": "data",
    "build_field_model": "models",
    "write_reports": "report",
    "markdown_table": "report",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
