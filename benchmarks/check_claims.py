"""Every figure the documents state, traced to the results file it comes from.

    python benchmarks/check_claims.py [FILE.md ...] [--suggest] [--json]

Reads README.md, docs/results.md and models/README.md (or the files given) and finds every
figure: a number followed by %, a mean ± std (with or without %), and any bare decimal with two
places (the precision the tables print). Fenced code blocks and inline code are not read.

Each figure must be covered by a source annotation, an HTML comment that renders as nothing:

    98.72 ± 0.19% (seeds 0–2) <!-- src: ks-duals/train/table.csv#pointnet-wide-...-120-epochs -->
    almost 97% <!-- pub: ewert2024-best-orig -->

An annotation covers the figures of its block (a table row, a list item or a paragraph) that
stand before it and after the previous annotation of that block. `src:` names one or more
records, separated by ";" (or an alias, defined anywhere in the document by
`<!-- alias NAME: REFERENCE -->`): a path under benchmarks/results/ (or models/...;
`git:COMMIT:PATH` for a results file as committed at an earlier commit), a table.csv row
after "#" (the row's name or its slug, the `model` column where there is no `row`; "@reference"
picks the protocol), a JSON path after "#"
(keys joined by "."; a cell's per-epoch `curve` is read only when named, `#curve`), and "*"
globs (any of the files). Each covered figure must equal, at the
precision printed, a number of one of the named records (a fraction is read in % too); a mean ±
std must equal a column and its `_std` together, and the seed count the sentence (or the table
row and its header) states must be that row's `seeds` (or `seeds_<column>` where a column
averages fewer runs). `pub:` names keys of benchmarks/published_figures.csv, the one table of
figures taken from papers; the published columns of every table.csv must be in it too. `def:`
marks a figure that is a setting or a goal, not a result (a split fraction, a target), and says
which; a `def:` or `pub:` covers only as many figures just before it as it has ";"-separated
entries, so neither can vouch for a result that stands before those.

Exit 0 when every figure is traced and matches; else each failure is printed as
FILE:LINE: figure: reason, and the exit code is 1. `--suggest` adds, for each untraced figure,
the records whose numbers match it. The last line says how many figures were checked.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PUBLISHED = ROOT / "benchmarks" / "published_figures.csv"
DOCUMENTS = ("README.md", "docs/results.md", "models/README.md")

NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
FIGURE = re.compile(
    rf"(?<![\w.\-/])(?P<mean>{NUM})\s*%?\s*±\s*(?P<std>{NUM})\s*%?"  # mean ± std
    rf"|(?<![\w.\-/])(?P<pct>{NUM})\s*%"  # a percentage
    r"|(?<![\w.\-/])(?P<dec>\d+\.\d{2})(?![\d.]*\d)(?!\w)"  # a bare two-place decimal
)
ANNOTATION = re.compile(r"<!--\s*(src|pub|def):\s*(.*?)\s*-->", re.S)
ALIAS = re.compile(r"<!--\s*alias\s+(\w+):\s*(.*?)\s*-->", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
SEEDS = re.compile(
    r"\b(?:seeds?|runs?)\s+(?P<a>\d)\s*[–-]\s*(?P<b>\d)\b"
    r"|\b(?:seeds?|runs?)\s+(?P<list>\d(?:\s*,\s*\d)+(?:,?\s*and\s*\d)?)\b"
    r"|\b(?P<n>one|two|three|four|five|\d)\s+(?:seeds|runs|seed)\b"
    r"|\b(?:seed|run)[\s-]+(?P<one>\d)\b"
)


@dataclass
class Figure:
    file: str
    line: int
    text: str
    value: float
    places: int
    std: float | None = None
    std_places: int = 0
    percent: bool = False
    block: int = 0
    start: int = 0  # offset in the document


@dataclass
class Failure:
    file: str
    line: int
    figure: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.figure}: {self.reason}"


@dataclass
class Record:
    """A named source: its numbers by field and, for table rows, seed counts."""

    name: str
    values: dict[str, float]
    seeds: dict[str, int] = field(default_factory=dict)  # column -> seeds behind it


def _number(s: str) -> float:
    return float(s.replace(",", ""))


def _places(s: str) -> int:
    return len(s.split(".")[1]) if "." in s else 0


# ----------------------------------------------------------------------------- reading documents


def _blank(text: str, pattern: re.Pattern) -> str:
    """text with every match of pattern replaced by spaces (newlines kept): offsets stay valid."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def readable(text: str) -> str:
    """The text with code blocks, inline code and comments blanked out."""
    text = _blank(text, re.compile(r"^```.*?^```", re.S | re.M))
    text = _blank(text, re.compile(r"`[^`\n]*`"))
    return _blank(text, COMMENT)


def blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the blocks: each table row, each list item, each paragraph."""
    out, start, offset = [], None, 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        new = (
            stripped.startswith("|")
            or re.match(r"([-*]|\d+\.)\s", stripped)
            or (stripped.startswith("#"))
        )
        if not stripped or new:
            if start is not None:
                out.append((start, offset))
            start = offset if stripped else None
        elif start is None:
            start = offset
        offset += len(line)
        if stripped.startswith(("|", "#")):
            out.append((start, offset))
            start = None
    if start is not None:
        out.append((start, offset))
    return out


def figures(path: str, text: str) -> list[Figure]:
    """Every figure of a document, in order."""
    plain = readable(text)
    spans = blocks(text)
    out = []
    for m in FIGURE.finditer(plain):
        line = text.count("\n", 0, m.start()) + 1
        block = next(i for i, (a, b) in enumerate(spans) if a <= m.start() < b)
        if m.group("mean"):
            mean, std = m.group("mean"), m.group("std")
            fig = Figure(
                path,
                line,
                m.group(0).strip(),
                _number(mean),
                _places(mean),
                _number(std),
                _places(std),
                "%" in m.group(0),
                block,
                m.start(),
            )
        else:
            s = m.group("pct") or m.group("dec")
            fig = Figure(
                path,
                line,
                m.group(0).strip(),
                _number(s),
                _places(s),
                None,
                0,
                bool(m.group("pct")),
                block,
                m.start(),
            )
        out.append(fig)
    return out


def annotations(text: str) -> list[tuple[int, str, str, int]]:
    """(offset, kind, body, block) of every source annotation."""
    spans = blocks(text)
    out = []
    for m in ANNOTATION.finditer(text):
        block = next((i for i, (a, b) in enumerate(spans) if a <= m.start() < b), -1)
        out.append((m.start(), m.group(1), m.group(2), block))
    return out


# ----------------------------------------------------------------------------- reading sources


def _flatten(obj, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out |= _flatten(v, f"{prefix}{k}.")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out |= _flatten(v, f"{prefix}{i}.")
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        out[prefix.rstrip(".")] = float(obj)
    return out


def _slug(name: str) -> str:
    ascii_name = name.replace("π", "pi").replace("×", "x")
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()


def _csv_record(path: Path, row: dict) -> Record:
    values = {}
    for k, v in row.items():
        try:
            values[k] = float(v)
        except (TypeError, ValueError):
            continue
    seeds = {}
    # n_seeds: the heat and N-body tables (the N-body `seeds` column lists the seeds)
    count = row.get("n_seeds") or row.get("seeds")
    if count:
        n = int(count)
        seeds = {k.removesuffix("_std"): n for k in values}
        for k, v in row.items():  # per-column counts where a column averages fewer runs
            if k.startswith("seeds_") and v:  # seeds_rnd_perm: the acc_rnd_perm column
                for col in seeds:
                    if col.endswith(k.removeprefix("seeds_")):
                        seeds[col] = int(v)
    return Record(f"{_shown(path)}#{_row_name(row)}", values, seeds)


def _row_name(row: dict) -> str:
    """A table.csv row's name: its `row` column, or `model` in the heat and N-body tables."""
    return row.get("row") or row.get("model") or ""


def _resolve_path(spec: str) -> list[Path]:
    base = ROOT if spec.startswith(("models/", "benchmarks/")) else RESULTS
    if any(c in spec for c in "*?["):
        parent = (base / spec).parent
        return sorted(p for p in parent.glob(Path(spec).name))
    return [base / spec]


def _from_git(spec: str, key: str) -> list[Record]:
    """Records of a results file as committed at an earlier commit (git:COMMIT:PATH)."""
    import subprocess
    import tempfile

    _, commit, path = spec.split(":", 2)
    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:{path}"], capture_output=True, text=True
    )
    if shown.returncode != 0:
        raise ValueError(f"no {path} at commit {commit}")
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / Path(path).name
        local.write_text(shown.stdout)
        records = _read(local, key)
    for r in records:
        r.name = f"{spec}#{key}"
    return records


def resolve(ref: str) -> list[Record]:
    """The records a reference names; raises ValueError when it names none."""
    spec, _, key = ref.strip().partition("#")
    if spec.startswith("git:"):
        return _from_git(spec.strip(), key)
    paths = [p for p in _resolve_path(spec.strip()) if p.is_file()]
    if not paths:
        raise ValueError(f"no file {spec!r} under benchmarks/results (or the repository)")
    out = [r for path in paths for r in _read(path, key)]
    if not out:
        raise ValueError(f"{ref!r} names no record")
    return out


def _read(path: Path, key: str) -> list[Record]:
    """The records of one csv or json file that `key` names (all rows of a csv without one)."""
    if path.suffix == ".csv":
        with path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        name, _, protocol = key.partition("@")
        return [
            _csv_record(path, r)
            for r in rows
            if not key
            or (
                name.strip() in (_row_name(r), _slug(_row_name(r)))
                and (not protocol or r.get("protocol") == protocol)
            )
        ]
    if path.suffix != ".json":
        return []
    obj = json.loads(path.read_text())
    for part in filter(None, key.split(".")):
        obj = obj[int(part)] if isinstance(obj, list) else obj.get(part, {})
    if not key and isinstance(obj, dict):  # a training curve only when named
        obj = {k: v for k, v in obj.items() if k not in ("curve", "history")}
    values = _flatten(obj)
    seeds = {}
    if isinstance(obj, dict) and isinstance(obj.get("seeds"), int):
        seeds = {k.removesuffix("_std"): obj["seeds"] for k in values}
    return [Record(f"{_shown(path)}#{key}", values, seeds)]


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def published_table(path: Path = PUBLISHED) -> dict[str, tuple[float, int]]:
    """key -> (value, places printed) of the published figures."""
    with path.open(newline="") as fh:
        return {r["key"]: (_number(r["value"]), _places(r["value"])) for r in csv.DictReader(fh)}


# ----------------------------------------------------------------------------- matching


def close(printed: float, places: int, value: float) -> bool:
    """Whether value, printed at `places` decimals, reads `printed` (either rounding of a tie)."""
    return abs(value - printed) <= 0.5 * 10**-places + 1e-9


def _scales(value: float) -> tuple[float, ...]:
    return (value, 100 * value) if abs(value) <= 1.0 else (value,)


def _count(m: re.Match) -> int:
    if m.group("a"):
        return int(m.group("b")) - int(m.group("a")) + 1
    if m.group("list"):
        return len(re.findall(r"\d", m.group("list")))
    if m.group("n"):
        return WORDS.get(m.group("n"), None) or int(m.group("n"))
    return 1


def seed_count(sentence: str, at: int | None = None, end: int | None = None) -> int | None:
    """The number of seeds (or runs) a sentence states for the figure at [at, end), or None when
    it states none: a statement right after the figure, up to the end of its clause or of a
    parenthesis that follows it ("… over seeds 0–2", "… (seeds 0–2)"), else the last one before
    it ("seeds 0–2: …"); without `at`, the first statement of the text."""
    found = list(SEEDS.finditer(sentence))
    if not found:
        return None
    if at is None:
        return _count(found[0])
    end = at if end is None else end
    rest = sentence[end:]
    lead = len(rest) - len(rest.lstrip(" *"))  # a parenthesis right after the figure is its own
    if rest[lead : lead + 1] == "(":
        lead += 1
    clause = re.search(r"[;()]", rest[lead:])
    stop = end + lead + (clause.start() if clause else len(rest) - lead)
    after = [m for m in found if end <= m.start() < stop]
    before = [m for m in found if m.end() <= at]
    if after:
        return _count(after[0])
    if before:
        return _count(before[-1])
    return None


def _sentence(plain: str, rel: int) -> tuple[str, int]:
    cut = [m.end() for m in re.finditer(r"[.;]\s", plain[:rel])]
    start = cut[-1] if cut else 0
    end = re.search(r"[.;]\s", plain[rel:])
    return plain[start : rel + (end.start() if end else len(plain) - rel)], rel - start


def sentence_around(text: str, span: tuple[int, int], pos: int) -> tuple[str, int, str]:
    """(the sentence holding offset pos, pos within it, the context to fall back on): in a
    table row the sentence is that of its cell, and the fallback the whole row and the
    table's header row (its first statement counts); in prose the sentence itself."""
    a, b = span
    plain = readable(text[a:b])
    rel = pos - a
    fallback = ""
    if plain.lstrip().startswith("|"):
        head_start = text.rfind("\n\n", 0, a)
        if head_start >= 0:
            fallback = text[head_start + 2 : text.find("\n", head_start + 2)]
        fallback = plain + " " + fallback  # the whole row, then the header
        left, right = plain.rfind("|", 0, rel) + 1, plain.find("|", rel)
        cell = plain[left : right if right >= 0 else len(plain)]
        sentence, at = _sentence(cell, rel - left)
        return sentence, at, fallback
    sentence, at = _sentence(plain, rel)
    return sentence, at, sentence  # prose: any statement of the sentence


def check_figure(
    fig: Figure, records: list[Record], sentence: str, at: int | None = None, fallback: str = ""
) -> str | None:
    """None when fig matches one of the records, else why not."""
    if fig.std is None:
        for rec in records:
            for v in rec.values.values():
                if any(close(fig.value, fig.places, s) for s in _scales(v)):
                    return None
        return "no number of " + ", ".join(r.name for r in records) + " reads so"
    stated = seed_count(sentence, at, None if at is None else at + len(fig.text))
    if stated is None:
        stated = seed_count(fallback)
    pairs = []
    for rec in records:
        for k, v in rec.values.items():
            std = rec.values.get(f"{k}_std")
            if std is None:
                continue
            for a, b in zip(_scales(v), _scales(std) if abs(v) <= 1 else (std,)):
                if close(fig.value, fig.places, a) and close(fig.std, fig.std_places, b):
                    pairs.append((rec, k))
    if not pairs:
        return "no column ± its _std of " + ", ".join(r.name for r in records) + " reads so"
    counts = {rec.seeds.get(k) for rec, k in pairs}
    if stated is None:
        return f"the sentence states no seed count (the source: {sorted(map(str, counts))})"
    if stated not in counts:
        return f"the sentence states {stated} seeds, the source averages {sorted(map(str, counts))}"
    return None


def check_document(path: Path, published: dict, suggest: bool = False) -> tuple[int, list]:
    """(figures checked, failures) of one markdown file."""
    text = path.read_text()
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    figs = figures(name, text)
    notes = annotations(text)
    aliases = {m.group(1): m.group(2) for m in ALIAS.finditer(text)}
    spans = blocks(text)
    failures = []
    for fig in figs:
        note = next((n for n in notes if n[3] == fig.block and n[0] > fig.start), None)
        if note is None:
            reason = "untraced: no source annotation after it in its block"
            if suggest:
                reason += "; " + suggestions(fig)
            failures.append(Failure(name, fig.line, fig.text, reason))
            continue
        at, kind, body, _ = note
        # a def: or pub: annotation vouches for no result of ours, so it covers only the figures
        # just before it, as many as it has ";"-separated entries
        between = [f for f in figs if f.block == fig.block and fig.start <= f.start < at]
        if kind in ("def", "pub") and len(between) > len(body.split(";")):
            reason = (
                f"untraced: the {kind}: annotation after it covers only the figures just before it"
            )
            failures.append(Failure(name, fig.line, fig.text, reason))
            continue
        if kind == "def":  # a setting or a goal, not a result: it must say which
            if not body.strip():
                failures.append(Failure(name, fig.line, fig.text, "def: without a reason"))
            continue
        if kind == "pub":
            keys = [k.strip() for k in body.split(";")]
            unknown = [k for k in keys if k not in published]
            if unknown:
                failures.append(Failure(name, fig.line, fig.text, f"unknown published {unknown}"))
            elif fig.std is not None or not any(
                close(fig.value, fig.places, published[k][0]) for k in keys
            ):
                failures.append(
                    Failure(name, fig.line, fig.text, f"published {keys} do not read so")
                )
            continue
        try:
            refs = [aliases.get(ref.strip(), ref) for ref in body.split(";") if ref.strip()]
            records = [r for ref in refs for r in resolve(ref)]
        except (ValueError, KeyError, OSError, json.JSONDecodeError) as exc:
            failures.append(Failure(name, fig.line, fig.text, f"bad source: {exc}"))
            continue
        why = check_figure(fig, records, *sentence_around(text, spans[fig.block], fig.start))
        if why:
            failures.append(Failure(name, fig.line, fig.text, why))
    return len(figs), failures


_INDEX: list[Record] | None = None


def suggestions(fig: Figure, limit: int = 4) -> str:
    """Records under benchmarks/results whose numbers read as the figure."""
    global _INDEX
    if _INDEX is None:
        _INDEX = []
        for p in sorted(RESULTS.rglob("*")):
            if p.suffix in (".csv", ".json") and p.stat().st_size < 2_000_000:
                try:
                    _INDEX += resolve(str(p.relative_to(RESULTS)))
                except (ValueError, json.JSONDecodeError, UnicodeDecodeError):
                    continue
    hits = [r.name for r in _INDEX if check_figure(fig, [r], "seeds 0-2") is None]
    return (
        "candidates: " + (", ".join(hits[:limit]) or "none") + (" ..." if len(hits) > limit else "")
    )


def published_columns_known(published: dict) -> list[Failure]:
    """Every published number of every table.csv is in the one table of published figures."""
    values = {v for v, _ in published.values()}
    out = []
    for path in sorted(RESULTS.rglob("table.csv")):
        with path.open(newline="") as fh:
            for row in csv.DictReader(fh):
                for col in ("published_orig", "published_rnd_perm", "published_mse"):
                    v = row.get(col)
                    if v and not any(close(_number(v), max(2, _places(v)), p) for p in values):
                        rel = str(path.relative_to(ROOT))
                        out.append(
                            Failure(rel, 0, v, f"{col} of {row['row']!r} not in {PUBLISHED.name}")
                        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument(
        "--suggest", action="store_true", help="list matching records of untraced figures"
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    files = args.files or [ROOT / d for d in DOCUMENTS]
    published = published_table()
    total, failures = 0, published_columns_known(published)
    for path in files:
        n, bad = check_document(path.resolve(), published, args.suggest)
        total += n
        failures += bad
    if args.json:
        print(json.dumps({"checked": total, "failures": [vars(f) for f in failures]}, indent=1))
    else:
        for f in failures:
            print(f)
        print(f"{total} figures checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
