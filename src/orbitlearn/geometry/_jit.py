"""Where the engine's compiled kernels are cached, and the `njit` every kernel is compiled with.

The cache goes to ``NUMBA_CACHE_DIR`` when that is set, else to the platform cache folder
(e.g. ``~/.cache/orbitlearn/numba``), else to a per-user folder under the temporary directory;
the first that is writable wins, inside a subfolder named after a digest of the kernels' sources.
numba checks only a cached function's own file, so a kernel whose callee in another file changed
would otherwise load stale machine code; with the digest in the path, any edit of any kernel file
starts a fresh cache. When no folder is writable, kernels are compiled in every process and one
`RuntimeWarning` says so. Nothing here runs until the engine is first imported, so the CLI's
``--version`` and ``--help`` never touch the cache.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from pathlib import Path


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError:
        return False


def cache_candidates() -> list[Path]:
    """The folders tried for the kernel cache, in order."""
    explicit = os.environ.get("NUMBA_CACHE_DIR")
    if explicit:
        return [Path(explicit)]
    out = []
    try:
        from platformdirs import user_cache_dir

        out.append(Path(user_cache_dir("orbitlearn")) / "numba")
    except Exception:  # pragma: no cover - platformdirs cannot find a home: try the next one
        pass
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    out.append(Path(tempfile.gettempdir()) / f"orbitlearn-numba-{uid}")
    return out


_PACKAGE = Path(__file__).resolve().parent.parent
#: every file whose functions are compiled with this module's `njit`
KERNEL_SOURCES = (
    *sorted((_PACKAGE / "geometry" / "_kernels").glob("*.py")),
    _PACKAGE / "datasets" / "_ksscan.py",
)


def sources_digest() -> str:
    """A short digest of the compiled kernels' source files (their names and bytes)."""
    h = hashlib.sha256()
    for path in KERNEL_SOURCES:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _say_if_cold(folder: Path) -> None:
    """On a terminal, one stderr line when the cache holds no compiled kernel yet: the first
    command that uses the engine then compiles it (which takes a while), which would otherwise look
    like a hang."""
    import sys

    if next(folder.rglob("*.nbi"), None) is not None:
        return
    if getattr(sys.stderr, "isatty", lambda: False)():
        print(
            f"orbitlearn: compiling the exact engine, once (it is cached in {folder})",
            file=sys.stderr,
            flush=True,
        )


def configure_cache() -> Path | None:
    """Point numba's cache at a subfolder (named by `sources_digest`) of the first writable
    candidate; None (and a warning) if there is none."""
    candidates = cache_candidates()
    subfolder = f"kernels-{sources_digest()}"
    for base in candidates:
        folder = base / subfolder
        if _writable(folder):
            os.environ["NUMBA_CACHE_DIR"] = str(base)  # worker processes inherit it
            import numba.core.config

            numba.core.config.CACHE_DIR = str(folder)
            _say_if_cold(folder)
            return folder
    tried = ", ".join(str(f) for f in candidates)
    warnings.warn(
        f"no writable cache folder for the compiled geometry kernels (tried {tried}); "
        "they are compiled in every process (set NUMBA_CACHE_DIR to a writable folder)",
        RuntimeWarning,
        stacklevel=2,
    )
    return None


CACHE_DIR = configure_cache()
CACHE = CACHE_DIR is not None


def njit(*args, **kwargs):
    """numba's `njit`, caching on disk when a writable cache folder was found, with numpy's error
    model: no division-by-zero check on every integer `//` and `%` (about a tenth of the engine's
    time). Every kernel divides only by a value it has just tested to be nonzero (a pivot, a gcd
    > 1, a nonzero normal coefficient)."""
    from numba import njit as numba_njit

    kwargs.setdefault("cache", CACHE)
    kwargs.setdefault("error_model", "numpy")
    return numba_njit(*args, **kwargs)
