"""`orbitlearn stats exchangeable|separation`: JSON contracts, controls, and one-line user errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from orbitlearn.cli import main
from orbitlearn.datasets.ks import KSEntry, write_ks


def _run(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out


@pytest.fixture
def small_ks(tmp_path):
    """60 random 3 x 5 integer matrices whose first column is always large: columns not exchangeable."""
    rng = np.random.default_rng(0)
    entries = []
    for i in range(60):
        v = rng.integers(-3, 4, size=(3, 5))
        v[:, 0] = 6
        entries.append(
            KSEntry(
                index=i,
                vertices=v,
                m_points=9,
                m_vertices=5,
                n_points=9,
                n_vertices=5,
                h11=1 + i % 3,
                h21=2,
                euler=None,
                transposed=False,
            )
        )
    path = tmp_path / "small.txt"
    write_ks(entries, path)
    return path


def test_exchangeable_json_contract_and_rejects(small_ks, capsys):
    rc, out = _run(
        capsys,
        "stats",
        "exchangeable",
        str(small_ks),
        "--axis",
        "columns",
        "--json",
        "--resamples",
        "199",
    )
    assert rc == 0
    r = json.loads(out.out)
    assert {"p_value", "statistic", "n_resamples", "group", "null_quantiles"} <= set(r)
    assert r["entries"] == 60 and r["n_resamples"] == 199
    assert r["p_value"] == pytest.approx(1 / 200)


def test_exchangeable_randomized_control_and_seed(small_ks, capsys):
    args = ["stats", "exchangeable", str(small_ks), "--axis", "both", "--json", "--randomize"]
    r1 = json.loads(_run(capsys, *args, "--seed", "3")[1].out)
    r2 = json.loads(_run(capsys, *args, "--seed", "3")[1].out)
    assert r1 == r2 and r1["randomized"] is True
    assert r1["p_value"] > 0.01


def test_exchangeable_text_and_limit(small_ks, capsys):
    rc, out = _run(
        capsys, "stats", "exchangeable", str(small_ks), "--limit", "20", "--axis", "rows"
    )
    assert rc == 0 and "p-value" in out.out and "20 entries" in out.out


@pytest.mark.parametrize(
    ("features", "collide"),
    [("lex", False), ("poly:4", False), ("power-sums:1", True), ("sorted", None)],
)
def test_separation_json_contract(small_ks, capsys, features, collide):
    rc, out = _run(capsys, "stats", "separation", str(small_ks), "--features", features, "--json")
    assert rc == 0
    r = json.loads(out.out)
    assert {"orbits", "colliding_orbits", "collision_share", "changed_share"} <= set(r)
    assert r["changed_share"] == 0.0  # every map here is S3 x S5-invariant
    if collide is not None:
        assert (r["colliding_orbits"] > 0) is collide


def test_separation_v26_gl4z(v26_path, capsys):
    """On v26 entries (distinct GL(4,Z) orbits): the normal form separates and is GL-invariant;
    the S4 x S26 invariant polynomials change under GL(4,Z) images."""
    base = ["stats", "separation", str(v26_path), "--limit", "150", "--group", "gl4z", "--json"]
    normal = json.loads(_run(capsys, *base, "--features", "normal")[1].out)
    assert normal["orbits"] == 150 and normal["colliding_orbits"] == 0
    assert normal["changed"] == 0
    poly = json.loads(_run(capsys, *base, "--features", "poly:2")[1].out)
    assert poly["changed_share"] > 0.9


def test_exchangeable_v26_columns_rejected(v26_path, capsys):
    """The file's vertex order is canonical, not random: rejected on 400 entries."""
    rc, out = _run(
        capsys,
        "stats",
        "exchangeable",
        str(v26_path),
        "--limit",
        "400",
        "--axis",
        "columns",
        "--resamples",
        "99",
        "--json",
    )
    assert rc == 0 and json.loads(out.out)["p_value"] == pytest.approx(0.01)


@pytest.mark.parametrize(
    "argv",
    [
        ["stats", "separation", "/no/such/file", "--features", "lex"],
        ["stats", "separation", "{path}", "--features", "fourier:2"],
        ["stats", "separation", "{path}", "--features", "poly:7"],
        ["stats", "exchangeable", "/no/such/file"],
    ],
)
def test_user_errors_one_line_exit_2(small_ks, capsys, argv):
    argv = [a.replace("{path}", str(small_ks)) for a in argv]
    rc, out = _run(capsys, *argv)
    assert rc == 2
    assert out.err.startswith("orbitlearn: error:") and out.err.count("\n") == 1


def test_separation_dets_gl4z_invariant(v26_path, capsys):
    rc, out = _run(
        capsys,
        "stats",
        "separation",
        str(v26_path),
        "--limit",
        "100",
        "--group",
        "gl4z",
        "--features",
        "dets",
        "--json",
    )
    r = json.loads(out.out)
    assert rc == 0 and r["changed"] == 0 and r["n_features"] == 129
