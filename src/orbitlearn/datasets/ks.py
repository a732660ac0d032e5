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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np

from orbitlearn.argtypes import INTEGER
from orbitlearn.errors import DataNotFoundError, KSFormatError
from orbitlearn.limits import MAX_ABS_INTEGER, MAX_LINE_BYTES, MAX_MATRIX_ENTRIES

OnError = Literal["raise", "skip"]

_FIELD_RE = re.compile(
    r"(?P<key>[MNF]):(?P<a>-?[0-9]+)(?:\s+(?P<b>-?[0-9]+))?"
    r"|H:(?P<h11>-?[0-9]+),(?P<h21>-?[0-9]+)(?:\s+\[(?P<chi>-?[0-9]+)\])?"
)
#: a matrix row of integers that fit in an int64 for sure (at most 18 digits each): the fast path
_SAFE_ROW_RE = re.compile(r"\s*(?:[+-]?[0-9]{1,18}\s+)*[+-]?[0-9]{1,18}\s*")
#: the largest matrix an entry header may announce (rows x cols), far above any KS entry
MAX_ENTRY_SIZE = MAX_MATRIX_ENTRIES
_DONE_RE = re.compile(r"^\s*done\b.*$")


def header_text(
    rows: int,
    cols: int,
    m_points: int | None = None,
    m_vertices: int | None = None,
    n_points: int | None = None,
    n_vertices: int | None = None,
    facets: int | None = None,
    h11: int | None = None,
    h21: int | None = None,
    euler: int | None = None,
) -> str:
    """An entry header as PALP writes it: ``ROWS COLS  M:p v N:p v F:f H:h11,h21 [euler]``
    (absent fields left out)."""
    parts = [f"{rows} {cols} "]
    if m_points is not None:
        parts.append(f"M:{m_points} {m_vertices}")
    if n_points is not None:
        parts.append(f"N:{n_points} {n_vertices}")
    if facets is not None:
        parts.append(f"F:{facets}")
    if h11 is not None:
        parts.append(f"H:{h11},{h21}" + (f" [{euler}]" if euler is not None else ""))
    return " ".join(parts).rstrip()


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
        return header_text(
            rows, cols, self.m_points, self.m_vertices, self.n_points, self.n_vertices,
            self.facets, self.h11, self.h21, self.euler,
        )  # fmt: skip

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


#: the header fields of a KSBlock's table, in its column order
_TABLE_FIELDS = (
    "m_points",
    "m_vertices",
    "n_points",
    "n_vertices",
    "h11",
    "h21",
    "euler",
    "facets",
)

#: mirror symmetry of the header: each field of Δ is this field of its polar dual Δ*
#: (h11(Δ) = h21(Δ*); the M: counts of Δ are the N: counts of Δ*)
HEADER_MIRROR = {"h11": "h21", "h21": "h11", "m_points": "n_points", "m_vertices": "n_vertices",
                 "n_points": "m_points", "n_vertices": "m_vertices"}  # fmt: skip


@dataclass(eq=False)
class KSBlock:
    """Consecutive entries of a KS file as columns: the fast reader's unit of work.

    `table` has one row per entry (rows and columns as written, the header fields, which fields
    are present, the offset of the entry's numbers in `values`); `values` holds the matrices'
    numbers in file order. `entries()` gives `KSEntry` objects, `vertices()` one (B, d, n) array
    when every entry has the same shape, `column(name)` a header field with its presence mask.
    """

    source: str
    index: np.ndarray  # (B,) 0-based positions in the file
    line: np.ndarray  # (B,) 1-based header lines
    table: np.ndarray  # (B, N_HEADER) int64, columns of orbitlearn.datasets._ksscan
    values: np.ndarray  # the numbers of every matrix, row by row as written

    def __len__(self) -> int:
        return int(self.table.shape[0])

    @property
    def transposed(self) -> np.ndarray:
        """Whether each entry was written transposed (n x d, more rows than columns)."""
        return self.table[:, 0] > self.table[:, 1]

    @property
    def layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, cols, offsets), each (B,): every entry's matrix as written (rows x cols, row by
        row) and where its numbers start in `values`."""
        from orbitlearn.datasets import _ksscan as S

        return self.table[:, S.H_ROWS], self.table[:, S.H_COLS], self.table[:, S.H_VOFF]

    @property
    def shapes(self) -> np.ndarray:
        """(B, 2): the (d, n) shape of each entry's vertex matrix."""
        rows, cols = self.table[:, 0], self.table[:, 1]
        t = rows > cols
        return np.stack([np.where(t, cols, rows), np.where(t, rows, cols)], axis=1)

    def column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(values, present) of a header field (m_points ... facets) over the block."""
        from orbitlearn.datasets import _ksscan as S

        bit = {
            "m_points": S.F_M,
            "m_vertices": S.F_M,
            "n_points": S.F_N,
            "n_vertices": S.F_N,
            "h11": S.F_H,
            "h21": S.F_H,
            "euler": S.F_EULER,
            "facets": S.F_F,
        }[name]
        present = (self.table[:, S.H_FLAGS] & bit) != 0
        return self.table[:, 2 + _TABLE_FIELDS.index(name)], present

    def matrix(self, i: int) -> np.ndarray:
        """The (d, n) vertex matrix of the block's i-th entry."""
        from orbitlearn.datasets import _ksscan as S

        rows, cols, off = (int(v) for v in self.table[i, [0, 1, S.H_VOFF]])
        m = self.values[off : off + rows * cols].reshape(rows, cols)
        return m.T.copy() if rows > cols else m

    def vertices(self) -> np.ndarray:
        """(B, d, n) int64: every vertex matrix, when all have one shape (ValueError if not)."""
        from orbitlearn.datasets import _ksscan as S

        shapes = self.shapes
        if len(self) == 0:
            return np.zeros((0, 0, 0), dtype=np.int64)
        if not (shapes == shapes[0]).all():
            raise ValueError(f"{self.source}: entries of different shapes in one block")
        d, n = (int(v) for v in shapes[0])
        out = np.empty((len(self), d, n), dtype=np.int64)
        t = self.transposed
        offs = self.table[:, S.H_VOFF]
        for flag in (False, True):
            sel = np.flatnonzero(t == flag)
            if not len(sel):
                continue
            rows, cols = (n, d) if flag else (d, n)
            mats = self.values[offs[sel, None] + np.arange(rows * cols)].reshape(-1, rows, cols)
            out[sel] = mats.transpose(0, 2, 1) if flag else mats
        return out

    def entries(self) -> list[KSEntry]:
        """The block's entries as `KSEntry` objects (their matrices are views of `values`)."""
        from orbitlearn.datasets import _ksscan as S

        columns = []
        for name in _TABLE_FIELDS:
            vals, present = self.column(name)
            columns.append([v if ok else None for v, ok in zip(vals.tolist(), present.tolist())])
        table = self.table
        values = self.values
        out = []
        new = object.__new__
        for index, line, rows, ncols, off, *fields in zip(
            self.index.tolist(),
            self.line.tolist(),
            table[:, 0].tolist(),
            table[:, 1].tolist(),
            table[:, S.H_VOFF].tolist(),
            *columns,
        ):
            m = values[off : off + rows * ncols].reshape(rows, ncols)
            transposed = rows > ncols
            e = new(KSEntry)  # not the frozen dataclass's per-field __init__: millions are made
            d = e.__dict__
            d.update(zip(_TABLE_FIELDS, fields))
            d["index"] = index
            d["vertices"] = m.T.copy() if transposed else m
            d["transposed"] = transposed
            d["line"] = line
            out.append(e)
        return out

    def to_text(self) -> str:
        """The block's entries in KS format, as `KSEntry.to_text` writes each (by a compiled
        formatter; tested byte for byte against `KSEntry.to_text`)."""
        from orbitlearn.datasets import _ksscan as S

        if not len(self):
            return ""
        text = S.format_entries(self.values, self.table)
        if text is None:  # a number the formatter leaves to Python (the int64 minimum)
            return "".join(e.to_text() for e in self.entries())
        return text

    def replace_vertices(self, matrices: Sequence[np.ndarray]) -> KSBlock:
        """The same entries and headers with new (d, n) vertex matrices, each kept in its entry's
        layout (an entry written transposed stays transposed)."""
        if len(matrices) != len(self):
            raise ValueError(f"{len(matrices)} matrices for a block of {len(self)} entries")
        mats = [np.asarray(m, dtype=np.int64) for m in matrices]
        flat = [(m.T if t else m).ravel() for m, t in zip(mats, self.transposed.tolist())]
        return self.replace_flat(
            np.array([m.shape[0] for m in mats], dtype=np.int64),
            np.array([m.shape[1] for m in mats], dtype=np.int64),
            np.concatenate(flat) if flat else np.zeros(0, dtype=np.int64),
        )

    def replace_flat(self, d: np.ndarray, n: np.ndarray, values: np.ndarray) -> KSBlock:
        """The same entries and headers with new vertex matrices given flat: entry i's is
        (d[i], n[i]), stored back to back in `values` in its entry's layout (row by row; for an
        entry written transposed, its n[i] x d[i] transpose row by row). A header's `M:` vertex
        count becomes n[i] (the new matrix's columns are its vertices)."""
        from orbitlearn.datasets import _ksscan as S

        table = self.table.copy()
        transposed = self.transposed
        table[:, S.H_ROWS] = np.where(transposed, n, d)
        table[:, S.H_COLS] = np.where(transposed, d, n)
        # a header's vertex count (M:p v) follows the new matrix, so that the header stays true
        has_m = (table[:, S.H_FLAGS] & S.F_M) != 0
        table[has_m, S.H_MV] = n[has_m] if np.ndim(n) else n
        sizes = d * n
        table[:, S.H_VOFF] = np.cumsum(sizes) - sizes
        return KSBlock(self.source, self.index, self.line, table, values)

    def head(self, k: int) -> KSBlock:
        """The block's first k entries."""
        return self.slice(0, k)

    def slice(self, start: int, stop: int) -> KSBlock:
        """The block's entries start .. stop - 1 (their numbers a view of this block's)."""
        from orbitlearn.datasets import _ksscan as S

        table = self.table[start:stop].copy()
        if not len(table):
            return KSBlock(self.source, self.index[:0], self.line[:0], table, self.values[:0])
        first = int(table[0, S.H_VOFF])
        end = int(table[-1, S.H_VOFF] + table[-1, 0] * table[-1, 1])
        table[:, S.H_VOFF] -= first
        return KSBlock(
            self.source,
            self.index[start:stop],
            self.line[start:stop],
            table,
            self.values[first:end],
        )

    def compact(self) -> KSBlock:
        """The same block with `values` in the narrowest integer type that holds them (to send
        a block to another process cheaply)."""
        if not len(self.values):
            return self
        lo, hi = int(self.values.min()), int(self.values.max())
        for dtype in (np.int8, np.int16, np.int32):
            info = np.iinfo(dtype)
            if info.min <= lo and hi <= info.max:
                return KSBlock(
                    self.source, self.index, self.line, self.table, self.values.astype(dtype)
                )
        return self

    @classmethod
    def from_entries(cls, entries: list[KSEntry], source: str = "") -> KSBlock:
        """A block holding these entries (in this order)."""
        from orbitlearn.datasets import _ksscan as S

        table = np.zeros((len(entries), S.N_HEADER), dtype=np.int64)
        chunks = []
        off = 0
        bits = {"m_points": S.F_M, "n_points": S.F_N, "h11": S.F_H, "euler": S.F_EULER}
        bits["facets"] = S.F_F
        for i, e in enumerate(entries):
            m = e.vertices.T if e.transposed else e.vertices
            table[i, 0], table[i, 1] = m.shape
            flags = 0
            for k, name in enumerate(_TABLE_FIELDS):
                value = getattr(e, name)
                if value is not None:
                    table[i, 2 + k] = value
            for name, bit in bits.items():
                if getattr(e, name) is not None:
                    flags |= bit
            table[i, S.H_FLAGS] = flags
            table[i, S.H_VOFF] = off
            chunks.append(np.asarray(m, dtype=np.int64).ravel())
            off += m.size
        return cls(
            source=source,
            index=np.array([e.index for e in entries], dtype=np.int64),
            line=np.array([e.line for e in entries], dtype=np.int64),
            table=table,
            values=np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64),
        )


# --------------------------------------------------------------------------- reading


def _open_source(source: str | os.PathLike | IO) -> tuple[IO, str, bool, bool]:
    """(stream, display name, whether we opened it and must close it, whether it is binary).

    Files and byte streams are read as bytes (the fast path); a text stream without an
    underlying byte buffer is read line by line as text."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise DataNotFoundError(f"{path}: no such file")
        if path.is_dir():
            raise DataNotFoundError(f"{path}: is a directory, expected a KS file (plain or .gz)")
        with open(path, "rb") as probe:
            magic = probe.read(2)
        if magic == b"\x1f\x8b":
            return gzip.open(path, "rb"), str(path), True, True
        return open(path, "rb"), str(path), True, True
    display = _source_name(source)
    if isinstance(source, io.TextIOBase):
        return source, display, False, False
    if hasattr(source, "read") and isinstance(source.read(0), bytes):
        return source, display, False, True
    return source, display, False, False


class LineTooLong(ValueError):
    """A line longer than MAX_LINE_BYTES: no KS line is, and reading it whole would not keep
    memory bounded."""


_BOM = b"\xef\xbb\xbf"

#: the first line end (CR, LF or CRLF) at or after a position: found in the time of the line
_LINE_END = re.compile(rb"[\r\n]")


class _Lines:
    """A line reader over a text stream with 1-based numbers and one line of push-back."""

    def __init__(self, stream: IO[str]):
        self._stream = stream
        self.number = 0
        self._pushed: str | None = None

    def next(self) -> str | None:
        if self._pushed is not None:
            line, self._pushed = self._pushed, None
        else:
            line = self._stream.readline(MAX_LINE_BYTES + 1)
            if not line:
                return None
            if self.number == 0:
                line = line.removeprefix("\ufeff")  # a byte-order mark: not data
            if len(line) > MAX_LINE_BYTES:
                raise LineTooLong()
        self.number += 1
        return line

    def push_back(self, line: str) -> None:
        self._pushed = line
        self.number -= 1


class _ByteLines:
    """A binary stream read in large chunks, seen two ways: as text lines for the strict line
    reader (`next`, `push_back`, `number`; universal newlines and ASCII with replacement, as a
    text stream would give them) and as a window of whole lines for the compiled fast path."""

    def __init__(self, raw: IO[bytes], chunk: int = 1 << 22):
        self.raw = raw
        self.chunk = chunk
        self.buf = b""
        self.pos = 0
        self.eof = False
        self.number = 0  # lines consumed so far
        self._line_start = 0
        self._error: BaseException | None = None
        self._no_lf_before = 0  # buf[pos:_no_lf_before] holds no LF (searched already)
        self.tables: tuple[np.ndarray, np.ndarray] | None = None  # the fast path's work tables

    def fill(self) -> bool:
        """Append up to one more chunk of the stream (False at its end).

        A read error (a corrupt or truncated gzip member) is raised only once everything read
        before it has been consumed, so it is reported at the line where reading stopped."""
        if self.eof:
            return False
        if self._error is not None:
            raise self._error
        read = getattr(self.raw, "read1", self.raw.read)
        pieces: list[bytes] = []
        size = 0
        try:
            while size < self.chunk:
                data = read(self.chunk - size)
                if not data:
                    self.eof = True
                    break
                pieces.append(data)
                size += len(data)
        except (OSError, EOFError, zlib.error) as exc:
            self._error = exc
        if not pieces:
            if self._error is not None:
                raise self._error
            return False
        self._no_lf_before = max(0, self._no_lf_before - self.pos)
        self.buf = self.buf[self.pos :] + b"".join(pieces)
        self.pos = 0
        if self.number == 0 and self.buf.startswith(_BOM):  # a UTF-8 byte-order mark: not data
            self.buf = self.buf[len(_BOM) :]
        return True

    def next(self) -> str | None:
        while True:
            buf, pos = self.buf, self.pos
            m = _LINE_END.search(buf, pos)
            at = m.start() if m else -1
            if at >= 0 and buf[at] == 13 and (at + 1 < len(buf) or self.eof):  # CR or CRLF
                end = at + 2 if buf[at + 1 : at + 2] == b"\n" else at + 1
                return self._take(pos, end, buf[pos:at].decode("ascii", "replace") + "\n")
            if at >= 0 and buf[at] == 10:
                return self._take(pos, at + 1, buf[pos : at + 1].decode("ascii", "replace"))
            if (at if at >= 0 else len(buf)) - pos > MAX_LINE_BYTES:
                raise LineTooLong()
            if not self.fill():
                if self.pos < len(self.buf):
                    rest = self.buf[self.pos :].decode("ascii", "replace")
                    return self._take(self.pos, len(self.buf), rest)
                return None

    def _take(self, start: int, end: int, line: str) -> str:
        self._line_start = start
        self.pos = end
        self.number += 1
        return line

    def push_back(self, line: str) -> None:
        self.pos = self._line_start
        self.number -= 1

    def window(self) -> tuple[np.ndarray, int, int]:
        """(the buffer as uint8, start, end) with whole lines in [start, end); start == end at
        the end of the stream."""
        if not self.eof and self._error is None and len(self.buf) - self.pos < self.chunk:
            self.fill()
        while True:
            end = self.buf.rfind(b"\n", max(self.pos, self._no_lf_before)) + 1
            if end > self.pos:
                break
            self._no_lf_before = len(self.buf)
            if self.eof:
                end = len(self.buf)
                break
            if len(self.buf) - self.pos > MAX_LINE_BYTES:  # no LF: the line reader decides
                end = self.pos
                break
            self.fill()
        return np.frombuffer(self.buf, dtype=np.uint8), self.pos, end

    def advance(self, pos: int, lines: int) -> None:
        self.pos = pos
        self.number += lines


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
        if value is not None and abs(value) > MAX_ABS_INTEGER:
            raise ValueError(f"header value {key}={value} is out of the range of |x| <= 2**63 - 1")
    return out


def _looks_like_header(text: str) -> bool:
    tokens = text.split()
    if len(tokens) < 2:
        return False
    if not all(INTEGER.fullmatch(t) for t in tokens[:2]):
        return False
    return len(tokens) == 2 or tokens[2][:2] in ("M:", "N:", "H:", "F:")


def _skip_rest_of_entry(lines: Any, header: str, header_line: int) -> None:
    """After a malformed entry, move to the next header: the rows its header announced that are
    still to come (lines of COLS numbers, as `_read_entry` reads them, so that a row ``3 2`` of a
    two-column matrix is not taken for a header), then up to a header or a trailer line."""
    try:
        h = _parse_header(header)
    except ValueError:
        h = None
    remaining = h["rows"] - (lines.number - header_line) if h else 0
    cols = h["cols"] if h else -1
    while (nxt := lines.next()) is not None:
        if remaining > 0 and len(nxt.split()) == cols and not _is_trailer(nxt):
            remaining -= 1
            continue
        if _looks_like_header(nxt) or _is_trailer(nxt):
            lines.push_back(nxt)
            return
        remaining -= 1


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
        if abs(int(t)) > MAX_ABS_INTEGER:
            shown = t if len(t) <= 40 else t[:37] + "..."
            raise KSFormatError(
                source,
                line,
                f"integer {shown} in a matrix row is out of the int64 range made symmetric "
                "(|x| <= 2**63 - 1)",
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


#: entries per block of the fast path (memory: about 1 kB per 4 x 26 entry)
BLOCK_ENTRIES = 8192


def iter_ks_blocks(
    source: str | os.PathLike | IO,
    on_error: OnError = "raise",
    errors: SkippedEntries | list[KSFormatError] | None = None,
    trailer: list[str] | None = None,
    block_entries: int = BLOCK_ENTRIES,
) -> Iterator[KSBlock]:
    """Yield the entries of a KS file in file order as `KSBlock`s of at most `block_entries`
    consecutive entries; memory stays bounded however long the file is.

    Plain entries are parsed by a compiled scanner straight from the bytes; every line it does
    not fully understand (comments, trailers, malformed or inconsistent entries, unusual
    spacing or signs) goes to the strict line reader, so errors and edge cases behave exactly as
    described in `iter_ks`.
    """
    pending: list[KSEntry] = []  # consecutive entries of the line reader, batched into one block
    for item in _iter_items(source, on_error, errors, trailer, block_entries):
        if isinstance(item, KSEntry):
            pending.append(item)
            if len(pending) < block_entries:
                continue
            item = None
        if pending:
            yield KSBlock.from_entries(pending, _source_name(source))
            pending = []
        if item is not None:
            yield item
    if pending:
        yield KSBlock.from_entries(pending, _source_name(source))


def _source_name(source: str | os.PathLike | IO) -> str:
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    name = getattr(source, "name", None)
    return str(name) if isinstance(name, str) else "<stream>"


def _iter_items(
    source: str | os.PathLike | IO,
    on_error: OnError,
    errors: SkippedEntries | list[KSFormatError] | None,
    trailer: list[str] | None,
    block_entries: int,
) -> Iterator[KSBlock | KSEntry]:
    """The reading loop: blocks from the fast path, single entries from the line reader."""
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    if on_error == "skip" and errors is None:
        raise ValueError("on_error='skip' needs an `errors` list to report the skipped entries in")
    if block_entries < 1:
        raise ValueError(f"block_entries must be >= 1, got {block_entries}")
    stream, display, close, binary = _open_source(source)
    trailer_lines: list[str] = [] if trailer is None else trailer
    lines: _Lines | _ByteLines = _ByteLines(stream) if binary else _Lines(stream)
    index = 0
    try:
        while True:
            if isinstance(lines, _ByteLines):
                for block in _scan_blocks(lines, index, display, block_entries):
                    trailer_lines.clear()
                    index += len(block)
                    yield block
            # one line (and the entry it starts) by the line reader
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
                _skip_rest_of_entry(lines, text, header_line)
                continue
            index += 1
            yield entry
        _check_trailer_count(trailer_lines, index, display, lines.number)
    except LineTooLong:
        raise KSFormatError(
            display,
            lines.number + 1,
            f"a line longer than {MAX_LINE_BYTES} bytes: a KS file holds one header or one "
            "matrix row per line",
        ) from None
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


def _scan_blocks(
    lines: _ByteLines, index: int, source: str, block_entries: int
) -> Iterator[KSBlock]:
    """Blocks of the fast path from where `lines` stands, until a line it leaves to the line
    reader or the end of the stream."""
    from orbitlearn.datasets import _ksscan as S

    while True:
        buf, pos, end = lines.window()
        if pos >= end:
            return
        if lines.tables is None:  # allocated once per stream: the line reader may call often
            lines.tables = S.new_tables(block_entries, block_entries * 128)
        hdr, vals = lines.tables
        status, n, nv, stop, nlines = S.scan_block(buf, pos, end, hdr, vals, MAX_ENTRY_SIZE)
        if n:
            table = hdr[:n].copy()
            yield KSBlock(
                source=source,
                index=np.arange(index, index + n, dtype=np.int64),
                line=table[:, S.H_LINE] + lines.number + 1,
                table=table,
                values=vals[:nv].copy(),
            )
            index += n
        lines.advance(stop, nlines)
        if status == S.SCAN_ANOMALY:
            return
        if status == S.SCAN_FULL and n == 0:  # one entry larger than the value table
            lines.tables = (hdr, np.zeros(2 * len(vals), dtype=np.int64))
        elif status == S.SCAN_PARTIAL and n == 0:  # one entry larger than the window
            if len(lines.buf) - lines.pos > MAX_LINE_BYTES:
                return  # a huge entry or line: the line reader reads it, with its bounds
            if not lines.fill():
                return  # the file ends inside it: the line reader says where


def iter_input_blocks(
    paths: Iterable[str],
    limit: int | None = None,
    block_entries: int = BLOCK_ENTRIES,
    on_error: OnError = "raise",
    errors: SkippedEntries | list[KSFormatError] | None = None,
    trailer: list[str] | None = None,
) -> Iterator[KSBlock]:
    """The entries of several KS inputs one after the other, as blocks (``-`` is standard input);
    at most `limit` entries in all. `trailer` receives the last input's trailer lines."""
    import sys

    left = limit
    for path in paths:
        if left is not None and left <= 0:
            return
        source = sys.stdin.buffer if path == "-" else path
        if trailer is not None:
            trailer.clear()
        blocks = iter_ks_blocks(
            source, on_error=on_error, errors=errors, trailer=trailer, block_entries=block_entries
        )
        for block in blocks:
            if path == "-":
                block.source = "-"
            if left is not None:
                if len(block) >= left:
                    yield block.head(left)
                    left = 0
                    break
                left -= len(block)
            yield block


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
    for item in _iter_items(source, on_error, errors, trailer, BLOCK_ENTRIES):
        if isinstance(item, KSEntry):
            yield item
        else:
            yield from item.entries()


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
