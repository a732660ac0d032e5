"""The doctests of docs/continuous.md (conventions: composition order, x @ R.T vs R @ x,
negative axes, dtype promotion, representations) run as part of the test suite."""

from __future__ import annotations

import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "continuous.md"


def test_continuous_doctests():
    result = doctest.testfile(
        str(DOC),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted >= 15
    assert result.failed == 0


def test_the_figure_and_its_numbers_are_committed():
    root = DOC.parents[1] / "benchmarks" / "results" / "continuous"
    assert (root / "eps_vs_angle.png").stat().st_size > 10_000
    table = (root / "results.md").read_text()
    text = DOC.read_text()
    for line in table.splitlines():
        if line.startswith("| EGNN") or line.startswith("| MLP"):
            assert line in text, f"docs/continuous.md does not match results.md: {line}"
