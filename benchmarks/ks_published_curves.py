"""The published MLP(CNN) runs epoch by epoch, beside ours: `python benchmarks/ks_published_curves.py REPO`.

REPO is a clone (or bare git directory) of the published study's repository
(github.com/danielplatt/kreuzer-skarke-ML). Its TensorBoard logs under
data/runs/tensorboard/peter_runs/vanilla_full_runs hold the five runs per data set behind the
published MLP(CNN) numbers: the test accuracy (logged as "accuracy/val") and the mean training
loss of every epoch. This script reads them (a small reader of the event-file format, no
TensorBoard needed), checks that the mean best-epoch test accuracy of each data set is the
published number, and writes under benchmarks/results/ks/published/:

- vanilla_cnn_runs.csv: data set, run, epoch, test accuracy, training loss (every logged epoch);
- vanilla_cnn_best.json: per data set, each run's best epoch and accuracy and their mean;
- mlp_cnn_curves.png: the published runs' test accuracy over the first 100 epochs beside the
  reference-protocol cells of this benchmark (benchmarks/results/ks/cells) of the same model.
"""

from __future__ import annotations

import argparse
import csv
import json
import struct
import subprocess
import sys
from pathlib import Path

from orbitlearn.apps.ks.rows import REFERENCE_ROWS

LOGS = "data/runs/tensorboard/peter_runs/vanilla_full_runs"
#: the published data set name -> (the study's projection as our canon, our variant)
DATASETS = {
    "original": ("none", "orig"),
    "original_permuted": ("none", "rnd_perm"),
    "dirichlet": ("dirichlet_lex", "orig"),
    "dirichlet_permuted": ("dirichlet_lex", "rnd_perm"),
}
VARIANT_COLUMN = {"orig": 0, "rnd_perm": 1}  # the place of each variant in a published pair


def mlp_cnn_rows(canon: str) -> dict[bool, object]:
    """shuffle -> the reference row of the study's MLP(CNN) behind `canon` (the not-reshuffled
    one carries the published pair)."""
    return {
        r.train.get("shuffle", True): r
        for r in REFERENCE_ROWS
        if r.model == "ref_cnn_mlp" and r.canon == canon
    }


def published_number(dataset: str) -> float:
    canon, variant = DATASETS[dataset]
    return mlp_cnn_rows(canon)[False].published[VARIANT_COLUMN[variant]]


OUT = Path(__file__).resolve().parent / "results" / "ks" / "published"
CELLS = Path(__file__).resolve().parent / "results" / "ks" / "cells"


# ------------------------------------------------------------------ the event-file format


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _fields(buf: bytes):
    """(field number, wire type, value) of one protobuf message, without a schema."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        elif wire == 2:
            size, i = _varint(buf, i)
            value, i = buf[i : i + size], i + size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def scalar_events(data: bytes) -> list[tuple[int, str, float]]:
    """(step, tag, value) of every scalar summary in a TensorBoard event file's bytes.

    A file is a sequence of records (8-byte length, 4-byte CRC, payload, 4-byte CRC); a payload
    is an Event message: step is field 2, the Summary field 5, whose Values (field 1) carry a tag
    (field 1) and a float simple_value (field 2)."""
    out, i = [], 0
    while i + 12 <= len(data):
        (size,) = struct.unpack("<Q", data[i : i + 8])
        if i + 12 + size + 4 > len(data):  # a record cut off (a log still being written)
            break
        event = data[i + 12 : i + 12 + size]
        i += 12 + size + 4
        step, values = 0, []
        for number, _, value in _fields(event):
            if number == 2:
                step = value
            elif number == 5:
                for n2, _, v2 in _fields(value):
                    if n2 != 1:
                        continue
                    tag, scalar = None, None
                    for n3, w3, v3 in _fields(v2):
                        if n3 == 1:
                            tag = v3.decode()
                        elif n3 == 2 and w3 == 5:
                            (scalar,) = struct.unpack("<f", v3)
                    if scalar is not None:
                        values.append((tag, scalar))
        out += [(step, tag, scalar) for tag, scalar in values]
    return out


# ------------------------------------------------------------------ reading the repository


class Repo:
    """Files of a checkout, or of a bare git directory (read with `git show HEAD:path`)."""

    def __init__(self, path: Path):
        self.path = path
        self.bare = not (path / LOGS).exists()

    def files(self) -> list[str]:
        if not self.bare:
            return [
                str(p.relative_to(self.path)) for p in (self.path / LOGS).rglob("*") if p.is_file()
            ]
        listing = subprocess.run(
            ["git", "-C", str(self.path), "ls-tree", "-r", "--name-only", "HEAD", LOGS],
            capture_output=True,
            text=True,
            check=True,
        )
        return listing.stdout.split()

    def read(self, name: str) -> bytes:
        if not self.bare:
            return (self.path / name).read_bytes()
        return subprocess.run(
            ["git", "-C", str(self.path), "show", f"HEAD:{name}"], capture_output=True, check=True
        ).stdout


def published_runs(repo: Repo) -> dict[str, dict[int, dict[int, dict[str, float]]]]:
    """data set -> run -> epoch -> {"test_accuracy", "train_loss"}."""
    runs: dict = {}
    for name in repo.files():
        folder = name.split("/")[-2]  # e.g. accuracy_val_vanilla_nn_original_trygpu3
        for metric, key in (("accuracy_val_", "test_accuracy"), ("loss_train_", "train_loss")):
            if not folder.startswith(metric + "vanilla_nn_"):
                continue
            dataset, _, run = folder[len(metric + "vanilla_nn_") :].rpartition("_trygpu")
            for step, _, value in scalar_events(repo.read(name)):
                runs.setdefault(dataset, {}).setdefault(int(run), {}).setdefault(step, {})[key] = (
                    value
                )
    return runs


def best_epochs(runs: dict) -> dict:
    out = {}
    for dataset, by_run in sorted(runs.items()):
        best = {}
        for run, epochs in sorted(by_run.items()):
            epoch = max(epochs, key=lambda e: (epochs[e].get("test_accuracy", -1), -e))
            best[run] = {
                "best_epoch": epoch,
                "test_accuracy": 100 * epochs[epoch]["test_accuracy"],
                "epochs_logged": len(epochs),
            }
        mean = sum(b["test_accuracy"] for b in best.values()) / len(best)
        out[dataset] = {"runs": best, "mean_best_test_accuracy": mean}
    return out


# ------------------------------------------------------------------ our cells and the figure


def our_curves(row: str, variant: str) -> dict[str, list[float]]:
    """'run <seed>' -> test accuracy per epoch, for every finished cell of the row and variant."""
    out = {}
    for path in sorted(CELLS.glob("*.json")):
        cell = json.loads(path.read_text())
        if cell.get("row") == row and cell.get("variant") == variant and cell.get("curve"):
            out[f"run {cell['seed']}"] = [100 * c["val_accuracy"] for c in cell["curve"]]
    return out


def plot(runs: dict, path: Path, epochs: int = 100) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharex=True)
    for ax, (dataset, (canon, variant)) in zip(axes.flat, DATASETS.items()):
        rows, published = mlp_cnn_rows(canon), published_number(dataset)
        for i, (_run, by_epoch) in enumerate(sorted(runs.get(dataset, {}).items())):
            xs = [e for e in sorted(by_epoch) if e < epochs]
            ax.plot(
                xs,
                [100 * by_epoch[e]["test_accuracy"] for e in xs],
                color="0.6",
                lw=0.8,
                label="published runs (5)" if i == 0 else None,
            )
        for label, shuffle in (
            ("reshuffled every epoch", True),
            ("not reshuffled, as published", False),
        ):
            for run, curve in our_curves(rows[shuffle].name, variant).items():
                ax.plot(range(len(curve)), curve, lw=1.2, label=f"ours, {label}: {run}")
        ax.axhline(published, color="k", ls="--", lw=0.8, label=f"published {published:.2f}")
        early = {
            r: {e: m for e, m in ep.items() if e < epochs}
            for r, ep in runs.get(dataset, {}).items()
        }
        mean = (
            best_epochs({dataset: early})[dataset]["mean_best_test_accuracy"]
            if early
            else published
        )
        if abs(mean - published) > 0.05:  # their best came later
            ax.axhline(
                mean,
                color="0.4",
                ls=":",
                lw=0.8,
                label=f"published runs' best in {epochs} epochs: {mean:.2f}",
            )
        ax.set_title(f"{dataset}: {rows[True].name.replace(' [reference]', '')}, {variant}")
        ax.set_ylabel("test accuracy per epoch (%)")
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes[1]:
        ax.set_xlabel("epoch")
    fig.suptitle("MLP(CNN) on the published split: the published runs' logs beside our cells")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "repo", type=Path, help="clone or bare git directory of danielplatt/kreuzer-skarke-ML"
    )
    args = parser.parse_args(argv)
    runs = published_runs(Repo(args.repo))
    if not runs:
        print(f"no logs under {LOGS} in {args.repo}", file=sys.stderr)
        return 1
    best = best_epochs(runs)
    for dataset in DATASETS:
        published = published_number(dataset)
        got = best[dataset]["mean_best_test_accuracy"]
        print(
            f"{dataset}: mean best-epoch test accuracy of {len(best[dataset]['runs'])} runs {got:.2f} (published {published:.2f})"
        )
        if abs(got - published) > 0.01:
            print(f"  these logs do not give the published {published:.2f}", file=sys.stderr)
            return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "vanilla_cnn_runs.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["dataset", "run", "epoch", "test_accuracy", "train_loss"])
        for dataset, by_run in sorted(runs.items()):
            for run, epochs in sorted(by_run.items()):
                for epoch, m in sorted(epochs.items()):
                    writer.writerow(
                        [
                            dataset,
                            run,
                            epoch,
                            f"{m.get('test_accuracy', float('nan')):.6f}",
                            f"{m.get('train_loss', float('nan')):.6f}",
                        ]
                    )
    (OUT / "vanilla_cnn_best.json").write_text(json.dumps(best, indent=1) + "\n")
    plot(runs, OUT / "mlp_cnn_curves.png")
    print(f"wrote {OUT}/vanilla_cnn_runs.csv, vanilla_cnn_best.json, mlp_cnn_curves.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
