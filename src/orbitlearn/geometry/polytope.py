"""Exact lattice polytopes: vertices, facets, lattice points, faces, duality, Hodge numbers.

Convention: a polytope is given by an integer array of shape (d, n) whose *columns* are points
(like the Kreuzer-Skarke files: 4 rows x 26 columns); 2 <= d <= 5. A facet is stored as a primitive
integer inner normal u and an integer offset c with ⟨u, x⟩ >= -c on the polytope (equality on the
facet). Everything is integer arithmetic (a beneath-beyond hull with fraction-free
determinants): no float hull and no tolerance anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import gcd, prod

import numpy as np

from orbitlearn.errors import GeometryError
from orbitlearn.geometry import _kernels as K
from orbitlearn.limits import ENGINE_COORD_LIMIT as COORD_LIMIT
from orbitlearn.limits import ENGINE_MAX_LINES

MIN_DIM = 2
MAX_DIM = 5


def as_point_matrix(vertices) -> np.ndarray:
    """The input as a (d, n) int64 matrix; GeometryError if it is not an integer 2-D array."""
    arr = np.asarray(vertices)
    if arr.ndim != 2:
        raise GeometryError(f"expected a (d, n) integer matrix of points, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise GeometryError("expected integer coordinates, got non-integer values")
    elif arr.dtype.kind not in "iub":
        raise GeometryError(f"expected integer coordinates, got dtype {arr.dtype}")
    d, n = arr.shape
    if not MIN_DIM <= d <= MAX_DIM:
        raise GeometryError(
            f"expected a (d, n) matrix with 2 <= d <= 5 rows (columns are points), got {d} rows"
        )
    # the extent in Python integers: np.abs of the lowest int64 is that same negative number
    extent = max(abs(int(arr.min())), abs(int(arr.max()))) if arr.size else 0
    if extent > COORD_LIMIT[d]:
        raise GeometryError(
            f"coordinates up to {COORD_LIMIT[d]} in absolute value are supported in dimension {d} "
            f"(exact int64 arithmetic), got {extent}"
        )
    if n < d + 1:
        raise GeometryError(
            f"not full-dimensional: {n} points cannot span dimension {d} (need at least {d + 1})"
        )
    return np.ascontiguousarray(arr, dtype=np.int64)


def exact_facets(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Facets of conv(pts) for distinct pts of shape (n, d), full-dimensional: (normals (F, d),
    offsets (F,)) with ⟨u, x⟩ + c >= 0, u primitive; rows sorted lexicographically by (u, c).

    Exact beneath-beyond in integer arithmetic (`_kernels.exact_hull`): non-simplicial facets
    are single facets from the start, no float hull is involved.
    """
    normals, offsets, status = K.exact_hull(np.ascontiguousarray(pts, dtype=np.int64))
    if status != 0:
        raise GeometryError("not full-dimensional: the points span a proper affine subspace")
    both = unique_rows(np.concatenate([normals, offsets[:, None]], axis=1))
    return np.ascontiguousarray(both[:, :-1]), np.ascontiguousarray(both[:, -1])


def unique_rows(a: np.ndarray) -> np.ndarray:
    """The distinct rows of an integer matrix, sorted lexicographically."""
    if len(a) <= 1:
        return a
    order = np.lexsort(a.T[::-1])
    a = a[order]
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.any(a[1:] != a[:-1], axis=1, out=keep[1:])
    return a[keep]


def enumerate_lattice_points(
    normals: np.ndarray, offsets: np.ndarray, box_lo, box_hi, vertices: np.ndarray | None = None
) -> np.ndarray:
    """All integer x with ⟨u_f, x⟩ + c_f >= 0 for all f, as an (m, d) array (exact).

    The coordinate with the widest range is swept innermost, its integer interval solved from the
    inequalities, so the cost is (box volume of the other d-1 coordinates) x facets + output.
    When that box exceeds ENGINE_MAX_LINES lines and the `vertices` (n, d) are given, the points
    are enumerated in a lattice-reduced basis (LLL of the vertex coordinates, a unimodular
    change of basis U: the points of U·P are U times those of P) and mapped back.
    """
    lo = np.asarray(box_lo, dtype=np.int64)
    hi = np.asarray(box_hi, dtype=np.int64)
    extents = sorted(int(b) - int(a) + 1 for a, b in zip(lo, hi))
    lines = prod(extents[:-1])
    if lines > ENGINE_MAX_LINES and vertices is not None:
        from orbitlearn.geometry.reduction import box_lines, lll_basis, unimodular_inverse

        u, small = lll_basis(np.asarray(vertices).T)
        small = np.array(small.tolist(), dtype=np.int64)
        if box_lines(small) < lines:
            inv = unimodular_inverse(u)
            moved = (np.asarray(normals).astype(object) @ inv).astype(np.int64)  # u^T U^-1
            pts = enumerate_lattice_points(moved, offsets, small.min(axis=1), small.max(axis=1))
            back = (inv @ pts.T.astype(object)).T.astype(np.int64)
            if len(back) > 1:
                back = back[np.lexsort(back.T[::-1])]
            return np.ascontiguousarray(back)
    if lines > ENGINE_MAX_LINES:
        raise GeometryError(
            f"too large for the exact engine: its lattice points lie in a box of {lines} lattice "
            f"lines, more than the {ENGINE_MAX_LINES} it scans"
        )
    order = np.argsort(hi - lo, kind="stable")  # widest last
    inv = np.argsort(order)
    pts = K.lattice_points(
        np.ascontiguousarray(normals[:, order]),
        np.ascontiguousarray(offsets),
        np.ascontiguousarray(lo[order]),
        np.ascontiguousarray(hi[order]),
    )
    pts = pts[:, inv]
    if len(pts) > 1:
        pts = pts[np.lexsort(pts.T[::-1])]
    return np.ascontiguousarray(pts)


def _first_occurrences(pts: np.ndarray) -> np.ndarray:
    """Rows of pts without repeats, each kept at its first occurrence (input order)."""
    order = np.lexsort(pts.T[::-1])
    srt = pts[order]
    new = np.ones(len(pts), dtype=bool)
    new[1:] = np.any(srt[1:] != srt[:-1], axis=1)
    # first occurrence in input order within each group of equal rows: the stable lexsort keeps
    # input order among equals, so the group head is the first occurrence
    return pts[np.sort(order[new])]


def _vec_gcd(v) -> int:
    g = 0
    for a in v:
        g = gcd(g, int(a))
    return g


@dataclass(frozen=True)
class Face:
    """A face as index sets: its vertices (into `.vertices` columns) and the facets containing it."""

    dim: int
    vertices: tuple[int, ...]
    facets: tuple[int, ...]


class LatticePolytope:
    """conv(columns of `vertices`) in Z^d, 2 <= d <= 5, full-dimensional, exactly.

    Repeated and non-vertex points in the input are pruned; `.vertices` keeps the input order of
    the points that are vertices (first occurrence).
    """

    def __init__(self, vertices):
        mat = as_point_matrix(vertices)
        self.dim = int(mat.shape[0])
        pts = np.ascontiguousarray(mat.T)
        pts = _first_occurrences(pts)
        if len(pts) < self.dim + 1 or K.int_rank(pts[1:] - pts[0]) < self.dim:
            raise GeometryError(
                f"not full-dimensional: the points span an affine space of dimension "
                f"{K.int_rank(pts[1:] - pts[0]) if len(pts) > 1 else 0} < {self.dim}"
            )
        normals, offsets = exact_facets(pts)
        is_vertex = K.vertex_mask(pts, normals, offsets)
        self._verts = np.ascontiguousarray(pts[is_vertex])  # (n, d)
        self._normals = normals
        self._offsets = offsets

    # ------------------------------------------------------------------ basic data
    @property
    def vertices(self) -> np.ndarray:
        """The vertices as a (d, n_vertices) int64 matrix (columns), in input order."""
        return self._verts.T.copy()

    @property
    def n_vertices(self) -> int:
        """The number of vertices."""
        return int(self._verts.shape[0])

    @property
    def n_facets(self) -> int:
        """The number of facets (the vertices of the polar dual)."""
        return int(self._normals.shape[0])

    @property
    def facet_normals(self) -> np.ndarray:
        """Primitive inner normals u_f, shape (n_facets, d): ⟨u_f, x⟩ >= -c_f on the polytope."""
        return self._normals.copy()

    @property
    def facet_offsets(self) -> np.ndarray:
        """Offsets c_f, shape (n_facets,): ⟨u_f, x⟩ >= -c_f, equality exactly on facet f."""
        return self._offsets.copy()

    def __repr__(self) -> str:
        return (
            f"LatticePolytope(dim={self.dim}, vertices={self.n_vertices}, facets={self.n_facets})"
        )

    def pairing_matrix(self) -> np.ndarray:
        """PM[f, j] = ⟨u_f, v_j⟩ + c_f (lattice distance of vertex j from facet f), (n_facets, n_vertices)."""
        return self._normals @ self._verts.T + self._offsets[:, None]

    def incidence_matrix(self) -> np.ndarray:
        """I[f, j] = True iff vertex j lies on facet f, shape (n_facets, n_vertices)."""
        return self.pairing_matrix() == 0

    def origin_is_interior(self) -> bool:
        """0 in the interior  <=>  c_f > 0 for every facet."""
        return bool(np.all(self._offsets > 0))

    def is_reflexive(self) -> bool:
        """Reflexive  <=>  0 interior and every facet is ⟨u_f, x⟩ >= -1 (c_f = 1, u_f primitive)."""
        return bool(np.all(self._offsets == 1))

    def _require_reflexive(self, what: str) -> None:
        if not self.origin_is_interior():
            raise GeometryError(
                f"{what} needs the origin in the interior of the polytope; it is not"
            )
        if not self.is_reflexive():
            raise GeometryError(
                f"{what} needs a reflexive polytope; facet offsets are {sorted(set(self._offsets.tolist()))}, not all 1"
            )

    def dual(self) -> LatticePolytope:
        """Polar Δ* = {y : ⟨y, x⟩ >= -1 on Δ}; for reflexive Δ its vertices are the facet normals."""
        if not self.origin_is_interior():
            raise GeometryError("the polar dual needs the origin in the interior of the polytope")
        if not self.is_reflexive():
            raise GeometryError(
                "the polar dual of a non-reflexive polytope is not a lattice polytope (facet offsets != 1)"
            )
        return LatticePolytope(self._normals.T)

    # ------------------------------------------------------------------ lattice points
    @cached_property
    def _points(self) -> np.ndarray:
        return enumerate_lattice_points(
            self._normals,
            self._offsets,
            self._verts.min(axis=0),
            self._verts.max(axis=0),
            vertices=self._verts,
        )

    def points(self) -> np.ndarray:
        """All lattice points as a (d, n_points) matrix, lexicographically ordered."""
        return self._points.T.copy()

    def n_points(self) -> int:
        """The number of lattice points in the polytope (boundary and interior)."""
        return int(self._points.shape[0])

    @cached_property
    def _point_slack(self) -> np.ndarray:
        return self._normals @ self._points.T + self._offsets[:, None]  # (F, P)

    def interior_points(self) -> np.ndarray:
        """Lattice points on no facet, (d, m)."""
        return self._points[np.all(self._point_slack > 0, axis=0)].T.copy()

    def boundary_points(self) -> np.ndarray:
        """Lattice points on at least one facet, (d, m)."""
        return self._points[np.any(self._point_slack == 0, axis=0)].T.copy()

    # ------------------------------------------------------------------ faces
    @cached_property
    def _faces(self) -> list[list[Face]]:
        inc = self.incidence_matrix()
        nv = self.n_vertices
        facet_sets = [int(sum(1 << j for j in np.flatnonzero(row))) for row in inc]
        full = (1 << nv) - 1
        # every face is an intersection of facets; close the facet vertex-sets under intersection
        found = set(facet_sets)
        frontier = set(facet_sets)
        while frontier:
            new = set()
            for a in frontier:
                for b in facet_sets:
                    c = a & b
                    if c and c not in found:
                        new.add(c)
            found |= new
            frontier = new
        by_dim: list[list[Face]] = [[] for _ in range(self.dim + 1)]
        for mask in sorted(found):
            vids = tuple(j for j in range(nv) if mask >> j & 1)
            fids = tuple(f for f, s in enumerate(facet_sets) if s & mask == mask)
            sub = self._verts[list(vids)]
            dim = K.int_rank(sub[1:] - sub[0]) if len(vids) > 1 else 0
            by_dim[dim].append(Face(dim, vids, fids))
        by_dim[self.dim].append(Face(self.dim, tuple(range(nv)), ()))  # the polytope itself
        assert all(f != full for f in found)
        return by_dim

    def faces(self, dim: int | None = None) -> list[Face] | list[list[Face]]:
        """Faces of dimension `dim` (vertices, edges, ..., facets, the polytope); all if None.

        Faces are the nonempty intersections of facets; a face's dimension is the affine rank of
        its vertices.
        """
        if dim is None:
            return [list(x) for x in self._faces]
        if not 0 <= dim <= self.dim:
            raise GeometryError(f"face dimension must be in 0..{self.dim}, got {dim}")
        return list(self._faces[dim])

    def dual_face(self, face: Face) -> Face:
        """θ -> θ*: the face of Δ* whose vertices are the normals of the facets containing θ;
        dim θ + dim θ* = d - 1 (for reflexive Δ, indices refer to `dual()` built from the normals)."""
        return Face(self.dim - 1 - face.dim, face.facets, face.vertices)

    def points_in_face(self, face: Face, interior: bool = False) -> np.ndarray:
        """Lattice points of the face (on all its facets), or of its relative interior
        (on exactly those facets) when `interior`, as (d, m)."""
        on = self._point_slack == 0
        if not face.facets:  # the polytope itself
            sel = ~np.any(on, axis=0) if interior else np.ones(on.shape[1], dtype=bool)
        else:
            sel = np.all(on[list(face.facets)], axis=0)
            if interior:
                sel &= on.sum(axis=0) == len(face.facets)
        return self._points[sel].T.copy()

    # ------------------------------------------------------------------ Hodge numbers
    def ks_counts(self) -> dict[str, int]:
        """The KS header counts: M = (points, vertices) of Δ, N = (points, vertices) of Δ* (reflexive)."""
        self._require_reflexive("the N: counts")
        return {
            "m_points": self.n_points(),
            "m_vertices": self.n_vertices,
            "n_points": _dual_point_count(self),
            "n_vertices": self.n_facets,
        }

    def hodge_numbers(self, method: str = "fast") -> tuple[int, int]:
        """(h11, h21) of the CY hypersurface of reflexive 4-polytope Δ (Batyrev):
        `h11 = l(Δ*) − 5 − Σ_{facets F*} l*(F*) + Σ_{2-faces θ*} l*(θ*) l*(θ)`,
        `h21 = l(Δ) − 5 − Σ_{facets F} l*(F) + Σ_{2-faces θ} l*(θ) l*(θ*)`.

        method "fast" counts points by how many facets they lie on (see docs/geometry.md);
        "faces" evaluates the sums literally over the face lattice. Both are exact.
        """
        if self.dim != 4:
            raise GeometryError(
                f"Hodge numbers are defined here for 4-polytopes, got dimension {self.dim}"
            )
        self._require_reflexive("hodge_numbers")
        if method == "fast":
            return hodge_fast(self._verts, self._normals, self._points)[:2]
        if method == "faces":
            return _hodge_faces(self)
        raise ValueError(f"method must be 'fast' or 'faces', got {method!r}")

    def hodge_data(self) -> dict[str, int]:
        """h11, h21, χ = 2(h11 − h21) and the KS counts (points/vertices of Δ and Δ*) in one pass."""
        if self.dim != 4:
            raise GeometryError(
                f"Hodge numbers are defined here for 4-polytopes, got dimension {self.dim}"
            )
        self._require_reflexive("hodge_numbers")
        h11, h21, l_delta, l_dual = hodge_fast(self._verts, self._normals, self._points)
        return {
            "h11": h11,
            "h21": h21,
            "euler": 2 * (h11 - h21),
            "m_points": l_delta,
            "m_vertices": self.n_vertices,
            "n_points": l_dual,
            "n_vertices": self.n_facets,
        }

    def normal_form(self) -> np.ndarray:
        """Canonical (d, n_vertices) vertex matrix under GL(d, Z) x S_n (PALP's normal form)."""
        return K.normal_form_kernel(self._verts, self._normals, self._offsets)


def _dual_point_count(p: LatticePolytope) -> int:
    return int(dual_lattice_points(p._verts, p._normals).shape[0])


def dual_lattice_points(verts: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Lattice points of Δ* = {y : ⟨y, v⟩ >= -1 for every vertex v of Δ} (Δ reflexive, so Δ* is
    the hull of the facet normals, which bound the box), as (m, d)."""
    return enumerate_lattice_points(
        verts,
        np.ones(len(verts), dtype=np.int64),
        normals.min(axis=0),
        normals.max(axis=0),
        vertices=normals,
    )


def _segment_interior(a: np.ndarray, b: np.ndarray) -> int:
    """l*(segment [a, b]) = gcd of the coordinate differences − 1."""
    return _vec_gcd(a - b) - 1


def hodge_fast(verts: np.ndarray, normals: np.ndarray, points: np.ndarray):
    """(h11, h21, l(Δ), l(Δ*)) of reflexive Δ from vertices (n, 4), facet normals (F, 4), points of Δ.

    A lattice point x ≠ 0 of Δ lies in the relative interior of a facet iff it is on exactly one
    facet, and of a 2-face iff it is on exactly two facets u, w (whose dual edge [u, w] of Δ* has
    gcd(u − w) − 1 interior points); symmetrically for Δ*. So
    h21 = l(Δ) − 5 − #{x on 1 facet} + Σ_{x on facets u, w} (gcd(u − w) − 1), and h11 likewise.
    """
    dual_pts = dual_lattice_points(verts, normals)
    h21 = _batyrev_side(points, normals)
    h11 = _batyrev_side(dual_pts, verts)
    return h11, h21, int(points.shape[0]), int(dual_pts.shape[0])


def _batyrev_side(points: np.ndarray, facet_normals: np.ndarray) -> int:
    """l(P) − 5 − #{x on exactly one facet} + Σ_{x on exactly facets u, w} (gcd(u − w) − 1),
    for a reflexive 4-polytope P with facets ⟨u, x⟩ >= -1."""
    on = (facet_normals @ points.T) == -1  # (F, P)
    cnt = on.sum(axis=0)
    total = int(points.shape[0]) - 5 - int(np.count_nonzero(cnt == 1))
    two = np.flatnonzero(cnt == 2)
    if len(two):
        pair = on[:, two]
        # indices of the two facets for each such point
        idx = np.argsort(~pair, axis=0, kind="stable")[:2]
        diff = facet_normals[idx[0]] - facet_normals[idx[1]]
        g = np.gcd.reduce(np.abs(diff), axis=1)
        total += int((g - 1).sum())
    return total


def _hodge_faces(p: LatticePolytope) -> tuple[int, int]:
    """Batyrev's sums evaluated literally over the face lattices of Δ and Δ*."""
    dual = p.dual()
    # map the dual's vertices (its input order = our facet order, all of them are vertices)
    if not np.array_equal(dual._verts, p._normals):
        raise AssertionError("dual vertex order differs from the facet order")
    faces = p.faces()
    lstar_delta = {
        f.facets: p.points_in_face(f, interior=True).shape[1] for fs in faces[:-1] for f in fs
    }
    # faces of Δ* are indexed by facets-of-Δ* = vertices of Δ: a face θ of Δ with facet set S
    # is dual to the face of Δ* with vertex set S, lying on the Δ*-facets listed by θ's vertices.
    dual_faces = dual.faces()
    # dual facet i is ⟨v_j, y⟩ >= -1 for the vertex v_j of Δ; find j by matching normals
    key = {tuple(v): j for j, v in enumerate(p._verts.tolist())}
    facet_to_vertex = [key[tuple(u)] for u in dual._normals.tolist()]
    lstar_dual = {}
    for fs in dual_faces[:-1]:
        for f in fs:
            vset = tuple(sorted(facet_to_vertex[i] for i in f.facets))
            lstar_dual[vset] = dual.points_in_face(f, interior=True).shape[1]
    h11 = dual.n_points() - 5
    h11 -= sum(lstar_dual[(j,)] for j in range(p.n_vertices))
    for edge in faces[1]:  # θ edge of Δ  <->  θ* 2-face of Δ*
        h11 += lstar_dual[edge.vertices] * lstar_delta[edge.facets]
    h21 = p.n_points() - 5
    h21 -= sum(lstar_delta[f.facets] for f in faces[3])
    for tri in faces[2]:  # θ 2-face of Δ  <->  θ* edge of Δ*
        h21 += lstar_delta[tri.facets] * lstar_dual[tri.vertices]
    return int(h11), int(h21)
