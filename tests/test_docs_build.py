"""The documentation site (guides and the API reference generated from the docstrings) builds
with `mkdocs build --strict`: no broken link, no docstring the generator cannot read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocstrings", reason="the [docs] extra is not installed")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    api = (tmp_path / "site" / "api" / "nn" / "index.html").read_text()
    assert (
        "PointNet" in api
        and "assert_equivariant"
        in (tmp_path / "site" / "api" / "symmetry" / "index.html").read_text()
    )
