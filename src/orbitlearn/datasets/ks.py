"""The Kreuzer-Skarke / PALP text format: read it exactly, write it back exactly.

An entry is a header line ``ROWS COLS  M:p v N:p v H:h11,h21 [chi]`` followed by ROWS lines of
COLS integers. The matrix holds the polytope's vertices: for a d-dimensional polytope with n
vertices it is written d x n ("4 26", one coordinate per line) or, transposed, n x d ("26 4",
one vertex per line). Both are read into the (d, n) orientation; ``transposed`` remembers which
layout the file used so that writing reproduces it. M: gives lattice points and vertices of the
polytope Δ, N: those of its polar dual Δ*, H: the Hodge numbers h11, h21 and the Euler number
χ = 2(h11 − h21). Files end with a trailer such as ``#NF: 78468`` and ``  done (135s)``.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import numpy as np

from orbitlearn.argtypes import INT64_MAX, INT64_MIN, INTEGER
from orbitlearn.errors import DataNotFoundError, KSFormatError

OnError = Literal["raise", "skip"]

_FIELD_RE = re.compile(
    r"(?P<key>[MNF]):(?P<a>-?[0-9]+)(?:\s+(?P<b>-?[0-9]+))?"
    r"|H:(?P<h11>-?[0-9]+),(?P<h21>-?[0-9]+)(?:\s+\[(?P<chi>-?[0-9]+)\])?"
)
#: a matrix row of integers that fit in an int64 for sure (at most 18 digits each): the fast path
_SAFE_ROW_RE = re.compile(r"\s*(?:[+-]?[0-9]{1,18}\s+)*[+-]?[0-9]{1,18}\s*")
#: the largest matrix an entry header may announce (rows x cols), far above any KS entry
MAX_ENTRY_SIZE = 1_000_000
_DONE_RE = re.compile(r"^\s*done\b.*$")


@dataclass(frozen=True, eq=False)
class KSEntry:
    """One polytope of a KS file: its (d, n) vertex matrix and the header fields (None if absent)."""

    index: int
    vertices: np.ndarray
    m_points: int | None = None
    m_vertices: int | None = None
    n_points: int | None = None
    n_vertices: int | None = None
    h11: int | None = None
    h21: int | None = None
    euler: int | None = None
    facets: int | None = None
    transposed: bool = False
    line: int = 0

    @property
    def dim(self) -> int:
        """The lattice dimension d of the (d, n) vertex matrix."""
        return int(self.vertices.shape[0])

    @property
    def n_columns(self) -> int:
        """The number n of points (columns) of the vertex matrix."""
        return int(self.vertices.shape[1])

    def header(self) -> str:
        """The header line as PALP writes it (rows and columns in the file's layout)."""
        d, n = self.vertices.shape
        rows, cols = (n, d) if self.transposed else (d, n)
        parts = [f"{rows} {cols} "]
        if self.m_points is not None:
            parts.append(f"M:{self.m_points} {self.m_vertices}")
        if self.n_points is not None:
            parts.append(f"N:{self.n_points} {self.n_vertices}")
        if self.facets is not None:
            parts.append(f"F:{self.facets}")
        if self.h11 is not None:
            h = f"H:{self.h11},{self.h21}"
            if self.euler is not None:
                h += f" [{self.euler}]"
            parts.append(h)
        return " ".join(parts).rstrip()

    def to_text(self) -> str:
        """The entry in KS format: d x n rows in fixed width 4, or n x d rows as ``a b c d ``.

        Every number is preceded by at least one space (``" {v:3d}"``), so wide numbers such as
        -100 or 1000 never fuse with their neighbour; for |v| < 100 this is PALP's ``%4d``."""
        lines = [self.header()]
        if self.transposed:
            lines.extend("".join(f"{v} " for v in row) for row in self.vertices.T.tolist())
        else:
            lines.extend("".join(f" {v:3d}" for v in row) for row in self.vertices.tolist())
        return "\n".join(lines) + "\n"

    def same_as(self, other: KSEntry) -> bool:
        """Equal header fields, layout and matrix (the index and line number are not compared)."""
        return (
            self.header() == other.header()
            and self.transposed == other.transposed
            and self.vertices.shape == other.vertices.shape
            and bool(np.array_equal(self.vertices, other.vertices))
        )


#: how many skipped entries' errors a `SkippedEntries` keeps (and the CLI shows one by one)
KEPT_ERRORS = 100


class SkippedEntries:
    """The entries `--on-error skip` left out: how many, the first `keep` errors, and (optionally)
    every error written to `sink` as it happens. Memory stays bounded however many are skipped."""

    def __init__(self, keep: int = KEPT_ERRORS, sink: IO[str] | None = None):
        self.keep = keep
        self.sink = sink
        self.count = 0
        self.kept: list[KSFormatError] = []

    def append(self, error: KSFormatError) -> None:
        """Count one skipped entry, keep its error while fewer than `keep` are kept, and write it to the sink if there is one."""
        self.count += 1
        if len(self.kept) < self.keep:
            error.__traceback__ = None  # the frames are not needed to report it
            self.kept.append(error)
        if self.sink is not None:
            self.sink.write(f"{error}\n")

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[KSFormatError]:
        return iter(self.kept)

    def __bool__(self) -> bool:
        return self.count > 0

    def __getitem__(self, i: int) -> KSFormatError:
        """The i-th kept error (only the first `keep` are kept)."""
        return self.kept[i]


@dataclass
class KSFile:
    """All entries of a KS file, with what was skipped and the trailer lines it ended with."""

    source: str
    entries: list[KSEntry]
    skipped: SkippedEntries = field(default_factory=SkippedEntries)
    trailer: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[KSEntry]:
        return iter(self.entries)

    def __getitem__(self, i: int) -> KSEntry:
        return self.entries[i]

    @property
    def transposed_count(self) -> int:
        """How many entries were written transposed (``n d`` header) and read back as (d, n)."""
        return sum(e.transposed for e in self.entries)


# --------------------------------------------------------------------------- reading


def _open_text(source: str | os.PathLike | IO) -> tuple[IO[str], str, bool]:
    """(text stream, display name, whether we opened it and must close it)."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise DataNotFoundError(f"{path}: no such file")
        if path.is_dir():
            raise DataNotFoundError(f"{path}: is a directory, expected a KS file (plain or .gz)")
        with open(path, "rb") as probe:
            magic = probe.read(2)
        if magic == b"\x1f\x8b":
            return gzip.open(path, "rt", encoding="ascii", errors="replace"), str(path), True
        return open(path, encoding="ascii", errors="replace"), str(path), True
    name = getattr(source, "name", None)
    display = str(name) if isinstance(name, str) else "<stream>"
    if isinstance(source, io.TextIOBase):
        return source, display, False
    if hasattr(source, "read") and isinstance(source.read(0), bytes):
        return io.TextIOWrapper(source, encoding="ascii", errors="replace"), display, False
    return source, display, False


class _Lines:
    """A line reader with 1-based numbers and one line of push-back."""

    def __init__(self, stream: IO[str]):
        self._it = iter(stream)
        self.number = 0
        self._pushed: str | None = None

    def next(self) -> str | None:
        if self._pushed is not None:
            line, self._pushed = self._pushed, None
        else:
            line = next(self._it, None)
            if line is None:
                return None
        self.number += 1
        return line

    def push_back(self, line: str) -> None:
        self._pushed = line
        self.number -= 1


def _parse_header(text: str) -> dict | None:
    """Header fields of a line, or None if the line is not an entry header."""
    tokens = text.split(None, 2)
    if len(tokens) < 2:
        return None
    if not (INTEGER.fullmatch(tokens[0]) and INTEGER.fullmatch(tokens[1])):
        return None
    rows, cols = int(tokens[0]), int(tokens[1])
    rest = tokens[2].strip() if len(tokens) == 3 else ""
    out: dict = {"rows": rows, "cols": cols}
    pos = 0
    while pos < len(rest):
        if rest[pos].isspace():
            pos += 1
            continue
        m = _FIELD_RE.match(rest, pos)
        if m is None:
            raise ValueError(
                f"unexpected header field {rest[pos:].split()[0]!r}: expected M:points vertices, "
                "N:points vertices, F:facets or H:h11,h21 [euler]"
            )
        if m.group("key"):
            key, a, b = m.group("key"), int(m.group("a")), m.group("b")
            if key == "F":
                out["facets"] = a
            else:
                if b is None:
                    raise ValueError(f"header field {key}: needs two integers (points vertices)")
                prefix = "m" if key == "M" else "n"
                out[f"{prefix}_points"], out[f"{prefix}_vertices"] = a, int(b)
        else:
            out["h11"], out["h21"] = int(m.group("h11")), int(m.group("h21"))
            out["euler"] = int(m.group("chi")) if m.group("chi") is not None else None
        pos = m.end()
    for key, value in out.items():
        if value is not None and not INT64_MIN <= value <= INT64_MAX:
            raise ValueError(f"header value {key}={value} is out of the int64 range")
    return out


def _looks_like_header(text: str) -> bool:
    tokens = text.split()
    if len(tokens) < 2:
        return False
    if not all(INTEGER.fullmatch(t) for t in tokens[:2]):
        return False
    return len(tokens) == 2 or tokens[2][:2] in ("M:", "N:", "H:", "F:")


def _is_trailer(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith("#") or bool(_DONE_RE.match(text))


def _read_entry(
    lines: _Lines, header_text: str, header_line: int, index: int, source: str
) -> KSEntry:
    try:
        h = _parse_header(header_text)
    except ValueError as exc:
        raise KSFormatError(source, header_line, str(exc)) from None
    if h is None:
        raise KSFormatError(
            source,
            header_line,
            f"expected an entry header 'ROWS COLS  M:p v N:p v H:h11,h21 [euler]', got {header_text.strip()[:60]!r}",
        )
    rows, cols = h["rows"], h["cols"]
    if rows <= 0 or cols <= 0:
        raise KSFormatError(
            source, header_line, f"matrix shape {rows} x {cols}: both must be positive"
        )
    if rows * cols > MAX_ENTRY_SIZE:
        raise KSFormatError(
            source,
            header_line,
            f"matrix shape {rows} x {cols}: more than {MAX_ENTRY_SIZE} numbers in one entry",
        )
    matrix = np.empty((rows, cols), dtype=np.int64)
    for r in range(rows):
        text = lines.next()
        if text is None:
            raise KSFormatError(
                source,
                lines.number + 1,
                f"truncated entry (header on line {header_line}): expected {rows} rows of {cols} integers, the file ends after {r}",
            )
        if _looks_like_header(text) and len(text.split()) != cols:
            lines.push_back(text)
            raise KSFormatError(
                source,
                lines.number + 1,
                f"truncated entry (header on line {header_line}): expected {rows} rows of {cols} integers, found {r} before the next header",
            )
        tokens = text.split()
        if len(tokens) != cols:
            raise KSFormatError(
                source,
                lines.number,
                f"wrong row length: expected {cols} integers, found {len(tokens)}",
            )
        if not _SAFE_ROW_RE.fullmatch(text):
            _check_row_tokens(tokens, source, lines.number, cols)
        matrix[r] = [int(t) for t in tokens]
    transposed = rows > cols
    vertices = matrix.T.copy() if transposed else matrix
    n_cols = vertices.shape[1]
    if h.get("m_vertices") is not None and h["m_vertices"] != n_cols:
        raise KSFormatError(
            source,
            header_line,
            f"matrix shape {rows} x {cols} disagrees with the header: M: says {h['m_vertices']} vertices, the matrix has {n_cols}",
        )
    if h.get("euler") is not None and h["euler"] != 2 * (h["h11"] - h["h21"]):
        raise KSFormatError(
            source,
            header_line,
            f"Euler number [{h['euler']}] is not 2(h11 - h21) = {2 * (h['h11'] - h['h21'])}",
        )
    return KSEntry(
        index=index,
        vertices=vertices,
        m_points=h.get("m_points"),
        m_vertices=h.get("m_vertices"),
        n_points=h.get("n_points"),
        n_vertices=h.get("n_vertices"),
        h11=h.get("h11"),
        h21=h.get("h21"),
        euler=h.get("euler"),
        facets=h.get("facets"),
        transposed=transposed,
        line=header_line,
    )


def _check_row_tokens(tokens: list[str], source: str, line: int, cols: int) -> None:
    """KSFormatError for the first token that is not an int64 written ``[+-]?[0-9]+``."""
    for t in tokens:
        if not INTEGER.fullmatch(t):
            raise KSFormatError(
                source,
                line,
                f"non-integer token {t[:40]!r} in a matrix row: expected {cols} integers "
                "written as [+-]digits",
            )
        if not INT64_MIN <= int(t) <= INT64_MAX:
            shown = t if len(t) <= 40 else t[:37] + "..."
            raise KSFormatError(
                source, line, f"integer {shown} in a matrix row is out of the int64 range"
            )


def _check_trailer_count(trailer: list[str], seen: int, source: str, line: int) -> None:
    for t in trailer:
        m = re.match(r"^\s*#NF:\s*(\d+)", t)
        if m and int(m.group(1)) != seen:
            raise KSFormatError(
                source,
                line,
                f"the trailer '#NF: {m.group(1)}' promises {m.group(1)} entries, the file has {seen}",
            )


def iter_ks(
    source: str | os.PathLike | IO,
    on_error: OnError = "raise",
    errors: SkippedEntries | list[KSFormatError] | None = None,
    trailer: list[str] | None = None,
) -> Iterator[KSEntry]:
    """Yield the entries of a KS file lazily, in file order, each with its 0-based `index`.

    With ``on_error="skip"`` a malformed entry is skipped up to the next header and its
    `KSFormatError` appended to `errors` (which the caller must pass, so nothing is lost
    silently); the index counts every entry seen, skipped ones included, so indices are
    positions in the file. Trailer lines (``#...``, ``done (...)``) are collected in `trailer`.
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    if on_error == "skip" and errors is None:
        raise ValueError("on_error='skip' needs an `errors` list to report the skipped entries in")
    stream, display, close = _open_text(source)
    trailer_lines: list[str] = [] if trailer is None else trailer
    lines = _Lines(stream)
    try:
        index = 0
        while True:
            text = lines.next()
            if text is None:
                break
            if not text.strip():
                continue
            if _is_trailer(text):
                trailer_lines.append(text.rstrip("\n"))
                continue
            trailer_lines.clear()  # '#' lines followed by an entry were comments, not the trailer
            header_line = lines.number
            try:
                entry = _read_entry(lines, text, header_line, index, display)
            except KSFormatError as exc:
                if on_error == "raise":
                    raise
                errors.append(exc)  # type: ignore[union-attr]
                index += 1
                while (nxt := lines.next()) is not None:
                    if _looks_like_header(nxt) or _is_trailer(nxt):
                        lines.push_back(nxt)
                        break
                continue
            index += 1
            yield entry
        _check_trailer_count(trailer_lines, index, display, lines.number)
    except UnicodeDecodeError as exc:  # pragma: no cover - errors="replace" makes this rare
        raise KSFormatError(display, lines.number + 1, f"not a text file: {exc}") from None
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        if isinstance(exc, (EOFError, zlib.error)) or "gzip" in str(exc).lower():
            what = "the compressed data is corrupt or truncated"
        else:
            what = "cannot read the file"
        raise KSFormatError(
            display, lines.number + 1, f"{what} ({type(exc).__name__}: {exc})"
        ) from None
    finally:
        if close:
            stream.close()


def read_ks(
    source: str | os.PathLike | IO,
    on_error: OnError = "raise",
    show_progress: bool | None = False,
    skipped: SkippedEntries | None = None,
) -> KSFile:
    """Read a whole KS file (plain, .gz, or a stream) into a `KSFile`.

    `show_progress`: a bar over the entries (None: only when stderr is a terminal).
    `skipped`: where ``on_error="skip"`` records what it skips (default: a new `SkippedEntries`)."""
    from orbitlearn.progress import progress

    errors = SkippedEntries() if skipped is None else skipped
    trailer: list[str] = []
    entries = list(
        progress(
            iter_ks(source, on_error=on_error, errors=errors, trailer=trailer),
            desc=f"reading {source}" if isinstance(source, (str, os.PathLike)) else "reading",
            enabled=show_progress,
        )
    )
    name = (
        str(source)
        if isinstance(source, (str, os.PathLike))
        else getattr(source, "name", "<stream>")
    )
    return KSFile(source=str(name), entries=entries, skipped=errors, trailer=trailer)


# --------------------------------------------------------------------------- writing


def write_ks(
    entries: Iterable[KSEntry],
    dest: str | os.PathLike | IO,
    trailer: Iterable[str] | None = None,
) -> int:
    """Write entries in KS format (gzip if the path ends in .gz); returns how many were written.

    Reading the result gives the same entries; the KS files themselves come back byte for byte.
    """
    if isinstance(dest, (str, os.PathLike)):
        from orbitlearn.fileio import atomic_write

        with atomic_write(dest, "w", encoding="ascii") as fh:
            return _write_stream(entries, fh, trailer)
    return _write_stream(entries, dest, trailer)


def _write_stream(entries: Iterable[KSEntry], fh: IO[str], trailer: Iterable[str] | None) -> int:
    n = 0
    for entry in entries:
        fh.write(entry.to_text())
        n += 1
    for line in trailer or ():
        fh.write(line + "\n")
    return n
