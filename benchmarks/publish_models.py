"""Copy the KS benchmark's best invariant pipelines to models/, chosen on validation accuracy.

    python benchmarks/publish_models.py [--only NAME ...] [--seed 0]

models/ks_h11_best.pt: the learned orig-trained pipeline (single model or ensemble) of the h11
tables (benchmarks/results/ks, and ks-duals/train: trained on v26 and its duals) with the highest
accuracy on the *v26 validation entries* among those exactly invariant under S4 x S26 (or a group
containing it); models/ks_h11_gl4z.pt: the same among those invariant under GL(4,Z) x S26;
models/ks_h21_gl4z.pt: the same in the h21 tables (ks-h21, ks-duals/train-h21, where the mirror
rows read h21 off the polar dual); models/ks_hodge_any.pt: both Hodge numbers in one
multi-target checkpoint, its h11 member chosen the same way among the set models trained on v26
and its duals (ks-duals/train), its h21 member that same model applied to the polar dual
(h21(Δ) = h11(Δ*): swap-equivariant by construction). Every candidate was trained on the train
part of the same seed-0 split, so all are compared on the same validation entries; the test
accuracy plays no part in the choice. Each checkpoint gets a .json beside it: its benchmark cell
without the training curve. Needs the chosen cells' checkpoints (`orbitlearn bench ks ...
--save-models`); it says which cell to rerun when the choice's checkpoint is missing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: groups that contain GL(4,Z) x S26: the models of the duals profiles take 28 vertex slots
#: (zero-padded), and on 26 vertices they are GL(4,Z) x S26-invariant
_GL = ("GL(4,Z) x S26", "GL(4,Z) x S28")
_H11 = ("ks", "ks-duals/train")
_H21 = ("ks-h21", "ks-duals/train-h21")
#: committed model -> (results folders under benchmarks/results, groups it must be invariant
#: under); every folder's pipelines are trained on the train part of the same seed-0 split of v26
#: (those of ks-duals with its duals too) and compared on the same v26 validation entries
TARGETS = {
    "ks_h11_best": (_H11, ("S4 x S26", *_GL)),
    "ks_h11_gl4z": (_H11, _GL),
    "ks_h21_gl4z": (_H21, _GL),
}
#: cell fields a committed model's .json leaves out
_NOT_RECORDED = ("curve", "checkpoint", "machine", "_folder")
#: multi-target committed models: target -> (results folders, groups)
#: a target given as ("mirror", other) is read off the polar dual by the member of `other`
#: (`orbitlearn.apps.ks.mirror`: h21(Δ) = h11(Δ*)), so the model is swap-equivariant exactly
MULTI = {"ks_hodge_any": {"h11": (("ks-duals/train",), _GL), "h21": ("mirror", "h11")}}


def v26_val_accuracy(cell: dict) -> float | None:
    """The cell's accuracy on the v26 validation entries of the split: `val_accuracy` for a
    profile without duals, `val_accuracy_orig` for one with them (whose val part holds the duals
    too); None for a cell of a duals profile from before that field was recorded."""
    if "test_duals" in cell.get("sizes", {}):
        return cell.get("val_accuracy_orig")
    return cell["val_accuracy"]


def choose(cells: list[dict], groups: tuple[str, ...], seed: int) -> dict:
    """The orig cell of `seed` with a saved pipeline invariant under one of `groups` that has
    the highest v26 validation accuracy (ties: the row name)."""
    eligible = [
        c
        for c in cells
        if c["variant"] == "orig"
        and c["seed"] == seed
        and c["spec"]["model"] != "exact"
        and c.get("claimed_invariance") in groups
        and c.get("checkpoint")
        and v26_val_accuracy(c) is not None
    ]
    if not eligible:
        raise SystemExit(f"no finished orig cell with a checkpoint is invariant under {groups}")
    best = max(eligible, key=lambda c: (v26_val_accuracy(c), c["row"]))
    if not _checkpoint(best).exists():
        raise SystemExit(
            f"{best['row']} (seed {seed}) is the choice, but its checkpoint {best['checkpoint']} "
            "is not on this machine: run its cell again with `orbitlearn bench ks --save-models` "
            "(move the cell file aside first; the bench never reruns a finished cell)"
        )
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=(*TARGETS, *MULTI), help="publish only these")
    parser.add_argument("--out", default=str(ROOT / "models"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, (folders, groups) in TARGETS.items():
        if args.only and name not in args.only:
            continue
        cell = choose(_cells(*folders), groups, args.seed)
        shutil.copyfile(_checkpoint(cell), out / f"{name}.pt")
        record = {k: v for k, v in cell.items() if k not in _NOT_RECORDED}
        record["test_accuracy"] = cell["acc"]
        record["results"] = cell["_folder"]
        record["source_checkpoint"] = str(Path(cell["checkpoint"]).name)
        (out / f"{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        print(
            f"{name}.pt <- {cell['row']}: v26 val {100 * v26_val_accuracy(cell):.2f}%, "
            f"test {100 * cell['acc']:.2f}%, invariant under {cell['claimed_invariance']}"
        )
    for name, parts in MULTI.items():
        if args.only and name not in args.only:
            continue
        from orbitlearn.apps.ks.checkpoints import load_pipeline
        from orbitlearn.apps.ks.mirror import MirrorPipeline
        from orbitlearn.apps.ks.multi import MultiTargetPipeline

        direct = {t: p for t, p in parts.items() if p[0] != "mirror"}
        chosen = {
            t: choose(_cells(*folders), groups, args.seed)
            for t, (folders, groups) in direct.items()
        }
        members = {t: load_pipeline(_checkpoint(c)) for t, c in chosen.items()}
        for t, (_, other) in parts.items():
            if t not in direct:
                members[t] = MirrorPipeline(members[other])
        multi = MultiTargetPipeline(members)
        multi.metadata = {
            "split_seed": 0,
            "members": {
                t: chosen[t]["row"]
                if t in chosen
                else f"the {parts[t][1]} member on the polar dual"
                for t in parts
            },
        }
        multi.save(out / f"{name}.pt")
        record = {
            "claimed_invariance": multi.claimed_invariance().label,
            "targets": {
                t: {
                    **{k: v for k, v in c.items() if k not in _NOT_RECORDED},
                    "test_accuracy": c["acc"],
                    "results": c["_folder"],
                }
                for t, c in chosen.items()
            },
            "mirrored": {t: parts[t][1] for t in parts if t not in direct},
        }
        for t in record["mirrored"]:
            # its accuracy on the test part is the other member's on the duals of the test part
            # (h21(Δ) = h11(Δ*)): that cell's acc_duals
            source = chosen[parts[t][1]]
            record["targets"][t] = {
                "row": f"{source['row']}, on the polar dual",
                "test_accuracy": source["acc_duals"],
                "measured_as": f"acc_duals of the {parts[t][1]} member's cell",
                "results": source["_folder"],
            }
        (out / f"{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        for t, c in chosen.items():
            print(
                f"{name}.pt [{t}] <- {c['row']}: v26 val {100 * v26_val_accuracy(c):.2f}%, "
                f"test {100 * c['acc']:.2f}%"
            )
        for t in record["mirrored"]:
            print(f"{name}.pt [{t}] <- the {parts[t][1]} member on the polar dual")
    return 0


def _cells(*folders: str) -> list[dict]:
    """The cells of the results folders, each with the folder it came from (`_folder`)."""
    cells = []
    for folder in folders:
        results = ROOT / "benchmarks" / "results" / folder
        for p in sorted((results / "cells").glob("*.json")):
            cells.append({**json.loads(p.read_text()), "_folder": folder})
    return cells


def _checkpoint(cell: dict) -> Path:
    source = Path(cell["checkpoint"])
    return source if source.is_absolute() else ROOT / source


if __name__ == "__main__":
    sys.exit(main())
