"""Group convolutions on periodic grids for p4 (C4) and p4m (D4), strict and relaxed.

Feature maps after the lifting layer carry a group axis: (B, C, |G|, H, W), and G acts on them
by the regular representation (`orbitlearn.groups.regular.RegularAction`):
(ρ(u)f)(g, p) = f(u⁻¹g, R_u⁻¹p). Every convolution is a cross-correlation with circular padding,
so H and W are kept and the layers commute with periodic shifts as well.

* lifting: `[f ⋆ ψ](g, p)  = Σ_{c,q} f_c(p + q) (R_g ψ)_c(q)`
* group: `[f ⋆ ψ](g, p)  = Σ_{h,c,q} f_c(h, p + q) (R_g ψ_c(g⁻¹h))(q)`
* relaxed: `[f ⋆̃ Ψ](g, p) = Σ_{h,c,q} f_c(h, p + q) (R_g Σ_l w_l(h) ψ_{l,c}(g⁻¹h))(q)`
  (Wang, Walters and Yu, ICML 2022): L filter banks mixed by weights that depend on the group
  element; when w_l(h) does not depend on h it is the strict layer with filter Σ_l w_l ψ_l.

Kernels must have odd size so that R_g rotates them about their centre pixel, which is what
makes the equivariance exact on the grid.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from orbitlearn.groups.action import Action
from orbitlearn.groups.algebra import Group
from orbitlearn.groups.claims import Equivariance, Invariance
from orbitlearn.groups.concrete import Permutation
from orbitlearn.groups.regular import RegularAction, group_table, point_group, wallpaper_name

#: what a G-CNN layer is built for: "p4" / "p4m", the point group C4 / D4, or an action of it
GroupSpec = str | Group | Action


def _check(kernel_size: int) -> None:
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be odd and positive (got {kernel_size})")


def circular_conv2d(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None
) -> torch.Tensor:
    """Cross-correlation with periodic padding: y(p) = Σ_q x(p + q mod (H, W)) w(q) + b."""
    k = weight.shape[-1] // 2
    if k:
        x = F.pad(x, (k, k, k, k), mode="circular")
    return F.conv2d(x, weight, bias)


class _GroupLayer(nn.Module):
    """Shared bookkeeping: the point group, its Cayley table and the spatial action on kernels."""

    #: the action on the layer's input and output: "image" (B, C, H, W) or "regular" (B, C, |G|, H, W)
    space_in = "regular"
    space_out = "regular"
    #: True when the layer is exactly equivariant (relaxed layers only approximately)
    strict = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, group: GroupSpec):
        super().__init__()
        group = wallpaper_name(group)
        _check(kernel_size)
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = int(kernel_size)
        self.group = group
        self._point = point_group(group)
        self._table = group_table(group)
        # the elements as Python ints (k, or (k, f)): numpy arrays would be traced as tensors by
        # torch.compile and break the graph where the rotation reads them
        self._plain_elements = [
            int(e) if np.ndim(e) == 0 else tuple(int(v) for v in np.ravel(e))
            for e in self._table.elements
        ]
        n = self._table.order
        perms = torch.stack(
            [torch.as_tensor(self._table.left_perm(g)) for g in range(n)]
        )  # perms[g, h] = index(g⁻¹h)
        self.register_buffer("_perms", perms, persistent=False)

    @property
    def group_order(self) -> int:
        return self._table.order

    def _make_parameters(self, bias: bool, banks: int | None = None) -> None:
        """The filter (C', C, k, k) on images or (C', C, |G|, k, k) on the regular representation,
        He-scaled; with `banks`, L = banks such filters stacked in front, scaled so that their
        mean at the equal starting weights has the strict filter's std, and the mixing weights
        w (L, |G|), all 1 / L. Then the bias (C')."""
        k, n = self.kernel_size, self.group_order
        dims = (k, k) if self.space_in == "image" else (n, k, k)
        fan_in = self.in_channels * math.prod(dims)
        if banks is None:
            shape, scale = (self.out_channels, self.in_channels, *dims), math.sqrt(2.0 / fan_in)
        else:
            shape = (banks, self.out_channels, self.in_channels, *dims)
            scale = math.sqrt(2.0 * banks / fan_in)
        self.weight = nn.Parameter(torch.randn(*shape) * scale)
        if banks is not None:
            self.mixing = nn.Parameter(torch.full((banks, n), 1.0 / banks))
        self.bias = nn.Parameter(torch.zeros(self.out_channels)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The ordinary circular convolution with the layer's `full_weight()` (which every
        layer class builds from its filter)."""
        n = self.group_order
        bias = None if self.bias is None else self.bias.repeat_interleave(n)
        if self.space_in == "regular":  # (B, C, |G|, H, W) -> (B, C·|G|, H, W)
            x = x.reshape(x.shape[0], -1, *x.shape[-2:])
        y = circular_conv2d(x, self.full_weight(), bias)
        return y.view(x.shape[0], self.out_channels, n, *y.shape[-2:])

    def _space(self, kind: str) -> Action:
        return point_group(self.group) if kind == "image" else RegularAction(self.group)

    @property
    def approximate_symmetry(self) -> Equivariance:
        """The equivariance the layer is built around (exact for strict layers)."""
        return Equivariance(self._space(self.space_in), self._space(self.space_out))

    @property
    def symmetry(self) -> Equivariance | None:
        """The exact claim: the equivariance for strict layers, None for relaxed ones."""
        return self.approximate_symmetry if self.strict else None

    def _rotate(self, g: int, w: torch.Tensor) -> torch.Tensor:
        """R_g applied to the last two (kernel) axes."""
        return self._point.act(self._plain_elements[g], w)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"group={self.group!r}"
        )


class LiftingConv2d(_GroupLayer):
    """(B, C, H, W) → (B, C', |G|, H, W): `[f ⋆ ψ](g, p) = Σ_{c,q} f_c(p + q)(R_g ψ)_c(q) + b`."""

    space_in = "image"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        group: GroupSpec = "p4",
        bias: bool = True,
    ):
        super().__init__(in_channels, out_channels, kernel_size, group)
        self._make_parameters(bias)

    def full_weight(self) -> torch.Tensor:
        """The (C'·|G|, C, k, k) kernel of the equivalent ordinary convolution."""
        w = torch.stack([self._rotate(g, self.weight) for g in range(self.group_order)], dim=1)
        return w.reshape(-1, self.in_channels, self.kernel_size, self.kernel_size)


class GroupConv2d(_GroupLayer):
    """(B, C, |G|, H, W) → (B, C', |G|, H, W): `[f ⋆ ψ](g, p) = Σ_{h,c,q} f_c(h, p+q)(R_g ψ_c(g⁻¹h))(q) + b`."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        group: GroupSpec = "p4",
        bias: bool = True,
    ):
        super().__init__(in_channels, out_channels, kernel_size, group)
        self._make_parameters(bias)

    def transformed(self, psi: torch.Tensor, g: int) -> torch.Tensor:
        """(L_g ψ)(h) = R_g ψ(g⁻¹h) for a filter ψ of shape (C', C, |G|, k, k)."""
        return self._rotate(g, psi[:, :, self._perms[g]])

    def full_weight(self) -> torch.Tensor:
        """The (C'·|G|, C·|G|, k, k) kernel of the equivalent ordinary convolution."""
        n, k = self.group_order, self.kernel_size
        w = torch.stack([self.transformed(self.weight, g) for g in range(n)], dim=1)
        return w.reshape(self.out_channels * n, self.in_channels * n, k, k)


class _RelaxedLayer(_GroupLayer):
    """What the relaxed layers share: L filter banks ψ_l mixed by weights w (L, |G|) that start
    equal (then the layer is exactly its strict counterpart) and may drift apart in training."""

    strict = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        group: GroupSpec = "p4",
        num_filter_banks: int = 2,
        bias: bool = True,
    ):
        super().__init__(in_channels, out_channels, kernel_size, group)
        if num_filter_banks < 1:
            raise ValueError("num_filter_banks must be at least 1")
        self.num_filter_banks = int(num_filter_banks)
        self._make_parameters(bias, banks=self.num_filter_banks)

    def mixed_filter(self) -> torch.Tensor:
        """Σ_l w̄_l ψ_l with w̄_l the mean weight over G: the strict filter the layer equals at equal weights."""
        return torch.einsum("l,l...->...", self.mixing.mean(dim=1), self.weight)

    def relaxation_penalty(self) -> torch.Tensor:
        """Σ_l Σ_{h<h'} |w_l(h) − w_l(h')|: zero exactly when the layer is equivariant by construction."""
        w = self.mixing
        return (w[:, :, None] - w[:, None, :]).abs().sum() / 2

    def to_strict(self) -> LiftingConv2d | GroupConv2d:
        """The strict layer (LiftingConv2d on images, GroupConv2d on the regular representation)
        with filter Σ_l w̄_l ψ_l: equal to this layer when its mixing weights are equal over G."""
        kind = LiftingConv2d if self.space_in == "image" else GroupConv2d
        strict = kind(
            self.in_channels,
            self.out_channels,
            self.kernel_size,
            self.group,
            bias=self.bias is not None,
        )
        with torch.no_grad():
            strict.weight.copy_(self.mixed_filter())
            if self.bias is not None:
                strict.bias.copy_(self.bias)
        return strict

    def extra_repr(self) -> str:
        """The layer's settings for printing."""
        return super().extra_repr() + f", num_filter_banks={self.num_filter_banks}"


class RelaxedGroupConv2d(_RelaxedLayer):
    """(B, C, |G|, H, W) → (B, C', |G|, H, W): `[f ⋆̃ Ψ](g) = Σ_h f(h) ⋆ R_g Σ_l w_l(h) ψ_l(g⁻¹h) + b`.

    `num_filter_banks` = L filter banks ψ_l; the mixing weights w (L, |G|) start equal (then the
    layer is exactly equivariant) and may drift apart in training; `relaxation_penalty()` measures
    how far: Σ_l Σ_{h<h'} |w_l(h) − w_l(h')|.
    """

    def full_weight(self) -> torch.Tensor:
        """The (C'·|G|, C·|G|, k, k) kernel: block (g, h) is R_g Σ_l w_l(h) ψ_l(g⁻¹h)."""
        n, k = self.group_order, self.kernel_size
        blocks = []
        for g in range(n):
            psi = self.weight[:, :, :, self._perms[g]]  # (L, C', C, |G|, k, k): ψ_l(g⁻¹h)
            mixed = torch.einsum("lh,lochij->ochij", self.mixing, psi)
            blocks.append(self._rotate(g, mixed))
        w = torch.stack(blocks, dim=1)
        return w.reshape(self.out_channels * n, self.in_channels * n, k, k)


class RelaxedLiftingConv2d(_RelaxedLayer):
    """(B, C, H, W) → (B, C', |G|, H, W): `[f ⋆̃ Ψ](g) = f ⋆ R_g Σ_l w_l(g) ψ_l + b`.

    Equal mixing weights over g give the strict `LiftingConv2d` with filter Σ_l w_l ψ_l.
    """

    space_in = "image"

    def full_weight(self) -> torch.Tensor:
        """The lifted filter bank (C'·|G|, C, k, k): every group element's rotated, mixed filter."""
        n, k = self.group_order, self.kernel_size
        w = torch.stack(
            [
                self._rotate(g, torch.einsum("l,lcdij->cdij", self.mixing[:, g], self.weight))
                for g in range(n)
            ],
            dim=1,
        )
        return w.reshape(-1, self.in_channels, k, k)


class GroupPool(nn.Module):
    """(B, C, |G|, H, W) → (B, C, H, W): y(p) = max_g f(g, p) or mean_g f(g, p) (G-invariant pooling of the fibre)."""

    def __init__(self, kind: str = "mean", group: GroupSpec | None = None):
        super().__init__()
        if kind not in ("max", "mean"):
            raise ValueError(f"pooling kind must be 'max' or 'mean' (got {kind!r})")
        self.kind = kind
        self.group = None if group is None else wallpaper_name(group)

    @property
    def symmetry(self) -> Equivariance | Invariance:
        """With `group`: regular representation in, the point group on the image out. Without:
        invariance under any permutation of the group axis (-3), which pooling alone gives."""
        if self.group is None:
            return Invariance(Permutation(None, axis=-3))
        return Equivariance(RegularAction(self.group), point_group(self.group))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.amax(dim=2) if self.kind == "max" else x.mean(dim=2)

    def extra_repr(self) -> str:
        """The layer's settings for printing."""
        return f"kind={self.kind!r}" + (f", group={self.group!r}" if self.group else "")


def relaxation_penalty(module: nn.Module) -> torch.Tensor:
    """Σ of `relaxation_penalty()` over every relaxed layer inside `module` (0 when there is none)."""
    terms = [m.relaxation_penalty() for m in module.modules() if isinstance(m, _RelaxedLayer)]
    if not terms:
        return torch.zeros(())
    return torch.stack(terms).sum()


__all__ = [
    "LiftingConv2d",
    "GroupConv2d",
    "RelaxedGroupConv2d",
    "RelaxedLiftingConv2d",
    "GroupPool",
    "circular_conv2d",
    "relaxation_penalty",
]
