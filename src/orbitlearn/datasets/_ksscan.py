"""The compiled fast path of the KS reader: well-formed entries straight from the bytes.

`scan_block(buf, pos, end, ...)` walks the lines of ``buf[pos:end]`` and parses every entry that
is written the plain way — a header ``ROWS COLS`` with ``M:p v``, ``N:p v``, ``H:h11,h21 [chi]``,
``F:f`` fields, then ROWS lines of COLS integers of at most 18 digits — into a header table and a
flat value array. It stops, without guessing, at the first line it does not fully understand (a
comment or trailer, a malformed or inconsistent entry, a lone carriage return, a byte that is
not plain ASCII): the strict line reader in `orbitlearn.datasets.ks` takes that line, so every
error message and every unusual case is the reader's one implementation. The fast path only
accepts what that reader accepts, and gives the same numbers (tested on v26 and random files).
"""

from __future__ import annotations

import numpy as np

from orbitlearn.geometry._jit import njit

# why a scan stopped
SCAN_DONE = 0  # the whole range was read, ending between entries
SCAN_PARTIAL = 1  # the range ends inside an entry (stopped at its header)
SCAN_ANOMALY = 2  # a line the fast path leaves to the line reader (stopped at its start)
SCAN_FULL = 3  # the output tables are full (stopped at the next header)

# columns of the header table
H_ROWS, H_COLS, H_MP, H_MV, H_NP, H_NV, H_H11, H_H21, H_EULER, H_FACETS = range(10)
H_FLAGS, H_LINE, H_VOFF = 10, 11, 12
N_HEADER = 13
# bits of H_FLAGS: which fields the header has
F_M, F_N, F_H, F_EULER, F_F = 1, 2, 4, 8, 16

_MAX_DIGITS = 18  # every such number fits in an int64


@njit
def _is_space(c: int) -> bool:
    # space, tab, vertical tab, form feed (a carriage return is handled with the newline)
    return c == 32 or c == 9 or c == 11 or c == 12


@njit
def _token_end(buf, p: int, end: int) -> bool:
    """True if a number may end at p: end of range, a space, or a line end (\\n or \\r\\n)."""
    if p >= end:
        return True
    c = buf[p]
    if _is_space(c) or c == 10:
        return True
    return c == 13 and p + 1 < end and buf[p + 1] == 10


@njit
def _skip_space(buf, p: int, end: int) -> int:
    while p < end and _is_space(buf[p]):
        p += 1
    return p


@njit
def _line_end(buf, p: int, end: int) -> int:
    """Position after the line end at p (\\n, \\r\\n, or the end of the range); -1 if p is not at one."""
    if p >= end:
        return end
    if buf[p] == 10:
        return p + 1
    if buf[p] == 13 and p + 1 < end and buf[p + 1] == 10:
        return p + 2
    return -1


@njit
def _number(buf, p: int, end: int, plus: bool):
    """(value, position after it, ok) for ``-?digits`` (``[+-]?digits`` when `plus`), 1 to 18 digits."""
    neg = False
    if p < end and (buf[p] == 45 or (plus and buf[p] == 43)):
        neg = buf[p] == 45
        p += 1
    start = p
    v = 0
    while p < end and 48 <= buf[p] <= 57 and p - start < _MAX_DIGITS:
        v = v * 10 + (buf[p] - 48)
        p += 1
    if p == start or (p < end and 48 <= buf[p] <= 57):
        return 0, p, False
    return (-v if neg else v), p, True


@njit
def scan_block(buf, pos: int, end: int, hdr, vals, max_size: int):
    """Parse plain entries of ``buf[pos:end]`` (uint8) into `hdr` (rows of N_HEADER int64) and
    `vals` (the matrices' numbers in file order, row by row).

    Returns (status, entries, values used, stop position, lines before the stop position).
    H_LINE holds each header's line as a count of lines before it, from `pos`.
    """
    n = 0
    nv = 0
    line = 0
    max_entries = hdr.shape[0]
    cap = vals.shape[0]
    while pos < end:
        start = pos
        p = _skip_space(buf, pos, end)
        q = _line_end(buf, p, end)
        if q >= 0:  # a blank line between entries
            pos = q
            line += 1
            continue
        if n == max_entries:
            return SCAN_FULL, n, nv, start, line
        # ---- header: ROWS COLS (plain digits), then fields
        # (a sign before ROWS or COLS, or anything else: the line reader decides)
        if not 48 <= buf[p] <= 57:
            return SCAN_ANOMALY, n, nv, start, line
        rows, p, ok = _number(buf, p, end, False)
        if not ok or not _token_end(buf, p, end):
            return SCAN_ANOMALY, n, nv, start, line
        p = _skip_space(buf, p, end)
        if p >= end or not 48 <= buf[p] <= 57:
            return SCAN_ANOMALY, n, nv, start, line
        cols, p, ok = _number(buf, p, end, False)
        if not ok or not _token_end(buf, p, end):
            return SCAN_ANOMALY, n, nv, start, line
        row = hdr[n]
        for k in range(N_HEADER):
            row[k] = 0
        row[H_ROWS] = rows
        row[H_COLS] = cols
        flags = 0
        while True:
            p = _skip_space(buf, p, end)
            q = _line_end(buf, p, end)
            if q >= 0:
                p = q
                break
            key = buf[p]
            if p + 1 >= end or buf[p + 1] != 58:  # 'X:'
                return SCAN_ANOMALY, n, nv, start, line
            p += 2
            a, p, ok = _number(buf, p, end, False)
            if not ok:
                return SCAN_ANOMALY, n, nv, start, line
            if key == 77 or key == 78:  # M: or N: points vertices
                if p >= end or not _is_space(buf[p]):
                    return SCAN_ANOMALY, n, nv, start, line
                p = _skip_space(buf, p, end)
                b, p, ok = _number(buf, p, end, False)
                if not ok or not _token_end(buf, p, end):
                    return SCAN_ANOMALY, n, nv, start, line
                if key == 77:
                    row[H_MP] = a
                    row[H_MV] = b
                    flags |= F_M
                else:
                    row[H_NP] = a
                    row[H_NV] = b
                    flags |= F_N
            elif key == 72:  # H:h11,h21 [chi]
                if p >= end or buf[p] != 44:
                    return SCAN_ANOMALY, n, nv, start, line
                b, p, ok = _number(buf, p + 1, end, False)
                if not ok or not _token_end(buf, p, end):
                    return SCAN_ANOMALY, n, nv, start, line
                row[H_H11] = a
                row[H_H21] = b
                flags = (flags | F_H) & ~F_EULER
                s = _skip_space(buf, p, end)
                if s > p and s < end and buf[s] == 91:  # '[chi]'
                    chi, s, ok = _number(buf, s + 1, end, False)
                    if not ok or s >= end or buf[s] != 93 or not _token_end(buf, s + 1, end):
                        return SCAN_ANOMALY, n, nv, start, line
                    row[H_EULER] = chi
                    flags |= F_EULER
                    p = s + 1
            elif key == 70:  # F:facets (a second number after it: the line reader decides)
                if not _token_end(buf, p, end):
                    return SCAN_ANOMALY, n, nv, start, line
                s = _skip_space(buf, p, end)
                if s < end and (buf[s] == 45 or 48 <= buf[s] <= 57):
                    return SCAN_ANOMALY, n, nv, start, line
                row[H_FACETS] = a
                flags |= F_F
            else:
                return SCAN_ANOMALY, n, nv, start, line
            if not _token_end(buf, p, end):
                return SCAN_ANOMALY, n, nv, start, line
        if rows == 0 or cols == 0 or rows > max_size or cols > max_size or rows * cols > max_size:
            return SCAN_ANOMALY, n, nv, start, line
        size = rows * cols
        if nv + size > cap:
            return SCAN_FULL, n, nv, start, line
        # ---- the matrix: ROWS lines of COLS integers (the helpers above written out inline:
        # this loop is most of the reading time, and inline it runs ~2.7x faster)
        lines_in_entry = 1
        for r in range(rows):
            if p >= end:
                return SCAN_PARTIAL, n, nv, start, line
            base = nv + r * cols
            c = 0
            while True:
                ch = 0
                while p < end:
                    ch = buf[p]
                    if ch == 32 or ch == 9 or ch == 11 or ch == 12:
                        p += 1
                    else:
                        break
                if p >= end:
                    break
                if ch == 10:
                    p += 1
                    break
                if ch == 13:
                    if p + 1 < end and buf[p + 1] == 10:
                        p += 2
                        break
                    return SCAN_ANOMALY, n, nv, start, line
                if c == cols:
                    return SCAN_ANOMALY, n, nv, start, line
                neg = False
                if ch == 45 or ch == 43:
                    neg = ch == 45
                    p += 1
                s0 = p
                v = 0
                while p < end:
                    dg = np.int64(buf[p]) - 48
                    if dg < 0 or dg > 9:
                        break
                    v = v * 10 + dg
                    p += 1
                if p == s0 or p - s0 > 18:
                    return SCAN_ANOMALY, n, nv, start, line
                if p < end:
                    ch = buf[p]
                    if not (ch == 32 or ch == 10 or ch == 9 or ch == 11 or ch == 12):
                        if not (ch == 13 and p + 1 < end and buf[p + 1] == 10):
                            return SCAN_ANOMALY, n, nv, start, line
                vals[base + c] = -v if neg else v
                c += 1
            if c != cols:
                return SCAN_ANOMALY, n, nv, start, line
            lines_in_entry += 1
        vertices = rows if rows > cols else cols
        if (flags & F_M) and row[H_MV] != vertices:
            return SCAN_ANOMALY, n, nv, start, line
        if (flags & F_EULER) and row[H_EULER] != 2 * (row[H_H11] - row[H_H21]):
            return SCAN_ANOMALY, n, nv, start, line
        row[H_FLAGS] = flags
        row[H_LINE] = line
        row[H_VOFF] = nv
        nv += size
        n += 1
        line += lines_in_entry
        pos = p
    return SCAN_DONE, n, nv, pos, line


@njit
def _digits(v: int) -> int:
    """Characters of v in decimal, its sign included (v > INT64_MIN)."""
    n = 1
    if v < 0:
        n += 1
        v = -v
    while v >= 10:
        v //= 10
        n += 1
    return n


@njit
def _put(out, p: int, v: int, w: int) -> int:
    """Write v (w characters, `_digits(v)`) at out[p:]; return the position after it."""
    x = -v if v < 0 else v
    if v < 0:
        out[p] = 45
    q = p + w - 1
    while True:
        out[q] = 48 + x % 10
        x //= 10
        q -= 1
        if x == 0:
            break
    return p + w


@njit
def _header(row, out, p: int) -> int:
    """The header of one entry as `orbitlearn.datasets.ks.header_text` writes it: ``ROWS COLS``,
    then, if any field is present, two spaces and ``M:p v N:p v F:f H:h11,h21 [chi]`` (present
    fields only, one space apart). With out None only the length is counted. Returns the
    position after it (no newline)."""
    flags = row[H_FLAGS]
    n = 0  # fields written so far
    # t = -1: ROWS COLS; then the fields M:a b, N:a b, F:a, H:a,b [chi] where present
    keys = (77, 78, 70, 72)  # M N F H
    bits = (F_M, F_N, F_F, F_H)
    for t in range(-1, 4):
        if t >= 0 and not (flags & bits[t]):
            continue
        if t == -1:
            a, b = row[H_ROWS], row[H_COLS]
        elif t == 0:
            a, b = row[H_MP], row[H_MV]
        elif t == 1:
            a, b = row[H_NP], row[H_NV]
        elif t == 2:
            a, b = row[H_FACETS], 0
        else:
            a, b = row[H_H11], row[H_H21]
        if t >= 0:  # separator, then "X:"
            sep = 2 if n == 0 else 1
            for _ in range(sep):
                if out is not None:
                    out[p] = 32
                p += 1
            if out is not None:
                out[p] = keys[t]
                out[p + 1] = 58
            p += 2
            n += 1
        wa = _digits(a)
        if out is not None:
            _put(out, p, a, wa)
        p += wa
        if t == 2:
            continue
        if out is not None:  # " b" (",b" for H:)
            out[p] = 44 if t == 3 else 32
        p += 1
        wb = _digits(b)
        if out is not None:
            _put(out, p, b, wb)
        p += wb
        if t == 3 and (flags & F_EULER):
            e = row[H_EULER]
            we = _digits(e)
            if out is not None:
                out[p] = 32
                out[p + 1] = 91
                _put(out, p + 2, e, we)
                out[p + 2 + we] = 93
            p += 3 + we
    return p


@njit
def _format_kernel(values, table):
    """(text bytes of every entry: its header line, then its matrix rows; ok), ok False if a
    number is the int64 minimum (left to Python). Layout as `KSEntry.to_text`: rows of
    ``" {v:3d}"``, or ``"{v} "`` per number for an entry written transposed."""
    m = table.shape[0]
    size = 0
    lowest = np.iinfo(np.int64).min
    for i in range(m):
        rows = table[i, H_ROWS]
        cols = table[i, H_COLS]
        off = table[i, H_VOFF]
        wide = rows <= cols
        for k in range(N_HEADER):
            if k != H_LINE and k != H_VOFF and k != H_FLAGS and table[i, k] == lowest:
                return np.zeros(0, dtype=np.uint8), False
        size += _header(table[i], None, 0) + 1
        for j in range(rows * cols):
            v = values[off + j]
            if v == lowest:
                return np.zeros(0, dtype=np.uint8), False
            w = _digits(v)
            size += (1 + max(w, 3)) if wide else (w + 1)
        size += rows
    out = np.empty(size, dtype=np.uint8)
    p = 0
    for i in range(m):
        rows = table[i, H_ROWS]
        cols = table[i, H_COLS]
        off = table[i, H_VOFF]
        wide = rows <= cols
        p = _header(table[i], out, p)
        out[p] = 10
        p += 1
        for r in range(rows):
            for c in range(cols):
                v = values[off + r * cols + c]
                w = _digits(v)
                if wide:
                    out[p] = 32
                    p += 1
                    for _ in range(3 - w):
                        out[p] = 32
                        p += 1
                p = _put(out, p, v, w)
                if not wide:
                    out[p] = 32
                    p += 1
            out[p] = 10
            p += 1
    return out, True


def format_entries(values: np.ndarray, table: np.ndarray) -> str | None:
    """The entries of a block in KS format, headers and matrices (as `KSEntry.to_text` writes
    each), or None if some number must be formatted by Python (the int64 minimum)."""
    out, ok = _format_kernel(np.ascontiguousarray(values, dtype=np.int64), table)
    if not ok:
        return None
    return out.tobytes().decode("ascii")


def new_tables(entries: int, values: int) -> tuple[np.ndarray, np.ndarray]:
    """Empty header and value tables for `scan_block`."""
    return np.zeros((entries, N_HEADER), dtype=np.int64), np.zeros(values, dtype=np.int64)
