"""Run PALP's ``poly.x`` on polytopes the tests make and parse what it prints (test helper)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

_GEN_RE = re.compile(r"M:(\d+) (\d+)(?: N:(\d+) (\d+))?(?: F:(\d+))?(?: H:(-?\d+),(-?\d+))?")


def palp_binary(name: str = "poly.x") -> str:
    """Path of a PALP binary, or skip the test with a clear message."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"PALP binary {name!r} not found on PATH (apt-get install palp)")
    return path


def _palp_input(mats: list[np.ndarray]) -> str:
    out = []
    for m in mats:
        d, n = m.shape
        out.append(f"{d} {n}")
        out.extend(" ".join(str(int(x)) for x in row) for row in m)
    return "\n".join(out) + "\n"


def run_poly(option: str, mats: list[np.ndarray], binary: str = "poly.x") -> str:
    exe = palp_binary(binary)
    # PALP prompts interactively on stdin, so it reads a file; the timeout guards against the
    # inputs PALP never returns on (and leaves room for a heavily loaded machine)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.txt"
        src.write_text(_palp_input(mats))
        res = subprocess.run([exe, option, str(src)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout


def palp_general(mats: list[np.ndarray], binary: str = "poly.x") -> list[dict]:
    """``poly.x -g``: per polytope M (points, vertices), N (dual points, vertices) or F, H."""
    rows = []
    for line in run_poly("-g", mats, binary).splitlines():
        m = _GEN_RE.search(line)
        if not m:
            continue
        g = [None if x is None else int(x) for x in m.groups()]
        rows.append(
            {
                "m_points": g[0],
                "m_vertices": g[1],
                "n_points": g[2],
                "n_vertices": g[3],
                "facets": g[4] if g[4] is not None else g[3],
                "h11": g[5],
                "h21": g[6],
            }
        )
    assert len(rows) == len(mats), run_poly("-g", mats, binary)
    return rows


def _matrices_after_headers(text: str, marker: str) -> list[np.ndarray]:
    lines = text.splitlines()
    mats = []
    i = 0
    while i < len(lines):
        if marker in lines[i]:
            r, c = (int(x) for x in lines[i].split()[:2])
            body = [[int(x) for x in lines[i + 1 + k].split()] for k in range(r)]
            mats.append(np.array(body, dtype=np.int64))
            i += r + 1
        else:
            i += 1
    return mats


def palp_normal_forms(mats: list[np.ndarray], binary: str = "poly.x") -> list[np.ndarray]:
    """``poly.x -N``: PALP's normal form of each polytope, (d, n_vertices)."""
    out = _matrices_after_headers(run_poly("-N", mats, binary), "Normal form")
    assert len(out) == len(mats)
    return out


def palp_equations(mats: list[np.ndarray], binary: str = "poly.x") -> list[set[tuple[int, ...]]]:
    """``poly.x -e``: the facets of each polytope as a set of (u..., c) with <u, x> + c >= 0."""
    text = run_poly("-e", mats, binary)
    lines = text.splitlines()
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "Equations of P" in line:
            r, c = (int(x) for x in line.split()[:2])
            reflexive = "P-dual" in line
            eqs = set()
            for k in range(r):
                vals = [int(x) for x in lines[i + 1 + k].split()]
                if reflexive:
                    vals = vals + [1]
                eqs.add(tuple(vals))
            out.append(eqs)
            i += r + 1
        else:
            i += 1
    assert len(out) == len(mats)
    return out


def palp_vertex_data(mats: list[np.ndarray], binary: str = "poly.x") -> list[dict]:
    """``poly.x -vmi``: per polytope its vertices (n, d) in PALP's order, the pairing matrix
    (facets × those vertices) and the edges as pairs of vertex positions (from the incidence
    bit strings of the 1-faces: bit j, counted from the right, is the j-th vertex)."""
    text = run_poly("-vmi", mats, binary)
    lines = text.splitlines()
    out: list[dict] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "Vertices of P" in line:
            r, c = (int(x) for x in line.split()[:2])
            body = np.array([[int(x) for x in lines[i + 1 + k].split()] for k in range(r)])
            d = mats[len(out)].shape[0]
            out.append({"vertices": body if c == d else body.T})
            i += r + 1
        elif line.startswith("v[1]:"):
            bits = line.split(":", 1)[1].split()
            out[-1]["edges"] = [
                tuple(j for j, b in enumerate(reversed(s)) if b == "1") for s in bits
            ]
            i += 1
        elif "Pairing matrix" in line:
            r, _ = (int(x) for x in line.split()[:2])
            out[-1]["pairing"] = np.array(
                [[int(x) for x in lines[i + 1 + k].split()] for k in range(r)]
            )
            i += r + 1
        else:
            i += 1
    assert len(out) == len(mats)
    return out
