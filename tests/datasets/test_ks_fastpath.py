"""The compiled fast path of the KS reader gives exactly what the strict line reader gives.

The line reader alone runs when the input is a text stream (`io.TextIOWrapper`), the fast path
with the line reader behind it when the input is bytes; both must agree on every entry, every
skipped entry's error, the trailer and the error raised, on well-formed files and on files with
random damage (odd spacing, signs, tabs, CRLF and lone CR, comments, long numbers, junk)."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pytest

from orbitlearn.datasets.ks import (
    KSBlock,
    SkippedEntries,
    iter_ks,
    iter_ks_blocks,
    read_ks,
)
from orbitlearn.errors import KSFormatError

from .ksfiles import random_entries, write_file


def _read_both(data: bytes, on_error: str):
    """(outcome of the byte path, outcome of the text path): entries, skipped, trailer or error."""

    def outcome(source):
        skipped = SkippedEntries()
        trailer: list[str] = []
        try:
            entries = list(iter_ks(source, on_error=on_error, errors=skipped, trailer=trailer))
        except KSFormatError as exc:
            return ("error", str(exc))
        return (
            [(e.index, e.line, e.header(), e.transposed, e.vertices.tolist()) for e in entries],
            [str(err) for err in skipped],
            trailer,
        )

    text = io.TextIOWrapper(io.BytesIO(data), encoding="ascii", errors="replace")
    return outcome(io.BytesIO(data)), outcome(text)


def _good_text(rng: np.random.Generator, n: int) -> str:
    entries = random_entries(n, seed=int(rng.integers(1 << 30)), cols=int(rng.integers(4, 9)))
    out = []
    for header, m in entries:
        if rng.random() < 0.2:  # written transposed
            rows, cols = m.shape
            header = header.replace(f"{rows} {cols} ", f"{cols} {rows} ", 1)
            lines = ["".join(f"{v} " for v in row) for row in m.T.tolist()]
        else:
            lines = ["".join(f" {v:3d}" for v in row) for row in m.tolist()]
        out.append("\n".join([header, *lines]) + "\n")
    return "".join(out)


_DAMAGE = [
    lambda t, r: t.replace(" ", "\t", 1 + int(r.integers(5))),
    lambda t, r: t.replace("\n", "\r\n"),
    lambda t, r: t.replace("\n", "\r", 1 + int(r.integers(3))),
    lambda t, r: t.replace(" 1", " +1", 1 + int(r.integers(3))),
    lambda t, r: t.replace(" 1", " +-1", 1),
    lambda t, r: t.replace(" 1", " 1" + "0" * 18, 1),
    lambda t, r: t.replace(" 2", " 92233720368547758070", 1),
    lambda t, r: t.replace("M:", "M: ", 1),
    lambda t, r: t.replace("H:", "Q:", 1),
    lambda t, r: t.replace(" [", "[", 1),
    lambda t, r: t.replace("]", "] F:3", 1),
    lambda t, r: t.replace("]", "] F:3 4", 1),
    lambda t, r: t.replace("\n", "\n# a comment\n", 1),
    lambda t, r: t.replace("\n", "\n\n   \n", 2),
    lambda t, r: t.replace("\n", " \x0c\n", 3),
    lambda t, r: t.replace("\n", " \x1c\n", 1),
    lambda t, r: t.replace(" 0", " \xe9", 1),
    lambda t, r: t.replace("4 ", "+4 ", 1),
    lambda t, r: t.replace("4 ", "04 ", 1),
    lambda t, r: t.replace("4 ", "0 ", 1),
    lambda t, r: t[: int(r.integers(1, max(2, len(t))))],
    lambda t, r: t.replace("H:", "H:1,2 H:", 1),
    lambda t, r: t.replace(" [", " [1", 1),
    lambda t, r: t + "#NF: 3\n  done (1s)\n",
    lambda t, r: t + "#NF: 999\n",
    lambda t, r: t.replace("M:", "N:1 1 M:", 1),
    lambda t, r: t.replace(" ", "  ", 4),
]


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize("on_error", ["raise", "skip"])
def test_byte_and_text_paths_agree_on_damaged_files(seed, on_error):
    rng = np.random.default_rng(seed)
    text = _good_text(rng, int(rng.integers(1, 6)))
    for _ in range(int(rng.integers(0, 4))):
        text = _DAMAGE[int(rng.integers(len(_DAMAGE)))](text, rng)
    data = text.encode("latin-1")
    fast, slow = _read_both(data, on_error)
    assert fast == slow


@pytest.mark.parametrize("damage", range(len(_DAMAGE)))
def test_each_kind_of_damage_agrees(damage):
    rng = np.random.default_rng(damage)
    text = _DAMAGE[damage](_good_text(rng, 4), rng)
    for on_error in ("raise", "skip"):
        fast, slow = _read_both(text.encode("latin-1"), on_error)
        assert fast == slow


def test_blocks_are_bounded_and_in_order(tmp_path):
    path = tmp_path / "many.txt"
    write_file(path, random_entries(1000, seed=5), transposed_at=(3, 500))
    blocks = list(iter_ks_blocks(path, block_entries=64))
    assert max(len(b) for b in blocks) == 64
    assert np.concatenate([b.index for b in blocks]).tolist() == list(range(1000))
    entries = read_ks(path).entries
    stacked = np.concatenate([b.vertices() for b in blocks])
    np.testing.assert_array_equal(stacked, np.stack([e.vertices for e in entries]))
    h11, present = blocks[0].column("h11")
    assert present.all() and h11.tolist() == [e.h11 for e in entries[:64]]


def test_block_from_entries_round_trips():
    entries = read_ks(io.StringIO(_good_text(np.random.default_rng(1), 5))).entries
    block = KSBlock.from_entries(entries, "x")
    again = block.entries()
    assert all(a.same_as(b) and a.index == b.index for a, b in zip(entries, again))


def test_an_entry_larger_than_the_tables_and_the_window(tmp_path):
    m = np.arange(4 * 3000).reshape(4, 3000) % 7 - 3
    text = "4 3000  M:3005 3000\n" + "\n".join(" ".join(map(str, r)) for r in m.tolist()) + "\n"
    path = tmp_path / "wide.txt"
    path.write_text(text * 3)
    ks = read_ks(path)
    assert len(ks) == 3
    np.testing.assert_array_equal(ks[2].vertices, m)


def test_gzip_and_plain_give_the_same_blocks(tmp_path):
    text = _good_text(np.random.default_rng(2), 50)
    plain = tmp_path / "a.txt"
    plain.write_text(text)
    packed = tmp_path / "a.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    a = [e.header() for e in read_ks(plain)]
    b = [e.header() for e in read_ks(packed)]
    assert a == b and len(a) == 50


def test_v26_fast_path_equals_line_reader(v26_path):
    with gzip.open(v26_path, "rb") as fh:
        data = fh.read()
    fast = list(iter_ks(io.BytesIO(data)))
    slow = list(iter_ks(io.TextIOWrapper(io.BytesIO(data), encoding="ascii")))
    assert len(fast) == len(slow) == 78468
    assert all(a.same_as(b) and a.line == b.line for a, b in zip(fast, slow))


def test_block_text_equals_entry_text_for_any_numbers():
    rng = np.random.default_rng(7)
    entries = read_ks(io.StringIO(_good_text(rng, 30))).entries
    wild = []
    for e in entries:
        scale = int(rng.choice([1, 100, 10**6, 2**62]))
        m = rng.integers(-scale, scale, size=e.vertices.shape, endpoint=True)
        m.flat[0] = 2**63 - 1 if rng.random() < 0.2 else m.flat[0]
        wild.append(m)
    block = KSBlock.from_entries(entries, "x").replace_vertices(wild)
    expected = "".join(e.to_text() for e in block.entries())
    assert block.to_text() == expected
    assert [e.transposed for e in block.entries()] == [e.transposed for e in entries]
    lowest = block.replace_vertices([np.full(m.shape, -(2**63)) for m in wild])
    assert lowest.to_text() == "".join(e.to_text() for e in lowest.entries())


def test_block_headers_equal_entry_headers_for_any_fields():
    """The compiled formatter writes every combination of present header fields, with any
    numbers, as `header_text` does."""
    from orbitlearn.datasets import _ksscan as S

    rng = np.random.default_rng(11)
    block = KSBlock.from_entries(read_ks(io.StringIO(_good_text(rng, 200))).entries, "x")
    table = block.table.copy()
    table[:, S.H_FLAGS] = rng.integers(0, 32, size=len(table))
    for col in (S.H_MP, S.H_MV, S.H_NP, S.H_NV, S.H_H11, S.H_H21, S.H_EULER, S.H_FACETS):
        scale = rng.choice([10, 10**5, 2**62], size=len(table))
        table[:, col] = rng.integers(-scale, scale)
    block = KSBlock(block.source, block.index, block.line, table, block.values)
    expected = "".join(e.to_text() for e in block.entries())
    assert block.to_text() == expected
    assert "H:" in expected and "F:" in expected and " [" in expected


def test_v26_block_text_is_byte_exact(v26_path):
    with gzip.open(v26_path, "rt") as fh:
        original = fh.read()
    text = "".join(b.to_text() for b in iter_ks_blocks(v26_path))
    assert original == text + "#NF: 78468\n  done (135s)\n"


def test_block_slices_are_the_entries_they_name():
    rng = np.random.default_rng(5)
    block = KSBlock.from_entries(read_ks(io.StringIO(_good_text(rng, 40))).entries, "x")
    whole = block.entries()
    for start, stop in [(0, 40), (0, 7), (13, 29), (39, 40), (5, 5)]:
        part = block.slice(start, stop)
        assert len(part) == stop - start
        assert all(
            a.same_as(b) and a.index == b.index for a, b in zip(part.entries(), whole[start:stop])
        )
        assert part.to_text() == "".join(e.to_text() for e in whole[start:stop])
