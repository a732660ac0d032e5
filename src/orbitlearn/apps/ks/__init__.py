"""The Kreuzer-Skarke h11 benchmark: rows and profiles (`rows`), the resumable run (`bench`), the
reports (`report`) and `orbitlearn bench ks` (`commands`)."""

from orbitlearn._lazy import lazy_exports

_EXPORTS = {
    "KSBenchmark": "bench",
    "select_rows": "bench",
    "slug": "bench",
    "RowSpec": "rows",
    "Profile": "rows",
    "PROFILES": "rows",
    "FULL_ROWS": "rows",
    "find_row": "rows",
    "get_profile": "rows",
    "write_reports": "report",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
