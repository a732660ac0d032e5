"""`hodge_table`: many matrices in one compiled call give what `hodge_record` gives one by one,
refusals worded the same."""

from __future__ import annotations

import numpy as np

from orbitlearn.errors import GeometryError
from orbitlearn.geometry.batch import hodge_record, hodge_table
from orbitlearn.geometry.fields import HODGE_FIELDS


def _flat(mats: list[np.ndarray]):
    values, offsets, rows, cols = [], [], [], []
    off = 0
    for m in mats:
        values.append(m.ravel())
        offsets.append(off)
        rows.append(m.shape[0])
        cols.append(m.shape[1])
        off += m.size
    return np.concatenate(values), np.array(offsets), np.array(rows), np.array(cols)


def test_hodge_table_equals_hodge_record(v26_sample):
    simplex = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
    mats = [e.vertices for e in v26_sample[:40]]
    mats.append(v26_sample[0].vertices.T.copy())  # the transposed layout: points as rows
    mats += [2 * simplex, simplex[:3, :4], 5000 * simplex, simplex[:, :4]]
    table, errors = hodge_table(*_flat(mats))
    for i, m in enumerate(mats):
        points = m.T if m.shape[0] > m.shape[1] else m
        try:
            rec = hodge_record(points)
        except GeometryError as exc:
            assert errors[i] == str(exc)
            continue
        assert i not in errors
        assert table[i].tolist() == [rec[f] for f in HODGE_FIELDS]
    assert set(errors) == {41, 42, 43, 44}
