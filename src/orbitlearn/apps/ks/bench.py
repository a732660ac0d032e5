"""The Kreuzer-Skarke benchmark: every row trained and tested on one seeded split, cell by cell.

For each row and seed two trainings are run:

* orig: train, select and test on the matrices as given (already in PALP normal form). The same
  model is then tested on the test matrices under random S4×S26 elements (perm test) and under
  random GL(4,Z)×S26 elements (GL(4,Z) test), and its invariance ε is measured;
* rnd_perm: every train, val and test matrix replaced by a seeded random S4×S26 image (as in the
  published study), then trained and tested the same way.

A finished cell is a JSON file in ``<out>/cells`` and is never rerun, so a long profile can be
built up over several runs; a cell interrupted mid-training resumes from its last finished epoch
(``<out>/runs/<cell>/train_state.pt``, with the per-epoch ``metrics.csv``). The table (CSV, Markdown, bar chart, per-row JSON) is rebuilt from
whatever cells exist.

A mirror row of a duals profile trains the network that a row of the other Hodge number's
profile trains (the h11 profile's "on Δ*" row is the h21 profile's plain row on the other side of
the mirror): when both profiles write to their default folders, that training lives in the
other profile's run folder, is trained once, and both tables read the same network.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from orbitlearn.apps.ks.checkpoints import ks_pipeline
from orbitlearn.apps.ks.mirror import MirrorPipeline
from orbitlearn.apps.ks.mirror_pairs import (
    MIRROR_PAIR_FIX,
    input_classes,
    leak_free_parts,
    mirror_partners,
)
from orbitlearn.apps.ks.models import NETWORK_NAMES, build_model
from orbitlearn.apps.ks.names import DEFAULT_GROUP, get_group, part
from orbitlearn.apps.ks.rows import Profile, RowSpec, find_row, get_profile
from orbitlearn.apps.ks.targets import MIRROR
from orbitlearn.bench.machine import machine_info, source_state
from orbitlearn.bench.runner import CellStore, clock, run_cells, time_left
from orbitlearn.datasets.ks_dataset import KSDataset, subsample
from orbitlearn.errors import GeometryError, OrbitlearnError
from orbitlearn.fileio import held_lock, write_text_atomic
from orbitlearn.groups.claims import Invariance
from orbitlearn.models.ensemble import EnsemblePipeline
from orbitlearn.models.evaluation import evaluate_pipeline, invariance_check
from orbitlearn.models.pipeline import ModelPipeline
from orbitlearn.train.config import TrainConfig
from orbitlearn.train.devices import describe_device

#: entries of each part on which a variant's projections are compared with the orig ones
SAME_PROJECTION_CHECKS = 512

VARIANTS = ("orig", "rnd_perm")
ACC_COLUMNS = ("acc_orig", "acc_rnd_perm", "acc_perm_test", "acc_gl4z_test")
DEFAULT_TRAIN = {"epochs": 30, "batch_size": 128, "lr": 2e-3, "weight_decay": 1e-4}


#: the recipe fields of a row that a cell records (its "spec")
SPEC_FIELDS = (
    "model",
    "config",
    "canon",
    "augment",
    "symmetrize",
    "symmetrize_group",
    "train",
    "note",
    "seed_offset",
    "members",
    "mirror",
)


def slug(name: str) -> str:
    """A file-name-safe form of a row name."""
    ascii_name = name.replace("π", "pi").replace("×", "x")
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()


def _images(x: np.ndarray, group_name: str, seed: int, stream: int) -> np.ndarray:
    """Each matrix replaced by its image under an independent random element (seeded stream)."""
    group = get_group(group_name, shape=x.shape[1:])  # bound to the data (any vertex count)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(stream)]))
    return group.act_batch(group.sample(len(x), rng), np.asarray(x, dtype=np.int64))


def reference_order(n_entries: int) -> np.ndarray:
    """The published study's shuffle of the file: its entries but its last two (its loader drops
    them), in the order numpy's legacy generator seeded 42 puts them. Its training loader walks
    the training part in this order every epoch (it does not reshuffle)."""
    order = list(range(n_entries - 2))
    np.random.RandomState(42).shuffle(order)
    return np.asarray(order, dtype=np.int64)


def reference_split(n_entries: int) -> dict[str, np.ndarray]:
    """The published study's split: the first 80% of `reference_order` for training and the rest
    for testing, each sorted; no validation part (`val` is the test part: selection on test, as
    published)."""
    order = reference_order(n_entries)
    cut = int(0.8 * len(order))
    train, test = np.sort(order[:cut]), np.sort(order[cut:])
    return {"train": train, "val": test, "test": test}


def in_reference_order(positions: np.ndarray, n_entries: int) -> np.ndarray:
    """The indices into `positions` (entry positions) that list them in `reference_order`."""
    rank = np.empty(n_entries, dtype=np.int64)
    order = reference_order(n_entries)
    rank[order] = np.arange(len(order))
    rank[len(order) :] = len(order)  # the two dropped entries (never in a reference part) last
    return np.argsort(rank[np.asarray(positions)], kind="stable")


def with_duals(data: KSDataset, cache: Path, log: Callable[[str], None]) -> KSDataset:
    """`data` followed by the polar duals of its entries (entry N + i is the dual of entry i), as
    one zero-padded dataset; the duals (normal forms, engine-computed headers) are written once
    to `cache` and read back from it afterwards."""
    from orbitlearn.datasets.ks import read_ks, write_ks
    from orbitlearn.geometry.batch import dual_record

    if not cache.exists():
        log(f"bench ks: computing the polar duals of {len(data)} entries into {cache} ...")
        from orbitlearn.datasets.ks import KSEntry

        entries = []
        for i, v in enumerate(data.vertices):
            nf, rec = dual_record(np.asarray(v, dtype=np.int64))
            entries.append(KSEntry(index=i, vertices=nf, **rec))
        write_ks(entries, cache)
    duals = read_ks(cache).entries
    if len(duals) != len(data):
        raise OrbitlearnError(f"{cache}: {len(duals)} duals for {len(data)} entries; delete it")
    originals = [_entry_of(data, i) for i in range(len(data))]
    return KSDataset.from_entries(originals + duals, source=f"{data.source} + duals", pad=True)


def _entry_of(data: KSDataset, i: int):
    from orbitlearn.datasets.ks import KSEntry

    labels = {k: int(v[i]) for k, v in data.labels.items()}
    return KSEntry(
        index=int(data.indices[i]), vertices=np.asarray(data.vertices[i], dtype=np.int64), **labels
    )


def exact_values(x: np.ndarray, target: str = "h11") -> np.ndarray:
    """The target Hodge number (h11 or h21) of every matrix by Batyrev's formula (−1 where the
    engine refuses the input)."""
    from orbitlearn.geometry import hodge_record

    out = np.empty(len(x), dtype=np.int64)
    for i, v in enumerate(x):
        try:
            out[i] = hodge_record(v)[target]
        except GeometryError:
            out[i] = -1
    return out


class KSBenchmark:
    """Runs the cells of a profile on one dataset and split, and builds the table from them."""

    def __init__(
        self,
        data: KSDataset,
        profile: Profile,
        out: str | Path,
        split_seed: int = 0,
        threads: int | None = None,
        log: Callable[[str], None] | None = None,
        save_models: bool = False,
        device: str = "cpu",
        mirror_runs: str | Path | None = None,
    ):
        """`mirror_runs`: the folder in which mirror rows train (see `run_dir`); by default the
        run folder of `profile.mirror_profile` when `out` is this profile's default folder, else
        none (each mirror row trains in this benchmark's own run folder)."""
        self.profile = profile
        # the code this process runs: a cell that ends hours later records this commit, not the
        # one checked out by then
        self.code_state = source_state()
        self.out = Path(out)
        if mirror_runs is None and profile.mirror_profile and self.out == Path(profile.out):
            mirror_runs = Path(get_profile(profile.mirror_profile).out) / "runs"
        self.mirror_runs = None if mirror_runs is None else Path(mirror_runs)
        self.split_seed = split_seed
        self.threads = threads
        self.log = log or (lambda msg: None)
        self.save_models = save_models
        self.device = device
        split = data.split(seed=split_seed)
        limits = profile.limits
        self.parts = {
            name: subsample(pos, lim, split_seed)
            for (name, pos), lim in zip(split.parts().items(), limits)
        }
        #: the leak fix these cells were made with (None: no duals, nothing to fix)
        self.mirror_pair_fix: dict | None = None
        if profile.duals:  # the data's polar duals join it, each in its source's part
            n = len(data)
            # an entry whose dual is another entry (a mirror pair) would carry that entry into
            # the part of its own: such inputs are dropped from train and val (mirror_pairs.py)
            classes = input_classes(mirror_partners(data), with_duals=True)
            data = with_duals(data, self.out / "runs" / "duals.txt.gz", self.log)
            parts = {
                "train": np.concatenate([self.parts["train"], n + self.parts["train"]]),
                "val": np.concatenate([self.parts["val"], n + self.parts["val"]]),
                "test": self.parts["test"],
                "test_duals": n + self.parts["test"],
            }
            self.parts, dropped = leak_free_parts(parts, classes)
            self.mirror_pair_fix = {"rule": MIRROR_PAIR_FIX, "dropped": dropped}
            # val holds the source's val part first, then its duals
            self.val_orig_count = int((self.parts["val"] < n).sum())
        self.data = data.with_target(profile.target)  # the label this profile's table is about
        # what mirror rows learn: the other Hodge number, read off the polar dual at prediction
        self.mirror_data = data.with_target(MIRROR[profile.target])
        if any(r.mirror for r in profile.rows) and not profile.duals:
            raise OrbitlearnError(
                f"profile {profile.name}: a mirror row needs the polar duals in the data "
                "(a profile with duals), so that the duals it predicts on are like its training data"
            )
        n_entries = len(data.y) // (2 if profile.duals else 1)
        ref = reference_split(n_entries)
        test = subsample(ref["test"], limits[2], 0)
        # the split of each protocol: ours (seeded stratified 70/10/20, selection on val) and the
        # published one (80/20, selection on the test part)
        self.protocol_parts = {
            "ours": self.parts,
            "reference": {
                "train": subsample(ref["train"], limits[0], 0),
                "val": test,
                "test": test,
            },
        }
        # where each reference training entry stands in the published shuffle: a row that is not
        # reshuffled walks its training part in this order, as the study's loader does
        self.reference_train_order = in_reference_order(
            self.protocol_parts["reference"]["train"], n_entries
        )
        # (canon, seed, variant) -> whether π maps that variant's train and val inputs onto the
        # orig ones; computed once, since every row and ensemble member behind π asks again
        self._same_projection: dict[tuple[str, int, str, str], bool] = {}
        self.store = CellStore(self.out)
        # where workers of `run_on_cluster` read the data again: a path, None for the cached v26,
        # False when the data came from memory (no cluster runs)
        self.data_source: str | None | bool = False

    # ------------------------------------------------------------------ cells

    @staticmethod
    def cell_stem(row: RowSpec, seed: int, variant: str) -> str:
        """The file stem of one cell: ``<row slug>__seed<seed>__<variant>``."""
        return f"{slug(row.name)}__seed{seed}__{variant}"

    def cell_path(self, row: RowSpec, seed: int, variant: str) -> Path:
        """Where the finished cell (row, seed, variant) is stored."""
        return self.store.path(self.cell_stem(row, seed, variant))  # type: ignore[return-value]

    def model_path(self, row: RowSpec, seed: int) -> Path:
        """Where the orig-trained pipeline of (row, seed) is saved with ``save_models``."""
        return self.out / "models" / f"{slug(row.name)}__seed{seed}.pt"

    def run_dir(self, row: RowSpec, seed: int, variant: str) -> Path:
        """Where the row's training (resumable state, per-epoch log) lives: ``<out>/runs/<cell>``,
        or for a mirror row with `mirror_runs` the folder in which the other Hodge number's
        profile trains the same recipe (`row.trained_as`) on the same data and seed."""
        if row.mirror and self.mirror_runs is not None:
            return self.mirror_runs / f"{slug(row.trained_as)}__seed{seed}__{variant}"
        return self.out / "runs" / f"{slug(row.name)}__seed{seed}__{variant}"

    def pending(self, rows: Sequence[RowSpec] | None = None, seeds: Sequence[int] | None = None):
        """(row, seed, variant) triples whose cell file does not exist yet, in table order."""
        rows = rows or self.profile.rows
        seeds = seeds or self.profile.seeds
        learned_once = {"random", "majority", "exact"}
        out = []
        for row in rows:
            for seed in seeds if row.model not in learned_once else seeds[:1]:
                for variant in VARIANTS:
                    if not self.store.done(self.cell_stem(row, seed, variant)):
                        out.append((row, seed, variant))
        return out

    def parts_for(self, row: RowSpec) -> dict[str, np.ndarray]:
        """The entry positions of train, val and test under the row's protocol."""
        return self.protocol_parts[row.protocol]

    def _inputs(self, seed: int, variant: str, protocol: str = "ours") -> dict[str, np.ndarray]:
        parts = self.protocol_parts[protocol]
        if protocol == "ours":  # (this order of the random images is the one every cell used)
            used = np.concatenate(list(parts.values()))
        else:  # val is the test part
            used = np.concatenate([parts["train"], parts["test"]])
        x = np.asarray(self.data.vertices, dtype=np.int64)
        if variant == "rnd_perm":
            x = x.copy()
            x[used] = _images(x[used], DEFAULT_GROUP, seed, stream=11)
        return {name: x[pos] for name, pos in parts.items()}

    def member_row(self, name: str) -> RowSpec:
        """A row an ensemble refers to: the profile's version of it if it has one."""
        return find_row(name, self.profile)

    def _same_after_projection(
        self, pipe: ModelPipeline, seed: int, variant: str, protocol: str = "ours"
    ) -> bool:
        """Whether π(train and val inputs of the variant) equals π(the orig ones), entry by entry,
        checked on a seeded sample of SAME_PROJECTION_CHECKS entries of each part: π is exact
        for these groups by construction (and tested), so projecting every permuted input again
        (28,000 normal forms in the quick profile) only repeats the theorem."""
        if pipe.canon not in ("lex", "normal"):
            return False
        key = (pipe.canon, seed, variant, protocol)
        if key not in self._same_projection:
            moved = self._inputs(seed, variant, protocol)
            orig = self._inputs(seed, "orig", protocol)
            same = True
            for part in ("train", "val"):
                n = len(orig[part])
                rng = np.random.default_rng(np.random.SeedSequence([seed, n, 11]))
                idx = np.sort(rng.permutation(n)[:SAME_PROJECTION_CHECKS])
                same &= len(moved[part]) == n and np.array_equal(
                    pipe.project(moved[part][idx]), pipe.project(orig[part][idx])
                )
            self._same_projection[key] = bool(same)
        return self._same_projection[key]

    def _fit(
        self, row: RowSpec, seed: int, variant: str, x: dict, y: dict
    ) -> tuple[ModelPipeline, dict]:
        """Train (or resume, or reload when finished) the row's pipeline in the row's run folder."""
        t0 = time.perf_counter()
        run_seed = seed + 1000 * row.seed_offset
        config = dict(row.config)
        if row.model in NETWORK_NAMES:
            config.setdefault("init_seed", run_seed)
        data = self.data
        if row.mirror:  # learn the other number on the same inputs; predict it on the duals
            data = self.mirror_data
            y = {name: data.y[pos] for name, pos in self.parts_for(row).items()}
        model = build_model(row.model, len(data.classes), tuple(data.vertices.shape[1:]), config)
        pipe = ks_pipeline(
            model,
            data.classes,
            canon=row.canon,
            augment=row.augment,
            symmetrize=row.symmetrize,
            symmetrize_group=row.symmetrize_group,
            seed=run_seed,
            target=data.target,
        )
        train_cfg = TrainConfig(
            **{
                **DEFAULT_TRAIN,
                **row.train,
                "seed": run_seed,
                "threads": self.threads,
                "device": self.device,
            }
        )
        if variant != "orig" and self._same_after_projection(pipe, seed, variant, row.protocol):
            # π maps the permuted inputs to exactly the orig ones: the training would repeat the
            # orig training bit for bit, so that one is used (trained here if not yet done)
            variant, x = "orig", self._inputs(seed, "orig", row.protocol)
        if row.protocol == "reference" and not train_cfg.shuffle:
            # a training set that is not reshuffled is walked in the published shuffle's order,
            # as the study's loader walks it
            at = self.reference_train_order
            x = {**x, "train": x["train"][at]}
            y = {**y, "train": y["train"][at]}
        run_dir = self.run_dir(row, seed, variant)
        run_dir.mkdir(parents=True, exist_ok=True)  # per-epoch log and resumable training state
        # a training two benchmarks share (a mirror row's) is run by one at a time: the other
        # waits, then resumes the finished state, i.e. reloads it
        with held_lock(run_dir / "lock"):
            fixed = self._mark_mirror_pair_fix(run_dir)
            summary = pipe.fit(
                x["train"], y["train"], x["val"], y["val"], train_cfg, run_dir=run_dir, resume=True
            )
        summary["mirror_pair_fix"] = fixed
        history = summary.get("history", [])
        # a training that finished earlier reports its own time, not that of reloading it
        summary["train_seconds"] = (
            history[-1]["seconds"] + summary.get("canon_seconds", 0.0)
            if history
            else time.perf_counter() - t0
        )
        return (MirrorPipeline(pipe) if row.mirror else pipe), summary

    def _mark_mirror_pair_fix(self, run_dir: Path) -> bool:
        """Whether the training in run_dir is made with the mirror-pair fix: a fresh run folder
        is marked so (mirror_pair_fix.json) before it trains; one resumed or reloaded without
        the mark began before the fix (a resumed run folder keeps what it was made with)."""
        if self.mirror_pair_fix is None:
            return False
        marker = run_dir / "mirror_pair_fix.json"
        if not any(p.name not in ("lock", marker.name) for p in run_dir.iterdir()):
            write_text_atomic(marker, json.dumps(self.mirror_pair_fix) + "\n")
        return marker.exists()

    def run_cell(self, row: RowSpec, seed: int, variant: str) -> dict:
        """Train (or reuse) and test one row for one seed and variant; the cell record (accuracies, ε, seconds, machine)."""
        parts = self.parts_for(row)
        x = self._inputs(seed, variant, row.protocol)
        labels = {name: self.data.target_values[pos] for name, pos in parts.items()}  # the target
        y = {name: self.data.y[pos] for name, pos in parts.items()}  # its class indices
        cell = self._cell_header(row, seed, variant, parts)
        t0 = time.perf_counter()
        if row.model == "exact":
            self._score_exact(cell, x, labels, seed, variant)
        else:
            pipe = self._trained(cell, row, seed, variant, x, y, labels)
            self._score_learned(cell, pipe, x, labels, seed, variant)
            if variant == "orig" and self.save_models:
                self._save_model(cell, pipe, row, seed)
        cell["seconds"] = time.perf_counter() - t0
        # where torch computed (rows without a network compute on the CPU whatever it says)
        cell["machine"] = {**machine_info(self.code_state), "device": self.device_name}
        # with the CPU's vector instruction sets, what fixes which float kernels a run used
        cell["threads"] = self.threads
        cell["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        return cell

    def _cell_header(self, row: RowSpec, seed: int, variant: str, parts: dict) -> dict:
        """What identifies a cell: row, seed, variant, profile, split, protocol, sizes, recipe."""
        return {
            "row": row.name,
            "seed": seed,
            "variant": variant,
            "profile": self.profile.name,
            "split_seed": self.split_seed,
            "protocol": row.protocol,
            "sizes": {k: int(len(v)) for k, v in parts.items()},
            "spec": {k: getattr(row, k) for k in SPEC_FIELDS},
        }

    def _score_exact(self, cell: dict, x: dict, labels: dict, seed: int, variant: str) -> None:
        """The exact engine's row: its accuracies (the 100% line) and, on orig, its invariance
        measured as the learned rows' is (one-hot predictions)."""
        target = self.data.target
        if self.mirror_pair_fix is not None:  # nothing trained: made under the current parts
            cell["mirror_pair_fix"] = self.mirror_pair_fix

        def predict(inputs: np.ndarray) -> np.ndarray:
            return exact_values(inputs, target)

        cell.update(
            train_seconds=0.0,
            parameters=0,
            val_accuracy=float((predict(x["val"]) == labels["val"]).mean()),
        )
        cell["claimed_invariance"] = Invariance(
            get_group("gl4z", shape=self.data.vertices.shape[1:])
        ).label

        def accuracy(inputs: np.ndarray) -> float:
            return float((predict(inputs) == labels["test"]).mean())

        t1 = time.perf_counter()
        cell["acc"] = accuracy(x["test"])
        cell["test_seconds"] = time.perf_counter() - t1
        if "test_duals" in x:
            cell["acc_duals"] = float((predict(x["test_duals"]) == labels["test_duals"]).mean())
        if variant != "orig":
            return
        cell["acc_perm_test"] = accuracy(_images(x["test"], DEFAULT_GROUP, seed, stream=12))
        cell["acc_gl4z_test"] = accuracy(_images(x["test"], "gl4z", seed, stream=13))
        probe = x["test"][: self.profile.check_count]
        base = predict(probe)
        moved = [
            predict(_images(probe, DEFAULT_GROUP, seed, stream=20 + k))
            for k in range(self.profile.check_samples)
        ]
        changed = np.mean([np.mean(m != base) for m in moved])
        # max |Δp| of the one-hot prediction: 1 if any class changed, else 0 (the quantity the
        # learned rows report for their probabilities); the share of inputs whose class changed
        # is kept beside it
        cell.update(
            epsilon=float(max(float(np.max(m != base)) for m in moved)),
            epsilon_mean=float(changed),
            changed_share=float(changed),
        )

    def _trained(
        self, cell: dict, row: RowSpec, seed: int, variant: str, x: dict, y: dict, labels: dict
    ):
        """The row's trained pipeline (an ensemble's members trained one by one), with what the
        training reports (seconds, parameters, epochs, validation curve) added to the cell."""
        if row.model == "ensemble":
            fitted = [self._fit(self.member_row(name), seed, variant, x, y) for name in row.members]
            pipe = EnsemblePipeline([f[0] for f in fitted])
            cell["train_seconds"] = float(sum(f[1]["train_seconds"] for f in fitted))
            cell["parameters"] = pipe.parameter_count()
            cell["members"] = list(row.members)
            cell["member_val_accuracy"] = [
                evaluate_pipeline(f[0], x["val"], labels["val"])["accuracy"] for f in fitted
            ]
            self._record_mirror_pair_fix(cell, [f[1] for f in fitted])
            return pipe
        pipe, summary = self._fit(row, seed, variant, x, y)
        self._record_mirror_pair_fix(cell, [summary])
        history = summary.get("history", [])
        cell["train_seconds"] = summary["train_seconds"]
        cell["parameters"] = pipe.parameter_count()
        cell["epochs_run"] = len(history)
        cell["best_epoch"] = summary.get("best_epoch")
        # boosted trees: the rounds that ran and the best one (a budget to compare)
        cell.update({k: summary[k] for k in ("boosting_rounds", "best_iteration") if k in summary})
        cell["curve"] = [
            {"seconds": h["seconds"], "val_accuracy": h["val_score"], "train_loss": h["train_loss"]}
            for h in history
        ]
        if row.protocol == "reference" and history:
            # val is the test part: what selection on test is worth, against the last epoch
            cell["acc_last_epoch"] = history[-1]["val_score"]
        return pipe

    def _record_mirror_pair_fix(self, cell: dict, summaries: list[dict]) -> None:
        """The mirror-pair fix, where every training behind the cell was made with it (cells made
        before the fix lack this key; see mirror_pairs.py)."""
        if self.mirror_pair_fix is not None and all(s["mirror_pair_fix"] for s in summaries):
            cell["mirror_pair_fix"] = self.mirror_pair_fix

    def _score_learned(
        self, cell: dict, pipe, x: dict, labels: dict, seed: int, variant: str
    ) -> None:
        """A trained pipeline's claim, validation and test accuracies (duals apart), and on orig
        its accuracy on permuted and GL(4,Z) test images and its measured ε."""
        cell["claimed_invariance"] = pipe.claimed_invariance().label
        # one prediction of val; with duals, the source's share of it is scored apart too
        # (comparable with other profiles' val accuracy)
        val_right = np.asarray(pipe.classes)[pipe.predict(x["val"])] == labels["val"]
        cell["val_accuracy"] = float(val_right.mean())
        if "test_duals" in x:
            cell["val_accuracy_orig"] = float(val_right[: self.val_orig_count].mean())
        t1 = time.perf_counter()
        cell["acc"] = evaluate_pipeline(pipe, x["test"], labels["test"])["accuracy"]
        cell["test_seconds"] = time.perf_counter() - t1
        if "test_duals" in x:
            duals = evaluate_pipeline(pipe, x["test_duals"], labels["test_duals"])
            cell["acc_duals"] = duals["accuracy"]
        if variant != "orig":
            return
        cell["acc_perm_test"] = evaluate_pipeline(
            pipe, _images(x["test"], DEFAULT_GROUP, seed, 12), labels["test"]
        )["accuracy"]
        cell["acc_gl4z_test"] = evaluate_pipeline(
            pipe, _images(x["test"], "gl4z", seed, 13), labels["test"]
        )["accuracy"]
        check = invariance_check(
            pipe,
            x["test"][: self.profile.check_count],
            part("group", DEFAULT_GROUP),
            samples=self.profile.check_samples,
            seed=seed,
        )
        cell.update(
            epsilon=check["max_abs"],
            epsilon_mean=check["mean_abs"],
            changed_share=check["changed_share"],
        )

    def _save_model(self, cell: dict, pipe, row: RowSpec, seed: int) -> None:
        """The orig model (trained on the split's train part only) saved with its scores."""
        pipe.metadata = {
            "split_seed": self.split_seed,
            "profile": self.profile.name,
            "row": row.name,
            "val_accuracy": cell["val_accuracy"],
            "test_accuracy": cell["acc"],
        }
        cell["checkpoint"] = str(pipe.save(self.model_path(row, seed)))

    @cached_property
    def device_name(self) -> str:
        """Where torch computes, in words ("cpu", "cuda:0 (card)"), resolved once on the machine
        that computes the cells."""
        return describe_device(self.device)

    def run(
        self,
        rows: Sequence[RowSpec] | None = None,
        seeds: Sequence[int] | None = None,
        show_progress: bool | None = None,
        cluster: str | None = None,
        jobs: int = 1,
    ) -> list[dict]:
        """Run every missing cell of the given rows and seeds (all by default), storing each as it
        lands; the table. With `cluster` (``local:N`` or ``tcp://HOST:PORT``) the cells are Dask
        tasks, with `jobs` > 1 they run side by side in that many local worker processes (see
        `run_on_cluster`); otherwise one after another in this process."""
        if cluster is not None or jobs > 1:
            self.run_on_cluster(cluster, rows, seeds, jobs=jobs)
            return self.table(rows)
        run_cells(
            self.pending(rows, seeds),
            lambda t: self.cell_stem(*t),
            lambda t: self.run_cell(*t),
            self.store,
            desc="bench ks",
            show_progress=show_progress,
            log=self.log,
            describe=lambda t: f"{t[0].name} (seed {t[1]}, {t[2]})",
            summary=lambda c: f"test {100 * c['acc']:.2f}% in {c['seconds']:.0f} s",
            weight=lambda t: self.reference_seconds(*t),
        )
        return self.table(rows)

    def reference_seconds(self, row: RowSpec, seed: int, variant: str) -> float | None:
        """The cell's seconds in the committed results of a folder of this name
        (benchmarks/results/<name>/cells in a source checkout; None when absent): how long it is
        expected to take relative to the others, for the time-left estimate."""
        committed = Path(__file__).resolve().parents[4] / "benchmarks" / "results" / self.out.name
        path = committed / "cells" / f"{self.cell_stem(row, seed, variant)}.json"
        try:
            return float(json.loads(path.read_text())["seconds"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def run_on_cluster(
        self,
        cluster: str | None,
        rows: Sequence[RowSpec] | None = None,
        seeds: Sequence[int] | None = None,
        jobs: int = 1,
    ) -> list[str]:
        """The missing cells as independent tasks on a Dask `cluster`, or (`cluster` None) in
        `jobs` local worker processes forked from this one, in two waves: every learned row
        first, then the ensembles (which reuse their members' trained pipelines). Each worker
        builds this benchmark once (same data, profile, folder, split, threads; forked workers
        inherit this one) and computes cells; the driver stores each cell atomically as it
        lands. A cell that fails (after one retry) is logged and left missing, so the next run
        retries it. Returns the failed cells' names.

        Workers read and write the same folder (training states, saved pipelines), so they must
        share its file system: local processes, or a cluster on a shared disk."""
        from orbitlearn.dist import TaskFailed, executor

        if cluster is not None and self.data_source is False:
            raise OrbitlearnError("bench ks --cluster needs the data as a file (--data or v26)")
        pending = self.pending(rows, seeds)
        if cluster is None and pending:
            # forked workers find this benchmark under the key their task names
            _WORKER_BENCHES[_bench_key(self.task_spec(*pending[0]))] = self
        waves = task_waves(pending)
        failed: list[str] = []
        weight = {self.cell_stem(*t): self.reference_seconds(*t) or 1.0 for t in pending}
        total, done, start = sum(weight.values()), 0.0, time.perf_counter()
        finished = 0
        with executor(cluster, jobs, retries=1) as ex:
            for wave in waves:
                specs = [self.task_spec(*t) for t in wave]
                for task, cell in zip(wave, ex.map(run_cell_task, specs)):
                    row, seed, variant = task
                    name = f"{row.name} (seed {seed}, {variant})"
                    done += weight[self.cell_stem(*task)]
                    finished += 1
                    elapsed = time.perf_counter() - start
                    left = time_left(elapsed, done, total - done)
                    estimate = "" if left is None else f", about {clock(left)} left"
                    where = (
                        f"bench ks [{finished}/{len(pending)}, {clock(elapsed)} so far{estimate}]"
                    )
                    if isinstance(cell, TaskFailed):
                        self.log(f"{where}: {name}: failed: {cell.message}")
                        failed.append(name)
                        continue
                    self.store.store(self.cell_stem(row, seed, variant), cell)
                    self.log(
                        f"{where}: {name}: test {100 * cell['acc']:.2f}% in {cell['seconds']:.0f} s"
                    )
        return failed

    def task_spec(self, row: RowSpec, seed: int, variant: str) -> dict:
        """What a worker needs to rebuild this benchmark and compute one cell (plain data)."""
        return {
            "data": self.data_source,
            "profile": self.profile.name,
            "out": str(self.out),
            "split_seed": self.split_seed,
            "threads": self.threads or 1,
            "device": self.device,
            "save_models": self.save_models,
            "mirror_runs": None if self.mirror_runs is None else str(self.mirror_runs),
            "row": row.name,
            "seed": seed,
            "variant": variant,
        }

    # ------------------------------------------------------------------ table

    def cells(self) -> list[dict]:
        """Every finished cell in the output folder."""
        return self.store.all()

    def table(
        self, rows: Sequence[RowSpec] | None = None, include_unrun: bool = False
    ) -> list[dict]:
        """One record per row: means over the finished seeds (fractions in [0, 1]) with the sample
        std (ddof 1) for rows of our protocol and the population std (ddof 0, as published) for rows
        of the reference protocol. Rows without a finished cell are left out, or, with
        `include_unrun`, kept with ``seeds`` 0, empty numbers and their published numbers (so a
        report says what has not run yet)."""
        rows = rows or self.profile.rows
        by_key: dict[tuple[str, str], list[dict]] = {}
        for c in self.cells():
            by_key.setdefault((c["row"], c["variant"]), []).append(c)
        table = []
        for row in rows:
            orig = by_key.get((row.name, "orig"), [])
            perm = by_key.get((row.name, "rnd_perm"), [])
            published = dict(
                zip(("published_orig", "published_rnd_perm"), row.published or (None, None))
            )
            if not orig and not perm:
                if include_unrun:
                    head = {"row": row.name, "protocol": row.protocol, "seeds": 0, "seed_list": []}
                    table.append({**head, **published})
                continue
            rec: dict = {"row": row.name, "protocol": row.protocol}
            ddof = 0 if row.protocol == "reference" else 1
            for col, cells, key in (
                ("acc_orig", orig, "acc"),
                ("acc_rnd_perm", perm, "acc"),
                ("acc_perm_test", orig, "acc_perm_test"),
                ("acc_gl4z_test", orig, "acc_gl4z_test"),
                ("eps_max_dp", orig, "epsilon"),
                ("train_seconds", orig, "train_seconds"),
                ("acc_orig_last_epoch", orig, "acc_last_epoch"),
                ("acc_duals", orig, "acc_duals"),
            ):
                vals = [c[key] for c in cells if key in c]
                rec[col] = float(np.mean(vals)) if vals else None
                rec[f"{col}_std"] = (
                    float(np.std(vals, ddof=ddof)) if len(vals) > 1 else (0.0 if vals else None)
                )
            rec["parameters"] = orig[0]["parameters"] if orig else perm[0]["parameters"]
            # the seeds behind the orig column (the rnd perm column may have fewer while a run is
            # under way; its std is over its own cells)
            rec["seed_list"] = sorted({c["seed"] for c in (orig or perm)})
            rec["seeds"] = len(rec["seed_list"])
            # the rnd perm column's own count where it averages fewer runs than orig
            rec["seeds_rnd_perm"] = len({c["seed"] for c in perm})
            if self.mirror_pair_fix is not None and row.model != "exact":  # (nothing learned)
                # how many cells were made with the leak fix
                rec["mirror_pair_fix_cells"] = sum("mirror_pair_fix" in c for c in orig + perm)
                rec["cells"] = len(orig) + len(perm)
            rec["claimed_invariance"] = (orig or perm)[0].get("claimed_invariance")
            table.append({**rec, **published})
        return table


def select_rows(profile: Profile, names: Sequence[str] | None) -> list[RowSpec]:
    """The profile's rows named (by name or slug) in `names`, in that order; all rows when `names` is empty."""
    if not names:
        return list(profile.rows)
    known = {r.name: r for r in profile.rows} | {slug(r.name): r for r in profile.rows}
    missing = [n for n in names if n not in known]
    if missing:
        raise OrbitlearnError(
            f"unknown rows {missing}; known: {', '.join(slug(r.name) for r in profile.rows)}"
        )
    return [known[n] for n in names]


_WORKER_BENCHES: dict[tuple, KSBenchmark] = {}


def _bench_key(spec: dict) -> tuple:
    """What decides the benchmark a task's cell belongs to (everything but the cell)."""
    names = ("data", "profile", "out", "split_seed", "threads", "device", "save_models")
    return (*(spec[k] for k in names), spec["mirror_runs"])


def task_waves(pending: Sequence[tuple]) -> list[list[tuple]]:
    """(row, seed, variant) cells in the order workers take them: every learned row first, then
    the ensembles (which reuse their members' trained pipelines); within a wave every orig cell
    before any rnd_perm cell. A canonicalised row's rnd_perm cell waits on its orig cell's
    training (the same run folder), so seed by seed, two workers would train one seed while the
    other waited; orig cells first train the seeds side by side."""
    order = {v: i for i, v in enumerate(VARIANTS)}
    waves = (
        [t for t in pending if t[0].model != "ensemble"],
        [t for t in pending if t[0].model == "ensemble"],
    )
    return [sorted(w, key=lambda t: order[t[2]]) for w in waves]


def run_cell_task(spec: dict) -> dict:
    """One cell of `KSBenchmark.run_on_cluster`, in a worker process: the benchmark is built once
    per worker (data read from `spec["data"]`, or the cached v26 when None) and reused."""
    from orbitlearn.apps.ks.rows import get_profile
    from orbitlearn.datasets.ks import read_ks
    from orbitlearn.datasets.ks_dataset import load_ks

    key = _bench_key(spec)
    bench = _WORKER_BENCHES.get(key)
    if bench is None:
        data = (
            load_ks(vertices=26)
            if spec["data"] is None
            else KSDataset.from_file(read_ks(spec["data"]))
        )
        profile = get_profile(spec["profile"])
        bench = KSBenchmark(
            data,
            profile,
            spec["out"],
            split_seed=spec["split_seed"],
            threads=spec["threads"],
            save_models=spec["save_models"],
            device=spec["device"],
            mirror_runs=spec["mirror_runs"],
        )
        _WORKER_BENCHES[key] = bench
    row = find_row(spec["row"], bench.profile)
    return bench.run_cell(row, spec["seed"], spec["variant"])
