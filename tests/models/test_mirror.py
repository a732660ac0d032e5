"""A Hodge number read off the polar dual: exact swap equivariance, invariance, checkpoints."""

from __future__ import annotations

import json

import numpy as np
import pytest

from orbitlearn.apps.ks.checkpoints import ks_pipeline, load_pipeline
from orbitlearn.apps.ks.mirror import MirrorPipeline, polar_duals
from orbitlearn.apps.ks.multi import MultiTargetPipeline
from orbitlearn.apps.ks.names import get_group
from orbitlearn.cli import main
from orbitlearn.datasets.ks import read_ks, write_ks
from orbitlearn.datasets.ks_dataset import KSDataset, subsample
from orbitlearn.errors import OrbitlearnError
from orbitlearn.models import ModelPipeline, build_model
from orbitlearn.models.ensemble import EnsemblePipeline
from orbitlearn.symmetry import invariance_error
from orbitlearn.train import TrainConfig

SIMPLEX = np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, -1], [0, 0, 1, 0, -1], [0, 0, 0, 1, -1]])


@pytest.fixture(scope="module")
def both_sides(v26_path, tmp_path_factory):
    """(file of 150 v26 entries and their duals, the padded dataset of it)."""
    entries = read_ks(v26_path).entries
    keep = subsample(np.arange(len(entries)), 150, seed=9)
    folder = tmp_path_factory.mktemp("mirror")
    src = folder / "src.txt"
    write_ks([entries[i] for i in keep], src)
    duals = folder / "duals.txt"
    assert main(["data", "duals", str(src), "-o", str(duals)]) == 0
    path = folder / "both.txt"
    write_ks([entries[i] for i in keep] + read_ks(duals).entries, path)
    return path, KSDataset.from_file(read_ks(path), pad=True)


@pytest.fixture(scope="module")
def mirror_model(both_sides):
    _, data = both_sides
    base = ks_pipeline(
        build_model("pointnet", len(data.classes), (4, 26), {"padded": True, "init_seed": 2}),
        data.classes,
        canon="normal",
    )
    base.fit(data.vertices, data.y, train=TrainConfig(epochs=3, seed=0))
    return MultiTargetPipeline({"h11": base, "h21": MirrorPipeline(base)})


def test_polar_duals():
    (dual,) = polar_duals(SIMPLEX[None])
    assert dual.shape == (4, 5)
    # the dual of the reflexive simplex: the facet normals, each at distance 1 from the origin
    assert {tuple(c) for c in dual.T} == {tuple(c) for c in _facet_normals(SIMPLEX)}
    padded = np.concatenate([SIMPLEX, np.zeros((4, 2), dtype=int)], axis=1)[None]
    np.testing.assert_array_equal(polar_duals(padded), polar_duals(SIMPLEX[None]))
    with pytest.raises(OrbitlearnError, match="matrix 0: .*non-reflexive"):
        polar_duals((2 * SIMPLEX)[None])


def _facet_normals(v: np.ndarray) -> np.ndarray:
    from orbitlearn.geometry import LatticePolytope

    return LatticePolytope(v).facet_normals


def test_swap_equivariance_is_exact(mirror_model, both_sides):
    _, data = both_sides
    x = data.vertices[:150]  # the v26 entries; their duals follow in the file
    p, q = mirror_model.predict_proba(x), mirror_model.predict_proba(polar_duals(x))
    np.testing.assert_array_equal(p["h11"], q["h21"])
    np.testing.assert_array_equal(p["h21"], q["h11"])
    assert mirror_model.claimed_invariance().label == "GL(4,Z) x S26"
    # one base serves both targets: its parameters are counted once
    assert mirror_model.parameter_count() == mirror_model.members["h11"].model.parameter_count()


def test_the_mirror_member_is_gl4z_invariant(mirror_model, both_sides):
    _, data = both_sides
    member = mirror_model.members["h21"]
    for group in ("gl4z", "s26"):
        invariance_error(
            member.predict_proba, get_group(group), data.vertices[:10], n_samples=4, rng=0
        ).assert_below(1e-5)


def test_a_fixed_shape_base_is_refused():
    base = ks_pipeline(build_model("mlp", 3, (4, 26)), np.arange(3))
    with pytest.raises(OrbitlearnError, match="any vertex count"):
        MirrorPipeline(base)


def test_checkpoint_round_trip_and_predict(mirror_model, both_sides, tmp_path, capsys):
    path, data = both_sides
    mirror_model.save(tmp_path / "any.pt")
    back = load_pipeline(tmp_path / "any.pt")
    assert isinstance(back.members["h21"], MirrorPipeline)
    x = data.vertices[:40]
    for t in ("h11", "h21"):
        np.testing.assert_allclose(
            back.predict_proba(x)[t], mirror_model.predict_proba(x)[t], atol=1e-6
        )
    capsys.readouterr()
    assert main(["predict", "--checkpoint", str(tmp_path / "any.pt"), str(path), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 300 and all({"index", "h11", "h21"} <= set(r) for r in records)
    # a mirror checkpoint alone predicts its own target
    mirror_model.members["h21"].save(tmp_path / "h21.pt")
    alone = load_pipeline(tmp_path / "h21.pt")
    assert alone.target == "h21"
    np.testing.assert_allclose(alone.predict_proba(x), mirror_model.predict_proba(x)["h21"])


def test_an_ensemble_of_a_model_and_a_mirror_is_swap_equivariant(
    mirror_model, both_sides, tmp_path
):
    """h11 = mean(f, g on Δ*) and h21 = that ensemble on Δ* = mean(f on Δ*, g), with f an h11 and
    g an h21 model: one model, exactly swap-equivariant, its two bases counted once."""
    _, data = both_sides
    f = mirror_model.members["h11"]
    h21 = data.with_target("h21")
    np.testing.assert_array_equal(h21.classes, data.classes)  # the data hold both sides
    g = ks_pipeline(
        build_model("pointnet", len(h21.classes), (4, 26), {"padded": True, "init_seed": 5}),
        h21.classes,
        canon="normal",
        target="h21",
    )
    g.fit(h21.vertices, h21.y, train=TrainConfig(epochs=2, seed=1))
    ens = EnsemblePipeline([f, MirrorPipeline(g)])
    both = MultiTargetPipeline({"h11": ens, "h21": MirrorPipeline(ens)})
    x = data.vertices[:60]
    p, q = both.predict_proba(x), both.predict_proba(polar_duals(x))
    np.testing.assert_array_equal(p["h11"], q["h21"])
    np.testing.assert_array_equal(p["h21"], q["h11"])
    np.testing.assert_allclose(p["h11"], (f.predict_proba(x) + g.predict_proba(polar_duals(x))) / 2)
    np.testing.assert_allclose(p["h21"], (f.predict_proba(polar_duals(x)) + g.predict_proba(x)) / 2)
    assert both.parameter_count() == f.parameter_count() + g.parameter_count()
    assert [type(m) for m in ens.members] == [ModelPipeline, MirrorPipeline]
    both.save(tmp_path / "both.pt")
    back = load_pipeline(tmp_path / "both.pt")
    assert isinstance(back.members["h11"].members[1], MirrorPipeline)
    for t in ("h11", "h21"):
        np.testing.assert_allclose(back.predict_proba(x)[t], p[t], atol=1e-6)
