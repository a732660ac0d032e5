"""MkDocs hooks: the guides link to committed benchmark results (plots, result pages) with paths
such as ``../benchmarks/results/ks/chart.png`` that work when reading the sources. For the site,
those files are added to the build under ``benchmarks/`` and the links are rewritten to them, so
`mkdocs build --strict` checks them like any other link."""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.structure.files import File, Files

LINK = re.compile(r"\]\(((?:\.\./)+)(benchmarks/[^)\s]+)\)")


def _targets(docs_dir: Path) -> set[str]:
    found: set[str] = set()
    for page in docs_dir.rglob("*.md"):
        found |= {m.group(2) for m in LINK.finditer(page.read_text(encoding="utf-8"))}
    return found


def on_files(files: Files, config) -> Files:
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
