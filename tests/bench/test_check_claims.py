"""benchmarks/check_claims.py: every figure of the documents traced to its results file."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "benchmarks" / "check_claims.py"
ROW = "pointnet (wide) + π normal form (GL(4,Z)×S26)"  # a ks/table.csv row of 3 seeds


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("check_claims", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_claims"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def row(script):
    (rec,) = script.resolve(f"ks/table.csv#{ROW}")
    return rec.values


def _check(script, tmp_path, text: str) -> tuple[int, list]:
    path = tmp_path / "doc.md"
    path.write_text(text)
    return script.check_document(path, script.published_table())


def test_a_traced_figure_passes(script, tmp_path, row):
    mean, std = 100 * row["acc_orig"], 100 * row["acc_orig_std"]
    text = (
        f"The wide row reaches {mean:.2f} ± {std:.2f}% over seeds 0–2 "
        f"<!-- src: ks/table.csv#{ROW} -->.\n\n"
        "| row | orig |\n|---|---|\n"
        f"| wide | {mean:.2f} <!-- src: ks/table.csv#{ROW} --> |\n\n"
        "The published XGBoost: 55.02% <!-- pub: ewert2024-xgboost-orig -->.\n"
    )
    n, failures = _check(script, tmp_path, text)
    assert n == 3 and failures == []


def test_a_mismatched_figure_fails(script, tmp_path, row):
    off = 100 * row["acc_orig"] + 0.01  # one unit of the last printed place
    n, failures = _check(
        script, tmp_path, f"It reaches {off:.2f}% (seed 0) <!-- src: ks/table.csv#{ROW} -->.\n"
    )
    assert n == 1 and len(failures) == 1 and "reads so" in failures[0].reason


def test_an_untraced_figure_fails(script, tmp_path):
    n, failures = _check(script, tmp_path, "A model reaches 97.05% on the test part.\n")
    assert n == 1 and len(failures) == 1 and failures[0].reason.startswith("untraced")
    assert failures[0].line == 1 and failures[0].figure == "97.05%"


def test_a_wrong_seed_count_fails(script, tmp_path, row):
    mean, std = 100 * row["acc_orig"], 100 * row["acc_orig_std"]
    for said, why in (("(seeds 0–1)", "states 2 seeds"), ("", "states no seed count")):
        text = f"It reaches {mean:.2f} ± {std:.2f}% {said} <!-- src: ks/table.csv#{ROW} -->.\n"
        _, failures = _check(script, tmp_path, text)
        assert len(failures) == 1 and why in failures[0].reason


def test_a_column_with_fewer_runs_needs_its_own_count(script, tmp_path):
    """The published-stopping encoder–decoder averages 3 runs on orig, 2 on rnd perm."""
    name = "encoder–decoder, published stopping [reference]"
    (rec,) = script.resolve(f"ks/table.csv#{name}")
    assert rec.seeds["acc_orig"] == 3 and rec.seeds["acc_rnd_perm"] == 2
    mean, std = 100 * rec.values["acc_rnd_perm"], 100 * rec.values["acc_rnd_perm_std"]
    for said, ok in (("runs 0–1", True), ("runs 0–2", False)):
        text = f"Permuted: {mean:.2f} ± {std:.2f} ({said}) <!-- src: ks/table.csv#{name} -->.\n"
        _, failures = _check(script, tmp_path, text)
        assert (failures == []) is ok


def test_a_published_figure_must_be_in_the_published_table(script, tmp_path):
    _, failures = _check(
        script, tmp_path, "Published: 56.71% <!-- pub: ewert2024-xgboost-orig -->.\n"
    )
    assert len(failures) == 1 and "do not read so" in failures[0].reason
    _, failures = _check(script, tmp_path, "Published: 56.71% <!-- pub: nobody-2020 -->.\n")
    assert len(failures) == 1 and "unknown published" in failures[0].reason


def test_a_def_or_pub_annotation_vouches_for_no_result_before_it(script, tmp_path, row):
    mean = 100 * row["acc_orig"]
    text = f"It reaches {mean:.2f}% on seed 0, short of the 98.5% <!-- def: a target -->.\n"
    _, failures = _check(script, tmp_path, text)
    assert [f.figure for f in failures] == [f"{mean:.2f}%"]
    text = f"It reaches {mean:.2f}% against 55.02% <!-- pub: ewert2024-xgboost-orig -->.\n"
    _, failures = _check(script, tmp_path, text)
    assert [f.figure for f in failures] == [f"{mean:.2f}%"]


def test_a_source_at_an_earlier_commit(script, tmp_path):
    """git:COMMIT:PATH reads a results file as it was committed (here: the duals table before
    the committed models were trained with the duals, 7.59% of h11 for ks_h11_gl4z)."""
    ref = "git:8846eff:benchmarks/results/ks-duals/table.csv"
    n, failures = _check(script, tmp_path, f"Then 7.59% of h11 <!-- src: {ref} -->.\n")
    assert n == 1 and failures == []
    _, failures = _check(script, tmp_path, f"Then 7.60% of h11 <!-- src: {ref} -->.\n")
    assert len(failures) == 1


def test_code_and_comments_are_not_figures(script, tmp_path):
    text = "Run `--split 0.7` then:\n\n```bash\necho 12.34%\n```\n<!-- 55.55% -->\n"
    assert _check(script, tmp_path, text) == (0, [])


def test_the_command_prints_the_count_and_fails_on_a_bad_file(script, tmp_path, capsys):
    bad = tmp_path / "bad.md"
    bad.write_text("Untraced: 12.34%.\n")
    assert script.main([str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "1 figures checked, 1 failures" and "12.34%" in out[0]
    assert script.main([str(bad), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["checked"] == 1


@pytest.mark.parametrize("doc", ["docs/results.md", "models/README.md"])
def test_the_documents_are_traced(script, doc):
    """Every figure of these documents matches its source (README.md is checked by the script
    too; its figures are traced where it is written)."""
    n, failures = script.check_document(ROOT / doc, script.published_table())
    assert n > 0 and failures == [], "\n".join(map(str, failures[:20]))


def test_a_model_table_row_is_named_by_its_model_and_counted_by_n_seeds(script, tmp_path):
    """The heat and N-body tables name a row by `model` and count its seeds in `n_seeds`."""
    table = tmp_path / "table.csv"
    table.write_text(
        "model,breaking,rollout_rmse,rollout_rmse_std,n_seeds\nsteer,0,0.0010,0.0005,3\n"
    )
    ok = f"It gets 0.0010 ± 0.0005 (3 seeds) <!-- src: {table}#steer -->.\n"
    wrong_count = f"It gets 0.0010 ± 0.0005 (2 seeds) <!-- src: {table}#steer -->.\n"
    wrong_row = f"It gets 0.0010 ± 0.0005 (3 seeds) <!-- src: {table}#other -->.\n"
    assert _check(script, tmp_path, ok) == (1, [])
    assert len(_check(script, tmp_path, wrong_count)[1]) == 1
    (failure,) = _check(script, tmp_path, wrong_row)[1]
    assert "names no record" in failure.reason


def test_published_mse_columns_must_be_in_the_published_table(script, tmp_path, monkeypatch):
    """The N-body table's published_mse column is held to the one table of published figures."""
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "table.csv").write_text(
        "row,mse,published_mse\ngnn,0.0135,0.0107\negnn,0.0080,0.0333\nours,0.0042,\n"
    )
    monkeypatch.setattr(script, "RESULTS", tmp_path)
    monkeypatch.setattr(script, "ROOT", tmp_path)
    (failure,) = script.published_columns_known(script.published_table())
    assert failure.figure == "0.0333" and "published_mse of 'egnn'" in failure.reason
