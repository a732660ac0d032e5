"""The KS data as arrays: vertex matrices, labels, classes, seeded stratified splits, a torch view.

Data flow: file -> `read_ks` entries -> `KSDataset` (numpy) -> `split` -> models. The vertex
matrices are stacked as (N, d, n) in int8 (the v26 entries lie in [-8, 8]); labels come from the
headers and never enter a model's input.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from orbitlearn.apps.ks.targets import DEFAULT_TARGET, check_target
from orbitlearn.datasets.fetch import KS_SHA256, resolve_ks_path, sha256_of
from orbitlearn.datasets.ks import KSEntry, KSFile, OnError, SkippedEntries, read_ks
from orbitlearn.errors import DataNotFoundError, KSFormatError, OrbitlearnError

DEFAULT_FRACTIONS = (0.7, 0.1, 0.2)
PART_NAMES = ("train", "val", "test")
_LABEL_FIELDS = ("h11", "h21", "euler", "m_points", "m_vertices", "n_points", "n_vertices")


@dataclass(frozen=True)
class Split:
    """Positions (0-based rows of a `KSDataset`) of the train, val and test parts, each sorted."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    def parts(self) -> dict[str, np.ndarray]:
        """The index arrays by part name: train, val, test."""
        return {"train": self.train, "val": self.val, "test": self.test}


class KSDataset:
    """Stacked vertex matrices (N, d, n) with their header labels and file indices.

    ``target`` names the label learned as classes (`orbitlearn.apps.ks.targets`: h11 by default, or
    h21); ``classes`` is the sorted list of its values seen (the class list); ``y`` maps each
    entry's target value to its position in that list. The split is stratified by h11 whatever
    the target, so every target uses the same train, val and test parts.
    """

    def __init__(
        self,
        vertices: np.ndarray,
        labels: dict[str, np.ndarray],
        indices: np.ndarray,
        transposed: np.ndarray,
        source: str = "<memory>",
        classes: np.ndarray | None = None,
        skipped: Sequence[KSFormatError] = (),
        target: str = DEFAULT_TARGET,
    ):
        self.target = check_target(target)
        self.vertices = vertices
        self.labels = labels
        self.indices = indices
        self.transposed = transposed
        self.source = source
        self.skipped = skipped if isinstance(skipped, SkippedEntries) else list(skipped)
        self.classes = np.unique(labels[target]) if classes is None else np.asarray(classes)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_entries(
        cls,
        entries: Sequence[KSEntry],
        source: str = "<memory>",
        skipped: Sequence[KSFormatError] = (),
        pad: bool = False,
    ) -> KSDataset:
        """Stack parsed entries into arrays (int8 matrices, labels, classes): of one vertex count,
        or with `pad` of any counts, each matrix followed by zero columns up to the largest count
        (a zero column is never a vertex of a polytope with the origin inside, so the padding
        is self-describing; set models trained with ``padded`` mask it)."""
        if not entries:
            raise OrbitlearnError(f"{source}: no entries to build a dataset from")
        shape = entries[0].vertices.shape
        if pad:
            dims = {e.vertices.shape[0] for e in entries}
            if len(dims) > 1:
                raise KSFormatError(
                    source, entries[0].line, f"entries of dimensions {sorted(dims)} in one dataset"
                )
            shape = (shape[0], max(e.vertices.shape[1] for e in entries))
        for e in entries:
            if pad and (e.vertices == 0).all(axis=0).any():
                raise KSFormatError(
                    source,
                    e.line,
                    f"entry {e.index} has a zero column, which padding would hide; a polytope "
                    "with the origin inside never has the origin as a vertex",
                )
            if not pad and e.vertices.shape != shape:
                raise KSFormatError(
                    source,
                    e.line,
                    f"entry {e.index} has a {e.vertices.shape[0]} x {e.vertices.shape[1]} matrix; "
                    f"a dataset needs every entry {shape[0]} x {shape[1]}",
                )
            if e.h11 is None or e.h21 is None:
                raise KSFormatError(source, e.line, f"entry {e.index} has no H:h11,h21 label")
        if pad:
            stacked = np.zeros((len(entries), *shape), dtype=np.int64)
            for i, e in enumerate(entries):
                stacked[i, :, : e.vertices.shape[1]] = e.vertices
        else:
            stacked = np.stack([e.vertices for e in entries])
        lo, hi = int(stacked.min()), int(stacked.max())
        dtype = (
            np.int8
            if -128 <= lo and hi <= 127
            else np.int16
            if -32768 <= lo and hi <= 32767
            else np.int64
        )
        labels = {}
        for name in _LABEL_FIELDS:
            vals = [getattr(e, name) for e in entries]
            if name == "euler":
                vals = [2 * (e.h11 - e.h21) if v is None else v for e, v in zip(entries, vals)]
            labels[name] = np.array([-1 if v is None else v for v in vals], dtype=np.int32)
        return cls(
            vertices=stacked.astype(dtype),
            labels=labels,
            indices=np.array([e.index for e in entries], dtype=np.int64),
            transposed=np.array([e.transposed for e in entries], dtype=bool),
            source=source,
            skipped=skipped,
        )

    @classmethod
    def from_file(cls, ks: KSFile, pad: bool = False) -> KSDataset:
        """Read a KS file into a dataset (`pad`: mixed vertex counts, see `from_entries`)."""
        return cls.from_entries(ks.entries, source=ks.source, skipped=ks.skipped, pad=pad)

    @property
    def vertex_counts(self) -> np.ndarray:
        """The number of vertices of each entry (its non-zero columns), (N,)."""
        return (self.vertices != 0).any(axis=1).sum(axis=1)

    # ------------------------------------------------------------------ views

    def __len__(self) -> int:
        return int(self.vertices.shape[0])

    @property
    def h11(self) -> np.ndarray:
        """h11 of every entry, (N,) int64."""
        return self.labels["h11"]

    @property
    def h21(self) -> np.ndarray:
        """h21 of every entry, (N,) int64."""
        return self.labels["h21"]

    @property
    def euler(self) -> np.ndarray:
        """The Euler number 2 (h11 − h21) of every entry, (N,) int64."""
        return self.labels["euler"]

    @property
    def target_values(self) -> np.ndarray:
        """The target label (h11 or h21) of every entry, (N,)."""
        return self.labels[self.target]

    @property
    def y(self) -> np.ndarray:
        """Class index of every entry's target value (position in `classes`; -1 if not in it)."""
        return self.class_index(self.target_values)

    def class_index(self, values: np.ndarray) -> np.ndarray:
        """The class index of each target value in `classes`, −1 for a value not among them."""
        values = np.asarray(values)
        pos = np.searchsorted(self.classes, values)
        pos_clipped = np.minimum(pos, len(self.classes) - 1)
        found = self.classes[pos_clipped] == values
        return np.where(found, pos_clipped, -1).astype(np.int64)

    def with_classes(self, classes: np.ndarray) -> KSDataset:
        """The same entries with a given class list (sorted, holding every target value seen):
        e.g. a contiguous range wider than the training labels, for a regression head that may
        answer values the training data never had."""
        classes = np.asarray(classes)
        if not (np.diff(classes) > 0).all():
            raise OrbitlearnError("a class list must be sorted without repeats")
        missing = sorted(set(np.unique(self.target_values).tolist()) - set(classes.tolist()))
        if missing:
            raise OrbitlearnError(
                f"{self.source}: {self.target} values {missing[:5]} are not in the class list "
                f"{int(classes[0])}..{int(classes[-1])}"
            )
        return self._same_entries(classes=classes, target=self.target)

    def with_target(self, target: str) -> KSDataset:
        """The same entries with `target` as the label learned (its own class list)."""
        if target == self.target:
            return self
        return self._same_entries(classes=None, target=target)

    def _same_entries(self, classes: np.ndarray | None, target: str) -> KSDataset:
        return KSDataset(
            vertices=self.vertices,
            labels=self.labels,
            indices=self.indices,
            transposed=self.transposed,
            source=self.source,
            classes=classes,
            skipped=self.skipped,
            target=target,
        )

    def subset(self, positions: np.ndarray) -> KSDataset:
        """The rows at `positions`, keeping this dataset's class list."""
        positions = np.asarray(positions, dtype=np.int64)
        return KSDataset(
            vertices=self.vertices[positions],
            labels={k: v[positions] for k, v in self.labels.items()},
            indices=self.indices[positions],
            transposed=self.transposed[positions],
            source=self.source,
            classes=self.classes,
            target=self.target,
        )

    def split(self, seed: int = 0, fractions: Sequence[float] = DEFAULT_FRACTIONS) -> Split:
        """The seeded stratified train/val/test split of this dataset."""
        return stratified_split(self.h11, seed=seed, fractions=fractions)

    def as_torch(self, positions: np.ndarray | None = None):
        """A `torch.utils.data.Dataset` of (float32 (d, n) matrix, class index) pairs."""
        from orbitlearn.datasets.torch_dataset import KSTorchDataset

        return KSTorchDataset(self, positions)

    # ------------------------------------------------------------------ summary

    def info(self) -> dict:
        """Counts, label ranges, class counts, majority and random-guess shares."""
        h11 = self.h11
        values, counts = np.unique(h11, return_counts=True)
        major = int(np.argmax(counts))

        def rng(a: np.ndarray) -> list[int]:
            return [int(a.min()), int(a.max())]

        return {
            "source": self.source,
            "count": len(self),
            "transposed": int(self.transposed.sum()),
            "skipped": len(self.skipped),
            "matrix_shape": list(self.vertices.shape[1:]),
            "coordinate_range": rng(self.vertices.astype(np.int64)),
            "h11_range": rng(h11),
            "h21_range": rng(self.h21),
            "euler_range": rng(self.euler),
            "classes": len(values),
            "h11_counts": {str(int(v)): int(c) for v, c in zip(values, counts)},
            "majority_class": int(values[major]),
            "majority_count": int(counts[major]),
            "majority_share": float(counts[major] / len(self)),
            "random_guess_share": float(1.0 / len(values)),
            "m_points_range": rng(self.labels["m_points"]),
            "m_vertices_range": rng(self.labels["m_vertices"]),
            "n_points_range": rng(self.labels["n_points"]),
            "n_vertices_range": rng(self.labels["n_vertices"]),
        }


def _part_sizes(count: int, fractions: Sequence[float]) -> tuple[int, int, int]:
    """Sizes (train, val, test) for one class: proportional, every part non-empty when count ≥ 3."""
    f_train, f_val, f_test = fractions
    n_test = round(count * f_test)
    n_val = round(count * f_val)
    if count >= 3:
        n_test = max(n_test, 1 if f_test > 0 else 0)
        n_val = max(n_val, 1 if f_val > 0 else 0)
    elif count == 2:
        n_test, n_val = (1 if f_test > 0 else 0), 0
    else:
        n_test = n_val = 0
    if f_train > 0:
        while count - n_val - n_test < 1 and (n_val or n_test):
            if n_val >= n_test and n_val:
                n_val -= 1
            else:
                n_test -= 1
    return count - n_val - n_test, n_val, n_test


def stratified_split(
    labels: np.ndarray, seed: int = 0, fractions: Sequence[float] = DEFAULT_FRACTIONS
) -> Split:
    """Seeded split stratified by label: each class is shuffled by its own stream
    (SeedSequence([seed, label])) and cut in the given fractions, so the same seed gives the same
    parts on every machine and rare classes reach every part where they have ≥ 3 members."""
    fr = [float(f) for f in fractions]
    if len(fr) != 3 or not all(0.0 <= f <= 1.0 for f in fr) or abs(sum(fr) - 1.0) > 1e-9:
        raise OrbitlearnError(
            f"split fractions must be three non-negative numbers (train, val, test) summing to 1, got {list(fractions)}"
        )
    labels = np.asarray(labels)
    parts: dict[str, list[np.ndarray]] = {p: [] for p in PART_NAMES}
    for value in np.unique(labels):
        pos = np.flatnonzero(labels == value)
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(value) + (1 << 20)]))
        pos = pos[rng.permutation(len(pos))]
        n_train, n_val, _ = _part_sizes(len(pos), fr)
        parts["train"].append(pos[:n_train])
        parts["val"].append(pos[n_train : n_train + n_val])
        parts["test"].append(pos[n_train + n_val :])
    out = {p: np.sort(np.concatenate(v)).astype(np.int64) for p, v in parts.items()}
    return Split(**out)


def subsample(positions: np.ndarray, limit: int | None, seed: int) -> np.ndarray:
    """A seeded random `limit` of `positions`, sorted (all of them without a limit).

    KS files are sorted by their labels, so the first N positions in file order would be a biased
    sample; a seeded random subset keeps quick runs representative and repeatable."""
    positions = np.asarray(positions, dtype=np.int64)
    if not limit or limit >= len(positions):
        return positions
    order = np.random.default_rng(np.random.SeedSequence([int(seed), 7])).permutation(
        len(positions)
    )
    return np.sort(positions[order[:limit]])


def load_ks(
    path: str | os.PathLike | IO | None = None,
    *,
    vertices: int = 26,
    on_error: OnError = "raise",
    download: bool = True,
    verify: bool = True,
) -> KSDataset:
    """Load a KS file as a `KSDataset`: from `path`, else the cached vNN.gz (fetched if absent).

    A cached file with a known checksum is verified first (`verify`).
    """
    if path is None:
        path = resolve_ks_path(vertices, download=download)
        known = KS_SHA256.get(Path(path).name)
        if verify and known is not None and sha256_of(path) != known:
            raise DataNotFoundError(
                f"{path}: sha256 does not match the known checksum {known}; "
                f"delete it and run `orbitlearn data fetch ks --vertices {vertices}`"
            )
    return KSDataset.from_file(read_ks(path, on_error=on_error))
