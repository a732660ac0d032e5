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


def test_normal_form_table_equals_normal_form(v26_sample):
    from orbitlearn.geometry.batch import normal_form_table
    from orbitlearn.geometry.normalform import normal_form

    rng = np.random.default_rng(2)
    square = np.array([[0, 1, 0, 1, 1], [0, 0, 1, 1, 0]])  # a repeated point and a 2-polytope
    cube3 = np.array([[x, y, z] for x in (0, 2) for y in (0, 1) for z in (0, 1)]).T
    mats = [e.vertices[:, rng.permutation(26)] for e in v26_sample[:30]]
    mats.append(v26_sample[1].vertices.T.copy())  # the transposed layout
    mats += [square, cube3, np.zeros((4, 6), dtype=np.int64), 5000 * cube3[:, :4], np.ones((6, 3))]
    forms, errors = normal_form_table(*_flat(mats))
    for i, m in enumerate(mats):
        points = m.T if m.shape[0] > m.shape[1] else m
        try:
            want = normal_form(points)
        except GeometryError as exc:
            assert errors[i] == str(exc)
            continue
        assert i not in errors
        assert forms[i].dtype == np.int64 and np.array_equal(forms[i], want)
    assert set(errors) == {33, 34, 35}
