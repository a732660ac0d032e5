"""The KS benchmark machinery on a small slice of v26 (profile "smoke")."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from orbitlearn.apps.ks.bench import KSBenchmark, select_rows, slug, task_waves
from orbitlearn.apps.ks.checkpoints import resolve
from orbitlearn.apps.ks.report import write_reports
from orbitlearn.apps.ks.rows import PROFILES, get_profile
from orbitlearn.cli import main
from orbitlearn.datasets.ks import read_ks, write_ks
from orbitlearn.datasets.ks_dataset import KSDataset, subsample
from orbitlearn.errors import OrbitlearnError


@pytest.fixture(scope="module")
def small_file(v26_path, tmp_path_factory):
    """1,500 v26 entries, a seeded spread over the file (all classes but the rarest)."""
    entries = read_ks(v26_path).entries
    keep = subsample(np.arange(len(entries)), 1500, seed=3)
    path = tmp_path_factory.mktemp("ks") / "v26_small.txt"
    write_ks([entries[i] for i in keep], path)
    return path


@pytest.fixture(scope="module")
def bench_run(small_file, tmp_path_factory):
    data = KSDataset.from_file(read_ks(small_file))
    out = tmp_path_factory.mktemp("bench")
    bench = KSBenchmark(data, get_profile("smoke"), out, threads=1, save_models=True)
    table = bench.run()
    return bench, table


def test_every_row_has_every_column(bench_run):
    bench, table = bench_run
    assert [r["row"] for r in table] == [r.name for r in PROFILES["smoke"].rows]
    for rec in table:
        for col in ("acc_orig", "acc_rnd_perm", "acc_perm_test", "acc_gl4z_test"):
            assert 0.0 <= rec[col] <= 1.0


def test_exact_engine_is_the_100_percent_line(bench_run):
    _, table = bench_run
    exact = next(r for r in table if r["row"] == "exact engine (Batyrev)")
    assert (
        exact["acc_orig"]
        == exact["acc_rnd_perm"]
        == exact["acc_perm_test"]
        == exact["acc_gl4z_test"]
        == 1.0
    )
    assert exact["eps_max_dp"] == 0.0


def test_invariant_rows_agree_across_columns(bench_run):
    _, table = bench_run
    lex = next(r for r in table if "lex" in r["row"])
    assert (
        lex["acc_orig"] == lex["acc_perm_test"] == lex["acc_rnd_perm"]
    )  # π makes the inputs identical
    assert lex["eps_max_dp"] == 0.0
    ex = next(r for r in table if r["row"].startswith("exchangeable"))
    assert ex["acc_orig"] == ex["acc_perm_test"] and ex["eps_max_dp"] < 1e-5
    assert ex["claimed_invariance"] == "S4 x S26"


def test_ensemble_row_reuses_its_members_training(bench_run):
    bench, table = bench_run
    ens = next(r for r in table if r["row"].startswith("ensemble"))
    members = [
        next(r for r in table if r["row"] == m)
        for m in ("cnn_mlp + π lex", "exchangeable (Hartford)")
    ]
    assert ens["claimed_invariance"] == "S4 x S26" and ens["eps_max_dp"] < 1e-5
    assert ens["acc_orig"] == ens["acc_perm_test"]
    assert ens["parameters"] == sum(m["parameters"] for m in members)
    runs = sorted(p.name for p in (bench.out / "runs").iterdir())
    assert not any(name.startswith("ensemble") for name in runs)  # no training of its own
    # π lex maps the permuted matrices onto the orig ones: that row trained once, not twice
    assert "cnn-mlp-pi-lex__seed0__orig" in runs and "cnn-mlp-pi-lex__seed0__rnd_perm" not in runs
    assert "exchangeable-hartford__seed0__rnd_perm" in runs


def test_finished_cells_are_not_rerun(bench_run):
    bench, table = bench_run
    before = {p: p.stat().st_mtime_ns for p in (bench.out / "cells").glob("*.json")}
    assert len(before) == 2 * len(table)
    assert bench.pending() == []
    assert bench.run() == table
    assert {p: p.stat().st_mtime_ns for p in (bench.out / "cells").glob("*.json")} == before


def test_reports_are_written(bench_run):
    bench, table = bench_run
    paths = write_reports(bench, table)
    assert paths["csv"].read_text().startswith("row,protocol,acc_orig,acc_orig_std,acc_rnd_perm")
    assert "| exact engine (Batyrev) | ours | 1 | 100.00 |" in paths["md"].read_text()
    assert paths["chart"].stat().st_size > 5000 and paths["curves"].stat().st_size > 5000
    assert (
        json.loads((bench.out / "rows" / f"{slug('majority')}.json").read_text())["row"]
        == "majority"
    )


def test_cli_json_contract(small_file, bench_run, capsys):
    bench, table = bench_run
    code = main(
        [
            "bench",
            "ks",
            "--profile",
            "smoke",
            "--data",
            str(small_file),
            "--out",
            str(bench.out),
            "--json",
            "--quiet",
        ]
    )
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and len(rows) == len(table)
    for r in rows:
        assert {"row", "acc_orig", "acc_rnd_perm", "acc_perm_test", "acc_gl4z_test"} <= set(r)


def test_unknown_rows_and_profiles_are_user_errors():
    with pytest.raises(OrbitlearnError, match="unknown rows"):
        select_rows(get_profile("smoke"), ["resnet"])
    with pytest.raises(OrbitlearnError, match="unknown profile"):
        get_profile("huge")
    assert select_rows(get_profile("smoke"), ["majority"])[0].name == "majority"


def test_help_names_every_profile_with_its_summary_and_folder(capsys):
    assert main(["bench", "ks", "--help"]) == 0
    text = "".join(capsys.readouterr().out.split())  # argparse wraps lines (at hyphens too)
    for p in PROFILES.values():
        assert p.summary and "".join(f"{p.name}: {p.summary}".split()) in text
        if p.out:
            assert f"{p.name}:{p.out}" in text


def test_saved_models_reload_and_score_what_the_cell_says(bench_run):
    from orbitlearn.models.evaluation import evaluate_pipeline
    from orbitlearn.models.pipeline import ModelPipeline

    bench, _ = bench_run
    row = next(r for r in bench.profile.rows if "lex" in r.name)
    cell = json.loads(bench.cell_path(row, 0, "orig").read_text())
    pipe = ModelPipeline.load(cell["checkpoint"], resolve)
    test = bench.parts["test"]
    acc = evaluate_pipeline(pipe, bench.data.vertices[test], bench.data.h11[test])["accuracy"]
    assert acc == cell["acc"] and pipe.metadata["row"] == row.name


def test_every_ensemble_member_is_a_learned_row_of_its_profile_or_the_full_table():
    from orbitlearn.apps.ks.rows import find_row

    for profile in PROFILES.values():
        for row in profile.rows:
            assert (row.model == "ensemble") == bool(row.members)
            for name in row.members:
                assert find_row(name, profile).model not in ("ensemble", "exact", "")
    with pytest.raises(OrbitlearnError, match="no benchmark row"):
        find_row("no such row")


def test_table_averages_seeds_with_the_sample_std(bench_run, tmp_path):
    import shutil

    bench, table = bench_run
    copy = KSBenchmark(bench.data, bench.profile, tmp_path / "copy", threads=1)
    shutil.copytree(bench.out / "cells", copy.out / "cells")
    row = next(r for r in table if r["acc_orig"] is not None and r["acc_orig"] < 0.9)
    src = next(
        p
        for p in (copy.out / "cells").glob("*__orig.json")
        if json.loads(p.read_text())["row"] == row["row"]
    )
    cell = json.loads(src.read_text())
    accs = [cell["acc"], cell["acc"] + 0.05, cell["acc"] + 0.10]
    for seed, acc in ((1, accs[1]), (2, accs[2])):
        more = dict(cell, seed=seed, acc=acc)
        (copy.out / "cells" / src.name.replace("__seed0__", f"__seed{seed}__")).write_text(
            json.dumps(more)
        )
    again = next(r for r in copy.table() if r["row"] == row["row"])
    assert again["acc_orig"] == pytest.approx(np.mean(accs))
    assert again["acc_orig_std"] == pytest.approx(np.std(accs, ddof=1))  # 0.05, not 0.041


def test_reference_protocol_rows(bench_run):
    """Rows of the published protocol: the 80/20 seed-42 split (val is the test part, so the best
    epoch is chosen on test), published numbers beside them, the last epoch's test accuracy kept."""
    bench, table = bench_run
    ref = [r for r in table if r["protocol"] == "reference"]
    ours = [r for r in table if r["protocol"] == "ours"]
    assert ref and ours
    assert all(r["published_orig"] is not None for r in ref)
    assert all(r["published_orig"] is None for r in ours)
    parts = bench.protocol_parts["reference"]
    assert np.array_equal(parts["val"], parts["test"])
    assert len(np.intersect1d(parts["train"], parts["test"])) == 0
    enc = next(r for r in ref if r["row"].startswith("encoder"))
    assert 0.0 <= enc["acc_orig_last_epoch"] <= 1.0 and enc["seeds"] == 1
    cell = json.loads(bench.cell_path(find_ref(enc["row"]), 0, "orig").read_text())
    assert cell["protocol"] == "reference" and cell["sizes"]["val"] == cell["sizes"]["test"]
    xgb = next(r for r in ref if r["row"].startswith("XGBoost"))
    assert xgb["claimed_invariance"] == "none"  # the lexicographic climb is approximate


def find_ref(name):
    from orbitlearn.apps.ks.rows import find_row

    return find_row(name, PROFILES["smoke"])


def test_the_reference_split_is_the_published_one():
    from orbitlearn.apps.ks.bench import reference_split

    parts = reference_split(78_468)  # the study's loader drops the file's last two entries
    assert len(parts["train"]) == 62_772 and len(parts["test"]) == 15_694
    assert parts["test"].max() < 78_466
    order = list(range(78_466))
    np.random.RandomState(42).shuffle(order)
    assert set(parts["test"]) == set(order[62_772:])


def test_a_row_not_reshuffled_trains_in_the_published_order(small_file, tmp_path, monkeypatch):
    """The study's loader walks its training part in the seed-42 shuffle's order every epoch:
    a reference row with shuffle off gets its training inputs in that order, the others sorted."""
    from dataclasses import replace

    from orbitlearn.apps.ks.bench import in_reference_order, reference_order
    from orbitlearn.apps.ks.rows import Profile, find_row
    from orbitlearn.models.pipeline import ModelPipeline

    data = KSDataset.from_file(read_ks(small_file))
    fixed = replace(
        find_row("MLP(CNN), not reshuffled [reference]"), train={"epochs": 1, "shuffle": False}
    )
    shuffled = replace(find_row("MLP(CNN) [reference]"), train={"epochs": 1})
    profile = Profile("t", (fixed, shuffled), seeds=(0,), limits=(200, 50, 50), check_count=10)
    bench = KSBenchmark(data, profile, tmp_path, threads=1)
    seen = {}
    fit = ModelPipeline.fit

    def recording_fit(self, x, y, *args, **kw):
        seen[len(seen)] = (np.asarray(x).copy(), np.asarray(y).copy(), args[2].shuffle)
        return fit(self, x, y, *args, **kw)

    monkeypatch.setattr(ModelPipeline, "fit", recording_fit)
    train = bench.parts_for(fixed)["train"]
    y = {"train": data.y[train], "val": data.y[bench.parts_for(fixed)["val"]]}
    for row in (fixed, shuffled):
        bench._fit(row, 0, "orig", bench._inputs(0, "orig", "reference"), y)
    rank = {int(e): i for i, e in enumerate(reference_order(len(data.y)))}
    (x_fixed, y_fixed, off), (x_sorted, y_sorted, on) = seen[0], seen[1]
    assert not off and on
    walked = train[in_reference_order(train, len(data.y))]
    assert [rank[int(e)] for e in walked] == sorted(rank[int(e)] for e in train)
    np.testing.assert_array_equal(x_fixed, np.asarray(data.vertices)[walked])
    np.testing.assert_array_equal(y_fixed, data.y[walked])
    np.testing.assert_array_equal(x_sorted, np.asarray(data.vertices)[train])  # sorted: as before
    np.testing.assert_array_equal(y_sorted, data.y[train])
    assert not np.array_equal(x_fixed, x_sorted)


def test_published_numbers_only_beside_reference_rows():
    from orbitlearn.apps.ks.rows import RowSpec

    with pytest.raises(ValueError, match="reference-protocol"):
        RowSpec("cnn_mlp", "cnn_mlp", published=(56.71, 30.78))


def test_a_mirror_row_names_the_recipe_it_is_trained_as():
    from orbitlearn.apps.ks.rows import DUALS_ROWS, RowSpec

    with pytest.raises(ValueError, match="trained_as"):
        RowSpec("pointnet on Δ* (mirror)", "pointnet", mirror=True)
    with pytest.raises(ValueError, match="trained_as"):
        RowSpec("pointnet", "pointnet", trained_as="pointnet")
    mirrors = [r for r in DUALS_ROWS if r.mirror]
    assert mirrors and all(r.trained_as in {s.name for s in DUALS_ROWS} for r in mirrors)


def test_protocol_option_selects_rows(small_file, tmp_path, capsys):
    out = tmp_path / "bench"
    args = ["bench", "ks", "--profile", "smoke", "--data", str(small_file), "--out", str(out)]
    args += ["--jobs", "1"]
    assert main([*args, "--protocol", "reference", "--report-only", "--json", "--quiet"]) == 0
    assert main([*args, "--rows", "majority", "--protocol", "reference", "--quiet"]) == 2
    assert "no rows of protocol" in capsys.readouterr().err


@pytest.mark.parametrize(
    "spread", [["--cluster", "local:2"], ["--jobs", "2"]], ids=["dask-local", "worker-processes"]
)
def test_cells_run_side_by_side_equal_the_serial_run(bench_run, small_file, tmp_path, spread):
    if "--cluster" in spread:
        pytest.importorskip("distributed")
    serial = {r["row"]: r for r in bench_run[1]}
    out = tmp_path / "cluster"
    args = ["bench", "ks", "--profile", "smoke", "--data", str(small_file), "--out", str(out)]
    assert main([*args, "--threads", "1", *spread, "--quiet"]) == 0
    table = json.loads((out / "rows" / f"{slug('majority')}.json").read_text())
    assert table["row"] == "majority"
    cells = sorted(p.name for p in (out / "cells").glob("*.json"))
    assert cells == sorted(p.name for p in (bench_run[0].out / "cells").glob("*.json"))
    from orbitlearn.apps.ks.bench import KSBenchmark as KB

    again = KB(KSDataset.from_file(read_ks(small_file)), get_profile("smoke"), out, threads=1)
    for rec in again.table():
        for col in ("acc_orig", "acc_rnd_perm", "acc_perm_test", "acc_gl4z_test"):
            assert rec[col] == pytest.approx(serial[rec["row"]][col], abs=1e-12), (rec["row"], col)


def test_workers_take_every_seed_s_training_before_any_rnd_perm_cell():
    """A canonicalised row's rnd_perm cell waits on its orig cell's run folder: seed-major order
    left the second worker waiting on the first seed (seen with --jobs 2 on two seeds)."""
    prof = get_profile("duals")
    learned = next(r for r in prof.rows if r.model == "pointnet")
    ens = next(r for r in prof.rows if r.model == "ensemble")
    pending = [(r, s, v) for r in (learned, ens) for s in (1, 2) for v in ("orig", "rnd_perm")]
    first, second = task_waves(pending)
    assert [(s, v) for _, s, v in first] == [
        (1, "orig"),
        (2, "orig"),
        (1, "rnd_perm"),
        (2, "rnd_perm"),
    ]
    assert all(r is ens for r, _, _ in second) and len(second) == 4
    assert all(r is learned for r, _, _ in first)


def test_a_duals_profile_trains_on_both_sides_of_the_mirror(small_file, tmp_path):
    from dataclasses import replace

    from orbitlearn.apps.ks.rows import DUALS_ROWS, Profile

    exact = next(r for r in DUALS_ROWS if r.name == "exact engine (Batyrev)")
    rows = (
        DUALS_ROWS[0],
        replace(DUALS_ROWS[1], train={**DUALS_ROWS[1].train, "epochs": 1}),
        exact,
    )
    profile = Profile("d", rows, seeds=(0,), limits=(None, None, None), check_count=20,
                      check_samples=1, duals=True)  # fmt: skip
    data = KSDataset.from_file(read_ks(small_file))
    bench = KSBenchmark(data, profile, tmp_path, threads=1)
    n = len(data)
    assert bench.data.vertices.shape == (2 * n, 4, 26)
    assert set(bench.parts) == {"train", "val", "test", "test_duals"}
    assert (bench.parts["test_duals"] == n + bench.parts["test"]).all()
    assert set((bench.parts["train"] % n).tolist()) == set(
        bench.parts["train"][: len(bench.parts["train"]) // 2].tolist()
    )
    # mirror symmetry in the labels: the dual of entry i carries entry i's numbers swapped
    assert (bench.data.h11[n:] == data.h21).all() and (bench.data.h21[n:] == data.h11).all()
    table = {r["row"]: r for r in bench.run()}
    assert table["exact engine (Batyrev)"]["acc_duals"] == 1.0
    learned = table[DUALS_ROWS[1].name]
    assert 0.0 <= learned["acc_duals"] <= 1.0 and learned["claimed_invariance"] == "GL(4,Z) x S26"
    # the source's share of val (what other profiles' val accuracies are comparable with): the
    # first len(split val) positions, all of them originals
    cell = bench.store.load(bench.cell_stem(DUALS_ROWS[1], 0, "orig"))
    k = bench.val_orig_count
    assert (bench.parts["val"][:k] < n).all() and (bench.parts["val"][k:] >= n).all()
    orig_only = np.isclose(cell["val_accuracy_orig"], np.arange(k + 1) / k).any()
    assert orig_only and 0.0 <= cell["val_accuracy_orig"] <= 1.0
    paths = write_reports(bench, bench.table())
    assert "duals test" in paths["md"].read_text()
    assert (tmp_path / "runs" / "duals.txt.gz").exists()


@pytest.mark.parametrize(
    "plain_name",
    [
        "pointnet + π normal form (GL(4,Z)×S_n), v26 and duals",
        "pointnet, soft ordinal labels + π normal form (GL(4,Z)×S_n), v26 and duals",
        "pointnet (wide), soft ordinal labels + π normal form (GL(4,Z)×S_n), v26 and duals",
    ],
)
def test_a_mirror_row_reuses_the_other_profiles_training(small_file, tmp_path, plain_name):
    """The h11 profile's "on Δ*" row is the h21 profile's plain row seen through the polar dual:
    with a shared run folder it trains nothing of its own and reports that network's numbers
    swapped (its test accuracy is the h21 row's duals accuracy and the other way round)."""
    from dataclasses import replace

    from orbitlearn.apps.ks.rows import DUALS_ROWS, Profile

    (plain,) = [r for r in DUALS_ROWS if r.name == plain_name]
    plain = replace(plain, train={**plain.train, "epochs": 1})
    mirror = next(r for r in DUALS_ROWS if r.mirror and r.trained_as == plain_name)
    mirror = replace(mirror, train=plain.train)
    common = dict(seeds=(0,), limits=(None, None, None), check_count=20, check_samples=1,
                  duals=True)  # fmt: skip
    h21 = Profile("d21", (plain,), target="h21", **common)
    h11 = Profile("d11", (mirror,), target="h11", **common)
    data = KSDataset.from_file(read_ks(small_file))
    first = KSBenchmark(data, h21, tmp_path / "h21", threads=1)
    assert first.mirror_runs is None  # not the profile's default folder, nothing named: own runs
    (cell_21,) = [r for r in first.run() if r["row"] == plain.name]
    trained = first.run_dir(plain, 0, "orig") / "train_state.pt"
    stamp = trained.stat().st_mtime_ns
    second = KSBenchmark(
        data, h11, tmp_path / "h11", threads=1, mirror_runs=tmp_path / "h21" / "runs"
    )
    assert second.run_dir(mirror, 0, "orig") == first.run_dir(plain, 0, "orig")
    (cell_11,) = [r for r in second.run() if r["row"] == mirror.name]
    assert trained.stat().st_mtime_ns == stamp  # reloaded, not trained again
    assert not any(p.is_dir() for p in (tmp_path / "h11" / "runs").iterdir())
    assert (
        cell_11["acc_orig"] == cell_21["acc_duals"] and cell_11["acc_duals"] == cell_21["acc_orig"]
    )


def test_the_duals_profiles_share_their_mirror_trainings_in_their_default_folders(
    small_file, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # the profiles' default folders, relative, land here
    data = KSDataset.from_file(read_ks(small_file))
    for name, other in (("duals", "duals-h21"), ("duals-h21", "duals")):
        profile = get_profile(name)
        assert profile.mirror_profile == other
        bench = KSBenchmark(data, profile, profile.out, threads=1)
        assert bench.mirror_runs == Path(get_profile(other).out) / "runs"
        elsewhere = KSBenchmark(data, profile, tmp_path / "mine", threads=1)
        assert elsewhere.mirror_runs is None
        mirror = next(r for r in profile.rows if r.mirror)
        assert elsewhere.run_dir(mirror, 1, "orig") == (
            tmp_path / "mine" / "runs" / f"{slug(mirror.name)}__seed1__orig"
        )


def test_a_held_lock_keeps_a_second_holder_out_until_released(tmp_path):
    import fcntl

    from orbitlearn.fileio import held_lock

    path = tmp_path / "lock"

    def free() -> bool:
        with open(path, "a") as other:  # another open file: what another process would hold
            try:
                fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(other.fileno(), fcntl.LOCK_UN)
            return True

    with held_lock(path):
        assert not free()
    assert free()


def test_random_images_keep_any_vertex_count():
    from orbitlearn.apps.ks.bench import _images

    x = np.arange(3 * 4 * 28).reshape(3, 4, 28) % 5 - 2
    for group in ("s4xs26", "gl4z"):
        moved = _images(x, group, seed=0, stream=1)
        assert moved.shape == x.shape
    perm = _images(x, "s4xs26", seed=0, stream=1)  # the same entries, moved: a permutation
    assert all((np.sort(p, axis=None) == np.sort(q, axis=None)).all() for p, q in zip(perm, x))
    assert not (perm == x).all()


def test_rows_not_run_are_reported_with_their_published_numbers(small_file, tmp_path):
    import csv

    data = KSDataset.from_file(read_ks(small_file))
    bench = KSBenchmark(data, get_profile("full"), tmp_path, threads=1)
    assert bench.table() == []  # nothing has run: the plain table is empty
    table = bench.table(include_unrun=True)
    assert [r["row"] for r in table] == [r.name for r in PROFILES["full"].rows]
    vit = next(r for r in table if r["row"] == "ViT [reference]")
    assert vit["seeds"] == 0 and (vit["published_orig"], vit["published_rnd_perm"]) == (
        62.06,
        43.70,
    )
    paths = write_reports(bench, table)
    md = paths["md"].read_text()
    assert "| ViT [reference] | reference | 0 (not run) | — |" in md and "| 62.06 / 43.70 |" in md
    rows = {r["row"]: r for r in csv.DictReader(paths["csv"].open())}
    assert rows["ViT [reference]"]["acc_orig"] == "" and rows["ViT [reference]"]["seeds"] == "0"
    assert rows["ViT [reference]"]["published_orig"] == "62.06"
    assert rows["set transformer"]["published_orig"] == ""


def test_a_cell_records_the_commit_its_process_started_from(small_file, tmp_path, monkeypatch):
    """A cell that ends hours after its process loaded the code names the commit of that code,
    not whatever is checked out when it ends."""
    from orbitlearn.apps.ks.rows import FULL_ROWS, Profile
    from orbitlearn.bench import machine

    monkeypatch.setattr(machine, "git_commit", lambda: "a" * 40)
    majority = next(r for r in FULL_ROWS if r.name == "majority")
    profile = Profile("m", (majority,), seeds=(0,), limits=(None, None, None), check_count=20)
    bench = KSBenchmark(KSDataset.from_file(read_ks(small_file)), profile, tmp_path)
    monkeypatch.setattr(machine, "git_commit", lambda: "b" * 40)  # a commit lands meanwhile
    bench.run()
    cell = bench.store.load(bench.cell_stem(majority, 0, "orig"))
    assert cell["machine"]["git_commit"] == "a" * 40
    assert machine.machine_info()["git_commit"] == "b" * 40
