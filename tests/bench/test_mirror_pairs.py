"""Mirror pairs in v26 and the leak fix of the duals profiles (apps/ks/mirror_pairs.py)."""

from __future__ import annotations

import numpy as np
import pytest

from orbitlearn.apps.ks.bench import KSBenchmark
from orbitlearn.apps.ks.mirror_pairs import input_classes, leak_free_parts, mirror_partners
from orbitlearn.apps.ks.rows import DUALS_ROWS, Profile
from orbitlearn.datasets.ks_dataset import KSDataset, load_ks
from orbitlearn.geometry import LatticePolytope, normal_form


@pytest.fixture(scope="module")
def v26(v26_path):
    data = load_ks(v26_path)
    return data, mirror_partners(data)


def _parts_of(data: KSDataset) -> np.ndarray:
    part = np.empty(len(data.h11), dtype=object)
    for name, pos in data.split(seed=0).parts().items():
        part[pos] = name
    return part


def test_v26_holds_25_mirror_pairs_and_10_self_dual_polytopes(v26):
    data, partner = v26
    has = np.flatnonzero(partner >= 0)
    assert len(has) == 60 and (partner[has] == has).sum() == 10
    assert (partner[partner[has]] == has).all()  # Δ** = Δ: the relation is symmetric
    # exactly: each partner's normal form is that of the dual, by the engine
    for i in has[:6]:
        dual = LatticePolytope(data.vertices[i].astype(np.int64)).dual().vertices
        np.testing.assert_array_equal(normal_form(dual), normal_form(data.vertices[partner[i]]))
        assert (data.h11[i], data.h21[i]) == (data.h21[partner[i]], data.h11[partner[i]])


def test_the_seed_0_split_has_the_pairs_the_issue_found_across_parts(v26):
    data, partner = v26
    part = _parts_of(data)
    across = {}
    for i in np.flatnonzero(partner >= 0):
        j = partner[i]
        if i < j and part[i] != part[j]:
            key = tuple(sorted((part[i], part[j])))
            across.setdefault(key, set()).add(
                tuple(sorted((int(data.indices[i]), int(data.indices[j]))))
            )
    assert across[("test", "train")] == {(69776, 69777), (77835, 77836)}
    assert across[("test", "val")] == {(69772, 69773), (73285, 73286)}
    assert len(across[("train", "val")]) == 5 and len(across) == 3


def test_the_fix_leaves_no_test_or_val_polytope_in_training(v26):
    data, partner = v26
    n = len(partner)
    split = data.split(seed=0)
    parts = {
        "train": np.concatenate([split.train, n + split.train]),
        "val": np.concatenate([split.val, n + split.val]),
        "test": split.test,
        "test_duals": n + split.test,
    }
    classes = input_classes(partner, with_duals=True)
    fixed, dropped = leak_free_parts(parts, classes)
    # before: 2 test polytopes reach training through the duals of train polytopes
    test = classes[parts["test"]]
    assert np.isin(classes[parts["train"]], test).sum() == 2
    held = np.concatenate([classes[fixed[k]] for k in ("val", "test", "test_duals")])
    assert not np.isin(classes[fixed["train"]], held).any()
    assert not np.isin(classes[fixed["val"]], classes[parts["test"]]).any()
    # each pair across train/test costs two training inputs (a dual and an entry), across
    # train/val two more, across val/test two val inputs
    assert dropped == {"train": 2 * 2 + 2 * 5, "val": 2 * 2}
    for k in ("test", "test_duals"):
        np.testing.assert_array_equal(fixed[k], parts[k])


def test_the_header_filter_misses_no_pair(v26):
    """Without headers every entry is compared: the same partners on a slice holding pairs."""
    data, partner = v26
    rng = np.random.default_rng(0)
    keep = np.union1d(np.flatnonzero(partner >= 0)[:20], rng.choice(len(partner), 80, False))
    sub = data.subset(keep)
    bare = KSDataset(
        sub.vertices, {k: np.full_like(v, -1) for k, v in sub.labels.items()}, sub.indices,
        sub.transposed,
    )  # fmt: skip
    expect = np.array([np.searchsorted(keep, p) if p in keep else -1 for p in partner[keep]])
    np.testing.assert_array_equal(mirror_partners(bare), expect)
    np.testing.assert_array_equal(mirror_partners(sub), expect)


def test_a_duals_benchmark_trains_on_no_input_equivalent_to_a_val_or_test_input(v26, tmp_path):
    """The benchmark's own parts, checked by the normal form of every input."""
    data, partner = v26
    rng = np.random.default_rng(1)
    keep = np.union1d(np.flatnonzero(partner >= 0), rng.choice(len(partner), 240, False))
    sub = data.subset(keep)
    profile = Profile("d", (DUALS_ROWS[0],), seeds=(0,), limits=(None, None, None),
                      check_count=20, check_samples=1, duals=True)  # fmt: skip
    bench = KSBenchmark(sub, profile, tmp_path, threads=1)
    assert bench.mirror_pair_fix["dropped"]["train"] > 0  # this slice has pairs across parts
    x = bench.data.vertices

    def forms(pos):
        return {normal_form(x[p][:, (x[p] != 0).any(axis=0)]).tobytes() for p in pos}

    train = forms(bench.parts["train"])
    val, test = forms(bench.parts["val"]), forms(bench.parts["test"])
    test |= forms(bench.parts["test_duals"])
    assert not train & (val | test) and not val & test


def test_cells_record_the_fix_only_for_trainings_made_with_it(v26, tmp_path):
    """A fresh training is marked with the fix; a run folder resumed without the mark (a
    training begun before the fix) gives a cell without it, which the report marks."""
    import shutil
    from dataclasses import replace

    data, partner = v26
    keep = np.union1d(
        np.flatnonzero(partner >= 0), np.random.default_rng(2).choice(len(partner), 200, False)
    )
    row = replace(DUALS_ROWS[1], train={**DUALS_ROWS[1].train, "epochs": 1})
    profile = Profile("d", (row,), seeds=(0,), limits=(None, None, None), check_count=10,
                      check_samples=1, duals=True)  # fmt: skip
    bench = KSBenchmark(data.subset(keep), profile, tmp_path / "a", threads=1)
    fresh = bench.run_cell(row, 0, "orig")
    assert fresh["mirror_pair_fix"] == bench.mirror_pair_fix
    # the same training folder without its mark: a run that began before the fix
    old = KSBenchmark(data.subset(keep), profile, tmp_path / "b", threads=1)
    shutil.copytree(bench.run_dir(row, 0, "orig"), old.run_dir(row, 0, "orig"))
    (old.run_dir(row, 0, "orig") / "mirror_pair_fix.json").unlink()
    resumed = old.run_cell(row, 0, "orig")
    assert "mirror_pair_fix" not in resumed and resumed["acc"] == fresh["acc"]
