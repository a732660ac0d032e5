"""MkDocs hooks.

Results: the guides link to committed benchmark results (plots, result pages) with paths such as
``../benchmarks/results/ks/chart.png`` that work when reading the sources. For the site, those
files are added to the build under ``benchmarks/`` and the links are rewritten to them, so
`mkdocs build --strict` checks them like any other link.

Maths: formulas are written ``$...$`` / ``$$...$$`` (pymdownx.arithmatex) and typeset by KaTeX in
the reader's browser from the site itself (no network when reading). KaTeX is not committed: its
npm package (version and sha512 pinned below) is fetched once with `npm pack` into a cache
folder, checked, and its scripts, style sheet and fonts are added to the build under
``assets/katex/``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from markdown import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

KATEX_VERSION = "0.19.1"
KATEX_SHA512 = (
    "jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA=="
)
#: the files of the package's dist/ folder the site needs
KATEX_FILES = re.compile(r"katex\.min\.(js|css)|contrib/auto-render\.min\.js|fonts/.*\.woff2")


#: the star of a polar dual or an interior count in prose and docstrings (Δ*, θ*, F*, Δ**, l*(F)):
#: a literal star, never the start or end of emphasis
DUAL_STAR = r"(?:(?<=[ΔθΘF])\*{1,2}(?![A-Za-z0-9])|(?<=l)\*(?=\())"


class _LiteralStar(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 - Python-Markdown's name
        return AtomicString(m.group(0)), m.start(0), m.end(0)


class DualStarExtension(Extension):
    """Python-Markdown: Δ*, θ*, l*(F) keep their star (read before emphasis, priority 65 > 60)."""

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        md.inlinePatterns.register(_LiteralStar(DUAL_STAR, md), "dual_star", 65)


@event_priority(100)  # before mkdocstrings, which renders the docstrings with these extensions
def on_config(config):
    config.markdown_extensions.append(DualStarExtension())
    return config


def katex_dir() -> Path:
    """The unpacked dist/ folder of the pinned KaTeX package, fetched on first use."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "orbitlearn"
    dist = cache / f"katex-{KATEX_VERSION}" / "dist"
    if (dist / "katex.min.js").is_file():
        return dist
    if shutil.which("npm") is None:
        raise PluginError("the docs typeset maths with KaTeX from npm: install npm (nodejs)")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            ["npm", "pack", f"katex@{KATEX_VERSION}", "--pack-destination", tmp, "--silent"],
            capture_output=True,
            text=True,
        )
        tgz = Path(tmp) / f"katex-{KATEX_VERSION}.tgz"
        if done.returncode != 0 or not tgz.is_file():
            raise PluginError(f"npm pack katex@{KATEX_VERSION} failed: {done.stderr.strip()}")
        digest = base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode()
        if digest != KATEX_SHA512:
            raise PluginError(f"katex-{KATEX_VERSION}.tgz: sha512 {digest} is not the pinned one")
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tgz) as tar:
            members = [
                m
                for m in tar.getmembers()
                if m.isfile() and KATEX_FILES.fullmatch(m.name.removeprefix("package/dist/"))
            ]
            tar.extractall(unpacked, members=members, filter="data")
        dist.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(dist, ignore_errors=True)
        shutil.move(str(unpacked / "package" / "dist"), dist)
    return dist


LINK = re.compile(r"\]\(((?:\.\./)+)(benchmarks/[^)\s]+)\)")


def _targets(docs_dir: Path) -> set[str]:
    found: set[str] = set()
    for page in docs_dir.rglob("*.md"):
        found |= {m.group(2) for m in LINK.finditer(page.read_text(encoding="utf-8"))}
    return found


def on_files(files: Files, config) -> Files:
    dist = katex_dir()
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        files.append(
            File.generated(
                config, f"assets/katex/{path.relative_to(dist).as_posix()}", abs_src_path=str(path)
            )
        )
    docs_dir = Path(config["docs_dir"])
    root = docs_dir.parent
    for target in sorted(_targets(docs_dir)):
        if (root / target).is_file():
            files.append(
                File(
                    target, src_dir=str(root), dest_dir=config["site_dir"], use_directory_urls=False
                )
            )
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    depth = page.file.src_uri.count("/")
    return LINK.sub(lambda m: f"]({'../' * depth}{m.group(2)})", markdown)
