"""Per-entry result tables written as they come: CSV, JSON lines or Parquet, atomically.

`RecordWriter(path, columns, format)` takes batches of rows (`write(rows)`, each row a dict) and
writes them at once, so a job over millions of entries holds one batch in memory; the file
appears under its name only when the writer closes without an error (`orbitlearn.fileio`).
Columns are declared once with a kind: ``int`` (empty / null when missing), ``str``, ``bool``,
``ints`` (a list of integers: JSON list, Parquet list<int64>, CSV space-separated).
Parquet needs pyarrow (the `[dist]` extra).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orbitlearn.errors import OrbitlearnError
from orbitlearn.extras import import_optional

FORMATS = ("csv", "jsonl", "parquet")
#: the formats whose rows are plain text lines (`rows_text`): worker processes can format them
TEXT_FORMATS = ("csv", "jsonl")
_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}


def format_of(path: str | os.PathLike, given: str | None = None) -> str:
    """The output format: `given`, else from the file suffix (.csv, .jsonl, .parquet); JSON lines
    on standard output (``-``)."""
    from orbitlearn.fileio import is_stdout

    if given is None and is_stdout(path):
        return "jsonl"
    if given is not None:
        if given not in FORMATS:
            raise OrbitlearnError(f"--format must be one of {', '.join(FORMATS)}, not {given!r}")
        return given
    fmt = _SUFFIXES.get(Path(path).suffix)
    if fmt is None:
        raise OrbitlearnError(
            f"{path}: cannot tell the format from the name; end it in .csv, .jsonl or .parquet "
            "or pass --format"
        )
    return fmt


class RecordWriter:
    """Rows of declared columns to one file in `fmt`, batch by batch, renamed into place on close
    (``-``: standard output, as they come)."""

    def __init__(self, path: str | os.PathLike, columns: Sequence[tuple[str, str]], fmt: str):
        from orbitlearn.fileio import output_stream

        self.path = Path(path)
        self.columns = list(columns)
        self.names = [name for name, _ in self.columns]
        self.format = fmt
        self.count = 0
        if fmt == "parquet":
            pa = import_optional("pyarrow", "--format parquet")
            pq = import_optional("pyarrow.parquet", "--format parquet")
            kinds = {
                "int": pa.int64(),
                "str": pa.string(),
                "bool": pa.bool_(),
                "ints": pa.list_(pa.int64()),
            }
            self._pa = pa
            self._schema = pa.schema([(n, kinds[k]) for n, k in self.columns])
            self._context = output_stream(path, "wb", compress=False)
            self._fh = self._context.__enter__()
            self._parquet = pq.ParquetWriter(self._fh, self._schema)
        else:
            self._context = output_stream(path, "w", compress=False, newline="")
            self._fh = self._context.__enter__()
            if fmt == "csv":
                self._csv = csv.writer(self._fh)
                self._csv.writerow(self.names)

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append these rows (missing columns are null)."""
        if not rows:
            return
        self.count += len(rows)
        if self.format == "parquet":
            data = {n: [r.get(n) for r in rows] for n in self.names}
            self._parquet.write_table(self._pa.table(data, schema=self._schema))
        else:
            self._fh.write(rows_text(rows, self.columns, self.format))

    def write_text(self, text: str, count: int) -> None:
        """Append `count` rows already formatted by `rows_text` for this writer's text format."""
        if self.format not in TEXT_FORMATS:
            raise ValueError(f"write_text needs a text format, not {self.format}")
        self.count += count
        self._fh.write(text)

    def close(self, ok: bool = True) -> None:
        """Finish the file (ok) or throw it away (not ok: the destination is left untouched)."""
        if self.format == "parquet":
            self._parquet.close()
        if ok:
            self._context.__exit__(None, None, None)
        else:
            exc = RuntimeError("aborted")
            self._context.__exit__(type(exc), exc, None)

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.close(ok=kind is None)


def rows_text(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], fmt: str) -> str:
    """The lines a `RecordWriter` of text format `fmt` writes for these rows (after the CSV
    header), so that the rows can be formatted where they are computed."""
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)  # the same dialect as RecordWriter's
        for r in rows:
            writer.writerow([_csv_cell(r.get(n), k) for n, k in columns])
        return buf.getvalue()
    if fmt == "jsonl":
        names = [n for n, _ in columns]
        return "".join(json.dumps({n: r.get(n) for n in names}) + "\n" for r in rows)
    raise ValueError(f"not a text format: {fmt}")


def _csv_cell(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "ints":
        return " ".join(str(v) for v in value)
    return value
