from __future__ import annotations

import numpy as np
import pytest

from orbitlearn.datasets.ks import read_ks
from orbitlearn.datasets.ks_dataset import KSDataset, load_ks, stratified_split
from orbitlearn.errors import KSFormatError, OrbitlearnError

from .ksfiles import random_entries, write_file


@pytest.fixture
def small(tmp_path) -> KSDataset:
    path = tmp_path / "small.txt"
    write_file(path, random_entries(60, seed=4), transposed_at=(2,))
    return KSDataset.from_file(read_ks(path))


def test_arrays_labels_and_classes(small):
    assert small.vertices.shape == (60, 4, 6) and small.vertices.dtype == np.int8
    assert small.transposed.sum() == 1 and small.transposed[2]
    np.testing.assert_array_equal(small.indices, np.arange(60))
    np.testing.assert_array_equal(small.classes, np.unique(small.h11))
    np.testing.assert_array_equal(small.classes[small.y], small.h11)
    np.testing.assert_array_equal(small.euler, 2 * (small.h11 - small.h21))
    assert small.class_index(np.array([small.classes[0], 999]))[1] == -1


def test_subset_keeps_the_class_list(small):
    sub = small.subset(np.array([0, 1]))
    np.testing.assert_array_equal(sub.classes, small.classes)
    assert len(sub) == 2 and sub.indices.tolist() == [0, 1]


def test_split_is_a_partition_and_deterministic():
    labels = np.random.default_rng(0).integers(0, 12, size=1000)
    a = stratified_split(labels, seed=3)
    b = stratified_split(labels, seed=3)
    c = stratified_split(labels, seed=4)
    for x, y in zip(a.parts().values(), b.parts().values()):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.train, c.train)
    every = np.concatenate(list(a.parts().values()))
    assert len(every) == 1000 and len(np.unique(every)) == 1000
    sizes = [len(p) for p in a.parts().values()]
    assert abs(sizes[0] - 700) <= 12 and abs(sizes[1] - 100) <= 12 and abs(sizes[2] - 200) <= 12


def test_split_is_stratified_and_rare_classes_reach_every_part():
    labels = np.array([0] * 500 + [1] * 3 + [2] * 2 + [3] * 1 + [4] * 40)
    s = stratified_split(labels, seed=0)
    for part in s.parts().values():
        assert {0, 1, 4} <= set(labels[part].tolist())
    assert set(labels[s.train].tolist()) == {0, 1, 2, 3, 4}
    assert (labels[s.test] == 2).sum() == 1
    for value, count in [(0, 500), (4, 40)]:
        share = (labels[s.test] == value).sum() / count
        assert abs(share - 0.2) < 0.03


def test_split_of_one_class_does_not_depend_on_other_classes():
    labels = np.array([5] * 50 + [7] * 30)
    more = np.concatenate([labels, np.full(20, 9)])
    a, b = stratified_split(labels, seed=1), stratified_split(more, seed=1)
    np.testing.assert_array_equal(a.test, b.test[b.test < 80])


@pytest.mark.parametrize("fractions", [(0.5, 0.5), (0.7, 0.2, 0.2), (1.2, -0.1, -0.1)])
def test_bad_fractions_are_a_user_error(fractions):
    with pytest.raises(OrbitlearnError, match="fractions"):
        stratified_split(np.zeros(10), fractions=fractions)


def test_mixed_shapes_are_refused(tmp_path):
    path = tmp_path / "mixed.txt"
    write_file(path, random_entries(2, cols=6) + random_entries(1, cols=7))
    with pytest.raises(KSFormatError, match="entry 2 has a 4 x 7 matrix"):
        KSDataset.from_file(read_ks(path))


def test_torch_view(small):
    torch = pytest.importorskip("torch")
    ds = small.as_torch(np.array([3, 5]))
    x, y = ds[1]
    assert len(ds) == 2 and x.dtype == torch.float32 and x.shape == (4, 6)
    np.testing.assert_array_equal(x.numpy(), small.vertices[5])
    assert int(y) == int(small.y[5])


def test_v26_figures(v26_path):
    data = load_ks(v26_path)
    info = data.info()
    assert info["count"] == 78468
    assert info["transposed"] == 45
    assert info["classes"] == 35 and info["h11_range"] == [6, 42]
    assert info["majority_class"] == 16 and info["majority_count"] == 8848
    assert round(100 * info["majority_share"], 2) == 11.28
    assert round(100 * info["random_guess_share"], 2) == 2.86
    assert data.vertices.shape == (78468, 4, 26) and data.vertices.dtype == np.int8
    # the 45 transposed entries are real polytopes with all 26 vertices, not dropped
    assert (data.labels["m_vertices"][data.transposed] == 26).all()
    split = data.split(seed=0)
    sizes = [len(p) for p in split.parts().values()]
    assert sum(sizes) == 78468
    assert [round(s / 78468, 2) for s in sizes] == [0.7, 0.1, 0.2]
    common = {int(h11) for h11, count in info["h11_counts"].items() if count >= 3}
    for part in split.parts().values():  # classes with >= 3 members reach every part
        assert set(data.h11[part].tolist()) >= common


def test_load_by_name_uses_the_cache(v26_path, monkeypatch):
    monkeypatch.setenv("ORBITLEARN_DATA", str(v26_path.parent.parent))
    data = load_ks(vertices=26, download=False)
    assert len(data) == 78468 and data.source == str(v26_path)


def test_subsample_is_seeded_sorted_and_spread():
    from orbitlearn.datasets.ks_dataset import subsample

    pos = np.arange(1000, 2000)
    a, b, c = subsample(pos, 100, 0), subsample(pos, 100, 0), subsample(pos, 100, 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert len(a) == 100 and np.all(np.diff(a) > 0) and set(a) <= set(pos)
    assert a.min() < 1200 and a.max() > 1800  # not the first 100 in order
    np.testing.assert_array_equal(subsample(pos, None, 0), pos)
    np.testing.assert_array_equal(subsample(pos, 5000, 0), pos)
