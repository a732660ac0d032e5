"""torch.compile traces the invariant networks and the G-CNN stack in one graph (no graph breaks)."""

from __future__ import annotations

import pytest
import torch

from orbitlearn.models import build_model
from orbitlearn.nn import GroupConv2d, GroupPool, LiftingConv2d


def _breaks(module, x) -> int:
    import torch._dynamo as dynamo

    dynamo.reset()
    try:
        explanation = dynamo.explain(module.eval())(x)
    finally:
        dynamo.reset()
    return explanation.graph_break_count


@pytest.mark.parametrize("name", ["pointnet", "deepsets", "exchangeable"])
def test_set_networks_compile_without_graph_breaks(name):
    net = build_model(name, 35, (4, 26), {"encoding": "scaled"}).module
    assert _breaks(net, torch.randint(-5, 5, (8, 4, 26))) == 0


@pytest.mark.parametrize("group", ["p4", "p4m"])
def test_gcnn_stack_compiles_without_graph_breaks(group):
    stack = torch.nn.Sequential(
        LiftingConv2d(1, 4, 3, group=group),
        torch.nn.ReLU(),
        GroupConv2d(4, 4, 3, group=group),
        GroupPool("mean", group=group),
    )
    assert _breaks(stack, torch.randn(2, 1, 8, 8)) == 0
