"""`orbitlearn train | evaluate | check`: wiring from the command line to models and the trainer."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from orbitlearn.apps.ks.canon_names import CANON_CHOICES
from orbitlearn.apps.ks.checkpoints import ks_pipeline, load_pipeline
from orbitlearn.apps.ks.models import MODEL_NAMES, NETWORK_NAMES, build_model
from orbitlearn.apps.ks.names import (
    ALIASES,
    AUGMENT_CHOICES,
    DEFAULT_GROUP,
    VERTEX_MATRIX_GROUPS,
    part,
)
from orbitlearn.apps.ks.predict import resolve_model
from orbitlearn.apps.ks.targets import DEFAULT_TARGET, TARGETS
from orbitlearn.argtypes import (
    INTEGER,
    LIMIT_HELP_SAMPLE,
    group_samples,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
    sample_count,
    smoothing,
)
from orbitlearn.datasets.commands import add_on_error, read_with_progress, report_skipped
from orbitlearn.datasets.fetch import sha256_of
from orbitlearn.datasets.ks_dataset import KSDataset, load_ks, subsample
from orbitlearn.errors import OrbitlearnError, first_line
from orbitlearn.fileio import write_text_atomic
from orbitlearn.groups.lie import LIE_GROUP_NAMES
from orbitlearn.models.ensemble import EnsemblePipeline
from orbitlearn.models.evaluation import evaluate_pipeline, invariance_check, transform_inputs
from orbitlearn.train.config import (
    DEFAULT_CLI_THREADS,
    PATIENCE_ON,
    PRECISIONS,
    THREADS_HELP,
    TrainConfig,
    setting_changes,
)


def _load_data(
    path: str | None, on_error: str = "raise", errors_to: str | None = None, pad: bool = False
) -> tuple[KSDataset, str]:
    if path is None and not pad:
        data = load_ks(vertices=26)
    else:
        if path is None:
            from orbitlearn.datasets.fetch import resolve_ks_path

            path = str(resolve_ks_path(26))
        ks = read_with_progress(path, on_error, errors_to)
        report_skipped(ks.skipped, errors_to)
        data = KSDataset.from_file(ks, pad=pad)
    return data, data.source


#: networks that take zero-padded batches of mixed vertex counts (config "padded")
PADDED_NETWORKS = ("pointnet", "deepsets")


def _check_shape(pipe, data: KSDataset, source: str) -> None:
    """One line naming the file when its matrices are not the shape the checkpoint takes."""
    try:
        pipe.check_input_shape(data.vertices.shape)
    except OrbitlearnError as exc:
        raise OrbitlearnError(f"{source}: {exc}") from None


def _parse_config(text: str | None) -> dict:
    if not text:
        return {}
    source = Path(text)
    raw = source.read_text() if source.suffix == ".json" and source.exists() else text
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise OrbitlearnError(
            f"--config is not valid JSON ({exc.msg} at position {exc.pos}): {raw[:60]!r}"
        ) from None
    if not isinstance(config, dict):
        raise OrbitlearnError("--config must be a JSON object, e.g. '{\"width\": 64}'")
    return config


RUN_IDENTITY_FILE = "run.json"


def _check_run_identity(out: Path, identity: dict, resume: bool, write: bool = True) -> None:
    """Write what this run is (model, config, data, split, treatment) to OUT/run.json; with
    --resume, refuse when the folder holds a run of anything else (one line naming the fields)."""
    path = out / RUN_IDENTITY_FILE
    if resume and path.exists():
        try:
            saved = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise OrbitlearnError(f"{path}: not a run description (invalid JSON)") from None
        if not isinstance(saved, dict):
            raise OrbitlearnError(f"{path}: not a run description (not a JSON object)")
        detail = setting_changes(saved, identity)
        if detail:
            raise OrbitlearnError(
                f"{out}: --resume would continue a different run ({detail}); resume with the "
                "same settings, or give another --out"
            )
        return
    if write:
        write_text_atomic(path, json.dumps(identity, indent=2) + "\n")


def _save_run_model(pipe, out: Path) -> None:
    """OUT/model.pt; when it cannot be written, one line that also says what the folder now
    holds (run.json and metrics.csv describe this run; a model.pt there is an earlier run's)."""
    path = out / "model.pt"
    earlier = path.exists()
    try:
        pipe.save(path)
    except (OrbitlearnError, OSError) as exc:
        held = (
            f"the model.pt there is an earlier run's, while its {RUN_IDENTITY_FILE} and "
            "metrics.csv describe this one"
            if earlier
            else f"its {RUN_IDENTITY_FILE} and metrics.csv describe this run, which has no model.pt"
        )
        raise OrbitlearnError(
            f"{first_line(exc)}; this run was not saved in {out}: {held}"
        ) from None


def cmd_train(args: argparse.Namespace) -> int:
    """`orbitlearn train`: train a model (with its symmetry treatment) on a seeded split; checkpoint and metrics in OUT.
    With --devices N > 1: data-parallel on N processes of one group (rank 0 writes)."""
    from orbitlearn.train.distributed import join_from_environment, launch

    if args.target == "both":
        return _train_both(args)
    if args.devices > 1 and not join_from_environment():
        if args.model not in NETWORK_NAMES:
            raise OrbitlearnError(
                f"--devices: data-parallel training is for torch networks, not {args.model}"
            )
        launch(_train, args.devices, args)
        return 0
    return _train(args)


def _train_both(args: argparse.Namespace) -> int:
    """`train --target both`: the same recipe trained once per target (OUT/h11, OUT/h21), then
    OUT/model.pt holding both (a multi-target checkpoint) and OUT/metrics.json with each."""
    import copy

    from orbitlearn.apps.ks.multi import MultiTargetPipeline
    from orbitlearn.report import emit

    out = Path(args.out)
    metrics = {}
    for target in TARGETS:
        sub = copy.copy(args)
        sub.target, sub.out, sub.json = target, str(out / target), False
        cmd_train(sub)
        metrics[target] = json.loads((out / target / "metrics.json").read_text())
    multi = MultiTargetPipeline({t: load_pipeline(out / t / "model.pt") for t in TARGETS})
    multi.metadata = {
        "split_seed": args.split_seed,
        "members": {t: str(out / t / "model.pt") for t in TARGETS},
    }
    multi.save(out / "model.pt")
    summary = {
        **multi.describe(),
        "checkpoint": str(out / "model.pt"),
        "val_accuracy": {t: m["val_accuracy"] for t, m in metrics.items()},
        "test_accuracy": {t: m["test_accuracy"] for t, m in metrics.items()},
    }
    write_text_atomic(out / "metrics.json", json.dumps(summary, indent=2) + "\n")

    def text(m: dict) -> str:
        accs = ", ".join(f"{t} test {100 * a:.2f}%" for t, a in m["test_accuracy"].items())
        return f"both Hodge numbers: {accs} -> {m['checkpoint']}"

    emit(summary, args.json, text)
    return 0


def _train(args: argparse.Namespace) -> int:
    from orbitlearn.report import emit
    from orbitlearn.train.distributed import is_main, world

    if args.pad and args.model not in PADDED_NETWORKS:
        raise OrbitlearnError(
            f"--pad: mixed vertex counts need a set network ({', '.join(PADDED_NETWORKS)}), "
            f"not {args.model}"
        )
    data, source = _load_data(args.data, pad=args.pad)
    data = data.with_target(args.target)
    if args.label_range is not None:
        lo, hi = args.label_range
        if lo > hi:
            raise OrbitlearnError(f"--label-range {lo} {hi}: the first must not exceed the second")
        data = data.with_classes(np.arange(lo, hi + 1))
    split = data.split(seed=args.split_seed)
    parts = {
        name: subsample(pos, args.limit, args.split_seed) for name, pos in split.parts().items()
    }
    config = _parse_config(args.config)
    if args.encoding:
        config["encoding"] = args.encoding
    if args.pad:
        config["padded"] = True
    if args.model in NETWORK_NAMES:
        config.setdefault("init_seed", args.seed)
    data_sha256 = sha256_of(source) if Path(source).exists() else None
    out = Path(args.out)
    main_rank = is_main()
    _check_run_identity(
        out,
        {
            "model": args.model,
            "config": config,
            "canon": args.canon,
            "augment": args.augment,
            "symmetrize": args.symmetrize,
            "symmetrize_group": args.symmetrize_group,
            "data_sha256": data_sha256,
            "split_seed": args.split_seed,
            "limit": args.limit,
            "seed": args.seed,
            **({"target": args.target} if args.target != DEFAULT_TARGET else {}),
            **({"label_range": list(args.label_range)} if args.label_range else {}),
        },
        args.resume,
        write=main_rank,
    )
    model = build_model(args.model, len(data.classes), tuple(data.vertices.shape[1:]), config)
    pipe = ks_pipeline(
        model,
        data.classes,
        canon=args.canon,
        augment=args.augment,
        symmetrize=args.symmetrize,
        symmetrize_group=args.symmetrize_group,
        seed=args.seed,
        target=data.target,
    )
    epochs = args.epochs if args.epochs is not None else (100_000 if args.time_budget else 30)
    train_cfg = TrainConfig(
        epochs=epochs,
        time_budget=args.time_budget,
        batch_size=args.batch_size,
        lr=args.lr,
        weight_decay=args.weight_decay,
        label_smoothing=args.label_smoothing,
        patience=args.patience,
        patience_on=args.patience_on,
        seed=args.seed,
        threads=args.threads,
        device=args.device,
        precision=args.precision,
    )
    x, y = data.vertices, data.y
    t0 = time.perf_counter()
    summary = pipe.fit(
        x[parts["train"]],
        y[parts["train"]],
        x[parts["val"]],
        y[parts["val"]],
        train_cfg,
        run_dir=out,
        resume=args.resume,
    )
    train_seconds = time.perf_counter() - t0
    labels = data.target_values
    val = evaluate_pipeline(pipe, x[parts["val"]], labels[parts["val"]])
    test = evaluate_pipeline(
        pipe, x[parts["test"]], labels[parts["test"]]
    )  # touched once, at the end
    metrics = {
        **pipe.describe(),
        "data": source,
        "data_sha256": data_sha256,
        "split_seed": args.split_seed,
        "limit": args.limit,
        "train_count": int(len(parts["train"])),
        "val_accuracy": val["accuracy"],
        "test_accuracy": test["accuracy"],
        "test_accuracy_within_1": test["accuracy_within_1"],
        "train_seconds": train_seconds,
        "train_config": vars(train_cfg),
        "best_epoch": summary.get("best_epoch"),
        "epochs_run": len(summary.get("history", [])),
        "stopped_by": summary.get("stopped_by"),
        "world_size": world()[1],
    }
    if not main_rank:
        return 0
    pipe.metadata = {k: v for k, v in metrics.items() if k not in pipe.describe()}
    pipe.metadata["training_domain"] = _training_domain(x[parts["train"]], source)
    _save_run_model(pipe, out)
    write_text_atomic(out / "metrics.json", json.dumps(metrics, indent=2) + "\n")

    def text(m: dict) -> str:
        return (
            f"{m['model']} (canon={m['canon']}, augment={m['augment']}, symmetrize={m['symmetrize']}): "
            f"val {100 * m['val_accuracy']:.2f}%, test {100 * m['test_accuracy']:.2f}% "
            f"in {m['train_seconds']:.1f} s, {m['parameters']} parameters -> {out / 'model.pt'}"
        )

    emit(metrics, args.json, text)
    return 0


def _training_domain(x_train: np.ndarray, source: str) -> dict | None:
    """What the model was trained on, stored with it (`orbitlearn.apps.ks.domain`); None when the
    engine can describe none of the training matrices."""
    from orbitlearn.apps.ks.domain import TrainingDomain, describe_many

    described = describe_many(x_train)
    if not described:
        return None
    text = f"train part of {Path(source).name}: {len(described)} polytopes"
    return TrainingDomain.of(described, description=text).to_dict()


def _select(data: KSDataset, which: str, split_seed: int, limit: int | None) -> np.ndarray:
    if which in ("train", "val", "test"):
        pos = data.split(seed=split_seed).parts()[which]
    elif which == "all":
        pos = np.arange(len(data))
    else:
        path = Path(which)
        if not path.exists():
            raise OrbitlearnError(
                f"--indices {which}: expected test, val, train, all or a file of entry indices"
            )
        tokens = path.read_text(errors="replace").split()
        bad = next((t for t in tokens if not INTEGER.fullmatch(t) or len(t) > 19), None)
        if bad is None:
            bad = next((t for t in tokens if not 0 <= int(t) < 2**63), None)
        if bad is not None:
            raise OrbitlearnError(
                f"{path}: expected whitespace-separated 0-based entry indices, got {bad[:40]!r}"
            )
        wanted = np.array([int(t) for t in tokens], dtype=np.int64)
        lookup = {int(ix): p for p, ix in enumerate(data.indices)}
        missing = [int(w) for w in wanted if int(w) not in lookup]
        if missing:
            raise OrbitlearnError(f"{path}: entry indices not in the data file: {missing[:5]}")
        pos = np.array([lookup[int(w)] for w in wanted], dtype=np.int64)
    return subsample(pos, limit, split_seed)


def _one_target(pipe, target: str | None):
    """The pipeline of a checkpoint that predicts `target` (a multi-target checkpoint's member;
    None: its first target), or a one-line error when the checkpoint does not predict it."""
    members = getattr(pipe, "members", None)
    if isinstance(members, dict):
        chosen = target or pipe.targets[0]
        if chosen not in members:
            raise OrbitlearnError(
                f"this checkpoint predicts {', '.join(pipe.targets)}, not {chosen}"
            )
        return members[chosen]
    if target is not None and target != pipe.target:
        raise OrbitlearnError(f"this checkpoint predicts {pipe.target}, not {target}")
    return pipe


def cmd_evaluate(args: argparse.Namespace) -> int:
    """`orbitlearn evaluate`: accuracy, per-class numbers and confusion matrix of a checkpoint on labelled data."""
    from orbitlearn.report import emit

    whole = load_pipeline(resolve_model(args.checkpoint))  # a path or a committed model's name
    pipe = _one_target(whole, args.target).to(args.device)
    pipe.metadata = {**getattr(whole, "metadata", {}), **pipe.metadata}
    data, source = _load_data(args.data, args.on_error, args.errors_to)
    _check_shape(pipe, data, source)
    split_seed = pipe.metadata.get("split_seed", 0) if args.split_seed is None else args.split_seed
    pos = _select(data, args.indices, split_seed, args.limit)
    x = transform_inputs(data.vertices[pos], part("group", args.transform), args.seed)
    report = evaluate_pipeline(pipe, x, data.with_target(pipe.target).target_values[pos])
    report.update(
        {
            "target": pipe.target,
            "checkpoint": str(args.checkpoint),
            "data": source,
            "indices": args.indices,
            "transform": args.transform,
            "seed": args.seed,
        }
    )
    if args.plot:
        from orbitlearn.models.plots import plot_confusion

        target = (
            Path(args.plot)
            if args.plot is not True
            else Path(args.checkpoint).with_name("confusion.png")
        )
        report["plot"] = str(plot_confusion(report, target, label=pipe.target))

    def text(r: dict) -> str:
        lines = [
            f"{r['count']} entries ({r['indices']}, transform {r['transform']}): accuracy {100 * r['accuracy']:.2f}%, "
            f"within ±1 {100 * r['accuracy_within_1']:.2f}%",
            f"per class ({r.get('target', DEFAULT_TARGET)}: accuracy, count):",
        ]
        for value, row in r["per_class"].items():
            lines.append(f"  {value:>4}: {100 * row['accuracy']:6.2f}%  {row['count']}")
        if "plot" in r:
            lines.append(f"confusion matrix: {r['plot']}")
        return "\n".join(lines)

    emit(report, args.json, text)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """`orbitlearn check`: the measured invariance of a checkpoint's predictions under a group."""
    from orbitlearn.report import emit

    if args.group in LIE_GROUP_NAMES:  # a point-cloud model under a continuous group
        from orbitlearn.apps.loading import register_point_cloud_readers
        from orbitlearn.pointcloud_check import cmd_check_point_cloud

        register_point_cloud_readers()
        args.checkpoint = str(resolve_model(args.checkpoint))  # a path or a committed model's name

        return cmd_check_point_cloud(args)

    pipe = _one_target(load_pipeline(resolve_model(args.checkpoint)), args.target).to(args.device)
    data, source = _load_data(args.data, args.on_error, args.errors_to)
    _check_shape(pipe, data, source)
    pos = subsample(np.arange(len(data)), args.limit, args.seed)
    report = invariance_check(
        pipe, data.vertices[pos], part("group", args.group), samples=args.samples, seed=args.seed
    )
    report["checkpoint"] = str(args.checkpoint)
    report["claimed_invariance"] = pipe.claimed_invariance().label

    def text(r: dict) -> str:
        return (
            f"{r['group']} on {r['count']} inputs x {r['samples']} elements: max |Δp| {r['max_abs']:.3g}, "
            f"mean |Δp| {r['mean_abs']:.3g}, predicted class changed for {100 * r['changed_share']:.2f}% "
            f"(claimed invariance: {r['claimed_invariance']})"
        )

    emit(report, args.json, text)
    return 0


def cmd_ensemble(args: argparse.Namespace) -> int:
    """`orbitlearn ensemble`: combine checkpoints into one ensemble checkpoint."""
    from orbitlearn.report import emit

    members = []
    for path in args.checkpoints:
        pipe = load_pipeline(path)
        if not hasattr(pipe, "target"):  # one model per target: not a member of one ensemble
            raise OrbitlearnError(
                f"{path}: a multi-target checkpoint ({', '.join(pipe.targets)}) cannot be an "
                "ensemble member; combine checkpoints that predict one target"
            )
        members += pipe.members if isinstance(pipe, EnsemblePipeline) else [pipe]
    ensemble = EnsemblePipeline(members)
    ensemble.metadata = {"members": [str(p) for p in args.checkpoints]}
    splits = {m.metadata.get("split_seed") for m in members} - {None}
    if len(splits) == 1:  # evaluate uses it to pick the test part by default
        ensemble.metadata["split_seed"] = splits.pop()
    path = ensemble.save(args.out)
    report = {
        **ensemble.describe(),
        "checkpoint": str(path),
        "members": ensemble.metadata["members"],
    }

    def text(r: dict) -> str:
        return (
            f"{r['checkpoint']}: ensemble of {len(members)} pipelines, {r['parameters']} parameters, "
            f"invariant under {r['claimed_invariance']}"
        )

    emit(report, args.json, text)
    return 0


def _add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, choices=MODEL_NAMES, help="model name")
    p.add_argument("--data", help="KS-format file (default: the cached v26 list)")
    p.add_argument("--config", help="model config as a JSON object or a .json file")
    p.add_argument(
        "--encoding", choices=("raw", "scaled", "onehot"), help="input encoding of torch models"
    )
    p.add_argument(
        "--canon", choices=CANON_CHOICES, default="none", help="canonicaliser applied first"
    )
    p.add_argument(
        "--augment",
        choices=AUGMENT_CHOICES,
        default="none",
        help="random group images while training",
    )
    p.add_argument(
        "--symmetrize",
        type=sample_count,
        default=0,
        help="average predictions over K group elements (-1: all of a small group)",
    )
    p.add_argument(
        "--symmetrize-group",
        default=DEFAULT_GROUP,
        help=f"group to symmetrise over (e.g. s4, {DEFAULT_GROUP})",
    )


def cmd_predict(args: argparse.Namespace) -> int:
    """`orbitlearn predict`: label values (and probabilities) of every entry of KS files or stdin,
    streamed block by block and written as they come; entries the model cannot take get an error
    record naming their file line. Each prediction says whether its input lies in the model's
    training domain (a stderr warning when not); `--exact` answers with the exact engine instead.
    Exit 0 if all were predicted, else 1."""
    import sys

    from orbitlearn.apps.ks.predict import load_model
    from orbitlearn.datasets.commands import skipped_entries
    from orbitlearn.datasets.ks import iter_input_blocks
    from orbitlearn.fileio import output_stream

    model = targets = None
    if args.exact:
        targets = TARGETS
    else:
        from orbitlearn.apps.ks.predict import load_model

        model = load_model(args.checkpoint)
        model.pipeline.to(args.device)
        targets = model.targets
    header = ["index", *targets, *_csv_extra(targets, args.exact), "error"]
    header += ["top"] if args.top else []
    count = failed = outside = 0
    with skipped_entries(args.errors_to) as skipped, output_stream(args.output) as fh:
        if args.json:
            fh.write("[")
        elif args.csv:
            fh.write(",".join(header) + "\n")
        for block in iter_input_blocks(args.paths, on_error=args.on_error, errors=skipped):
            entries = block.entries()
            chunk = []
            if model is None:
                recs = [_exact_record(entry) for entry in entries]
            else:
                results = model.predict_each(e.vertices for e in entries)
                recs = [
                    _prediction_record(entry.index, r, targets, model, args)
                    for entry, r in zip(entries, results, strict=True)
                ]
            for entry, rec in zip(entries, recs, strict=True):
                where = f"{block.source}:{entry.line}"
                if "error" in rec:
                    rec["error"] = f"{where}: {rec['error']}"
                    failed += 1
                elif rec.get("in_distribution") is False:
                    outside += 1
                    _warn_outside(where, rec, args)
                chunk.append(_prediction_text(rec, targets, args, first=count == 0))
                count += 1
            fh.write("".join(chunk))
        if args.json:
            fh.write("]\n")
        elif not args.csv and count == 0:
            fh.write("\n")
    report_skipped(skipped, args.errors_to)
    failed += len(skipped)
    if outside > 1:
        print(
            f"orbitlearn: warning: {outside} of {count} entries lie outside the model's training "
            "domain; `orbitlearn hodge FILE` (or predict --exact) computes them exactly",
            file=sys.stderr,
        )
    if failed:
        read = count + len(skipped)  # the skipped ones were read too
        print(f"orbitlearn: {failed} of {read} entries not predicted", file=sys.stderr)
    return 1 if failed else 0


def _warn_outside(where: str, rec: dict, args: argparse.Namespace) -> None:
    """One stderr line for an entry outside the training domain (the first few, then a count)."""
    import sys

    shown = getattr(args, "_warned", 0)
    args._warned = shown + 1
    if shown >= 5:
        return
    from orbitlearn.apps.ks.domain import NOT_REFLEXIVE

    exact = (
        "a polytope that is not reflexive has no Calabi-Yau hypersurface, so no Hodge numbers"
        if NOT_REFLEXIVE in rec["outside"]
        else "`orbitlearn hodge FILE` or `predict --exact` gives the exact value"
    )
    print(
        f"orbitlearn: warning: {where}: outside the training domain of {args.checkpoint} "
        f"({'; '.join(rec['outside'])}): the prediction is extrapolation; {exact}",
        file=sys.stderr,
    )


def _exact_record(entry) -> dict:
    """An entry's Hodge numbers from the exact engine (`--exact`), or its error."""
    from orbitlearn.errors import GeometryError
    from orbitlearn.geometry.batch import hodge_record

    try:
        rec = hodge_record(entry.vertices)
    except (GeometryError, ValueError) as exc:
        return {"index": entry.index, "error": str(exc).splitlines()[0]}
    return {"index": entry.index, **{t: int(rec[t]) for t in TARGETS}, "exact": True}


def _prediction_record(index: int, r, targets, model, args: argparse.Namespace) -> dict:
    """One entry's output record: index, value per target with the class probability of that
    value, whether the input lies in the training domain (and why not), every probability and
    the top K on request; or its error. With several targets the probabilities are keyed by
    target."""
    rec: dict = {"index": index}
    if r.error is not None:
        rec["error"] = r.error
        return rec
    several = len(targets) > 1
    for t in targets:
        rec[t] = r.values[t]
    for t in targets:
        rec[f"probability_{t}" if several else "probability"] = round(r.probability(t), 6)
    rec["in_distribution"] = r.in_distribution
    if r.assessment is not None and r.assessment.reasons:
        rec["outside"] = r.assessment.reasons
    for t in targets:
        classes, proba = model._classes[t], r.probas[t]
        if args.proba:
            rec[f"proba_{t}" if several else "proba"] = {
                str(int(c)): round(float(p), 6) for c, p in zip(classes, proba, strict=True)
            }
        if args.top:
            order = np.argsort(-proba, kind="stable")[: args.top]
            rec[f"top_{t}" if several else "top"] = [
                [int(classes[k]), round(float(proba[k]), 6)] for k in order
            ]
    return rec


def _csv_extra(targets, exact: bool) -> list[str]:
    """The CSV columns after the values: the probability of each and in_distribution (the
    model's), or exact (the engine's)."""
    if exact:
        return ["exact"]
    several = len(targets) > 1
    return [f"probability_{t}" if several else "probability" for t in targets] + ["in_distribution"]


def _csv_cell(value) -> str:
    """A CSV cell: empty for None, true/false for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _prediction_text(rec: dict, targets, args: argparse.Namespace, first: bool) -> str:
    """A record as written: a JSON list item, a CSV row or a text line."""
    if args.json:
        return ("" if first else ", ") + json.dumps(rec)
    tops = [k for k in rec if k == "top" or k.startswith("top_")]
    top = " ".join(f"{v}:{p}" for k in tops for v, p in rec[k])
    if args.csv:
        error = str(rec.get("error", "")).replace('"', "'")
        row = [str(rec["index"]), *(str(rec.get(t, "")) for t in targets)]
        row += [_csv_cell(rec.get(k)) for k in _csv_extra(targets, args.exact)]
        row.append(f'"{error}"' if error else "")
        return ",".join(row + ([top] if args.top else [])) + "\n"
    if "error" in rec:
        return f"{rec['index']}\terror: {rec['error']}\n"
    values = " ".join(f"{t}={rec[t]}" for t in targets)
    if rec.get("exact"):
        return f"{rec['index']}\t{values}\texact\n"
    probs = " ".join(f"p={rec[k]:.3f}" for k in rec if k.startswith("probability"))
    place = {True: "in distribution", False: "OUTSIDE the training domain", None: ""}
    where = place[rec.get("in_distribution")]
    shown = "\t" + " ".join(f"{v}:{p:.3f}" for k in tops for v, p in rec[k]) if tops else ""
    return f"{rec['index']}\t{values}\t{probs}" + (f"\t{where}" if where else "") + f"{shown}\n"


def add_device(p: argparse.ArgumentParser) -> None:
    """The --device option: where torch computes."""
    from orbitlearn.train.devices import DEVICE_CHOICES_HELP

    p.add_argument(
        "--device",
        type=device_spec,
        default="auto",
        help=f"where torch computes: {DEVICE_CHOICES_HELP}",
    )


def device_spec(text: str) -> str:
    """argparse type of --device: a device kind (checked without importing torch)."""
    from orbitlearn.train.devices import check_device_spec

    try:
        return check_device_spec(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: argparse._SubParsersAction) -> None:
    """Add the model commands (train, evaluate, check, ensemble, predict)."""
    from orbitlearn.apps.ks.predict import committed_names

    pr = sub.add_parser(
        "predict",
        help="predict h11 (or h21: the model's target) of every entry of KS files or stdin",
    )
    pr.add_argument(
        "--checkpoint",
        required=True,
        help="a checkpoint file, or a committed model's name: " + ", ".join(committed_names()),
    )
    pr.add_argument(
        "paths",
        nargs="+",
        metavar="FILE",
        help="KS-format files (plain or .gz; headers may be 'ROWS COLS' alone), or - for stdin",
    )
    pr.add_argument("--proba", action="store_true", help="add every class probability")
    pr.add_argument("--top", type=positive_int, metavar="K", help="add the K most probable values")
    fmt = pr.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="a JSON list, one object per entry")
    fmt.add_argument("--csv", action="store_true", help="CSV, one row per entry")
    pr.add_argument(
        "--exact",
        action="store_true",
        help="answer with the exact engine (Batyrev's formula: h11 and h21) instead of the model",
    )
    pr.add_argument(
        "-o", "--output", metavar="OUT", help="write here (atomically; - or none: stdout)"
    )
    add_on_error(pr)
    add_device(pr)
    pr.set_defaults(func=cmd_predict)

    train = sub.add_parser("train", help="train a model of the zoo on the seeded split")
    _add_model_args(train)
    train.add_argument(
        "--seed",
        type=nonnegative_int,
        default=0,
        help="training seed (init, shuffling, augmentation)",
    )
    train.add_argument(
        "--split-seed",
        type=nonnegative_int,
        default=0,
        help="split seed (default 0: the benchmark split)",
    )
    train.add_argument(
        "--label-range",
        type=nonnegative_int,
        nargs=2,
        metavar=("LO", "HI"),
        help="the classes are every integer LO..HI, not only the values seen; with "
        '--config \'{"task": "regression"}\' the model may predict any of them (e.g. labels of '
        'other vertex counts); \'{"task": "ordinal"}\' trains on soft ordinal labels instead',
    )
    train.add_argument(
        "--pad",
        action="store_true",
        help="mixed vertex counts: zero-pad every matrix to the largest count and mask the "
        "padding (pointnet, deepsets)",
    )
    train.add_argument(
        "--target",
        choices=(*TARGETS, "both"),
        default=DEFAULT_TARGET,
        help="the label learned as classes (default h11); both: one model per target, saved "
        "together in OUT/model.pt",
    )
    budget = train.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=positive_int, help="epochs (default 30)")
    budget.add_argument("--time-budget", type=positive_float, help="wall-clock seconds of training")
    train.add_argument("--batch-size", type=positive_int, default=128)
    train.add_argument("--lr", type=positive_float, default=2e-3)
    train.add_argument("--weight-decay", type=nonnegative_float, default=1e-4)
    train.add_argument("--label-smoothing", type=smoothing, default=0.0)
    train.add_argument(
        "--patience", type=positive_int, help="stop after this many epochs without a gain"
    )
    train.add_argument(
        "--patience-on",
        choices=PATIENCE_ON,
        default="val",
        help="the score --patience watches: the validation score, or the training score (a "
        "training epoch at or above the best so far counts as a gain)",
    )
    train.add_argument(
        "--threads", type=positive_int, default=DEFAULT_CLI_THREADS, help=THREADS_HELP
    )
    add_device(train)
    train.add_argument(
        "--devices",
        type=positive_int,
        default=1,
        help="data-parallel training on N processes of this machine (gloo on CPUs, nccl on GPUs); "
        "under torchrun the group comes from the environment",
    )
    train.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="fp32",
        help="fp32, or mixed precision bf16 / fp16 (fp16 needs a CUDA GPU)",
    )
    train.add_argument(
        "--limit",
        type=positive_int,
        help="at most N entries (N >= 1) of each split part: a seeded random subset of N",
    )
    train.add_argument("--resume", action="store_true", help="continue from RUN_DIR/train_state.pt")
    train.add_argument(
        "--out", required=True, help="run folder: model.pt, metrics.json, metrics.csv"
    )
    train.add_argument("--json", action="store_true")
    train.set_defaults(func=cmd_train)

    ev = sub.add_parser("evaluate", help="accuracy of a checkpoint on a KS-format file")
    add_device(ev)
    ev.add_argument("--checkpoint", required=True)
    ev.add_argument("--data", help="KS-format file (default: the cached v26 list)")
    ev.add_argument(
        "--indices", default="test", help="test | val | train | all | a file of entry indices"
    )
    ev.add_argument(
        "--split-seed", type=nonnegative_int, help="split seed (default: the checkpoint's)"
    )
    ev.add_argument(
        "--transform",
        choices=("none", *ALIASES, *VERTEX_MATRIX_GROUPS),
        default="none",
        help="random group image of every input",
    )
    ev.add_argument("--seed", type=nonnegative_int, default=0, help="seed of --transform")
    ev.add_argument(
        "--target",
        choices=TARGETS,
        help="which target of a multi-target checkpoint (default: its first)",
    )
    ev.add_argument("--limit", type=positive_int, help=LIMIT_HELP_SAMPLE)
    ev.add_argument(
        "--plot", nargs="?", const=True, help="write the confusion matrix as PNG (optional path)"
    )
    ev.add_argument("--json", action="store_true")
    add_on_error(ev)
    ev.set_defaults(func=cmd_evaluate)

    ck = sub.add_parser("check", help="measured invariance of a trained model under a group")
    add_device(ck)
    ck.add_argument("--checkpoint", required=True)
    ck.add_argument(
        "--group",
        choices=[*VERTEX_MATRIX_GROUPS, *LIE_GROUP_NAMES],
        default=DEFAULT_GROUP,
        help="a group of vertex matrices, or a Lie group for a point-cloud model (e3, se3, o3, ...)",
    )
    ck.add_argument("--data", help="KS-format file (default: the cached v26 list)")
    ck.add_argument(
        "--limit",
        type=positive_int,
        default=1000,
        help=LIMIT_HELP_SAMPLE + " (default 1000)",
    )
    ck.add_argument(
        "--samples", type=group_samples, default=8, help="random group elements per input"
    )
    ck.add_argument("--seed", type=nonnegative_int, default=0)
    ck.add_argument(
        "--target",
        choices=TARGETS,
        help="which target of a multi-target checkpoint (default: its first)",
    )
    ck.add_argument("--json", action="store_true")
    add_on_error(ck)
    ck.set_defaults(func=cmd_check)

    en = sub.add_parser(
        "ensemble", help="average the class probabilities of trained checkpoints into one"
    )
    en.add_argument("checkpoints", nargs="+", help="checkpoints written by train or bench")
    en.add_argument("--out", required=True, help="where to write the ensemble checkpoint")
    en.add_argument("--json", action="store_true", help="print the summary as JSON")
    en.set_defaults(func=cmd_ensemble)
