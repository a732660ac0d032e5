"""Copy the KS benchmark's best invariant pipelines to models/, chosen on validation accuracy.

    python benchmarks/publish_models.py [--only NAME ...] [--seed 0]

models/ks_h11_best.pt: the learned orig-trained pipeline (single model or ensemble) of the h11
table (benchmarks/results/ks) with the highest *validation* accuracy among those exactly
invariant under S4 x S26 (or a group containing it); models/ks_h11_gl4z.pt: the same among those
invariant under GL(4,Z) x S26; models/ks_h21_gl4z.pt: the same in the h21 table
(benchmarks/results/ks-h21); models/ks_hodge_any.pt: both Hodge numbers in one multi-target
checkpoint, its h11 member chosen the same way among the set models trained on v26 and its duals
(benchmarks/results/ks-duals/train), its h21 member that same model applied to the polar dual
(h21(Δ) = h11(Δ*): swap-equivariant by construction). The test accuracy plays
no part in the choice. Each checkpoint gets a .json beside it: its benchmark cell without the
training curve. Needs the checkpoints of `orbitlearn bench ks --profile full --save-models`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: committed model -> (results folder under benchmarks/results, groups it must be invariant under)
TARGETS = {
    "ks_h11_best": ("ks", ("S4 x S26", "GL(4,Z) x S26")),
    "ks_h11_gl4z": ("ks", ("GL(4,Z) x S26",)),
    "ks_h21_gl4z": ("ks-h21", ("GL(4,Z) x S26",)),
}
_GL = ("GL(4,Z) x S26", "GL(4,Z) x S28")
#: multi-target committed models: target -> (results folder, groups)
#: a target given as ("mirror", other) is read off the polar dual by the member of `other`
#: (`orbitlearn.models.mirror`: h21(Δ) = h11(Δ*)), so the model is swap-equivariant exactly
MULTI = {"ks_hodge_any": {"h11": ("ks-duals/train", _GL), "h21": ("mirror", "h11")}}


def choose(cells: list[dict], groups: tuple[str, ...], seed: int) -> dict:
    eligible = [
        c
        for c in cells
        if c["variant"] == "orig"
        and c["seed"] == seed
        and c["spec"]["model"] != "exact"
        and c.get("claimed_invariance") in groups
        and c.get("checkpoint")
    ]
    if not eligible:
        raise SystemExit(f"no finished orig cell with a checkpoint is invariant under {groups}")
    return max(eligible, key=lambda c: (c["val_accuracy"], c["row"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=(*TARGETS, *MULTI), help="publish only these")
    parser.add_argument("--out", default=str(ROOT / "models"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, (folder, groups) in TARGETS.items():
        if args.only and name not in args.only:
            continue
        cell = choose(_cells(folder), groups, args.seed)
        shutil.copyfile(_checkpoint(cell), out / f"{name}.pt")
        record = {k: v for k, v in cell.items() if k not in ("curve", "checkpoint", "machine")}
        record["test_accuracy"] = cell["acc"]
        record["source_checkpoint"] = str(Path(cell["checkpoint"]).name)
        (out / f"{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        print(
            f"{name}.pt <- {cell['row']}: val {100 * cell['val_accuracy']:.2f}%, "
            f"test {100 * cell['acc']:.2f}%, invariant under {cell['claimed_invariance']}"
        )
    for name, parts in MULTI.items():
        if args.only and name not in args.only:
            continue
        from orbitlearn.models.ensemble import load_pipeline
        from orbitlearn.models.mirror import MirrorPipeline
        from orbitlearn.models.multi import MultiTargetPipeline

        direct = {t: p for t, p in parts.items() if p[0] != "mirror"}
        chosen = {
            t: choose(_cells(folder), groups, args.seed) for t, (folder, groups) in direct.items()
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
                    **{k: v for k, v in c.items() if k not in ("curve", "checkpoint", "machine")},
                    "test_accuracy": c["acc"],
                    "results": parts[t][0],
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
                "results": parts[parts[t][1]][0],
            }
        (out / f"{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        for t, c in chosen.items():
            print(
                f"{name}.pt [{t}] <- {c['row']}: val {100 * c['val_accuracy']:.2f}%, test {100 * c['acc']:.2f}%"
            )
        for t in record["mirrored"]:
            print(f"{name}.pt [{t}] <- the {parts[t][1]} member on the polar dual")
    return 0


def _cells(folder: str) -> list[dict]:
    results = ROOT / "benchmarks" / "results" / folder
    return [json.loads(p.read_text()) for p in sorted((results / "cells").glob("*.json"))]


def _checkpoint(cell: dict) -> Path:
    source = Path(cell["checkpoint"])
    return source if source.is_absolute() else ROOT / source


if __name__ == "__main__":
    sys.exit(main())
