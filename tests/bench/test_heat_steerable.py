"""Steerable rows of the heat benchmark and ε under SO(2): declared symmetries, measured.

Random weights everywhere (mixing weights of relaxed layers left equal unless said), tiny grids.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

pytest.importorskip("e2cnn")

from orbitlearn.apps.heat.models import build_field_model, count_params  # noqa: E402
from orbitlearn.apps.heat.profile import MODELS, get_profile  # noqa: E402
from orbitlearn.apps.heat.rotations import STEERABLE_ROWS  # noqa: E402
from orbitlearn.apps.heat.so2 import (  # noqa: E402
    disk_mask,
    disk_window,
    eps_against_angle,
    rotation_action,
    so2_disk_epsilon,
    so2_elements,
    so2_epsilon,
    so2_fields,
)
from orbitlearn.groups import C4, SO2, CyclicGroup  # noqa: E402
from orbitlearn.symmetry import equivariance_error  # noqa: E402

PROFILE = get_profile("mini", grid=16, eps_inputs=3, so2_samples=4)


def _random(name: str, seed: int = 0, width: int = 2) -> torch.nn.Module:
    torch.manual_seed(seed)
    m = build_field_model(name, width=width, depth=2)
    with torch.no_grad():
        for pname, p in m.named_parameters():
            if p.requires_grad and "mixing" not in pname:
                p.normal_(0, 0.3)
    return m.eval()


def test_every_steerable_row_is_a_model_and_declares_its_group():
    assert set(STEERABLE_ROWS) <= set(MODELS)
    assert "relaxed_steerable" in STEERABLE_ROWS
    groups = {name: build_field_model(name, width=1).net.symmetry for name in STEERABLE_ROWS}
    assert groups["steerable_c8"].group == CyclicGroup(8)
    assert groups["steerable_c16"].group == CyclicGroup(16)
    assert isinstance(groups["steerable_so2"].group, SO2)
    assert groups["steerable_c8"].strict and not groups["relaxed_steerable"].strict
    # element k of C_n is the rotation by 2πk/n
    assert np.allclose(groups["steerable_c16"].rotation(4), SO2().exp(np.array([math.pi / 2])))


def test_steerable_rows_start_as_the_identity_and_are_sized_like_the_others():
    x = torch.randn(2, 1, 8, 8)
    prof = get_profile("quick")
    sizes = {}
    for name in ("cnn", *STEERABLE_ROWS):
        m = build_field_model(name, params=prof.params, depth=prof.depth)
        sizes[name] = count_params(m)
        if name != "cnn":
            assert torch.equal(m(x), x), name  # last layer at zero: y = x
    assert max(sizes.values()) / min(sizes.values()) < 1.3, sizes


@pytest.mark.parametrize("name", list(STEERABLE_ROWS))
def test_quarter_turns_are_exact_on_the_grid(name):
    x = torch.randn(3, 1, 12, 12)
    equivariance_error(_random(name), C4(), C4(), x).assert_below(1e-5)


@pytest.mark.parametrize("name", ["steerable_c8", "steerable_c16", "steerable_so2"])
def test_rotations_of_the_row_group_are_near_the_grid_error(name):
    """At the row's own angles (45° for C8, 22.5° and 67.5° for C16, 30° and 45° for SO(2)), ε
    is within 10× the interpolation's round-trip error and 5× below a plain CNN's; a CNN fails
    both."""
    sym = STEERABLE_ROWS[name].symmetry
    if sym.order is None:
        degrees = (30.0, 45.0)
    else:
        degrees = tuple(360.0 * k / sym.order for k in range(1, sym.order // 4))
    x = so2_fields(PROFILE, 0)
    steer = eps_against_angle(_random(name), x, PROFILE, degrees)
    cnn = eps_against_angle(_random("cnn"), x, PROFILE, degrees)
    for e, c, grid in zip(steer["eps"], cnn["eps"], steer["grid"]):
        assert 0 < grid < 0.01  # smooth windowed fields: cubic interpolation is accurate
        assert e < 10 * grid and e < c / 5, (degrees, steer, cnn)
        assert c > 10 * grid


def test_relaxed_steerable_error_grows_with_its_relaxation():
    x = torch.randn(3, 1, 12, 12)
    m = _random("relaxed_steerable")
    layers = [mod for mod in m.modules() if hasattr(mod, "mixing")]
    assert layers
    spread = torch.linspace(-1, 1, layers[0].mixing.shape[1])
    eps = []
    for t in (0.0, 0.05, 0.2):
        with torch.no_grad():
            for layer in layers:
                base = torch.full_like(layer.mixing, 1.0 / layer.mixing.shape[0])
                layer.mixing.copy_(base + t * spread)
        eps.append(equivariance_error(m, C4(), C4(), x).max_rel)
    assert eps[0] < 1e-5 < eps[1] < eps[2], eps
    from orbitlearn.apps.heat.steerable import steerable_relaxation_penalty

    assert float(steerable_relaxation_penalty(m).detach()) > 0


def test_so2_epsilon_separates_the_true_map_by_breaking_level():
    from orbitlearn.apps.heat.data import make_data

    x = so2_fields(PROFILE, 0).astype(np.float64)
    eps = {}
    for level in (0.0, 1.0):
        sim = make_data(PROFILE, level, 0).sim
        eps[level] = so2_epsilon(sim, x, PROFILE, 0, adversarial=False)
    assert eps[0.0]["eps_so2_grid"] < 0.01
    assert eps[0.0]["eps_so2"] < 0.05 < 0.2 < eps[1.0]["eps_so2"], eps


def test_so2_epsilon_reports_the_adversarial_search_and_is_seeded():
    m = _random("cnn")
    x = so2_fields(PROFILE, 1)
    a = so2_epsilon(m, x, PROFILE, 1)
    b = so2_epsilon(m, x, PROFILE, 1)
    assert a == b
    assert a["eps_so2_adv"] >= a["eps_so2"] > 0


def test_the_disk_reading_has_no_floor_and_still_sees_broken_symmetry():
    from orbitlearn.apps.heat.data import make_data

    x = so2_fields(PROFILE, 0).astype(np.float64)
    # the identity: 0 on the disk (the windowed reading is not, by the grid's interpolation)
    assert so2_disk_epsilon(lambda v: v, x, PROFILE, 0) == 0.0
    assert so2_epsilon(lambda v: v, x, PROFILE, 0, adversarial=False)["eps_so2"] > 1e-3
    # the true map: below the windowed reading at level 0, large at level 1
    eps = {lv: so2_disk_epsilon(make_data(PROFILE, lv, 0).sim, x, PROFILE, 0) for lv in (0.0, 1.0)}
    windowed = so2_epsilon(make_data(PROFILE, 0.0, 0).sim, x, PROFILE, 0, adversarial=False)
    assert 0 < eps[0.0] < windowed["eps_so2"] and eps[1.0] > 0.2, (eps, windowed)
    # a C4-equivariant map that is not SO(2)-equivariant (a torch module) is seen at 45°
    m = _random("cnn")
    assert so2_disk_epsilon(m, so2_fields(PROFILE, 1), PROFILE, 1) > 0.02
    mask = disk_mask(16)
    assert mask[8, 8] == 1 and mask[0, 0] == 0 and mask.sum() < (disk_window(16) > 0).sum()


def test_the_disk_reading_uses_the_angles_of_the_windowed_one():
    from orbitlearn.lie_error import sampled_error

    x = so2_fields(PROFILE, 2)
    act = rotation_action()
    core = sampled_error(lambda v: v, act, act, x, n_samples=PROFILE.so2_samples, rng=2).elements
    ours = so2_elements(PROFILE, 2)
    assert len(ours) == len(core) and all(np.allclose(a, b) for a, b in zip(ours, core))


def test_fields_for_so2_are_windowed_and_rotate_accurately():
    w = disk_window(16)
    assert w.max() == 1.0 and w[0, 0] == 0.0 and w[8, 8] == 1.0
    x = so2_fields(PROFILE, 0)
    assert np.allclose(x * (w == 0), 0)
    act = rotation_action()
    g = SO2().exp(np.array([0.7]))
    assert act.round_trip_error(g, x) < 0.01


def test_norm_relu_commutes_with_rotating_every_vector_field():
    from orbitlearn.apps.heat.steerable import NormReLU

    torch.manual_seed(0)
    layer = NormReLU(width=3, frequencies=2)
    with torch.no_grad():
        layer.bias.uniform_(0, 0.5)
    x = torch.randn(2, 3 + 3 * 2 * 2, 4, 4)
    th = 0.7
    rot = torch.tensor([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])

    def turn(
        y,
    ):  # rotate each 2-vector field by θ (a frequency-k field would turn by kθ: same test)
        v = y[:, 3:].reshape(2, -1, 2, 4, 4)
        return torch.cat(
            [y[:, :3], torch.einsum("ij,bfjhw->bfihw", rot, v).reshape(2, -1, 4, 4)], 1
        )

    torch.testing.assert_close(layer(turn(x)), turn(layer(x)))
    assert not torch.allclose(layer(x), x)  # it does something


def test_the_disk_comparison_script_reports_means_and_ratios_to_the_gcnn():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "heat_so2_disk.py"
    spec = importlib.util.spec_from_file_location("heat_so2_disk_script", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rows = [
        {"model": m, "seed": s, "eps_so2_windowed": w, "eps_so2_disk": d}
        for m, s, w, d in [
            ("gcnn", 0, 0.02, 0.016),
            ("gcnn", 1, 0.02, 0.018),
            ("steerable_so2", 0, 0.01, 0.008),
            ("steerable_so2", 1, 0.012, 0.009),
        ]
    ]
    lines = script.table_lines(rows)
    (row,) = [line for line in lines if line.startswith("| steerable_so2 | 2 |")]
    assert "0.0110 ± 0.0014" in row and "| 0.55 | 0.50 |" in row
