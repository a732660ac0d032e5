"""Many polytopes at once: Hodge data and normal forms over chunks, optionally in processes."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from orbitlearn.errors import GeometryError
from orbitlearn.geometry import _kernels as K
from orbitlearn.geometry.fields import HODGE_FIELDS
from orbitlearn.geometry.normalform import normal_form
from orbitlearn.geometry.polytope import COORD_LIMIT, as_point_matrix
from orbitlearn.geometry.reduction import reduced
from orbitlearn.limits import ENGINE_MAX_LINES

Item = tuple[int, np.ndarray]
Result = tuple[int, object, str | None]  # (index, value or None, error message or None)


_HODGE_ERRORS = {
    K.HODGE_NOT_FULL_DIM: "not full-dimensional: the points span a proper affine subspace",
    K.HODGE_ORIGIN_NOT_INTERIOR: "hodge_numbers needs the origin in the interior of the polytope; it is not",
    K.HODGE_NOT_REFLEXIVE: "hodge_numbers needs a reflexive polytope; some facet offset is not 1",
    K.HODGE_TOO_LARGE: (
        "too large for the exact engine: its lattice points (or its dual's) lie in a box of more "
        f"than {ENGINE_MAX_LINES} lattice lines, even after lattice reduction"
    ),
}


def hodge_record(vertices: np.ndarray) -> dict[str, int]:
    """The KS header data of one reflexive 4-polytope: h11, h21, euler, m/n points and vertices.

    Same numbers as `LatticePolytope(vertices).hodge_data()`, computed in one compiled kernel.
    """
    mat = as_point_matrix(vertices)
    if mat.shape[0] != 4:
        raise GeometryError(
            f"Hodge numbers are defined here for 4-polytopes, got dimension {mat.shape[0]}"
        )
    status, h11, h21, mp, mv, np_, nv = K.hodge_kernel(np.ascontiguousarray(mat.T))
    if status == K.HODGE_TOO_LARGE:  # a GL(4,Z) image with large coordinates: shrink them
        small = reduced(mat)
        status, h11, h21, mp, mv, np_, nv = K.hodge_kernel(np.ascontiguousarray(small.T))
    if status != K.HODGE_OK:
        raise GeometryError(_HODGE_ERRORS[status])
    return {
        "h11": h11,
        "h21": h21,
        "euler": 2 * (h11 - h21),
        "m_points": mp,
        "m_vertices": mv,
        "n_points": np_,
        "n_vertices": nv,
    }


_CAP = np.uint64(2**62)  # extents above every coordinate limit, capped so they fit an int64


def _in_kernel_domain(
    values: np.ndarray, offsets: np.ndarray, rows: np.ndarray, cols: np.ndarray, dims
) -> np.ndarray:
    """Which flat-stored matrices the compiled batch kernels take as they are: dimension in
    `dims`, coordinates within COORD_LIMIT, enough points; the others go one by one through the
    checked path, which words the refusal."""
    d = np.where(rows > cols, cols, rows)
    n = np.where(rows > cols, rows, cols)
    size = rows * cols
    extent = np.zeros(len(offsets), dtype=np.int64)
    nonempty = np.flatnonzero(size > 0)
    if len(nonempty):  # the largest |value| of each matrix, one reduction for the block
        starts = offsets[nonempty]
        bounds = np.append(starts, starts[-1] + size[nonempty][-1])
        # |x| as uint64: the lowest int64 is 2**63 there, not the negative number np.abs gives
        if np.all(np.diff(bounds) == size[nonempty]):  # matrices stored back to back
            extent[nonempty] = np.minimum(
                np.maximum.reduceat(
                    np.abs(values[bounds[0] : bounds[-1]]).view(np.uint64), starts - bounds[0]
                ),
                _CAP,
            )
        else:
            for i in nonempty.tolist():
                block = np.abs(values[offsets[i] : offsets[i] + size[i]]).view(np.uint64)
                extent[i] = min(int(block.max()), int(_CAP))
    limit = np.full(len(d), -1, dtype=np.int64)
    for dim, lim in COORD_LIMIT.items():
        limit[d == dim] = lim
    return np.isin(d, list(dims)) & (extent <= limit) & (n >= d + 1)


def _flat_arrays(values, offsets, rows, cols):
    values = np.ascontiguousarray(values, dtype=np.int64)
    offsets, rows, cols = (np.asarray(a, dtype=np.int64) for a in (offsets, rows, cols))
    return values, offsets, rows, cols


def hodge_table(
    values: np.ndarray, offsets: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, dict[int, str]]:
    """`hodge_record` of many matrices stored flat (matrix i: values[offsets[i]:], rows[i] x
    cols[i], points as columns, or as rows when rows[i] > cols[i]) in one compiled call:
    ((B, 7) int64 of h11, h21, euler, m_points, m_vertices, n_points, n_vertices; {i: error}).
    A matrix outside the engine's domain (dimension, coordinate range, too few points) is
    checked by `hodge_record` itself, so its message is the same."""
    values, offsets, rows, cols = _flat_arrays(values, offsets, rows, cols)
    plain = _in_kernel_domain(values, offsets, rows, cols, (4,))
    out = np.zeros((len(offsets), 7), dtype=np.int64)
    errors: dict[int, str] = {}
    idx = np.flatnonzero(plain)
    res = K.hodge_flat(values, offsets[idx], rows[idx], cols[idx])
    ok = res[:, 0] == K.HODGE_OK
    h11, h21 = res[ok, 1], res[ok, 2]
    out[idx[ok]] = np.column_stack([h11, h21, 2 * (h11 - h21), res[ok, 3:7]])
    for j in np.flatnonzero(~ok).tolist():
        if res[j, 0] == K.HODGE_TOO_LARGE:  # one by one, lattice-reduced first
            plain[idx[j]] = False
        else:
            errors[int(idx[j])] = _HODGE_ERRORS[int(res[j, 0])]
    for i in np.flatnonzero(~plain).tolist():  # the one place that words these refusals
        size = int(rows[i] * cols[i])
        m = values[offsets[i] : offsets[i] + size].reshape(int(rows[i]), int(cols[i]))
        try:
            rec = hodge_record(m.T if rows[i] > cols[i] else m)
            out[i] = [rec[f] for f in HODGE_FIELDS]
        except GeometryError as exc:
            errors[i] = str(exc)
    return out, errors


def normal_form_arrays(
    values: np.ndarray, offsets: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, str]]:
    """`normal_form` of many matrices stored flat (as for `hodge_table`), stored flat again:
    (n_vertices (B,), starts (B,), forms, {i: error}). The normal form of matrix i, a
    (d, n_vertices[i]) matrix with d = min(rows[i], cols[i]), is forms[starts[i]:][:d *
    n_vertices[i]] in matrix i's layout (row by row; its transpose row by row when rows[i] >
    cols[i]); n_vertices is 0 where there is an error. One compiled call for the block; a matrix
    the kernel does not take as it is, or one it finds not full-dimensional, goes through
    `normal_form` itself, so its message is the same."""
    values, offsets, rows, cols = _flat_arrays(values, offsets, rows, cols)
    plain = _in_kernel_domain(values, offsets, rows, cols, range(2, 6))
    idx = np.flatnonzero(plain)
    status, nverts, flat = K.normal_form_flat(values, offsets[idx], rows[idx], cols[idx])
    nv = np.zeros(len(offsets), dtype=np.int64)
    done = np.zeros(len(offsets), dtype=bool)
    nv[idx] = nverts
    done[idx] = status == 0
    errors: dict[int, str] = {}
    d = np.minimum(rows, cols)
    if done.all():
        sizes = d * nv
        return nv, np.cumsum(sizes) - sizes, flat, errors
    # some go one by one: splice their forms between the kernel's
    pieces: list[np.ndarray] = []
    kernel_end = np.cumsum(np.where(done, d * nv, 0))
    for i in range(len(offsets)):
        if done[i]:
            pieces.append(flat[kernel_end[i] - d[i] * nv[i] : kernel_end[i]])
            continue
        size = int(rows[i] * cols[i])
        m = values[offsets[i] : offsets[i] + size].reshape(int(rows[i]), int(cols[i]))
        try:
            form = normal_form(m.T if rows[i] > cols[i] else m)
        except GeometryError as exc:
            errors[i] = str(exc)
            continue
        nv[i] = form.shape[1]
        pieces.append((form.T if rows[i] > cols[i] else form).ravel())
    sizes = d * nv
    forms = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    return nv, np.cumsum(sizes) - sizes, forms, errors


def normal_form_table(
    values: np.ndarray, offsets: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> tuple[list[np.ndarray | None], dict[int, str]]:
    """`normal_form` of many matrices stored flat (as for `hodge_table`) in one compiled call:
    ([(d, n_vertices) int64 or None], {i: error}) (`normal_form_arrays`, one array each)."""
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    nv, starts, flat, errors = normal_form_arrays(values, offsets, rows, cols)
    d = np.minimum(rows, cols)
    forms: list[np.ndarray | None] = []
    for i, (di, ni, s, t) in enumerate(
        zip(d.tolist(), nv.tolist(), starts.tolist(), (rows > cols).tolist())
    ):
        if i in errors:
            forms.append(None)
        elif t:
            forms.append(flat[s : s + di * ni].reshape(ni, di).T)
        else:
            forms.append(flat[s : s + di * ni].reshape(di, ni))
    return forms, errors


def dual_record(vertices: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
    """(normal form of the polar dual Δ* (d, n*), the KS header data of Δ* by `hodge_record`)
    for a reflexive polytope Δ = conv(columns of `vertices`); Δ*'s vertices are Δ's facet
    normals."""
    from orbitlearn.geometry.polytope import LatticePolytope

    dual = LatticePolytope(vertices).dual().vertices
    return normal_form(dual), hodge_record(dual)


def _run_chunk(args: tuple[Callable, list[Item]]) -> list[Result]:
    func, chunk = args
    out: list[Result] = []
    for index, verts in chunk:
        try:
            out.append((index, func(verts), None))
        except GeometryError as exc:
            out.append((index, None, str(exc)))
    return out


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    buf: list[Item] = []
    for it in items:
        buf.append(it)
        if len(buf) == size:
            yield buf
            buf = []
    if buf:
        yield buf


def map_polytopes(
    func: Callable[[np.ndarray], object],
    items: Iterable[Item],
    jobs: int = 1,
    chunk_size: int = 200,
) -> Iterator[Result]:
    """Apply `func` to each (index, vertices), in order; a GeometryError becomes (index, None, msg).

    With jobs > 1 the chunks go to worker processes (`orbitlearn.dist.executor`: results still in
    input order; a chunk whose worker died is run again, then its entries get the error).
    `func` must be a module-level function so that it can be sent to workers.
    """
    from orbitlearn.dist import TaskFailed, check_jobs, executor

    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    check_jobs(jobs)
    tasks = ((func, c) for c in _chunks(items, chunk_size))
    if jobs == 1:
        for t in tasks:
            yield from _run_chunk(t)
        return
    sent: deque = deque()

    def tracked():
        for t in tasks:
            sent.append(t[1])
            yield t

    with executor(jobs=jobs) as ex:
        for res in ex.map(_run_chunk, tracked()):
            chunk = sent.popleft()
            if isinstance(res, TaskFailed):
                res = [(index, None, res.message) for index, _ in chunk]
            yield from res


def hodge_many(items: Iterable[Item], jobs: int = 1, chunk_size: int = 200) -> Iterator[Result]:
    """`hodge_record` over (index, vertices) items, in input order, in `jobs` processes."""
    return map_polytopes(hodge_record, items, jobs=jobs, chunk_size=chunk_size)


def normal_form_many(
    items: Iterable[Item], jobs: int = 1, chunk_size: int = 200
) -> Iterator[Result]:
    """`normal_form` over (index, vertices) items, in input order, in `jobs` processes."""
    return map_polytopes(normal_form, items, jobs=jobs, chunk_size=chunk_size)
