"""The documentation's map is whole: the home page links every page of the navigation, and the
Models page carries a card for every committed model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _nav_pages() -> list[str]:
    """Every Markdown page the navigation of mkdocs.yml names, outside the API reference."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:") :]
    return [p for p in re.findall(r":\s+([\w./-]+\.md)\s*$", nav, re.M) if not p.startswith("api/")]


def test_the_home_page_links_every_guide():
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([\w./-]+\.md)\)", index))
    pages = set(_nav_pages()) - {"index.md"}
    assert len(pages) >= 10
    assert pages <= linked, sorted(pages - linked)
    for page in pages:
        assert (DOCS / page).is_file(), page


def test_every_committed_model_has_a_card_on_the_models_page():
    from orbitlearn.apps.ks.predict import COMMITTED_MODELS, committed_names

    names = committed_names()
    if not names:
        pytest.skip("no committed models in this installation")
    cards = (COMMITTED_MODELS / "README.md").read_text(encoding="utf-8")
    for name in names:
        assert f"### `{name}`" in cards, name
    page = (DOCS / "trained-models.md").read_text(encoding="utf-8")
    assert '--8<-- "models/README.md"' in page and "::: orbitlearn.apps.ks.predict" in page
