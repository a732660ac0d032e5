"""Representations: homomorphisms, dρ against a finite difference, SO(3) irreps against e3nn."""

from __future__ import annotations

import numpy as np
import pytest

from orbitlearn.groups import E3, O2, O3, SE2, SE3, SO2, SO3
from orbitlearn.groups.reps import (
    DeterminantRep,
    DirectSum,
    RepAction,
    SO2Irrep,
    SO3Irrep,
    StandardRep,
    TensorProduct,
    TrivialRep,
    irreps,
)

REPS = {
    "trivial_so3": lambda: TrivialRep(SO3()),
    "standard_se3": lambda: StandardRep(SE3()),
    "det_o3": lambda: DeterminantRep(O3()),
    "det_o2": lambda: DeterminantRep(O2()),
    "so2_k3": lambda: SO2Irrep(SO2(), 3),
    "so2_k0": lambda: SO2Irrep(SE2(), 0),
    "so3_l2": lambda: SO3Irrep(SO3(), 2),
    "o3_l3_odd": lambda: SO3Irrep(O3(), 3, -1),
    "e3_l1_even": lambda: SO3Irrep(E3(), 1, 1),
    "sum": lambda: DirectSum(SO3Irrep(O3(), 0, 1), SO3Irrep(O3(), 1, -1), DeterminantRep(O3())),
    "tensor": lambda: TensorProduct(SO3Irrep(SO3(), 1), SO3Irrep(SO3(), 2)),
    "irreps": lambda: irreps("2x0e + 1o + 2e"),
}


@pytest.mark.parametrize("name", sorted(REPS))
def test_homomorphism_and_identity(name):
    rep = REPS[name]()
    g = rep.group
    rng = np.random.default_rng(0)
    a, b = g.sample_array(6, rng), g.sample_array(6, rng)
    assert np.allclose(rep(a @ b), rep(a) @ rep(b), atol=1e-12)
    assert np.allclose(rep(g.identity()), np.eye(rep.size), atol=1e-13)


@pytest.mark.parametrize("name", sorted(REPS))
def test_differential_is_the_derivative_at_the_identity(name):
    rep = REPS[name]()
    gens = rep.group.generators()
    h = 1e-5
    fd = rep(rep.group.exp(h * np.eye(len(gens)))) - rep(rep.group.exp(-h * np.eye(len(gens))))
    assert np.allclose(rep.d(gens), fd / (2 * h), atol=1e-8)


def test_so2_frequency_and_sizes():
    th = 0.4
    r = SO2().exp(np.array([th]))
    m = SO2Irrep(SO2(), 3)(r)[0]
    assert np.allclose(m, SO2().exp(np.array([3 * th])))
    assert irreps("2x0e + 1o + 2e").size == 2 + 3 + 5
    assert StandardRep(SE3()).size == 4 and (StandardRep(SO3()) @ StandardRep(SO3())).size == 9
    with pytest.raises(ValueError, match="parity"):
        SO3Irrep(O3(), 1)


def test_so3_irrep_1_is_the_rotation_and_parity_odd_flips():
    r = SO3().sample_array(3, np.random.default_rng(2))
    assert np.allclose(SO3Irrep(SO3(), 1)(r), r, atol=1e-13)
    assert np.allclose(SO3Irrep(O3(), 1, -1)(-r), -r, atol=1e-13)  # 1o: the vector rep
    assert np.allclose(SO3Irrep(O3(), 1, 1)(-r), r, atol=1e-13)


@pytest.mark.parametrize("degree", range(4))
@pytest.mark.parametrize("parity", [1, -1])
def test_so3_irreps_agree_with_e3nn(degree, parity):
    torch = pytest.importorskip("torch")
    o3 = pytest.importorskip("e3nn.o3")
    rs = np.concatenate(
        [O3().sample_array(8, np.random.default_rng(degree)), O3().testing_elements()]
    )
    mine = SO3Irrep(O3(), degree, parity)(rs)
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # e3nn builds its angles in the default dtype
    try:
        irrep = o3.Irrep(degree, parity)
        ref = np.stack([irrep.D_from_matrix(torch.as_tensor(r)).numpy() for r in rs])
    finally:
        torch.set_default_dtype(before)
    assert np.abs(mine - ref).max() < 1e-10


def test_rep_action_moves_one_axis_with_promotion():
    act = RepAction(SO3Irrep(SO3(), 2), axis=-1)
    g = SO3().sample(1, np.random.default_rng(0))[0]
    x = np.arange(10).reshape(2, 5)
    y = act.act(g, x)
    assert y.dtype == np.float64
    assert np.allclose(y, x @ act.rep(g)[0].T)
    assert np.allclose(act.act_batch([g, g], x), y)
