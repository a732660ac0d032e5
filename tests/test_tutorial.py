"""docs/tutorial.md runs: its Python blocks are executed in order in one namespace (the asserts in
them check the values the page shows), as scikit-learn executes its user guide's examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(path: Path) -> list[str]:
    """The ```python blocks of a Markdown page, in order."""
    return BLOCK.findall(path.read_text(encoding="utf-8"))


def test_the_tutorial_has_three_paths_of_code():
    text = TUTORIAL.read_text(encoding="utf-8")
    assert len(python_blocks(TUTORIAL)) >= 6
    for heading in ("Exact geometry", "Using the trained models", "symmetry toolkit"):
        assert heading in text


def test_the_tutorial_runs(tmp_path, monkeypatch, capsys):
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "tutorial"}
    for i, code in enumerate(python_blocks(TUTORIAL)):
        try:
            exec(compile(code, f"{TUTORIAL.name}[block {i}]", "exec"), namespace)
        except Exception as exc:  # name the block that failed
            raise AssertionError(f"tutorial block {i} failed: {exc!r}\n{code}") from exc
    out = capsys.readouterr().out
    # the outputs quoted in the page's comments are what the blocks print
    shown_in_page = (
        "True (101, 1)",
        "5 126 (1, 101)",
        "True True",
        "68 False ['vertex count 5 (trained on 10..27)']",
        "7 True 7",
        "mlp False",
        "pointnet True",
    )
    for shown in shown_in_page:
        assert shown in out, out


README = TUTORIAL.parents[1] / "README.md"


def test_the_readme_examples_print_what_it_shows(tmp_path, monkeypatch, capsys):
    """The README's Python example prints its ```text block; its console examples print the
    lines shown (timings aside)."""
    pytest.importorskip("torch")
    from orbitlearn.cli import main

    text = README.read_text(encoding="utf-8")
    code = python_blocks(README)[0]
    shown = re.search(r"^```text\n(.*?)^```", text[text.index(code) :], re.S | re.M).group(1)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out == shown
    monkeypatch.chdir(tmp_path)
    console = re.search(r"^```console\n\$ cat quintic.txt\n(.*?)^\$", text, re.S | re.M).group(1)
    (tmp_path / "quintic.txt").write_text(console)
    for argv in (
        ["hodge", "quintic.txt"],
        ["predict", "--checkpoint", "ks_h11_gl4z", "quintic.txt"],
        ["predict", "--checkpoint", "ks_h11_gl4z", "quintic.txt", "--exact"],
    ):
        assert main(argv) == 0
        out = capsys.readouterr()
        first = out.out.splitlines()[0]
        assert f"$ orbitlearn {' '.join(argv)}\n{first}\n" in text, first
        for line in out.err.splitlines():
            assert line in text, line
