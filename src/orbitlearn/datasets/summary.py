"""Counts, shapes and label ranges of KS entries, accumulated block by block in bounded memory
(what `orbitlearn data info` reports, for files of any length)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from orbitlearn.datasets.ks import KSBlock

_RANGED = ("h11", "h21", "euler", "m_points", "m_vertices", "n_points", "n_vertices")


class KSSummary:
    """Running statistics of the blocks given to `add`; `info()` is the report."""

    def __init__(self, source: str):
        self.source = source
        self.count = 0
        self.transposed = 0
        self.unlabelled = 0
        self.shapes: Counter = Counter()
        self.coords = [None, None]
        self.ranges: dict[str, list] = {name: [None, None] for name in _RANGED}
        self.h11_counts: Counter = Counter()

    @staticmethod
    def _widen(rng: list, values: np.ndarray) -> None:
        if not len(values):
            return
        lo, hi = int(values.min()), int(values.max())
        rng[0] = lo if rng[0] is None else min(rng[0], lo)
        rng[1] = hi if rng[1] is None else max(rng[1], hi)

    def add(self, block: KSBlock) -> None:
        """Take one block's entries into the statistics."""
        self.count += len(block)
        self.transposed += int(block.transposed.sum())
        shapes, counts = np.unique(block.shapes, axis=0, return_counts=True)
        for shape, c in zip(shapes.tolist(), counts.tolist()):
            self.shapes[tuple(shape)] += c
        self._widen(self.coords, block.values)
        h11, labelled = block.column("h11")
        self.unlabelled += int((~labelled).sum())
        for name in _RANGED:
            values, present = block.column(name)
            if name == "euler":  # as the dataset does: 2 (h11 - h21) where the header omits it
                h21, _ = block.column("h21")
                values = np.where(present, values, 2 * (h11 - h21))
                present = labelled
            self._widen(self.ranges[name], values[present])
        values, counts = np.unique(h11[labelled], return_counts=True)
        self.h11_counts.update(dict(zip(values.tolist(), counts.tolist())))

    def info(self, skipped: int = 0) -> dict:
        """The report: the keys of `KSDataset.info()`, plus `matrix_shapes` and `unlabelled`."""
        classes = sorted(self.h11_counts)
        labelled = sum(self.h11_counts.values())
        major = max(classes, key=lambda v: (self.h11_counts[v], -v)) if classes else None
        shape = list(self.shapes.most_common(1)[0][0]) if self.shapes else None
        return {
            "source": self.source,
            "count": self.count,
            "transposed": self.transposed,
            "skipped": skipped,
            "matrix_shape": shape,
            "matrix_shapes": {f"{d} x {n}": c for (d, n), c in sorted(self.shapes.items())},
            "unlabelled": self.unlabelled,
            "coordinate_range": self.coords,
            "h11_range": self.ranges["h11"],
            "h21_range": self.ranges["h21"],
            "euler_range": self.ranges["euler"],
            "classes": len(classes),
            "h11_counts": {str(v): self.h11_counts[v] for v in classes},
            "majority_class": major,
            "majority_count": self.h11_counts[major] if classes else 0,
            "majority_share": self.h11_counts[major] / labelled if labelled else 0.0,
            "random_guess_share": 1.0 / len(classes) if classes else 0.0,
            "m_points_range": self.ranges["m_points"],
            "m_vertices_range": self.ranges["m_vertices"],
            "n_points_range": self.ranges["n_points"],
            "n_vertices_range": self.ranges["n_vertices"],
        }
