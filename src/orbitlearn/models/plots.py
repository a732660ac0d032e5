"""Pictures of evaluation results (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from orbitlearn.fileio import save_figure


def plot_confusion(report: dict, path: str | Path, label: str = "class") -> Path:
    """Row-normalised confusion matrix (true `label` down, predicted across) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = report["confusion"]["labels"]
    m = np.asarray(report["confusion"]["matrix"], dtype=float)
    rows = m.sum(axis=1, keepdims=True)
    norm = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    fig, ax = plt.subplots(figsize=(8, 7))
    im = ax.imshow(norm, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel(f"predicted {label}")
    ax.set_ylabel(f"true {label}")
    ax.set_title(f"accuracy {100 * report['accuracy']:.2f}% on {report['count']} entries")
    fig.colorbar(im, ax=ax, label="share of the true class")
    fig.tight_layout()
    path = save_figure(fig, path, dpi=120)
    plt.close(fig)
    return path
