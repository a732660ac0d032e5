"""What a model was trained on, and whether an input lies inside it: `TrainingDomain`.

A polytope model's training domain is a box of cheap, lattice-invariant descriptors of its
training polytopes (and, for a model trained on duals too, of those): the vertex count, the range
of the entries of the PALP normal form (the coordinates a model behind π sees; invariant under
GL(d,Z) × S_n, so a random lattice image of a training polytope is never called foreign), the
number of lattice points of Δ and of its polar dual Δ* (counted by the exact engine). An input
is *in distribution* when each descriptor lies in the training range and, for a model trained on
reflexive polytopes (its domain has `dual_points`), when it is reflexive too; outside, a prediction
is extrapolation, and `orbitlearn hodge` gives the exact answer (a non-reflexive polytope has no
Calabi–Yau hypersurface, so no Hodge numbers to predict).

The domain travels with the model: in a checkpoint's metadata under `training_domain`, or, for
the committed models trained before it existed, in `models/training_domains.json`, written once
from the training data by `benchmarks/model_domains.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from orbitlearn.errors import GeometryError, OrbitlearnError

#: the descriptors, in the order they are checked (cheapest first), and what each one is
DESCRIPTORS = {
    "vertices": "vertex count",
    "coordinates": "entries of the normal form",
    "points": "lattice points of the polytope",
    "dual_points": "lattice points of its polar dual",
}

#: the reason given for an input that is not reflexive where the training polytopes were
NOT_REFLEXIVE = "not reflexive (trained on reflexive polytopes only)"

#: where the committed models' domains are written (a name -> domain file beside the models)
DOMAINS_FILE = "training_domains.json"


def _real_columns(matrix: np.ndarray) -> np.ndarray:
    """The matrix without its zero columns (padding: the origin is never a vertex)."""
    m = np.asarray(matrix, dtype=np.int64)
    return m[:, (m != 0).any(axis=0)]


def descriptors(matrix: np.ndarray, ranges: dict | None = None) -> dict[str, object]:
    """The descriptors of conv(columns of `matrix`): vertices (int), coordinates ([min, max] of the
    normal form), reflexive (bool), points and dual_points (ints; the dual's only when Δ is
    reflexive). With `ranges`, the lattice points are counted only when vertices and coordinates
    lie inside (a polytope far outside may have very many points). Reflexive 4-polytopes take the
    one-pass compiled Hodge kernel, whose success also says they are reflexive."""
    from orbitlearn.geometry.batch import hodge_record
    from orbitlearn.geometry.normalform import normal_form
    from orbitlearn.geometry.polytope import LatticePolytope

    real = _real_columns(matrix)
    nf = normal_form(real)  # one column per vertex
    out: dict[str, object] = {
        "vertices": int(nf.shape[1]),
        "coordinates": [int(nf.min()), int(nf.max())],
    }
    if ranges is not None and _outside(out, ranges):
        out["reflexive"] = LatticePolytope(real).is_reflexive()
        return out
    if real.shape[0] == 4:
        try:
            rec = hodge_record(real)  # refuses a polytope that is not reflexive
        except GeometryError:
            pass  # not reflexive (or too large for the kernel): counted below
        else:
            out["reflexive"] = True
            out["points"], out["dual_points"] = int(rec["m_points"]), int(rec["n_points"])
            return out
    poly = LatticePolytope(real)
    out["reflexive"] = poly.is_reflexive()
    out["points"] = int(poly.n_points())
    if out["reflexive"]:
        out["dual_points"] = int(poly.ks_counts()["n_points"])
    return out


def describe_many(matrices) -> list[dict[str, object]]:
    """`descriptors` of many matrices; those the engine cannot describe are left out."""
    out = []
    for m in matrices:
        try:
            out.append(descriptors(m))
        except (GeometryError, ValueError, OrbitlearnError):
            continue
    return out


def _outside(values: dict[str, object], ranges: dict[str, list[int]]) -> list[str]:
    """One phrase per descriptor outside its training range (and one for a polytope that is not
    reflexive where the training polytopes were: their domain counts the dual's points)."""
    reasons = []
    if values.get("reflexive") is False and "dual_points" in ranges:
        reasons.append(NOT_REFLEXIVE)
    for key, what in DESCRIPTORS.items():
        if key not in values or key not in ranges:
            continue
        lo, hi = ranges[key]
        v = values[key]
        vlo, vhi = v if isinstance(v, list) else (v, v)
        if vlo < lo or vhi > hi:
            shown = f"{vlo}..{vhi}" if isinstance(v, list) else str(v)
            reasons.append(f"{what} {shown} (trained on {lo}..{hi})")
    return reasons


@dataclass
class Assessment:
    """Whether one input lies in a model's training domain, its descriptors and the reasons if not."""

    in_distribution: bool
    descriptors: dict[str, object] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


@dataclass
class TrainingDomain:
    """Per-descriptor [lo, hi] ranges over the training polytopes; `assess(matrix)` places an
    input inside or outside."""

    ranges: dict[str, list[int]]
    description: str = ""

    @classmethod
    def of(cls, described: Iterable[dict[str, object]], description: str = "") -> TrainingDomain:
        """The smallest box holding every descriptor record (as `descriptors` gives them)."""
        lo: dict[str, int] = {}
        hi: dict[str, int] = {}
        for rec in described:
            for key, v in rec.items():
                if key not in DESCRIPTORS:
                    continue
                vlo, vhi = v if isinstance(v, list | tuple) else (v, v)
                lo[key] = min(lo.get(key, vlo), int(vlo))
                hi[key] = max(hi.get(key, vhi), int(vhi))
        if not lo:
            raise OrbitlearnError("a training domain needs at least one training polytope")
        return cls({k: [lo[k], hi[k]] for k in DESCRIPTORS if k in lo}, description)

    @classmethod
    def from_dict(cls, data: dict) -> TrainingDomain:
        """The domain as stored (`to_dict`)."""
        return cls(
            {k: [int(a), int(b)] for k, (a, b) in data["ranges"].items()},
            data.get("description", ""),
        )

    def to_dict(self) -> dict:
        """A JSON-ready record: {"description", "ranges": {descriptor: [lo, hi]}}."""
        return {"description": self.description, "ranges": self.ranges}

    def assess(self, matrix: np.ndarray) -> Assessment:
        """Inside or outside the training ranges; a polytope the engine cannot describe (not
        full-dimensional, ...) is outside, with the engine's reason."""
        try:
            values = descriptors(matrix, self.ranges)
        except (GeometryError, ValueError, OrbitlearnError) as exc:
            return Assessment(False, {}, [str(exc).splitlines()[0]])
        reasons = _outside(values, self.ranges)
        return Assessment(not reasons, values, reasons)


def committed_domain(checkpoint: Path) -> TrainingDomain | None:
    """The domain recorded for a committed model in the models folder's domains file (None when
    the file or the model's entry is absent)."""
    table = checkpoint.parent / DOMAINS_FILE
    if not table.is_file():
        return None
    data = json.loads(table.read_text())
    key = data.get("models", {}).get(checkpoint.stem)
    if key is None:
        return None
    return TrainingDomain.from_dict(data["domains"][key])


def model_domain(metadata: dict, checkpoint: Path) -> TrainingDomain | None:
    """A model's training domain: its checkpoint's metadata, else the models folder's record."""
    stored = metadata.get("training_domain") if isinstance(metadata, dict) else None
    if stored:
        return TrainingDomain.from_dict(stored)
    return committed_domain(checkpoint)


__all__ = [
    "DESCRIPTORS",
    "DOMAINS_FILE",
    "NOT_REFLEXIVE",
    "Assessment",
    "TrainingDomain",
    "committed_domain",
    "describe_many",
    "descriptors",
    "model_domain",
]
