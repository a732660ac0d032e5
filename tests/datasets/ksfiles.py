"""Small KS-format files written by the tests themselves."""

from __future__ import annotations

import numpy as np

# The 4-simplex conv(e1, e2, e3, e4, -e1-e2-e3-e4) (the fan of P^4), with its header as PALP
# writes it: Δ has 6 lattice points, its dual (the quintic's Newton polytope) 126; h11, h21 = 101, 1.
SIMPLEX = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
SIMPLEX_HEADER = "4 5  M:6 5 N:126 5 H:101,1 [200]"


def entry_text(header: str, matrix: np.ndarray, transposed: bool = False) -> str:
    if transposed:
        rows = ["".join(f"{v} " for v in row) for row in matrix.T.tolist()]
    else:
        rows = ["".join(f"{v:4d}" for v in row) for row in matrix.tolist()]
    return "\n".join([header, *rows]) + "\n"


def random_entries(n: int, seed: int = 0, cols: int = 6) -> list[tuple[str, np.ndarray]]:
    """(header, 4 x cols matrix) pairs with consistent labels (not real polytopes)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        m = rng.integers(-3, 4, size=(4, cols))
        h11 = int(rng.integers(1, 6))
        h21 = int(rng.integers(1, 60))
        header = (
            f"4 {cols}  M:{cols + 5} {cols} N:{cols + 1} {cols} H:{h11},{h21} [{2 * (h11 - h21)}]"
        )
        out.append((header, m))
    return out


def write_file(path, entries, transposed_at=(), trailer=True) -> str:
    text = ""
    for i, (header, m) in enumerate(entries):
        if i in transposed_at:
            rows, cols = m.shape
            header = header.replace(f"{rows} {cols} ", f"{cols} {rows} ", 1)
            text += entry_text(header, m, transposed=True)
        else:
            text += entry_text(header, m)
    if trailer:
        text += f"#NF: {len(entries)}\n  done (0s)\n"
    path.write_text(text)
    return text
