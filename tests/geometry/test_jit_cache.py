"""The kernel cache folder follows the kernels' sources, so no cached kernel outlives a callee."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orbitlearn.geometry import _jit

PACKAGE = Path(_jit.__file__).resolve().parent.parent


def test_every_file_compiled_with_njit_is_in_the_digest():
    users = {
        p.resolve()
        for p in PACKAGE.rglob("*.py")
        if re.search(r"from orbitlearn\.geometry\._jit import njit", p.read_text())
    }
    assert users, "no kernel file found"
    assert users <= {p.resolve() for p in _jit.KERNEL_SOURCES}


def test_cache_folder_is_named_by_the_digest():
    if _jit.CACHE_DIR is None:
        pytest.skip("no writable cache folder here: nothing is cached")
    assert _jit.CACHE_DIR.name == f"kernels-{_jit.sources_digest()}"


def test_digest_changes_with_any_source(tmp_path, monkeypatch):
    copies = []
    for p in _jit.KERNEL_SOURCES:
        q = tmp_path / p.name
        q.write_bytes(p.read_bytes())
        copies.append(q)
    monkeypatch.setattr(_jit, "KERNEL_SOURCES", tuple(copies))
    before = _jit.sources_digest()
    copies[-1].write_bytes(copies[-1].read_bytes() + b"\n# edited\n")
    assert _jit.sources_digest() != before
