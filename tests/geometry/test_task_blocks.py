"""How `hodge` / `normal-form` cut their input into tasks: growing sizes, nothing lost or
reordered."""

from __future__ import annotations

import io

import numpy as np

from orbitlearn.datasets.ks import KSBlock, read_ks
from orbitlearn.geometry import commands as C


def _block(n: int, seed: int) -> KSBlock:
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        m = rng.integers(-3, 4, size=(2, 3))
        lines.append("2 3\n" + "".join(" ".join(map(str, r)) + "\n" for r in m))
    return KSBlock.from_entries(read_ks(io.StringIO("".join(lines))).entries, "x")


def test_task_sizes_grow_to_the_cap_and_cover_the_input(monkeypatch):
    monkeypatch.setattr(C, "FIRST_TASK_ENTRIES", 3)
    monkeypatch.setattr(C, "TASK_ENTRIES", 20)
    blocks = [_block(50, 1), _block(4, 2), _block(30, 3)]
    tasks = list(C.task_blocks(blocks))
    sizes = [len(t) for t in tasks]
    assert sizes[:4] == [3, 6, 12, 20] and max(sizes) == 20
    assert sum(sizes) == 84
    text = "".join(b.to_text() for b in blocks)
    assert "".join(t.to_text() for t in tasks) == text
