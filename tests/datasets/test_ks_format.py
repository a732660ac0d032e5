from __future__ import annotations

import gzip
import io

import numpy as np
import pytest

from orbitlearn.datasets.ks import KSEntry, iter_ks, read_ks, write_ks
from orbitlearn.errors import KSFormatError

from .ksfiles import SIMPLEX, SIMPLEX_HEADER, entry_text, random_entries, write_file


def test_reads_header_fields_and_matrix(tmp_path):
    path = tmp_path / "simplex.txt"
    path.write_text(entry_text(SIMPLEX_HEADER, SIMPLEX))
    (e,) = read_ks(path).entries
    assert (e.index, e.line, e.transposed) == (0, 1, False)
    assert (e.m_points, e.m_vertices, e.n_points, e.n_vertices) == (6, 5, 126, 5)
    assert (e.h11, e.h21, e.euler) == (101, 1, 200)
    np.testing.assert_array_equal(e.vertices, SIMPLEX)


def test_transposed_entries_are_read_back_in_d_by_n_and_counted(tmp_path):
    entries = random_entries(5, seed=1)
    path = tmp_path / "t.txt"
    write_file(path, entries, transposed_at=(1, 3))
    ks = read_ks(path)
    assert len(ks) == 5 and ks.transposed_count == 2
    assert [e.transposed for e in ks] == [False, True, False, True, False]
    for e, (_, m) in zip(ks, entries):
        assert e.vertices.shape == (4, 6)
        np.testing.assert_array_equal(e.vertices, m)
    assert [e.index for e in ks] == list(range(5))


def test_round_trip_is_byte_exact(tmp_path):
    path = tmp_path / "r.txt"
    text = write_file(path, random_entries(7, seed=2), transposed_at=(0, 6))
    ks = read_ks(path)
    assert ks.trailer == ["#NF: 7", "  done (0s)"]
    buf = io.StringIO()
    assert write_ks(ks.entries, buf, trailer=ks.trailer) == 7
    assert buf.getvalue() == text


def test_write_to_gz_path_and_read_it_back(tmp_path):
    entries = read_ks(io.StringIO(entry_text(SIMPLEX_HEADER, SIMPLEX))).entries
    out = tmp_path / "sub" / "x.gz"
    write_ks(entries, out)
    with gzip.open(out, "rt") as fh:
        assert fh.read().startswith("4 5  M:6 5")
    again = read_ks(out).entries
    assert len(again) == 1 and again[0].same_as(entries[0])


def test_reads_binary_and_text_streams():
    text = entry_text(SIMPLEX_HEADER, SIMPLEX)
    a = read_ks(io.StringIO(text)).entries[0]
    b = read_ks(io.BytesIO(text.encode())).entries[0]
    assert a.same_as(b)


def test_iter_is_lazy():
    text = "".join(entry_text(h, m) for h, m in random_entries(3)) + "garbage line\n"
    it = iter_ks(io.StringIO(text))
    first = next(it)
    assert first.index == 0
    with pytest.raises(KSFormatError):
        list(it)


def test_header_without_labels_is_allowed():
    e = read_ks(io.StringIO(entry_text("4 5", SIMPLEX))).entries[0]
    assert e.h11 is None and e.m_points is None
    assert e.header() == "4 5"


BAD_CASES = {
    "truncated at end of file": (
        SIMPLEX_HEADER + "\n   1   0   0   0  -1\n   0   1   0   0  -1\n",
        4,
        "truncated entry",
    ),
    "truncated by the next header": (
        SIMPLEX_HEADER + "\n   1   0   0   0  -1\n" + entry_text(SIMPLEX_HEADER, SIMPLEX),
        3,
        "truncated entry",
    ),
    "non-integer token": (
        entry_text(SIMPLEX_HEADER, SIMPLEX).replace("  -1\n   0   1", "  -1\n   0   x", 1),
        3,
        "non-integer token 'x'",
    ),
    "wrong row length": (
        entry_text(SIMPLEX_HEADER, SIMPLEX).replace("   0   0   1   0  -1", "   0   0   1   0"),
        4,
        "wrong row length: expected 5 integers, found 4",
    ),
    "shape disagrees with the vertex count": (
        entry_text(SIMPLEX_HEADER.replace("M:6 5", "M:6 6"), SIMPLEX),
        1,
        "M: says 6 vertices, the matrix has 5",
    ),
    "Euler number inconsistent": (
        entry_text(SIMPLEX_HEADER.replace("[200]", "[100]"), SIMPLEX),
        1,
        "is not 2(h11 - h21) = 200",
    ),
    "unknown header field": (
        entry_text(SIMPLEX_HEADER.replace("N:126 5", "Q:126 5"), SIMPLEX),
        1,
        "unexpected header field 'Q:126'",
    ),
    "not a header": ("hello world\n", 1, "expected an entry header"),
    "trailer count disagrees": (
        entry_text(SIMPLEX_HEADER, SIMPLEX) + "#NF: 2\n",
        6,
        "promises 2 entries, the file has 1",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES), ids=list(BAD_CASES))
def test_bad_input_names_file_line_and_expectation(tmp_path, case):
    text, line, expected = BAD_CASES[case]
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(KSFormatError) as info:
        read_ks(path)
    err = info.value
    assert err.source == str(path)
    assert err.line == line
    assert expected in str(err)
    assert str(err).startswith(f"{path}:{line}: ")
    assert "\n" not in str(err)


def test_skip_mode_reports_every_skipped_entry_and_keeps_file_indices(tmp_path):
    good = random_entries(4, seed=3)
    text = entry_text(*good[0])
    text += entry_text(*good[1]).replace(" ", "x", 1)  # entry 1 has a bad header
    text += entry_text(*good[2])
    lines = entry_text(*good[3]).splitlines()
    text += "\n".join(lines[:-2]) + "\n"  # entry 3 truncated by entry 4
    text += entry_text(*good[0])
    path = tmp_path / "mixed.txt"
    path.write_text(text)
    with pytest.raises(KSFormatError):
        read_ks(path)
    ks = read_ks(path, on_error="skip")
    assert [e.index for e in ks] == [0, 2, 4]
    assert len(ks.skipped) == 2
    assert [err.line for err in ks.skipped] == [6, 19]
    assert "header on line 16" in str(ks.skipped[1])
    np.testing.assert_array_equal(ks.entries[1].vertices, good[2][1])


def test_skip_needs_a_place_to_report():
    with pytest.raises(ValueError, match="errors"):
        list(iter_ks(io.StringIO(""), on_error="skip"))


def test_same_as_compares_content():
    a = KSEntry(index=0, vertices=SIMPLEX.copy(), h11=101, h21=1, euler=200)
    b = KSEntry(index=5, vertices=SIMPLEX.copy(), h11=101, h21=1, euler=200)
    c = KSEntry(index=0, vertices=SIMPLEX[:, ::-1].copy(), h11=101, h21=1, euler=200)
    assert a.same_as(b) and not a.same_as(c)


def test_v26_round_trip_is_byte_exact(v26_path):
    ks = read_ks(v26_path)
    assert len(ks) == 78468
    assert ks.transposed_count == 45
    assert ks.trailer == ["#NF: 78468", "  done (135s)"]
    buf = io.StringIO()
    write_ks(ks.entries, buf, trailer=ks.trailer)
    with gzip.open(v26_path, "rt") as fh:
        assert buf.getvalue() == fh.read()
