"""The documentation as a reader sees it: the site is built (`mkdocs build --strict`), every page
is opened in headless Chromium (Debian's `chromium`, installed by scripts/setup; skipped where it
is absent) with no network, and the page after its scripts ran must have every formula typeset by
KaTeX (no raw or failed formula, no formula read as emphasis) and no link or image pointing to a
file the site does not have."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


class _Page(HTMLParser):
    """What the checks need from a page's DOM: formulas, links, emphasis texts."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, set[str]]] = []
        self.formulas = 0  # elements marked by arithmatex
        self.untypeset = 0  # of those, the ones without KaTeX output inside
        self.typeset = 0
        self.errors = 0  # KaTeX parse errors
        self.links: list[str] = []
        self.em_texts: list[str] = []
        self.odd_tags: list[str] = []  # text like <u, x> read as an element
        self._open_formulas: list[list[bool]] = []
        self._em: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if not re.fullmatch(r"[a-z][a-z0-9-]*", tag):
            self.odd_tags.append(tag)
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        if tag in ("img", "script") and a.get("src"):
            self.links.append(a["src"])
        if "arithmatex" in classes:
            self.formulas += 1
            self._open_formulas.append([False])
        if "katex" in classes and self._open_formulas:
            self._open_formulas[-1][0] = True
        if "katex" in classes:
            self.typeset += 1
        if "katex-error" in classes:
            self.errors += 1
        if tag == "em":
            self._em = []
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "wbr", "path"):
            self.stack.append((tag, classes))

    def handle_endtag(self, tag):
        while self.stack:
            t, classes = self.stack.pop()
            if "arithmatex" in classes and self._open_formulas:
                self.untypeset += not self._open_formulas.pop()[0]
            if t == tag:
                break
        if tag == "em" and self._em is not None:
            self.em_texts.append("".join(self._em))
            self._em = None

    def handle_data(self, data):
        if self._em is not None:
            self._em.append(data)


def _dump(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, from headless Chromium (no network)."""
    out = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--allow-file-access-from-files",
            "--proxy-server=127.0.0.1:9",  # nothing outside the site is reachable
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    pytest.importorskip("mkdocstrings", reason="the [docs] extra is not installed")
    site_dir = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return site_dir


def _broken(page: Path, site: Path, links: list[str]) -> list[str]:
    """The links of `page` that point into the site at nothing."""
    bad = []
    for href in links:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto", "data", "javascript") or parts.netloc:
            continue
        if parts.scheme == "file":
            target = Path(unquote(parts.path))
        elif not parts.path:
            continue  # an anchor on the same page
        else:
            target = (page.parent / unquote(parts.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists() or site.resolve() not in (
            target.resolve(),
            *target.resolve().parents,
        ):
            bad.append(href)
    return bad


def test_every_page_renders_its_formulas_and_links(site, tmp_path):
    pages = sorted(
        p for p in site.rglob("*.html") if "assets" not in p.parts and p.name != "404.html"
    )
    assert len(pages) > 15
    with ThreadPoolExecutor(max_workers=2) as pool:
        doms = list(
            pool.map(
                lambda ip: _dump(ip[1].as_uri(), tmp_path / f"profile{ip[0]}"), enumerate(pages)
            )
        )
    problems = []
    typeset = {}
    for page, dom in zip(pages, doms, strict=True):
        parsed = _Page()
        parsed.feed(dom)
        name = str(page.relative_to(site))
        typeset[name] = parsed.typeset
        if parsed.untypeset or parsed.errors:
            problems.append(
                f"{name}: {parsed.untypeset} formulas not typeset, {parsed.errors} errors"
            )
        # a formula read as emphasis: the text between two '*' of l*(F) ... l*(θ)
        odd = [t for t in parsed.em_texts if t[:1] in "()" or t[-1:] in "()" or "Σ" in t]
        if odd:
            problems.append(f"{name}: formula text in <em>: {odd[:3]}")
        if parsed.odd_tags:
            problems.append(f"{name}: text read as HTML elements: {parsed.odd_tags[:3]}")
        bad = _broken(page, site, parsed.links)
        if bad:
            problems.append(f"{name}: broken links {bad[:5]}")
    assert not problems, "\n".join(problems)
    # the check sees formulas where the guides have them
    assert typeset["geometry/index.html"] >= 5 and typeset["heat/index.html"] >= 4, typeset
