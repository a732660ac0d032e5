"""Ensembles: mean of the members' probabilities, invariance = the smallest claimed group."""

from __future__ import annotations

import json

import numpy as np
import pytest

from orbitlearn.apps.ks.checkpoints import ks_pipeline, load_pipeline, resolve
from orbitlearn.apps.ks.names import get_group, part
from orbitlearn.cli import main
from orbitlearn.errors import OrbitlearnError
from orbitlearn.groups.claims import EVERYTHING, NO_SYMMETRY, Invariance
from orbitlearn.models import ModelPipeline, build_model
from orbitlearn.models.ensemble import EnsemblePipeline
from orbitlearn.models.evaluation import invariance_check
from orbitlearn.train import TrainConfig

SHAPE = (4, 26)


def ks_like(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-4, 5, size=(n, *SHAPE))


@pytest.fixture(scope="module")
def members():
    x = ks_like(60, seed=1)
    y = np.abs(x).sum(axis=(1, 2)) % 3  # an S4 x S26-invariant toy label
    out = []
    for name, canon in (("pointnet", "lex"), ("exchangeable", "none"), ("pointnet", "none")):
        config = {"width": 8, "depth": 1} if name == "exchangeable" else {}
        pipe = ks_pipeline(build_model(name, 3, SHAPE, config), np.array([7, 8, 9]), canon=canon)
        pipe.fit(x, y, x, y, TrainConfig(epochs=2, batch_size=16))
        pipe.metadata = {"split_seed": 0}
        out.append(pipe)
    return out


def test_probabilities_are_the_mean_of_the_members(members):
    x = ks_like(20, seed=2)
    ens = EnsemblePipeline(members[:2])
    expected = (members[0].predict_proba(x) + members[1].predict_proba(x)) / 2
    np.testing.assert_allclose(ens.predict_proba(x), expected, rtol=0, atol=1e-12)
    assert (ens.predict(x) == expected.argmax(1)).all()
    assert ens.parameter_count() == sum(m.model.parameter_count() for m in members[:2])


def test_claims_the_smallest_group_of_its_members(members):
    assert [m.claimed_invariance().label for m in members] == ["S4 x S26", "S4 x S26", "S26"]
    assert EnsemblePipeline(members[:2]).claimed_invariance().label == "S4 x S26"
    assert EnsemblePipeline(members).claimed_invariance().label == "S26"
    s4xs26, gl4z = Invariance(get_group("s4xs26")), Invariance(get_group("gl4z"))
    s26 = Invariance(get_group("s26"))
    assert Invariance.meet_all([s4xs26, gl4z]) == s4xs26
    assert Invariance.meet_all([s26, gl4z]) == s26
    assert Invariance.meet_all([EVERYTHING, NO_SYMMETRY]) == NO_SYMMETRY
    # a rotation of images shares nothing with permutations of rows and columns
    assert Invariance.meet_all([s4xs26, Invariance(get_group("c4"))]) == NO_SYMMETRY


def test_measured_invariance_of_an_invariant_ensemble(members):
    ens = EnsemblePipeline(members[:2])
    report = invariance_check(ens, ks_like(40, seed=3), part("group", "s4xs26"), samples=4, seed=0)
    assert report["max_abs"] < 1e-5 and report["changed_share"] == 0.0


def test_non_invariant_member_is_detected(members):
    x = ks_like(40, seed=4)
    mlp = ks_pipeline(build_model("mlp", 3, SHAPE, {}), np.array([7, 8, 9]))
    mlp.fit(x, np.arange(40) % 3, x, np.arange(40) % 3, TrainConfig(epochs=2))
    ens = EnsemblePipeline([members[0], mlp])
    assert ens.claimed_invariance() == NO_SYMMETRY
    group = get_group("s4xs26")
    moved = group.act_batch(group.sample(len(x), np.random.default_rng(0)), x)
    assert np.abs(ens.predict_proba(moved) - ens.predict_proba(x)).max() > 1e-4


def test_checkpoint_round_trip(members, tmp_path):
    ens = EnsemblePipeline(members)
    ens.metadata = {"split_seed": 0, "row": "toy"}
    path = ens.save(tmp_path / "ens.pt")
    again = load_pipeline(path)
    assert isinstance(again, EnsemblePipeline) and again.metadata == ens.metadata
    x = ks_like(10, seed=5)
    np.testing.assert_array_equal(again.predict_proba(x), ens.predict_proba(x))
    assert again.describe() == ens.describe()
    single = load_pipeline(members[0].save(tmp_path / "one.pt"))
    assert isinstance(single, ModelPipeline)
    with pytest.raises(OrbitlearnError, match="expected format"):
        ModelPipeline.load(path, resolve)  # the single-model loader refuses an ensemble, by name


def test_mismatched_classes_and_empty_ensembles_are_refused(members):
    other = ks_pipeline(build_model("majority", 2, SHAPE, {}), np.array([1, 2]))
    with pytest.raises(OrbitlearnError, match="different class lists"):
        EnsemblePipeline([members[0], other])
    with pytest.raises(OrbitlearnError, match="at least one"):
        EnsemblePipeline([])


def test_ensemble_command(members, tmp_path, capsys):
    a = members[0].save(tmp_path / "a.pt")
    b = members[1].save(tmp_path / "b.pt")
    out = tmp_path / "ens.pt"
    assert main(["ensemble", str(a), str(b), "--out", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["claimed_invariance"] == "S4 x S26" and report["members"] == [str(a), str(b)]
    ens = load_pipeline(out)
    assert len(ens.members) == 2 and ens.metadata["split_seed"] == 0
    assert main(["ensemble", str(tmp_path / "missing.pt"), "--out", str(out)]) == 2
    assert "no such checkpoint" in capsys.readouterr().err


def test_members_with_the_same_canonicaliser_share_one_projection(members, monkeypatch):
    import copy

    x = ks_like(20, seed=4)
    twin = copy.deepcopy(members[0])  # a second π lex member
    ens = EnsemblePipeline([members[0], twin, members[1]])
    expected = (2 * members[0].predict_proba(x) + members[1].predict_proba(x)) / 3
    calls = []
    canon = members[0]._canonicaliser
    original = type(canon).project

    def counting(self, xs):
        calls.append(len(xs))
        return original(self, xs)

    monkeypatch.setattr(type(canon), "project", counting)
    np.testing.assert_allclose(ens.predict_proba(x), expected, rtol=0, atol=1e-12)
    assert calls == [20]  # once for both π lex members (the exchangeable one has no π)
    ens.predict_proba(x)
    assert calls == [20, 20]  # the cache lives for one call, not across inputs
