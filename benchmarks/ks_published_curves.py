"""The published runs epoch by epoch, beside ours: `python benchmarks/ks_published_curves.py REPO`.

REPO is a clone (or bare git directory) of the published study's repository
(github.com/danielplatt/kreuzer-skarke-ML). Its TensorBoard logs hold the runs behind two of the
published numbers, each logged per epoch as the test accuracy ("accuracy/val") and the mean
training loss:

- MLP(CNN), the study's VanillaCNN: data/runs/tensorboard/peter_runs/vanilla_full_runs, five runs
  on each of the matrices as given, randomly permuted, and both behind the Dirichlet projection;
- the encoder–decoder, the study's `invariantmlp`: data/runs/tensorboard/invariantMLP_latest, five
  runs on the matrices as given and three on permuted ones.

This script reads them (a small reader of the event-file format, no TensorBoard needed), checks
that the mean best-epoch test accuracy of each data set is the published number, and writes under
benchmarks/results/ks/published/, for each study (`vanilla_cnn`, `encoder_decoder`):

- <study>_runs.csv: data set, run, epoch, test accuracy, training loss (every logged epoch);
- <study>_best.json: per data set, each run's best epoch and accuracy and their mean, and the
  best within the epoch budget of our row;
- <study>_curves.png: the published runs' test accuracy per epoch beside the reference-protocol
  cells of this benchmark (benchmarks/results/ks/cells) of the same model.
"""

from __future__ import annotations

import argparse
import csv
import json
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from orbitlearn.apps.ks.bench import DEFAULT_TRAIN
from orbitlearn.apps.ks.rows import REFERENCE_ROWS

OUT = Path(__file__).resolve().parent / "results" / "ks" / "published"
CELLS = Path(__file__).resolve().parent / "results" / "ks" / "cells"
VARIANT_COLUMN = {"orig": 0, "rnd_perm": 1}  # the place of each variant in a published pair


@dataclass(frozen=True)
class Study:
    """One published model's logged runs and the reference rows of ours that reproduce it."""

    name: str  # the stem of the files written
    title: str
    logs: str  # the folder of its TensorBoard logs in the study's repository
    model: str  # our name of the model (RowSpec.model)
    prefix: str  # a log folder is <metric>_<prefix><data set><run marker><run>
    run_marker: str
    #: the study's data set -> (the study's projection as our canon, our variant)
    datasets: dict[str, tuple[str, str]]
    shown: int | None  # the epochs shown in the figure (None: all)

    def rows(self, canon: str) -> list:
        """Our reference rows of the model behind `canon`, the one beside the published pair first."""
        rows = [r for r in REFERENCE_ROWS if r.model == self.model and r.canon == canon]
        return sorted(rows, key=lambda r: r.published is None)

    def published_number(self, dataset: str) -> float:
        canon, variant = self.datasets[dataset]
        return self.rows(canon)[0].published[VARIANT_COLUMN[variant]]

    def parse(self, folder: str) -> tuple[str, str, int] | None:
        """(metric, data set, run) of a log folder's name, or None for another model's folder."""
        for metric, key in (("accuracy_val_", "test_accuracy"), ("loss_train_", "train_loss")):
            if folder.startswith(metric + self.prefix):
                rest = folder[len(metric + self.prefix) :]
                if self.run_marker:
                    dataset, _, run = rest.rpartition(self.run_marker)
                else:  # the run number follows the data set's name directly
                    dataset = rest.rstrip("0123456789")
                    run = rest[len(dataset) :]
                if dataset in self.datasets and run.isdigit():
                    return key, dataset, int(run)
        return None


STUDIES = (
    Study(
        "vanilla_cnn",
        "MLP(CNN)",
        "data/runs/tensorboard/peter_runs/vanilla_full_runs",
        "ref_cnn_mlp",
        "vanilla_nn_",
        "_trygpu",
        {
            "original": ("none", "orig"),
            "original_permuted": ("none", "rnd_perm"),
            "dirichlet": ("dirichlet_lex", "orig"),
            "dirichlet_permuted": ("dirichlet_lex", "rnd_perm"),
        },
        shown=100,
    ),
    Study(
        "encoder_decoder",
        "encoder–decoder",
        "data/runs/tensorboard/invariantMLP_latest",
        "encoder_decoder",
        "invariantmlp_",
        "",
        {"original": ("none", "orig"), "original_permuted": ("none", "rnd_perm")},
        shown=None,
    ),
)
STUDY = {s.name: s for s in STUDIES}


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
        self.bare = not (path / "data").exists()

    def files(self, folder: str) -> list[str]:
        if not self.bare:
            root = self.path / folder
            return [str(p.relative_to(self.path)) for p in root.rglob("*") if p.is_file()]
        listing = subprocess.run(
            ["git", "-C", str(self.path), "ls-tree", "-r", "--name-only", "HEAD", folder],
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


def published_runs(repo: Repo, study: Study) -> dict[str, dict[int, dict[int, dict[str, float]]]]:
    """data set -> run -> epoch -> {"test_accuracy", "train_loss"}."""
    runs: dict = {}
    for name in repo.files(study.logs):
        parsed = study.parse(name.split("/")[-2])  # e.g. accuracy_val_vanilla_nn_original_trygpu3
        if parsed is None:
            continue
        key, dataset, run = parsed
        for step, _, value in scalar_events(repo.read(name)):
            runs.setdefault(dataset, {}).setdefault(run, {}).setdefault(step, {})[key] = value
    # epochs without a logged test accuracy are left out (two permuted encoder-decoder runs have
    # a training log only)
    return {
        dataset: {
            run: kept
            for run, epochs in by_run.items()
            if (kept := {e: m for e, m in epochs.items() if "test_accuracy" in m})
        }
        for dataset, by_run in runs.items()
    }


def best_epochs(runs: dict, within: int | None = None) -> dict:
    """Per data set, each run's best epoch (the first of equal ones) and the mean of the runs'
    best test accuracy (in %); with `within`, among the first `within` epochs only."""
    out = {}
    for dataset, by_run in sorted(runs.items()):
        best = {}
        for run, epochs in sorted(by_run.items()):
            seen = [e for e in epochs if within is None or e < within]
            epoch = max(seen, key=lambda e: (epochs[e]["test_accuracy"], -e))
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


def row_epochs(row) -> int:
    """The epoch budget of one of our rows."""
    return int({**DEFAULT_TRAIN, **row.train}["epochs"])


def best_within_budget(study: Study, runs: dict) -> dict[str, tuple[int, dict]]:
    """data set -> (the epoch budget of our row, the published runs' best within it)."""
    out = {}
    for dataset, (canon, _) in study.datasets.items():
        within = row_epochs(study.rows(canon)[0])
        out[dataset] = (within, best_epochs({dataset: runs[dataset]}, within)[dataset])
    return out


def _label(row) -> str:
    """How one of our rows trains, as a legend entry: loader order, and the stopping rule if any."""
    train = {**DEFAULT_TRAIN, **row.train}
    label = "reshuffled every epoch" if train.get("shuffle", True) else "not reshuffled"
    if train.get("patience"):
        label += f", stopped as published (≤ {train['epochs']} epochs)"
    return label


def plot(study: Study, runs: dict, early: dict[str, tuple[int, dict]], path: Path) -> None:
    """The published runs' test accuracy per epoch beside our cells; `early` from best_within_budget."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = list(study.datasets.items())
    shape = (2, 2) if len(panels) == 4 else (1, len(panels))
    fig, axes = plt.subplots(
        *shape, figsize=(6 * shape[1], 4 * shape[0]), sharex=True, squeeze=False
    )
    for ax, (dataset, (canon, variant)) in zip(axes.flat, panels):
        rows, published = study.rows(canon), study.published_number(dataset)
        for i, (_run, by_epoch) in enumerate(sorted(runs.get(dataset, {}).items())):
            xs = [e for e in sorted(by_epoch) if study.shown is None or e < study.shown]
            ax.plot(
                xs,
                [100 * by_epoch[e]["test_accuracy"] for e in xs],
                color="0.6",
                lw=0.8,
                label=f"published runs ({len(runs[dataset])})" if i == 0 else None,
            )
        for row in rows:
            for run, curve in our_curves(row.name, variant).items():
                ax.plot(range(len(curve)), curve, lw=1.2, label=f"ours, {_label(row)}: {run}")
        ax.axhline(published, color="k", ls="--", lw=0.8, label=f"published {published:.2f}")
        within, in_budget = early[dataset]
        mean = in_budget["mean_best_test_accuracy"]
        if abs(mean - published) > 0.05:  # their best came later
            ax.axhline(
                mean,
                color="0.4",
                ls=":",
                lw=0.8,
                label=f"published runs' best in {within} epochs: {mean:.2f}",
            )
        ax.set_title(
            f"{dataset}: {rows[0].name.split(',')[0].replace(' [reference]', '')}, {variant}"
        )
        ax.set_ylabel("test accuracy per epoch (%)")
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    fig.suptitle(f"{study.title} on the published split: the published runs' logs beside our cells")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(study: Study, runs: dict, best: dict) -> None:
    """The study's per-epoch CSV, best-epoch JSON and figure under OUT."""
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{study.name}_runs.csv", "w", newline="") as f:
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
    early = best_within_budget(study, runs)
    record = {  # every logged data set is one of the study's (Study.parse)
        dataset: {**b, f"within_{early[dataset][0]}_epochs": early[dataset][1]}
        for dataset, b in best.items()
    }
    (OUT / f"{study.name}_best.json").write_text(json.dumps(record, indent=1) + "\n")
    plot(study, runs, early, OUT / f"{study.name}_curves.png")
    print(f"wrote {OUT}/{study.name}_runs.csv, {study.name}_best.json, {study.name}_curves.png")


def check(study: Study, best: dict) -> bool:
    """Whether every data set's best epochs (best_epochs) give its published number (said on
    stdout/stderr)."""
    for dataset in study.datasets:
        published = study.published_number(dataset)
        if dataset not in best:
            print(f"{study.name}: no logs of {dataset}", file=sys.stderr)
            return False
        got = best[dataset]["mean_best_test_accuracy"]
        print(
            f"{study.name} {dataset}: mean best-epoch test accuracy of "
            f"{len(best[dataset]['runs'])} runs {got:.2f} (published {published:.2f})"
        )
        if abs(got - published) > 0.01:
            print(f"  these logs do not give the published {published:.2f}", file=sys.stderr)
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "repo", type=Path, help="clone or bare git directory of danielplatt/kreuzer-skarke-ML"
    )
    parser.add_argument(
        "--study", choices=sorted(STUDY), nargs="+", default=sorted(STUDY), help="which runs"
    )
    args = parser.parse_args(argv)
    repo = Repo(args.repo)
    for name in args.study:
        study = STUDY[name]
        runs = published_runs(repo, study)
        best = best_epochs(runs)
        if not check(study, best):
            return 1
        write(study, runs, best)
    return 0


if __name__ == "__main__":
    sys.exit(main())
