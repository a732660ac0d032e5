"""Steerable field networks for the heat benchmark (Weiler & Cesa 2019, through e2cnn), strict and
relaxed (Wang, Walters & Yu 2022), each declaring the rotation group it is built for.

A steerable convolution K ⋆ f with K(R_θ p) = ρ_out(θ) K(p) ρ_in(θ)⁻¹ is equivariant under the
rotations θ of its group: C_N (fields in the regular representation, pointwise ReLU) or SO(2)
(band-limited irreps 0…L, ReLU on scalars and a norm nonlinearity on vectors, `NormReLU`). On
the grid the kernel is sampled, so the equivariance is exact for quarter turns (the sampled basis
is invariant under rot90) and approximate for other angles. Rows:

* ``steerable_c8``, ``steerable_c16``: regular C8 / C16 fields;
* ``steerable_so2``: SO(2) fields of frequencies 0…`SO2_FREQUENCY`;
* ``relaxed_steerable``: C8 regular fields, each layer Σ_l w_l(g) · (steerable conv ψ_l), with
  the mixing weights w_l(g) on the fibre's group element g (output side for the lifting layer,
  input side after it, as in the relaxed group convolution); equal weights over g give a strict
  steerable layer with filter Σ_l w_l ψ_l; `relaxation_penalty()` = Σ_l Σ_{g<g′} |w_l(g) − w_l(g′)|.

All convolutions pad periodically (circular), like `orbitlearn.nn.gconv`. e2cnn is the optional
extra ``steerable``; importing this module without it raises an OrbitlearnError naming the extra.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import nn

from orbitlearn.apps.heat.rotations import SO2_FREQUENCY, RotationSymmetry, SteerableSpec
from orbitlearn.extras import import_optional


def _e2cnn():
    """e2cnn, made to run with numpy 2 (see `_patch_numpy2`), or a user error naming the extra."""
    e2cnn = import_optional("e2cnn", "the steerable rows")
    _patch_numpy2()
    return e2cnn


_PATCHED = False


def _patch_numpy2() -> None:
    """e2cnn 0.2.3 hashes kernel bases with ndarray.tostring(), which numpy 2 removed: give those
    four classes the same hash through tobytes() (equal bytes, so equal hashes as before)."""
    global _PATCHED
    if _PATCHED:
        return
    from e2cnn.kernels import irreps_basis as ib

    def _bytes(a) -> bytes:
        return np.asarray(a).tobytes()

    def hash_mu(self) -> int:
        return hash(self.in_irrep) + hash(self.out_irrep) + hash(_bytes(self.mu)) + hash(self.gamma)

    def hash_mu_gamma(self) -> int:
        return (
            hash(self.in_irrep)
            + hash(self.out_irrep)
            + hash(_bytes(self.mu))
            + hash(_bytes(self.gamma))
        )

    for name in (
        "R2FlipsSolution",
        "R2FlipsDiscreteRotationsSolution",
        "R2FlipsContinuousRotationsSolution",
    ):
        getattr(ib, name).__hash__ = hash_mu
    ib.R2ContinuousRotationsSolution.__hash__ = hash_mu_gamma
    _PATCHED = True


def _gspace(order: int | None):
    gspaces = _e2cnn().gspaces
    if order is None:
        return gspaces.Rot2dOnR2(-1, maximum_frequency=SO2_FREQUENCY)
    return gspaces.Rot2dOnR2(order)


def _conv(in_type, out_type, kernel_size: int):
    enn = _e2cnn().nn
    return enn.R2Conv(
        in_type, out_type, kernel_size, padding=kernel_size // 2, padding_mode="circular"
    )


class RelaxedR2Conv(nn.Module):
    """Σ_l w_l(g) (ψ_l ⋆ f) over L steerable convolutions ψ_l between C_N fields.

    With a trivial (image) input the weights act on the output fibre: [f ⋆̃ Ψ](g) = Σ_l w_l(g)
    [f ⋆ ψ_l](g) = f ⋆ R_g Σ_l w_l(g) ψ_l (the relaxed lifting). With regular-field input they
    act on the input fibre: Σ_l ψ_l ⋆ (w_l(h) f(h)) (the relaxed group convolution). The weights
    (L, N) start at 1/L, where the layer is the steerable convolution with filter Σ_l ψ_l / L.
    """

    def __init__(self, in_type, out_type, kernel_size: int, banks: int, order: int):
        super().__init__()
        enn = _e2cnn().nn
        if banks < 1:
            raise ValueError("banks must be at least 1")
        self.in_type, self.out_type = in_type, out_type
        self.banks, self.order = int(banks), int(order)
        self.side = "out" if all(r.is_trivial() for r in in_type.representations) else "in"
        if self.side == "out":
            wide = enn.FieldType(out_type.gspace, list(out_type.representations) * self.banks)
            self.conv = _conv(in_type, wide, kernel_size)
        else:
            wide = enn.FieldType(in_type.gspace, list(in_type.representations) * self.banks)
            self.conv = _conv(wide, out_type, kernel_size)
        self.mixing = nn.Parameter(torch.full((self.banks, self.order), 1.0 / self.banks))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        enn = _e2cnn().nn
        b, h, w = x.shape[0], x.shape[-2], x.shape[-1]
        n = self.order
        if self.side == "out":
            y = self.conv(enn.GeometricTensor(x, self.in_type)).tensor
            y = y.view(b, self.banks, -1, n, h, w) * self.mixing[None, :, None, :, None, None]
            return y.sum(dim=1).reshape(b, -1, h, w)
        xs = x.view(b, 1, -1, n, h, w) * self.mixing[None, :, None, :, None, None]
        wide = enn.GeometricTensor(xs.reshape(b, -1, h, w), self.conv.in_type)
        return self.conv(wide).tensor

    def relaxation_penalty(self) -> torch.Tensor:
        """Σ_l Σ_{g<g′} |w_l(g) − w_l(g′)|: zero exactly when the layer is strictly steerable."""
        w = self.mixing
        return (w[:, :, None] - w[:, None, :]).abs().sum() / 2


class SteerableFieldNet(nn.Module):
    """(B, 1, H, W) → (B, 1, H, W): lifting to `width` fields, `depth − 2` steerable layers,
    a steerable convolution back to one scalar field; the last layer starts at zero."""

    def __init__(
        self,
        spec: SteerableSpec,
        width: int,
        depth: int = 4,
        kernel_size: int = 3,
        channels: int = 1,
        banks: int = 2,
    ):
        super().__init__()
        with warnings.catch_warnings():
            # e2cnn's basis sampling calls torch in ways torch now warns about (uint8 masks,
            # meshgrid without indexing=); harmless here, and noisy in every benchmark run
            warnings.filterwarnings("ignore", message=".*(uint8|meshgrid).*", category=UserWarning)
            self._build(spec, width, depth, kernel_size, channels, banks)

    def _build(
        self,
        spec: SteerableSpec,
        width: int,
        depth: int,
        kernel_size: int,
        channels: int,
        banks: int,
    ) -> None:
        enn = _e2cnn().nn
        self.spec = spec
        order = spec.symmetry.order
        gs = _gspace(order)
        self.in_type = enn.FieldType(gs, [gs.trivial_repr] * channels)
        if order is None:  # band-limited SO(2) fields: frequencies 0…L, `NormReLU`
            # grouped by frequency: fields of one size side by side keep the nonlinearity fast
            field = [gs.irrep(k) for k in range(SO2_FREQUENCY + 1) for _ in range(width)]
            hidden = enn.FieldType(gs, field)
        else:
            hidden = enn.FieldType(gs, [gs.regular_repr] * width)
        types = [self.in_type] + [hidden] * (depth - 1) + [self.in_type]
        layers: list[nn.Module] = []
        for i, (t_in, t_out) in enumerate(zip(types[:-1], types[1:])):
            if spec.relaxed:
                layers.append(RelaxedR2Conv(t_in, t_out, kernel_size, banks, order))
            else:
                layers.append(_Plain(_conv(t_in, t_out, kernel_size)))
            if i < depth - 1:
                layers.append(_nonlinearity(t_out, order, width))
        self.net = nn.Sequential(*layers)
        _own_buffers(self)
        last = self.net[-1]
        conv = last.conv if isinstance(last, RelaxedR2Conv) else last.module
        with torch.no_grad():
            conv.weights.zero_()
            if conv.bias is not None:
                conv.bias.zero_()

    @property
    def symmetry(self) -> RotationSymmetry:
        """The rotations the network commutes with (see `RotationSymmetry`)."""
        return self.spec.symmetry

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class _Plain(nn.Module):
    """An e2cnn module on plain tensors (the field type of its input is known)."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        enn = _e2cnn().nn
        return self.module(enn.GeometricTensor(x, self.module.in_type)).tensor


def _own_buffers(module: nn.Module) -> None:
    """Give every buffer its own memory: e2cnn keeps expanded (broadcast) index buffers, which
    `load_state_dict` cannot copy into (the trainer restores the best epoch's state that way)."""
    for m in module.modules():
        for name, buf in list(m._buffers.items()):
            if buf is not None:
                m._buffers[name] = buf.clone()


class NormReLU(nn.Module):
    """The SO(2) fields' nonlinearity on channels laid out as `width` scalars, then `width`
    2-vectors per frequency 1…L: ReLU on the scalars, v ↦ v·relu(‖v‖ − b)/‖v‖ on each vector
    (b learned per field). Rotations act on a vector by an orthogonal 2 × 2 matrix and keep ‖v‖,
    so this commutes with them (e2cnn's NormNonLinearity computes the same for the vectors, but
    through a norm reduction that is slow on the CPU)."""

    def __init__(self, width: int, frequencies: int):
        super().__init__()
        self.width, self.frequencies = int(width), int(frequencies)
        self.bias = nn.Parameter(torch.zeros(self.width * self.frequencies))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, w, h, wd = x.shape[0], self.width, x.shape[-2], x.shape[-1]
        v = x[:, w:].reshape(b, -1, 2, h, wd)
        norm = torch.sqrt((v * v).sum(dim=2, keepdim=True) + 1e-12)
        scale = torch.relu(norm - self.bias[None, :, None, None, None]) / norm
        return torch.cat([torch.relu(x[:, :w]), (v * scale).reshape(b, -1, h, wd)], dim=1)


def _nonlinearity(field_type, order: int | None, width: int) -> nn.Module:
    if order is None:
        return NormReLU(width, SO2_FREQUENCY)
    return _Plain(_e2cnn().nn.ReLU(field_type))


def steerable_relaxation_penalty(module: nn.Module) -> torch.Tensor:
    """Σ of `relaxation_penalty()` over every `RelaxedR2Conv` in `module` (0 when there is none)."""
    terms = [m.relaxation_penalty() for m in module.modules() if isinstance(m, RelaxedR2Conv)]
    return torch.stack(terms).sum() if terms else torch.zeros(())


__all__ = ["NormReLU", "RelaxedR2Conv", "SteerableFieldNet", "steerable_relaxation_penalty"]
