"""The heat benchmark end to end on the `mini` profile (8×8 grid, 2 epochs): contract, reports, resume."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch

from orbitlearn.apps.heat.bench import HeatBenchmark, build, make_data, run_heat_bench
from orbitlearn.apps.heat.models import build_field_model, count_params
from orbitlearn.apps.heat.profile import get_profile
from orbitlearn.cli import main
from orbitlearn.errors import OrbitlearnError

CONTRACT = {"model", "breaking", "rmse", "eps_max_rel"}


def _mini_models() -> tuple[str, ...]:
    """Every row; without e2cnn (the `steerable` extra) the rows that do not need it."""
    import importlib.util

    from orbitlearn.apps.heat.profile import MODELS
    from orbitlearn.apps.heat.rotations import STEERABLE_ROWS

    if importlib.util.find_spec("e2cnn") is not None:
        return MODELS
    return tuple(m for m in MODELS if m not in STEERABLE_ROWS)


MINI_MODELS = _mini_models()


@pytest.fixture(scope="module")
def mini_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("heat")
    rows = run_heat_bench("mini", out=out, models=MINI_MODELS)
    return out, rows


def test_rows_follow_the_contract(mini_run):
    _, rows = mini_run
    assert {r["model"] for r in rows} == set(MINI_MODELS)
    assert {r["breaking"] for r in rows} == {0.0, 1.0}
    for r in rows:
        assert CONTRACT <= set(r)
        assert np.isfinite(r["rmse"]) and r["rmse"] > 0
        assert r["eps_max_rel"] >= 0
        assert r["eps_so2_adv"] >= r["eps_so2"] > 0 and r["eps_so2_grid"] > 0
    by = {(r["model"], r["breaking"]): r for r in rows}
    # measured, not assumed: the strict G-CNN is C4-equivariant, the plain CNN is not
    assert by[("gcnn", 0.0)]["eps_max_rel"] < 1e-5
    assert by[("cnn", 0.0)]["eps_max_rel"] > 1e-3
    # the true map is symmetric at level 0 and not at level 1
    assert (
        by[("cnn", 0.0)]["eps_max_rel_target"]
        < 1e-12
        < 1e-2
        < by[("cnn", 1.0)]["eps_max_rel_target"]
    )


def test_reports_are_written(mini_run):
    out, rows = mini_run
    for name in ("table.csv", "table.md", "errors.png", "fields.png", "results.json", "results.md"):
        assert (out / name).stat().st_size > 0, name
    with open(out / "table.csv") as fh:
        table = list(csv.DictReader(fh))
    assert CONTRACT | {"eps_so2", "eps_so2_grid"} <= set(table[0])
    assert len(table) == len(rows)
    info = json.loads((out / "results.json").read_text())
    assert {"cpu", "cores", "versions", "git_commit"} <= set(info["machine"])


def test_finished_cells_are_not_rerun(mini_run):
    out, rows = mini_run
    bench = HeatBenchmark(get_profile("mini", models=MINI_MODELS), out)
    assert bench.pending() == []
    again = run_heat_bench("mini", out=out, models=MINI_MODELS)
    assert again == rows


def test_cli_json(capsys):
    code = main(["bench", "heat", "--profile", "mini", "--json", "--models", "persistence", "gcnn"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["model"] for r in rows} == {"persistence", "gcnn"}
    assert all(CONTRACT <= set(r) for r in rows)


def test_unknown_profile_is_a_user_error():
    with pytest.raises(OrbitlearnError, match="unknown profile"):
        get_profile("huge")
    with pytest.raises(OrbitlearnError, match="unknown model"):
        get_profile("mini", models=("transformer",))


def test_models_are_matched_in_size():
    prof = get_profile("quick")
    sizes = {name: count_params(build(prof, name, 0)) for name in ("cnn", "gcnn", "relaxed_gcnn")}
    assert max(sizes.values()) / min(sizes.values()) < 1.3, sizes


def test_data_is_seeded_and_shared_across_levels():
    prof = get_profile("mini")
    a, b, c = make_data(prof, 0.0, 0), make_data(prof, 1.0, 0), make_data(prof, 0.0, 1)
    assert np.array_equal(a.x_train, b.x_train)  # same fields, different physics
    assert not np.array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.x_train, c.x_train)


def test_training_fields_are_oriented_and_test_fields_isotropic():
    def ratio(u):  # mean squared x-difference over y-difference
        return float(
            np.mean((np.roll(u, -1, axis=-1) - u) ** 2)
            / np.mean((np.roll(u, -1, axis=-2) - u) ** 2)
        )

    prof = get_profile("mini", grid=16, n_train=48, n_val=48, n_test=48, n_rollouts=48)
    assert prof.train_stretch == 2.0  # the documented default regime
    d = make_data(prof, 0.0, 0)
    assert ratio(d.x_train) > 2.5 and ratio(d.x_val) > 2.5
    assert 0.75 < ratio(d.x_test) < 1.33 and 0.75 < ratio(d.rollouts[:, 0]) < 1.33
    iso = make_data(get_profile("mini", train_stretch=1.0), 0.0, 0)
    assert 0.6 < ratio(iso.x_train) < 1.6
    with pytest.raises(OrbitlearnError, match="train_stretch"):
        get_profile("mini", train_stretch=0.5)


def test_cli_train_stretch(capsys):
    code = main(
        ["bench", "heat", "--profile", "mini", "--json", "--models", "persistence"]
        + ["--train-stretch", "1"]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["model"] for r in rows} == {"persistence"}


def test_field_models_keep_shape_and_strict_symmetry():
    from orbitlearn.groups import C4
    from orbitlearn.symmetry import equivariance_error

    x = torch.randn(2, 1, 10, 10)
    models = {name: build_field_model(name, width=3) for name in ("cnn", "gcnn", "relaxed_gcnn")}
    for m in models.values():
        assert torch.equal(m(x), x)  # the last layer starts at zero: y = x
        with torch.no_grad():  # random weights everywhere, mixing weights left equal
            for pname, p in m.named_parameters():
                if "mixing" not in pname:
                    p.normal_(0, 0.3)
        assert m(x).shape == x.shape
    for name in ("gcnn", "relaxed_gcnn"):
        equivariance_error(models[name], C4(), C4(), x).assert_below(1e-5)
    assert equivariance_error(models["cnn"], C4(), C4(), x).max_rel > 1e-3


def test_unrolled_targets_are_successive_simulator_steps():
    prof = get_profile("mini", unroll=3)
    d = make_data(prof, 1.0, 0)
    assert d.y_train.shape[1] == 3 and d.y_val.shape[1] == 3 and d.y_test.shape[1] == 1
    u = d.x_train[:, 0].astype(np.float64)
    for k in range(3):
        u = d.sim.step(u)
        np.testing.assert_allclose(d.y_train[:, k], u, rtol=0, atol=1e-5)  # x is stored rounded
    one = make_data(get_profile("mini"), 1.0, 0)  # the first target is the one-step target
    assert np.array_equal(one.y_train[:, 0], d.y_train[:, 0])
    assert np.array_equal(one.y_test, d.y_test)


def test_unrolled_module_feeds_each_prediction_back():
    from orbitlearn.apps.heat.models import PairResidual, Unrolled

    torch.manual_seed(0)
    f = build_field_model("cnn", width=3)
    with torch.no_grad():
        for p in f.parameters():
            p.normal_(0, 0.2)
    x = torch.randn(2, 1, 8, 8)
    torch.testing.assert_close(Unrolled(f, 1)(x), f(x))
    out = Unrolled(f, 3)(x)
    assert out.shape == (2, 3, 8, 8)
    torch.testing.assert_close(out[:, 2:3], f(f(f(x))))
    y = torch.randn(2, 3, 8, 8)  # the augmented path: (x ⊕ y1 ⊕ y2 ⊕ y3) ↦ prediction − target
    pair = PairResidual(Unrolled(f, 3), 1)
    torch.testing.assert_close(pair(torch.cat([x, y], dim=1)), out - y)


def test_unroll_trains_every_model_and_is_validated(tmp_path):
    prof = get_profile("mini", unroll=2, levels=(1.0,), models=MINI_MODELS)
    rows = run_heat_bench(prof, out=tmp_path)
    assert {r["model"] for r in rows} == set(MINI_MODELS)
    assert all(np.isfinite(r["rmse"]) for r in rows)
    # a different training loss is a different cell: the one-step cells are not reused
    one_step = get_profile("mini", levels=(1.0,), models=MINI_MODELS)
    assert HeatBenchmark(one_step, tmp_path).pending() == [(1.0, 0)]
    for bad in (0, 1.5, True):
        with pytest.raises(OrbitlearnError, match="unroll"):
            get_profile("mini", unroll=bad)


def test_settings_are_typed_like_the_profile_fields():
    from orbitlearn.apps.heat.profile import parse_settings

    got = parse_settings(["epochs=7", "levels=0,0.5", "group=p4m", "lr=0.01", "seeds=3,4"])
    assert got == {"epochs": 7, "levels": (0.0, 0.5), "group": "p4m", "lr": 0.01, "seeds": (3, 4)}
    prof = get_profile("mini", **got)
    assert (prof.epochs, prof.levels, prof.group, prof.seeds) == (7, (0.0, 0.5), "p4m", (3, 4))
    assert parse_settings(["n-train=5"], {"unroll": 2, "threads": None}) == {
        "n_train": 5,
        "unroll": 2,
    }
    for bad, msg in (
        (["epochs"], "FIELD=VALUE"),
        (["colour=red"], "FIELD=VALUE"),
        (["name=x"], "FIELD=VALUE"),
        (["epochs=1.5"], "bad value"),
        (["levels="], "at least one value"),
    ):
        with pytest.raises(OrbitlearnError, match=msg):
            parse_settings(bad)
    with pytest.raises(OrbitlearnError, match="given twice"):
        parse_settings(["unroll=3"], {"unroll": 2})
    with pytest.raises(OrbitlearnError, match="group"):
        get_profile("mini", **parse_settings(["group=p6"]))
    with pytest.raises(OrbitlearnError, match="unknown profile setting"):
        get_profile("mini", colour="red")


def test_cli_set(capsys):
    code = main(
        ["bench", "heat", "--profile", "mini", "--json", "--models", "persistence", "gcnn"]
        + ["--set", "levels=0.5", "--set", "group=p4m"]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["breaking"] for r in rows} == {0.5}
    by = {r["model"]: r for r in rows}
    assert by["gcnn"]["eps_max_rel_d4"] < 1e-5  # a p4m G-CNN is D4-equivariant
    assert main(["bench", "heat", "--profile", "mini", "--set", "epochs=x"]) == 2


def test_benchmark_script_shares_the_cli_options(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "heat.py"
    spec = importlib.util.spec_from_file_location("heat_benchmark_script", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    argv = ["--profile", "mini", "--out", str(tmp_path), "--models", "persistence"]
    assert script.main(argv + ["--set", "levels=0.5"]) == 0
    assert "| persistence | 0.5 |" in capsys.readouterr().out
    assert (tmp_path / "table.csv").exists()
    assert script.main(argv + ["--unroll", "2", "--set", "unroll=3"]) == 2
    assert "given twice" in capsys.readouterr().err


def test_cells_without_so2_epsilon_are_run_again(mini_run, tmp_path):
    """A cell measured before ε under SO(2) existed is pending (its model must be retrained),
    but still readable for rebuilding an old folder's reports."""
    import shutil

    out, _ = mini_run
    folder = tmp_path / "old"
    shutil.copytree(out, folder)
    prof = get_profile("mini", models=MINI_MODELS)
    stem = HeatBenchmark.cell_stem("cnn", 0.0, 0)
    path = folder / "cells" / f"{stem}.json"
    cell = json.loads(path.read_text())
    path.write_text(json.dumps({k: v for k, v in cell.items() if k != "epsilon_so2"}))
    assert HeatBenchmark(prof, folder).pending() == [(0.0, 0)]
    old = HeatBenchmark(prof, folder, require_so2=False)
    assert old.pending() == [] and len(old.cells()) == len(MINI_MODELS) * 2


def test_angle_figure_script_reads_only_a_results_file(mini_run, tmp_path, capsys):
    import importlib.util
    import shutil
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "heat_so2_angle.py"
    spec = importlib.util.spec_from_file_location("heat_so2_angle_script", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main([str(tmp_path)]) == 2  # no results.json: no figure
    assert "no " in capsys.readouterr().err
    out, _ = mini_run
    folder = tmp_path / "run"
    shutil.copytree(out, folder)
    cells = json.loads((folder / "results.json").read_text())["cells"]
    found = script.curves(cells)
    assert set(found) == set(script.ROWS) & set(MINI_MODELS)
    for c in found.values():
        assert c["degrees"][0] == 0 and c["degrees"][-1] == 90
        assert c["eps"][0] == 0 and "target" in c  # no rotation, no error
    assert script.main([str(folder)]) == 0
    assert (folder / "eps_so2_angle.png").stat().st_size > 0


def test_missing_e2cnn_is_a_user_error_before_any_training(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "e2cnn" else real(name, *a)
    )
    prof = get_profile("mini", models=("cnn", "steerable_so2"))
    wanted = r"--models steerable_so2 needs e2cnn, .*orbitlearn\[steerable\]. \(or leave"
    with pytest.raises(OrbitlearnError, match=wanted):
        HeatBenchmark(prof, tmp_path).run(show_progress=False)
    assert not (tmp_path / "cells").exists()  # nothing was trained
