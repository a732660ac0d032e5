"""ε of point-cloud models under E(3), three ways, and against the rotation angle.

Four models on seeded Gaussian point clouds (8 clouds of 6 points in R^3, seed 0):
an EGNN (E(3)-equivariant by construction), the same EGNN in float32, an MLP on the flattened
coordinates (centred: translations only), and that MLP averaged over the PCA sign frames (`FrameAveraging`),
plus the MLP averaged over k Haar-random rotations (Monte Carlo, approximate). For each:
ε sampled (testing elements + 16 Haar samples), ε adversarial, ε Lie derivative
(`orbitlearn.lie_error.continuous_error`), and the relative error at rotations by θ about a
fixed axis, θ ∈ [0, 2π]. Writes benchmarks/results/continuous/{results.json, results.md,
eps_vs_angle.png}.

    python benchmarks/continuous_eps.py
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import torch

from orbitlearn.groups import E3, O3, SO3, PointCloud
from orbitlearn.lie_error import continuous_error
from orbitlearn.nn import EGNN, FrameAveraging, Symmetrized, mlp
from orbitlearn.symmetry import equivariance_error, invariance_error

OUT = Path(__file__).resolve().parent / "results" / "continuous"
AXIS = np.array([1.0, 2.0, -0.5]) / np.linalg.norm([1.0, 2.0, -0.5])
N_POINTS, N_CLOUDS = 6, 8


class FlatMLP(torch.nn.Module):
    """An MLP on the flattened centred coordinates, (B, n, 3) -> (B, out): translation
    invariant by the centring, not rotation invariant."""

    def __init__(self, out: int):
        super().__init__()
        self.net = mlp([3 * N_POINTS, 64, 64, out], activation=torch.nn.Tanh)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - x.mean(-2, keepdim=True)).reshape(len(x), -1))


class EGNNPositions(torch.nn.Module):
    """An EGNN's output positions from unit features: (B, n, 3) -> (B, n, 3)."""

    def __init__(self):
        super().__init__()
        self.egnn = EGNN(1, 32, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.egnn(torch.ones(*x.shape[:2], 1, dtype=x.dtype), x)[1]


def models() -> dict[str, tuple[torch.nn.Module, str, torch.dtype]]:
    """name -> (module, output role: "position" or "scalar", dtype)."""
    torch.manual_seed(0)
    egnn = EGNNPositions().double()
    torch.manual_seed(0)
    egnn32 = EGNNPositions().float()
    torch.manual_seed(1)
    flat = FlatMLP(2).double()
    return {
        "EGNN (float64)": (egnn, "position", torch.float64),
        "EGNN (float32)": (egnn32, "position", torch.float32),
        "MLP on centred flat coordinates": (flat, "scalar", torch.float64),
        "MLP, frame-averaged (2^3 sign frames)": (FrameAveraging(flat), "scalar", torch.float64),
        "MLP, Haar Monte Carlo (k=16)": (
            Symmetrized(flat, PointCloud(O3()), mode="mc", k=16, seed=0, resample=False),
            "scalar",
            torch.float64,
        ),
    }


def main() -> None:
    """Measure, write results.json / results.md and the figure."""
    torch.set_num_threads(1)
    x64 = torch.as_tensor(np.random.default_rng(0).normal(size=(N_CLOUDS, N_POINTS, 3)))
    angles = np.linspace(0.0, 2 * np.pi, 181)
    rotations = [SO3().exp(a * AXIS) for a in angles]
    group = E3()
    rows, curves = {}, {}
    for name, (model, role, dtype) in models().items():
        x = x64.to(dtype)
        out_action = PointCloud(group, role) if role != "scalar" else None
        report = continuous_error(model, PointCloud(group), out_action, x, n_samples=16, rng=0)
        rows[name] = {
            "eps_sampled": report.eps_sampled,
            "eps_adversarial": report.eps_adversarial,
            "eps_lie": report.eps_lie,
        }
        so3 = PointCloud(SO3(), "position")
        if role == "scalar":
            curve = invariance_error(model, so3, x, elements=rotations)
        else:
            curve = equivariance_error(model, so3, PointCloud(SO3(), role), x, elements=rotations)
        curves[name] = curve.rel_errors.max(axis=1).tolist()
    mc_vs_k = {}
    for k in (1, 4, 16, 64, 256):
        torch.manual_seed(1)
        flat = FlatMLP(2).double()
        avg = Symmetrized(flat, PointCloud(O3()), mode="mc", k=k, seed=0, resample=False)
        rep = invariance_error(avg, PointCloud(group), x64, n_samples=16, rng=0)
        mc_vs_k[k] = {"max_rel": rep.max_rel, "mean_rel": rep.mean_rel, "mean_abs": rep.mean_abs}
    record = {
        "setup": f"{N_CLOUDS} Gaussian clouds of {N_POINTS} points, seed 0; E(3); "
        "16 Haar samples + testing elements; rotations about a fixed oblique axis",
        "machine": f"{platform.processor() or platform.machine()}, torch {torch.__version__}, 1 thread",
        "eps": rows,
        "haar_mc_vs_k": mc_vs_k,
        "angles": angles.tolist(),
        "eps_vs_angle": curves,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(record, indent=1) + "\n")
    lines = [
        "# ε of point-cloud models under E(3)",
        "",
        record["setup"] + ".",
        "",
        "| model | ε sampled | ε adversarial | ε Lie derivative |",
        "|---|---|---|---|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['eps_sampled']:.2e} | {r['eps_adversarial']:.2e} | {r['eps_lie']:.2e} |"
        )
    lines += [
        "",
        "Haar Monte Carlo average of the MLP over k fixed O(3) samples, ε sampled under E(3):",
        "",
        "| k | max relative ε | mean relative ε | mean absolute ε |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {k} | {v['max_rel']:.3f} | {v['mean_rel']:.3f} | {v['mean_abs']:.4f} |"
        for k, v in mc_vs_k.items()
    ]
    lines += ["", f"Machine: {record['machine']}."]
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    plot(angles, curves)


def plot(angles: np.ndarray, curves: dict[str, list[float]]) -> None:
    """ε (largest relative error over the clouds) against the rotation angle, log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for name, ys in curves.items():
        ax.semilogy(np.degrees(angles), np.maximum(ys, 1e-18), label=name)
    ax.set_xlabel("rotation angle θ (degrees) about a fixed axis")
    ax.set_ylabel("relative error ε(θ)")
    ax.set_xticks(range(0, 361, 45))
    ax.legend(fontsize=7, loc="center right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(OUT / "eps_vs_angle.png", dpi=110)


if __name__ == "__main__":
    main()
