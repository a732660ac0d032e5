"""Every layer of orbitlearn.nn against the symmetry it declares, on one list of cases.

`assert_equivariant` reads each module's declaration; the same list checks masks (padding never
changes an output) and that a false declaration is caught.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import orbitlearn.nn as onn
from orbitlearn.canon import LexCanonical
from orbitlearn.groups import C4, Permutation, Product
from orbitlearn.groups.claims import Equivariance, Invariance
from orbitlearn.groups.regular import RegularAction
from orbitlearn.testing import assert_equivariant, declared_symmetry


def _sets(n: int, c: int = 5, b: int = 3, seed: int = 0) -> torch.Tensor:
    return torch.randn(b, n, c, generator=torch.Generator().manual_seed(seed))


def _deep_sets_stack() -> nn.Module:
    phi = onn.SetSequential(
        onn.DeepSetsEquivariant(5, 16), nn.ReLU(), onn.DeepSetsEquivariant(16, 8)
    )
    return onn.DeepSetsInvariant(phi, nn.Linear(8, 3), pool="sum")


# (name, module factory, input factory): every exported layer with a declared exact symmetry
CASES = {
    "deepsets_equivariant": (lambda: onn.DeepSetsEquivariant(5, 7), lambda n: _sets(n)),
    "deepsets_invariant": (_deep_sets_stack, lambda n: _sets(n)),
    "pointnet": (lambda: onn.PointNet(5, [16, 32], 3, head=[8]), lambda n: _sets(n)),
    "set_attention": (lambda: onn.SetAttentionBlock(8, heads=2), lambda n: _sets(n, c=8)),
    "attention_pooling": (
        lambda: onn.AttentionPooling(8, heads=2, seeds=2),
        lambda n: _sets(n, c=8),
    ),
    "invariant_pool": (lambda: onn.InvariantPool(-2, ("mean", "max", "sum")), lambda n: _sets(n)),
    "exchangeable": (
        lambda: onn.ExchangeableMatrixLayer(2, 3),
        lambda n: torch.randn(3, 2, 4, n, generator=torch.Generator().manual_seed(1)),
    ),
    "lifting_p4": (
        lambda: onn.LiftingConv2d(2, 3, 3, group="p4"),
        lambda n: torch.randn(2, 2, n, n, generator=torch.Generator().manual_seed(2)),
    ),
    "group_conv_p4m": (
        lambda: onn.GroupConv2d(2, 3, 3, group="p4m"),
        lambda n: torch.randn(2, 2, 8, n, n, generator=torch.Generator().manual_seed(3)),
    ),
    "group_pool_p4": (
        lambda: onn.GroupPool("max", group="p4"),
        lambda n: torch.randn(2, 2, 4, n, n, generator=torch.Generator().manual_seed(4)),
    ),
    "group_pool_any": (
        lambda: onn.GroupPool("mean"),
        lambda n: torch.randn(2, 2, 8, n, n, generator=torch.Generator().manual_seed(5)),
    ),
    "symmetrized_exact": (
        lambda: onn.Symmetrized(
            nn.Sequential(nn.Flatten(), nn.Linear(12, 4)), Permutation(3, axis=-2)
        ),
        lambda n: torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(6)),
    ),
    "symmetrized_frame": (
        lambda: onn.Symmetrized(
            nn.Sequential(nn.Flatten(), nn.Linear(12, 4)), canonicalizer=LexCanonical()
        ),
        lambda n: torch.randint(
            -3, 4, (5, 3, 4), generator=torch.Generator().manual_seed(7)
        ).float(),
    ),
    "canonicalize": (
        lambda: LexCanonical().as_module(),
        lambda n: torch.randint(
            -3, 4, (5, 3, n), generator=torch.Generator().manual_seed(8)
        ).double(),
    ),
    "egnn_layer": (
        lambda: onn.EGNNLayer(4, 8, velocity=True),
        lambda n: tuple(
            torch.randn(2, n, c, generator=torch.Generator().manual_seed(9 + c)) for c in (4, 3, 3)
        ),
    ),
    "egnn": (
        lambda: onn.EGNN(4, 8, 2),
        lambda n: tuple(
            torch.randn(2, n, c, generator=torch.Generator().manual_seed(12 + c)) for c in (4, 3)
        ),
    ),
    "frame_averaging": (
        lambda: onn.FrameAveraging(nn.Sequential(nn.Flatten(), nn.LazyLinear(2))),
        lambda n: torch.randn(3, n, 3, generator=torch.Generator().manual_seed(15)),
    ),
}
SIZES = (1, 5, 9)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("n", SIZES)
def test_layer_keeps_its_declared_symmetry(name, n):
    make, data = CASES[name]
    torch.manual_seed(0)
    module = make()
    report = assert_equivariant(module, data(n), rng=n)
    assert report.max_rel < 1e-5


def test_every_exported_layer_is_in_the_list():
    declared = {type(make()).__name__ for make, _ in CASES.values() if hasattr(make(), "symmetry")}
    layers = {
        name
        for name in onn.__all__
        if isinstance(getattr(onn, name), type) and issubclass(getattr(onn, name), nn.Module)
    }
    approximate = {"RelaxedGroupConv2d", "RelaxedLiftingConv2d"}  # no exact claim by design
    assert layers - approximate - {"SetSequential"} <= declared


def test_contract_imports_and_pointnet_signature():
    from orbitlearn.nn import (  # noqa: F401
        AttentionPooling,
        DeepSetsEquivariant,
        DeepSetsInvariant,
        ExchangeableMatrixLayer,
        GroupConv2d,
        GroupPool,
        InvariantPool,
        LiftingConv2d,
        PointNet,
        RelaxedGroupConv2d,
        RelaxedLiftingConv2d,
        SetAttentionBlock,
        Symmetrized,
    )

    net = PointNet(4, [8, 16], 3)
    x = torch.randn(6, 26, 4)
    assert net(x).shape == (6, 3)
    assert_equivariant(net, x)  # no group given: read from the module


class _FlattenLinear(nn.Module):
    """A map of sets that is not permutation invariant, with a false declaration."""

    symmetry = Invariance(Permutation(None, axis=-2))

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(6 * 5, 3))

    def forward(self, x):
        return self.net(x)


def test_a_false_declaration_is_caught():
    with pytest.raises(AssertionError, match="invariance error"):
        assert_equivariant(_FlattenLinear(), _sets(6))
    # and a false equivariance: a layer mixing set positions, declared equivariant
    layer = nn.Linear(6, 6)
    wrong = nn.Sequential()
    wrong.forward = lambda x: layer(x.transpose(-1, -2)).transpose(-1, -2)  # type: ignore[method-assign]
    with pytest.raises(AssertionError, match="equivariance error"):
        assert_equivariant(
            wrong,
            _sets(6),
            symmetry=Equivariance(Permutation(None, axis=-2), Permutation(None, axis=-2)),
        )


def test_no_declaration_is_a_type_error():
    with pytest.raises(TypeError, match="declares no exact symmetry"):
        assert_equivariant(nn.Linear(5, 3), _sets(4))
    relaxed = onn.RelaxedGroupConv2d(2, 3, 3, group="p4")
    with pytest.raises(TypeError):
        declared_symmetry(relaxed)
    # its approximate symmetry holds exactly at initialisation (equal mixing weights)
    x = torch.randn(2, 2, 4, 7, 7)
    assert_equivariant(relaxed, x, symmetry=relaxed.approximate_symmetry)


def test_groups_given_as_objects():
    layer = onn.LiftingConv2d(1, 2, 3, group=C4())
    assert layer.group == "p4"
    assert declared_symmetry(layer) == Equivariance(C4(), RegularAction("p4"))
    with pytest.raises(ValueError, match="C4 \\(p4\\) or D4"):
        onn.GroupConv2d(1, 2, 3, group=Permutation(4, axis=-1))


# ----------------------------------------------------------------------------- masks

MASKED = {
    "deepsets_invariant": CASES["deepsets_invariant"][0],
    "pointnet": CASES["pointnet"][0],
    "attention_pooling": CASES["attention_pooling"][0],
    "invariant_pool": CASES["invariant_pool"][0],
    "deepsets_equivariant": CASES["deepsets_equivariant"][0],
    "set_attention": CASES["set_attention"][0],
}


def _pad(x: torch.Tensor, to: int, value: float) -> tuple[torch.Tensor, torch.Tensor]:
    b, n, c = x.shape
    padded = torch.full((b, to, c), value, dtype=x.dtype)
    padded[:, :n] = x
    mask = torch.zeros(b, to, dtype=torch.bool)
    mask[:, :n] = True
    return padded, mask


@pytest.mark.parametrize("name", sorted(MASKED))
def test_padding_from_26_to_40_changes_nothing(name):
    torch.manual_seed(0)
    module = MASKED[name]().eval()
    c = 8 if "attention" in name else 5
    x = _sets(26, c=c, seed=11)
    with torch.no_grad():
        plain = module(x)
        for value in (0.0, 1e3, -7.0):
            padded, mask = _pad(x, 40, value)
            out = module(padded, mask=mask)
            if out.ndim == 3:  # equivariant: real rows unchanged, padded rows zero
                assert torch.equal(out[:, 26:], torch.zeros_like(out[:, 26:]))
                out = out[:, :26]
            torch.testing.assert_close(out, plain, rtol=1e-5, atol=1e-5)


def test_sets_of_different_sizes_batch_together():
    torch.manual_seed(0)
    net = onn.PointNet(5, [16], 3).eval()
    sets = [_sets(n, b=1, seed=n)[0] for n in (3, 26, 12)]
    batch = torch.zeros(3, 26, 5)
    mask = torch.zeros(3, 26, dtype=torch.bool)
    for i, s in enumerate(sets):
        batch[i, : len(s)] = s
        mask[i, : len(s)] = True
    with torch.no_grad():
        together = net(batch, mask=mask)
        alone = torch.cat([net(s[None]) for s in sets])
    torch.testing.assert_close(together, alone, rtol=1e-6, atol=1e-6)


def test_exchangeable_mask_over_columns():
    torch.manual_seed(0)
    layer = onn.ExchangeableMatrixLayer(2, 3).eval()
    x = torch.randn(2, 2, 4, 26)
    padded = torch.cat([x, torch.full((2, 2, 4, 14), 5.0)], dim=-1)
    mask = torch.zeros(2, 40, dtype=torch.bool)
    mask[:, :26] = True
    with torch.no_grad():
        out = layer(padded, mask=mask)
        torch.testing.assert_close(out[..., :26], layer(x), rtol=1e-5, atol=1e-5)
    assert torch.equal(out[..., 26:], torch.zeros_like(out[..., 26:]))
    with pytest.raises(ValueError, match="mask must have shape"):
        layer(x, mask=torch.ones(2, 25, dtype=torch.bool))


def test_pool_dims_must_be_negative():
    with pytest.raises(ValueError, match="negative"):
        onn.InvariantPool(1)
    assert onn.InvariantPool((-3, -2)).symmetry == Invariance(
        Product(Permutation(None, axis=-3), Permutation(None, axis=-2))
    )


def test_declared_claims_compare_by_subgroups():
    sets = Invariance(Permutation(None, axis=-2))
    assert Invariance(Permutation(26, axis=-2)) <= sets
    assert not sets <= Invariance(Permutation(26, axis=-2))
    assert np.all([onn.PointNet(3, [4], 2).symmetry == sets])
