"""The Kreuzer-Skarke application: everything that knows the KS data, its 4 x 26 shape, its
labels (h11, h21, `targets`) and names.

The one registry of names of the command line (`names`: actions and canonicalisers; `models`:
the zoo's and the published study's models), pipelines by name and every checkpoint kind
(`checkpoints`), `load_model` and predictions in label units (`predict`), the mirror and multi-target models (`mirror`, `multi`), the published study's
networks and projection (`reference`, `lexascent`), the commands (`model_commands`,
`stats_commands`, `canon_commands`), and the benchmark: rows and profiles (`rows`), the resumable
run (`bench`), the reports (`report`) and `orbitlearn bench ks` (`commands`)."""

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
    "get_group": "names",
    "ks_pipeline": "checkpoints",
    "load_model": "predict",
    "load_pipeline": "checkpoints",
    "MirrorPipeline": "mirror",
    "MultiTargetPipeline": "multi",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
