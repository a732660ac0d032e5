"""Field-to-field networks for time stepping on periodic grids: y = x + net(x), (B, 1, H, W) → same.

* ``cnn``: ordinary convolutions with circular padding (equivariant under periodic shifts only);
* ``gcnn``: lifting + group convolutions + mean pooling over the group (exactly equivariant under
  the point group of p4/p4m and periodic shifts);
* ``relaxed_gcnn``: the same with relaxed lifting and group convolutions (Wang, Walters and Yu 2022):
  exactly equivariant at initialisation, free to break the rotations where the data does;
* the steerable rows of `orbitlearn.apps.heat.rotations.STEERABLE_ROWS` (``steerable_c8``,
  ``steerable_c16``, ``steerable_so2``, ``relaxed_steerable``; e2cnn, `orbitlearn.apps.heat.steerable`).

The residual y = x + net(x) keeps every symmetry of net (the identity is equivariant); the last
layer starts at zero, so every model starts as y = x (this made the G-CNNs train far more reliably).
`build_field_model(name, params=P)` picks the width whose parameter count is closest to P, so the
models of a benchmark can be compared at (nearly) the same size.
"""

from __future__ import annotations

import torch
from torch import nn

from orbitlearn.apps.heat.rotations import STEERABLE_ROWS
from orbitlearn.nn.gconv import (
    GroupConv2d,
    GroupPool,
    LiftingConv2d,
    RelaxedGroupConv2d,
    RelaxedLiftingConv2d,
)

FIELD_MODELS = ("cnn", "gcnn", "relaxed_gcnn", *STEERABLE_ROWS)


def count_params(module: nn.Module) -> int:
    """Number of trainable scalars."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


class Residual(nn.Module):
    """y = x + net(x)."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.net(x)


def _cnn(width: int, depth: int, kernel_size: int, channels: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    c = channels
    for _ in range(depth - 1):
        layers += [
            nn.Conv2d(c, width, kernel_size, padding=kernel_size // 2, padding_mode="circular"),
            nn.ReLU(),
        ]
        c = width
    layers.append(
        nn.Conv2d(c, channels, kernel_size, padding=kernel_size // 2, padding_mode="circular")
    )
    return nn.Sequential(*layers)


def _gcnn(
    width: int, depth: int, kernel_size: int, channels: int, group: str, banks: int | None
) -> nn.Sequential:
    if banks is None:
        lift = LiftingConv2d(channels, width, kernel_size, group)
        mid = [GroupConv2d(width, width, kernel_size, group) for _ in range(depth - 2)]
        last = GroupConv2d(width, channels, kernel_size, group)
    else:
        lift = RelaxedLiftingConv2d(channels, width, kernel_size, group, banks)
        mid = [
            RelaxedGroupConv2d(width, width, kernel_size, group, banks) for _ in range(depth - 2)
        ]
        last = RelaxedGroupConv2d(width, channels, kernel_size, group, banks)
    layers: list[nn.Module] = [lift, nn.ReLU()]
    for layer in mid:
        layers += [layer, nn.ReLU()]
    layers += [last, GroupPool("mean")]
    return nn.Sequential(*layers)


def _zero_last(net: nn.Sequential) -> nn.Sequential:
    """Zero the last convolution, so every model starts as the identity map y = x."""
    last = [m for m in net if hasattr(m, "weight")][-1]
    with torch.no_grad():
        last.weight.zero_()
        if last.bias is not None:
            last.bias.zero_()
    return net


def _make(
    name: str, width: int, depth: int, kernel_size: int, channels: int, group: str, banks: int
) -> nn.Module:
    if name == "cnn":
        return Residual(_zero_last(_cnn(width, depth, kernel_size, channels)))
    if name == "gcnn":
        return Residual(_zero_last(_gcnn(width, depth, kernel_size, channels, group, None)))
    if name == "relaxed_gcnn":
        return Residual(_zero_last(_gcnn(width, depth, kernel_size, channels, group, banks)))
    if name in STEERABLE_ROWS:  # the last layer starts at zero inside SteerableFieldNet
        from orbitlearn.apps.heat.steerable import SteerableFieldNet

        net = SteerableFieldNet(STEERABLE_ROWS[name], width, depth, kernel_size, channels, banks)
        return Residual(net)
    raise ValueError(f"unknown field model {name!r}; expected one of {', '.join(FIELD_MODELS)}")


def build_field_model(
    name: str,
    *,
    width: int | None = None,
    params: int | None = None,
    depth: int = 4,
    kernel_size: int = 3,
    channels: int = 1,
    group: str = "p4",
    banks: int = 2,
) -> nn.Module:
    """A residual field model by name, with the given `width` or the width whose size is closest to `params`.

    depth counts convolution layers (≥ 2); `banks` is the number of filter banks of the relaxed layers.
    """
    if depth < 2:
        raise ValueError("depth must be at least 2")
    if (width is None) == (params is None):
        raise ValueError("give exactly one of width or params")
    if width is None:
        best = None
        for w in range(1, 257):
            n = count_params(_make(name, w, depth, kernel_size, channels, group, banks))
            if best is None or abs(n - params) < best[0]:
                best = (abs(n - params), w)
            if n > params:
                break
        width = best[1]
    model = _make(name, width, depth, kernel_size, channels, group, banks)
    model.width = width  # type: ignore[attr-defined]
    return model


class Unrolled(nn.Module):
    """k autoregressive steps of a one-channel field model, stacked on the channel axis:
    x ↦ f(x) ⊕ f(f(x)) ⊕ … ⊕ f^k(x)."""

    def __init__(self, inner: nn.Module, k: int):
        super().__init__()
        self.inner, self.k = inner, k

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outs = []
        for _ in range(self.k):
            x = self.inner(x)
            outs.append(x)
        return torch.cat(outs, dim=1)


class PairResidual(nn.Module):
    """f(x ⊕ y) = model(x) − y on stacked pairs, so one augmentation moves x and y together and
    the MSE against 0 is the MSE of model(x) against y."""

    def __init__(self, inner: nn.Module, c: int = 1):
        super().__init__()
        self.inner, self.c = inner, c

    def forward(self, xy: torch.Tensor) -> torch.Tensor:
        return self.inner(xy[:, : self.c]) - xy[:, self.c :]


__all__ = [
    "FIELD_MODELS",
    "PairResidual",
    "Residual",
    "Unrolled",
    "build_field_model",
    "count_params",
]
