"""Frame averaging of any torch model over the 2^d PCA sign frames (Puny et al. 2022).

    f̄(x) = (1/2^d) Σ_S ρ_out(g_S)⁻¹ f(ρ_in(g_S) x),   g_S: x ↦ (x − c) U S

(`orbitlearn.frames`, `orbitlearn.averaging.frame_average`). f̄ is exactly E(d)-invariant
(scalar outputs) or -equivariant (position / vector outputs) on inputs whose covariance
eigenvalues are distinct; how many inputs of the last batch were near-degenerate is kept in
`last_degenerate` (never silent). With ``center=False`` the frames are those of O(d).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from orbitlearn.averaging import frame_average
from orbitlearn.frames import DEFAULT_REL_GAP, pca_frames
from orbitlearn.groups.claims import Equivariance, Invariance
from orbitlearn.groups.lie import LieGroup, euclidean_group, rotation_group
from orbitlearn.groups.pointcloud import Joint, PointCloud, point_cloud_inputs


def _action(group: LieGroup, roles: Sequence[str] | str) -> PointCloud | Joint:
    """PointCloud(group, role) for one role (a single array), Joint of them for a tuple."""
    if isinstance(roles, str):
        return PointCloud(group, roles)
    if len(roles) == 1:
        return PointCloud(group, roles[0])
    return point_cloud_inputs(group, *roles)


class FrameAveraging(nn.Module):
    """f̄ = the average of `model` over the PCA sign frames of the first "position" input.

    Parameters
    ----------
    model : torch module called as model(*inputs) in the frame.
    d : the dimension of the points.
    input_roles : the role of each forward argument ("position", "vector", "scalar").
    output_roles : the role of the output ("scalar" for an invariant model), or a tuple of roles
        when the model returns a tuple.
    center : subtract the centroid (E(d)) or not (O(d) about the origin).
    rel_gap : relative eigenvalue gap below which an input counts as degenerate.
    """

    def __init__(
        self,
        model: nn.Module,
        d: int = 3,
        *,
        input_roles: Sequence[str] = ("position",),
        output_roles: Sequence[str] | str = "scalar",
        center: bool = True,
        rel_gap: float = DEFAULT_REL_GAP,
    ):
        super().__init__()
        if "position" not in input_roles:
            raise ValueError("frame averaging needs a 'position' input to build the frames from")
        self.model = model
        self.d = int(d)
        self.input_roles = tuple(input_roles)
        self.output_roles = output_roles if isinstance(output_roles, str) else tuple(output_roles)
        self.center = bool(center)
        self.rel_gap = float(rel_gap)
        self.last_degenerate = 0
        self.last_count = 0
        group = euclidean_group(self.d) if self.center else rotation_group(self.d, reflections=True)
        if len(self.input_roles) == 1 and self.output_roles == "scalar":
            self.symmetry: Invariance | Equivariance = Invariance(PointCloud(group, "position"))
        else:
            self.symmetry = Equivariance(
                _action(group, self.input_roles), _action(group, self.output_roles)
            )

    def forward(self, *inputs: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """The frame average of model(*inputs); `mask` (B, n) excludes padded points from the frame."""
        pos = inputs[self.input_roles.index("position")]
        frames = pca_frames(pos, mask, center=self.center, rel_gap=self.rel_gap)
        self.last_degenerate = frames.n_degenerate
        self.last_count = int(pos.shape[0])
        return frame_average(self.model, inputs, self.input_roles, self.output_roles, frames)

    def extra_repr(self) -> str:
        """The wrapper's settings for printing."""
        return f"d={self.d}, inputs={self.input_roles}, output={self.output_roles}"


__all__ = ["FrameAveraging"]
