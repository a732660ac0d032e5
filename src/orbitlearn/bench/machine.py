"""What a benchmark ran on: CPU, cores and load, library versions, git commit, date.

One record for every benchmark (`machine_info`) and one way to print it (`machine_lines`).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

_PACKAGES = ("orbitlearn", "numpy", "scipy", "numba", "torch", "scikit-learn", "xgboost")
#: vector instruction sets whose presence changes which float kernels run (and so the last bits
#: of a training, which a long one can amplify)
_SIMD = ("avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile")
_REPO = Path(__file__).resolve().parents[3]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_simd() -> list[str]:
    """The vector instruction sets of _SIMD this CPU has (from /proc/cpuinfo; [] elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                return [f for f in _SIMD if f in flags]
    except OSError:
        pass
    return []


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(
            ["git", *args], cwd=_REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def git_commit() -> str | None:
    """The checked-out commit of this source tree, or None outside a git checkout."""
    return _git("rev-parse", "HEAD")


def source_state() -> dict:
    """The checked-out commit and the src files changed beside it, now. A long benchmark process
    should take this when it loads its code and record that, not the state when a cell ends."""
    status = _git("status", "--porcelain", "--untracked-files=no", "--", "src") or ""
    return {
        "git_commit": git_commit(),
        "uncommitted_src": [
            line.split(maxsplit=1)[1] for line in status.splitlines() if line.strip()
        ],
    }


def machine_info(source: dict | None = None) -> dict:
    """CPU model and vector instruction sets, logical cores, load average, platform, versions, and
    the source's commit and uncommitted src files (`source`, e.g. taken when a process started,
    default `source_state()` now)."""
    source = source_state() if source is None else source
    return {
        "cpu": _cpu_model(),
        "simd": cpu_simd(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {p: v for p in _PACKAGES if (v := _version(p))},
        "git_commit": source["git_commit"],
        "uncommitted_src": list(source["uncommitted_src"]),
        "date_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
    }


def machine_lines(m: dict) -> list[str]:
    """Markdown bullet lines describing a `machine_info()` record."""
    commit = m.get("git_commit") or "unknown"
    dirty = m.get("uncommitted_src") or []
    return [
        f"- CPU: {m['cpu']} ({m['cores']} logical cores, shared; load average at start "
        f"{', '.join(str(x) for x in m['load_average'])})"
        + (f"; {' '.join(m['simd'])}" if m.get("simd") else ""),
        *([f"- Torch device: {m['device']}"] if m.get("device", "cpu") != "cpu" else []),
        f"- Platform: {m['platform']}, Python {m['python']}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"- Git commit: {commit}" + (f" (plus uncommitted: {', '.join(dirty)})" if dirty else ""),
        f"- Date (UTC): {m['date_utc']}",
    ]
