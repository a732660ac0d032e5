"""Honest predictions: every prediction says whether its input lies in the model's training
domain; the quintic does not (and `--exact` gives its true h11 = 101); the domain is invariant
under the model's group, so a lattice image of a training polytope is never called foreign."""

from __future__ import annotations

import json

import numpy as np
import pytest

import orbitlearn
from orbitlearn.apps.ks.domain import NOT_REFLEXIVE as NOT_REFLEXIVE_REASON
from orbitlearn.apps.ks.domain import TrainingDomain, descriptors
from orbitlearn.apps.ks.names import part
from orbitlearn.cli import main
from orbitlearn.datasets.ks import iter_ks
from orbitlearn.models.evaluation import transform_inputs

QUINTIC = "4 5\n1 0 0 0 -1\n0 1 0 0 -1\n0 0 1 0 -1\n0 0 0 1 -1\n"
#: 2 × the quintic's simplex: facets at distance 2, not reflexive
NOT_REFLEXIVE = "4 5\n2 0 0 0 -2\n0 2 0 0 -2\n0 0 2 0 -2\n0 0 0 2 -2\n"
#: the same with the midpoint of an edge as a sixth column: not a vertex, refused by π
NOT_A_VERTEX = "4 6\n2 0 0 0 -2 1\n0 2 0 0 -2 1\n0 0 2 0 -2 0\n0 0 0 2 -2 0\n"


def _stdin(monkeypatch, text):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


def test_the_quintic_is_outside_and_warned(monkeypatch, capsys):
    _stdin(monkeypatch, QUINTIC)
    assert main(["predict", "--checkpoint", "ks_h11_gl4z", "-", "--json"]) == 0
    out = capsys.readouterr()
    (rec,) = json.loads(out.out)
    assert rec["in_distribution"] is False and 0 < rec["probability"] <= 1
    assert any("vertex count 5" in r for r in rec["outside"])
    assert "outside the training domain" in out.err and "orbitlearn hodge" in out.err


def test_exact_answers_with_the_engine(monkeypatch, capsys):
    _stdin(monkeypatch, QUINTIC)
    assert main(["predict", "--checkpoint", "ks_h11_gl4z", "-", "--json", "--exact"]) == 0
    (rec,) = json.loads(capsys.readouterr().out)
    assert (rec["h11"], rec["h21"], rec["exact"]) == (101, 1, True)


def test_errors_name_the_file_line(tmp_path, capsys):
    path = tmp_path / "two.txt"
    path.write_text(QUINTIC + NOT_A_VERTEX)
    assert main(["predict", "--checkpoint", "ks_h11_gl4z", str(path), "--json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert records[1]["error"].startswith(f"{path}:6: ")
    assert "columns are vertices" in records[1]["error"]
    assert "matrix 0" not in records[1]["error"] and "entry 0" not in records[1]["error"]


def test_a_polytope_that_is_not_reflexive_lies_outside(tmp_path, capsys):
    """h11 and h21 are defined for reflexive polytopes: a model that takes Δ itself predicts
    one for 2 × the quintic's simplex, but says it lies outside, and why."""
    path = tmp_path / "two.txt"
    path.write_text(QUINTIC + NOT_REFLEXIVE)
    assert main(["predict", "--checkpoint", "ks_h11_gl4z", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    quintic, doubled = json.loads(captured.out)
    assert NOT_REFLEXIVE_REASON in doubled["outside"]
    assert not any("reflexive" in r for r in quintic["outside"])
    err = captured.err
    assert "two.txt:6: outside" in err and "no Calabi-Yau hypersurface" in err
    # within every range but the reflexivity: a v26 entry times 2 would be too far out, so
    # check the rule on the descriptors themselves
    doubled_simplex = 2 * np.array(
        [[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]]
    )
    values = descriptors(doubled_simplex)
    assert values["reflexive"] is False and "dual_points" not in values
    ranges = orbitlearn.load_model("ks_h11_gl4z").domain.ranges
    wide = TrainingDomain(dict(ranges, vertices=[5, 27], coordinates=[-8, 6], points=[0, 200]))
    assert wide.assess(doubled_simplex).reasons == [NOT_REFLEXIVE_REASON]


def test_training_polytopes_and_their_lattice_images_are_inside(v26_path):
    model = orbitlearn.load_model("ks_h11_gl4z")
    assert model.domain is not None
    x = np.stack([e.vertices for e, _ in zip(iter_ks(v26_path), range(6))]).astype(np.int64)
    for moved in (
        x,
        transform_inputs(x, part("group", "gl4z"), seed=3),
        transform_inputs(x, part("group", "perm"), seed=4),
    ):
        results = model.predict_each(list(moved))
        assert all(r.in_distribution is True for r in results), [r.assessment for r in results]
    # the descriptors are GL(4,Z) x S_n invariants: equal on every image
    gl = transform_inputs(x, part("group", "gl4z"), seed=5)
    assert [descriptors(m) for m in x] == [descriptors(m) for m in gl]


def test_every_committed_model_records_its_domain():
    from orbitlearn.apps.ks.predict import Model, committed_names

    ks_models = [m for m in map(orbitlearn.load_model, committed_names()) if isinstance(m, Model)]
    assert len(ks_models) >= 4  # the Kreuzer-Skarke models (the N-body ones predict positions)
    for model in ks_models:
        assert model.domain is not None, model.source


def test_domain_box_and_round_trip():
    dom = TrainingDomain.of(
        [{"vertices": 6, "coordinates": [-2, 3]}, {"vertices": 9, "coordinates": [-1, 5]}]
    )
    assert dom.ranges == {"vertices": [6, 9], "coordinates": [-2, 5]}
    assert TrainingDomain.from_dict(json.loads(json.dumps(dom.to_dict()))) == dom
    quintic = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
    a = dom.assess(quintic)
    assert not a.in_distribution and "vertex count 5" in a.reasons[0]
    with pytest.raises(orbitlearn.OrbitlearnError):
        TrainingDomain.of([])


def test_the_models_folder_is_found_from_anywhere(tmp_path, monkeypatch):
    from orbitlearn.apps.ks.predict import MODELS_ENV, WHEEL_MODELS, models_folder

    monkeypatch.setenv(MODELS_ENV, str(tmp_path))
    assert models_folder() == tmp_path
    monkeypatch.delenv(MODELS_ENV)
    found = models_folder()
    assert (found / "ks_h11_gl4z.pt").is_file() or found.parts[-3:] == WHEEL_MODELS.parts


def test_train_stores_the_training_domain_with_the_model(v26_path, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--model", "majority", "--data", str(v26_path), "--limit", "60"]
    assert main([*argv, "--out", str(out), "--json"]) == 0
    capsys.readouterr()
    model = orbitlearn.load_model(out / "model.pt")
    assert model.domain is not None
    assert model.domain.ranges["vertices"] == [26, 26]
    quintic = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
    assert model.domain.assess(quintic).in_distribution is False


def test_csv_carries_probability_and_in_distribution(tmp_path, capsys):
    path = tmp_path / "q.txt"
    path.write_text(QUINTIC)
    assert main(["predict", "--checkpoint", "ks_h11_gl4z", str(path), "--csv"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header == "index,h11,probability,in_distribution,error"
    assert row.split(",")[3] == "false"


def test_predict_warns_when_an_input_lies_outside():
    from orbitlearn.apps.ks.predict import OutsideTrainingDomain

    quintic = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])
    model = orbitlearn.load_model("ks_h11_gl4z")
    with pytest.warns(OutsideTrainingDomain, match="1 of 1 inputs lie outside"):
        value = model.predict(quintic)
    # its true h11 is 101, outside the classes the model knows: the answer is an extrapolation
    assert value in model.classes_ and value != 101
