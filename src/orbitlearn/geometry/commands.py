"""`orbitlearn hodge` and `orbitlearn normal-form`: wiring from the command line to the engine."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections import deque
from contextlib import closing

import numpy as np

from orbitlearn.argtypes import LIMIT_HELP_FIRST, positive_int
from orbitlearn.datasets.ks import HEADER_MIRROR
from orbitlearn.dist import CLUSTER_HELP, JOBS_HELP, cluster_spec, jobs_count
from orbitlearn.errors import GeometryError
from orbitlearn.fileio import is_stdout
from orbitlearn.geometry.fields import HODGE_FIELDS
from orbitlearn.progress import progress_bar
from orbitlearn.records import FORMATS
from orbitlearn.report import emit

FIELDS = HODGE_FIELDS


def _ks_text(rec: dict) -> str:
    return (
        f"M:{rec['m_points']} {rec['m_vertices']} N:{rec['n_points']} {rec['n_vertices']} "
        f"H:{rec['h11']},{rec['h21']} [{rec['euler']}]"
    )


def _check_text(rec: dict) -> str:
    """What --check found for one entry, as a text-line suffix."""
    if "matches_header" not in rec:
        return ""
    return {True: "\tmatches header", False: "\tMISMATCH", None: "\tno header values"}[
        rec["matches_header"]
    ]


#: how many mismatched and failed entries a report lists one by one (all are counted)
LISTED = 1000


class Listed(list):
    """The first LISTED items added, and `count`: how many were added in all."""

    count = 0

    def add(self, item: dict) -> None:
        """Count `item`; keep it while fewer than LISTED are kept."""
        self.count += 1
        if len(self) < LISTED:
            self.append(item)


#: entries per task sent to a worker: the first task FIRST_TASK_ENTRIES, each next one twice the
#: one before, up to TASK_ENTRIES (a v26 task of 16,000 is ~1 CPU s of Hodge numbers). Small files
#: still spread over the workers; large ones go in tasks large enough that the driver's share per
#: task (Dask's messaging; the scheduler of a LocalCluster runs in the driver) stays small:
#: 2,000-entry tasks throughout gave 1.56x on 2 workers over 1, these 1.75-1.80x.
FIRST_TASK_ENTRIES = 2000
TASK_ENTRIES = 16000


def task_blocks(blocks):
    """The blocks cut into tasks of growing size (FIRST_TASK_ENTRIES doubling to TASK_ENTRIES)."""
    size = FIRST_TASK_ENTRIES
    for block in blocks:
        start = 0
        while start < len(block):
            stop = min(len(block), start + size)
            yield block if (start, stop) == (0, len(block)) else block.slice(start, stop)
            start = stop
            size = min(2 * size, TASK_ENTRIES)


def run_blocks(task, args: argparse.Namespace, trailer: list[str] | None = None):
    """(block, result) pairs in input order: the blocks of `args.paths` (at most `args.limit`
    entries, cut by `task_blocks`) each run through `task` by the back end `args.cluster` /
    `args.jobs` chooses (`orbitlearn.dist.executor`); a result is a `TaskFailed` where the task
    kept failing. `task` must be picklable (a module-level function or a partial of one)."""
    from orbitlearn.datasets.ks import iter_input_blocks
    from orbitlearn.dist import executor

    in_flight: deque = deque()

    def tasks():
        blocks = iter_input_blocks(
            args.paths, limit=args.limit, block_entries=TASK_ENTRIES, trailer=trailer
        )
        for block in task_blocks(blocks):
            in_flight.append(block)
            yield block.compact()

    # the compiled engine does not see Ctrl-C: even one job runs in a worker process, which
    # the driver kills when interrupted
    with executor(args.cluster, args.jobs, isolated=True) as ex:
        for result in ex.map(task, tasks()):
            yield in_flight.popleft(), result


def task_failure(block, result) -> GeometryError:
    """The error of a block whose task kept failing (for commands that cannot go on without it)."""
    return GeometryError(
        f"{block.source}:{block.line[0]}: entries {block.index[0]}-{block.index[-1]}: "
        f"task failed after its retries: {result.message}"
    )


def hodge_task(
    block, with_normal_form: bool = False, check: bool = False, text_format: str | None = None
) -> dict:
    """The work of one partition: Hodge data (and, if asked, normal forms) of a block's entries
    as a `_hodge_outcome` (with `check`, compared with the headers), and with `text_format`
    (csv, jsonl) also their output rows as text, so that the workers do the formatting and the
    driver only writes it.

    Module-level so that local processes and Dask workers can run it; a GeometryError of one
    entry becomes that entry's error message."""
    from orbitlearn.geometry.batch import hodge_table, normal_form_table
    from orbitlearn.records import rows_text

    rows, cols, voff = block.layout
    table, errors = hodge_table(block.values, voff, rows, cols)
    forms: list[list[int] | None] = []
    if with_normal_form:
        computed, nf_errors = normal_form_table(block.values, voff, rows, cols)
        for i, nf in enumerate(computed):
            if i in errors:
                forms.append(None)
            elif i in nf_errors:
                errors[i] = nf_errors[i]
                forms.append(None)
            else:
                forms.append(nf.ravel().tolist())
    outcome = _hodge_outcome(
        block, {"table": table, "errors": errors, "normal_forms": forms}, check
    )
    if text_format is not None:
        rows_ = _hodge_rows(block, outcome, check, with_normal_form)
        outcome["text"] = rows_text(rows_, _hodge_columns(check, with_normal_form), text_format)
    return outcome


def _hodge_columns(check: bool, with_normal_form: bool) -> list[tuple[str, str]]:
    cols = [("index", "int"), ("source", "str"), ("line", "int")]
    cols += [(f, "int") for f in FIELDS] + [("error", "str")]
    if check:
        cols.append(("matches_header", "bool"))
    if with_normal_form:
        cols.append(("normal_form", "ints"))
    return cols


def run_hodge(args: argparse.Namespace) -> int:
    """Hodge numbers and KS counts of every entry of every input, streamed in bounded blocks;
    with --check, compared with the headers."""
    from orbitlearn.records import TEXT_FORMATS, RecordWriter, format_of

    out = args.out or None  # "-": the rows on standard output, the report on stderr
    fmt = format_of(out, args.format) if out is not None else None
    columns = _hodge_columns(args.check, args.normal_form)
    start = time.perf_counter()
    counts = {"count": 0, "computed": 0, "compared": 0}
    mismatched, failed = Listed(), Listed()
    printed: list[dict] = []  # --json without --out: every record in the report
    keep_all = args.json and out is None  # with --check too: the values compared, per entry
    text_format = fmt if fmt in TEXT_FORMATS else None  # the workers format the rows
    task = functools.partial(
        hodge_task, with_normal_form=args.normal_form, check=args.check, text_format=text_format
    )
    writer = RecordWriter(out, columns, fmt) if out is not None else None
    ok = False
    try:
        bar = progress_bar(desc="hodge", unit=" entries")
        with closing(run_blocks(task, args)) as results:  # workers killed on any exit
            for block, result in results:
                # the task compared with the headers already; only a failed task is made whole here
                outcome = (
                    result
                    if isinstance(result, dict)
                    else _hodge_outcome(block, result, args.check)
                )
                errors = outcome["errors"]
                counts["count"] += len(block)
                counts["computed"] += len(block) - len(errors)
                counts["compared"] += outcome.get("compared", 0)
                for i in sorted(errors):
                    failed.add({**_where(block, i), "message": errors[i]})
                for i, fields in outcome["diffs"].items():
                    mismatched.add({**_where(block, i), "fields": fields})
                printing = not args.json
                if writer is not None and "text" in outcome:
                    writer.write_text(outcome["text"], len(block))
                elif writer is not None or keep_all or printing:
                    rows = _hodge_rows(block, outcome, args.check, args.normal_form)
                    if writer is not None:
                        writer.write(rows)
                    elif keep_all:
                        printed.extend(rows)
                    else:
                        sys.stdout.write(
                            "".join(
                                f"{r['index']}\t{_ks_text(r)}{_check_text(r)}\n"
                                for r in rows
                                if r.get("error") is None
                            )
                        )
                bar.update(len(block))
        bar.close()
        ok = True
    finally:
        if writer is not None:
            writer.close(ok=ok)
    seconds = time.perf_counter() - start
    report = {
        "source": args.paths[0] if len(args.paths) == 1 else list(args.paths),
        **counts,
        "mismatches": mismatched.count,
        "failed_count": failed.count,
        # --check compared something: entries whose header carried a field to compare with
        "checked": bool(args.check) and counts["compared"] > 0,
        "mismatched": mismatched,
        "failed": failed,
        "seconds": round(seconds, 3),
        "per_second": round(counts["count"] / seconds, 1) if seconds > 0 else None,
        "jobs": args.jobs,
        "cluster": args.cluster,
        "out": str(out) if out else None,
        "format": fmt,
    }
    # the rows went to standard output (--out -): the report goes to stderr
    stream = sys.stderr if out is not None and is_stdout(out) else sys.stdout
    if args.json:
        if keep_all:
            report["entries"] = printed
        json.dump(report, stream)
        stream.write("\n")
    else:
        w = stream.write
        for m in mismatched:
            got = ", ".join(f"{k}: header {a} computed {b}" for k, (a, b) in m["fields"].items())
            w(f"mismatch: entry {m['index']} ({m['source']} line {m['line']}): {got}\n")
        for f in failed:
            w(f"failed: entry {f['index']} ({f['source']} line {f['line']}): {f['message']}\n")
        summary = f"{report['count']} entries, {report['computed']} computed"
        if args.check and report["checked"]:
            summary += (
                f", {report['compared']} compared with their headers: "
                f"{report['mismatches']} mismatches"
            )
        elif args.check:
            summary += ", nothing to compare: no header carries M:, N: or H: values"
        summary += f", {failed.count} failed, {report['seconds']:.2f} s ({report['per_second']}/s)"
        if out is not None and not is_stdout(out):
            summary += f"; written to {out}"
        w(summary + "\n")
    return 1 if (mismatched.count or failed.count) else 0


def _where(block, i: int) -> dict:
    """The index, source and header line of a block's i-th entry."""
    return {"index": int(block.index[i]), "source": block.source, "line": int(block.line[i])}


def _hodge_outcome(block, result, check: bool) -> dict:
    """A block's task result, made whole (a failed task: every entry failed) and, with `check`,
    compared with the headers column by column: {"table", "errors", "normal_forms", "diffs"},
    diffs {i: {field: [header, computed]}} for the computed entries that differ."""
    from orbitlearn.dist import TaskFailed

    n = len(block)
    if isinstance(result, TaskFailed):
        result = {
            "table": np.zeros((n, len(FIELDS)), dtype=np.int64),
            "errors": dict.fromkeys(range(n), f"task failed after its retries: {result.message}"),
            "normal_forms": [None] * n,
        }
    diffs: dict[int, dict] = {}
    compared = 0
    if check:
        failed = np.zeros(n, dtype=bool)
        failed[list(result["errors"])] = True
        any_present = np.zeros(n, dtype=bool)
        for k, f in enumerate(FIELDS):
            vals, present = block.column(f)
            any_present |= present
            got = result["table"][:, k]
            for i in np.flatnonzero(present & (vals != got) & ~failed).tolist():
                diffs.setdefault(i, {})[f] = [int(vals[i]), int(got[i])]
        diffs = dict(sorted(diffs.items()))
        compared = int((any_present & ~failed).sum())
        uncompared = np.flatnonzero(~any_present).tolist()
    else:
        uncompared = []
    return {**result, "diffs": diffs, "compared": compared, "uncompared": uncompared}


def _hodge_rows(block, outcome: dict, check: bool, with_normal_form: bool) -> list[dict]:
    """One record per entry of `block` from its `_hodge_outcome`."""
    table = outcome["table"].tolist()
    errors, diffs = outcome["errors"], outcome["diffs"]
    uncompared = set(outcome.get("uncompared", ()))
    rows = []
    for i, (index, line) in enumerate(zip(block.index.tolist(), block.line.tolist())):
        row: dict = {"index": index, "source": block.source, "line": line}
        if i in errors:
            row["error"] = errors[i]
            rows.append(row)
            continue
        row.update(zip(FIELDS, table[i]))
        if check:  # None: the header had nothing to compare with
            row["matches_header"] = None if i in uncompared else i not in diffs
        if with_normal_form:
            row["normal_form"] = outcome["normal_forms"][i]
        rows.append(row)
    return rows


def normal_form_task(block) -> dict:
    """The work of one partition of `normal-form` (module-level, for worker processes): the
    block with every matrix replaced by its normal form (headers and layout kept) as KS text,
    how many entries that changed, and the entries' errors ({i: message}; no text when there is
    one)."""
    from orbitlearn.geometry.batch import normal_form_arrays

    rows, cols, voff = block.layout
    nv, _, forms, errors = normal_form_arrays(block.values, voff, rows, cols)
    if errors:
        return {"errors": errors}
    written = block.replace_flat(np.minimum(rows, cols), nv, forms)
    return {"text": written.to_text(), "changed": _changed_entries(block, written), "errors": {}}


def _changed_entries(old, new) -> int:
    """How many entries of block `new` differ from the same entry of block `old` (shape or any
    number), compared over the flat numbers."""
    rows, cols, starts = old.layout
    shape_old = np.stack([rows, cols], axis=1)
    new_rows, new_cols, new_starts = new.layout
    shape_new = np.stack([new_rows, new_cols], axis=1)
    size = shape_old.prod(axis=1)
    total = int(size.sum())
    if (
        np.array_equal(shape_old, shape_new)
        and np.array_equal(starts, new_starts)
        and np.all(size > 0)
        and len(old.values) == len(new.values) == total
        and np.array_equal(starts, np.cumsum(size) - size)
    ):  # same shapes, both stored back to back: one comparison for the block
        differ = old.values != new.values
        return int(np.count_nonzero(np.add.reduceat(differ, starts)))
    same_shape = np.all(shape_old == shape_new, axis=1)
    changed = int((~same_shape).sum())
    idx = np.flatnonzero(same_shape & (shape_new.prod(axis=1) > 0))
    if len(idx):
        size = shape_new[idx].prod(axis=1)
        pos = np.repeat(np.arange(len(idx)), size)  # entry of each compared number
        within = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
        a = old.values[starts[idx][pos] + within]
        b = new.values[new_starts[idx][pos] + within]
        changed += int(np.unique(pos[a != b]).size)
    return changed


def run_normal_form(args: argparse.Namespace) -> int:
    """Every entry replaced by its normal form, same order and headers, written in KS format as
    it goes (streamed in bounded blocks; the file appears under its name at the end)."""
    from orbitlearn.dist import TaskFailed
    from orbitlearn.fileio import output_stream

    start = time.perf_counter()
    trailer: list[str] = []
    count = changed = 0
    bar = progress_bar(desc="normal form", unit=" entries")
    with output_stream(args.output, "w") as fh:
        with closing(
            run_blocks(normal_form_task, args, trailer=trailer)
        ) as results:  # workers killed on any exit
            for block, result in results:
                if isinstance(result, TaskFailed):
                    raise task_failure(block, result)
                errors = result["errors"]
                if errors:
                    i = min(errors)
                    raise GeometryError(
                        f"{block.source}:{block.line[i]}: entry {block.index[i]}: {errors[i]}"
                    )
                changed += result["changed"]
                fh.write(result["text"])
                count += len(block)
                bar.update(len(block))
        if args.limit is None and len(args.paths) == 1:
            for line in trailer:
                fh.write(line + "\n")
    bar.close()
    seconds = time.perf_counter() - start
    report = {
        "source": args.paths[0] if len(args.paths) == 1 else list(args.paths),
        "output": str(args.output),
        "count": count,
        "changed": changed,
        "seconds": round(seconds, 3),
        "jobs": args.jobs,
        "cluster": args.cluster,
    }
    emit(
        report,
        args.json,
        lambda r: (
            f"{r['count']} entries written to {r['output']} "
            f"({r['changed']} changed by the normal form), {r['seconds']:.2f} s"
        ),
        to_stderr=is_stdout(args.output),
    )
    return 0


#: header fields of Δ that the dual's swapped fields must reproduce (mirror symmetry)
MIRROR = HEADER_MIRROR


def duals_task(block) -> tuple[list, list, dict[int, str]]:
    """Polar duals of a block's entries (module-level, for worker processes): their normal
    forms, their header data computed by the engine, and per-entry errors."""
    from orbitlearn.geometry.batch import dual_record

    forms: list = []
    records: list = []
    errors: dict[int, str] = {}
    for i in range(len(block)):
        try:
            nf, rec = dual_record(np.asarray(block.matrix(i), dtype=np.int64))
        except GeometryError as exc:
            forms.append(None)
            records.append(None)
            errors[i] = str(exc)
            continue
        forms.append(nf)
        records.append(rec)
    return forms, records, errors


def run_duals(args: argparse.Namespace) -> int:
    """`orbitlearn data duals`: the polar dual of every entry, in normal form, with its header
    computed by the engine and checked against the source's swapped one (mirror symmetry)."""
    from orbitlearn.datasets.ks import KSBlock, KSEntry
    from orbitlearn.dist import TaskFailed
    from orbitlearn.fileio import output_stream

    start = time.perf_counter()
    count = 0
    mismatched, failed = Listed(), Listed()
    checked = 0

    bar = progress_bar(desc="duals", unit=" entries")
    with output_stream(args.output, "w") as fh:
        with closing(run_blocks(duals_task, args)) as results:  # workers killed on any exit
            for block, result in results:
                if isinstance(result, TaskFailed):
                    raise task_failure(block, result)
                forms, records, errors = result
                header = {f: block.column(f) for f in MIRROR}
                out = []
                for i, (nf, rec) in enumerate(zip(forms, records)):
                    index, line = int(block.index[i]), int(block.line[i])
                    if i in errors:
                        failed.add({"index": index, "line": line, "message": errors[i]})
                        continue
                    diff = {}
                    for field, swapped in MIRROR.items():
                        values, present = header[swapped]
                        if present[i] and int(values[i]) != rec[field]:
                            diff[field] = [int(values[i]), rec[field]]
                    checked += bool(header["h11"][1][i])
                    if diff:
                        mismatched.add({"index": index, "line": line, "fields": diff})
                    e = object.__new__(KSEntry)
                    e.__dict__.update(index=index, vertices=nf, transposed=False, line=line,
                                      facets=None, **rec)  # fmt: skip
                    out.append(e)
                fh.write(KSBlock.from_entries(out, block.source).to_text())
                count += len(block)
                bar.update(len(block))
    bar.close()
    report = {
        "source": args.paths[0] if len(args.paths) == 1 else list(args.paths),
        "output": str(args.output),
        "count": count,
        "written": count - failed.count,
        "failed_count": failed.count,
        "failed": failed,
        "checked": checked,
        "mirror_mismatches": mismatched.count,
        "mismatched": mismatched,
        "seconds": round(time.perf_counter() - start, 3),
        "jobs": args.jobs,
        "cluster": args.cluster,
    }

    def text(r: dict) -> str:
        lines = []
        for m in r["mismatched"]:
            got = ", ".join(
                f"{k}: source says {a}, dual has {b}" for k, (a, b) in m["fields"].items()
            )
            lines.append(f"mirror mismatch: entry {m['index']} (line {m['line']}): {got}")
        for f in r["failed"]:
            lines.append(f"failed: entry {f['index']} (line {f['line']}): {f['message']}")
        lines.append(
            f"{r['written']} of {r['count']} duals written to {r['output']}; {r['checked']} "
            "checked against the "
            f"source's swapped Hodge numbers and counts, {r['mirror_mismatches']} mirror "
            f"mismatches, {r['failed_count']} failed, {r['seconds']:.2f} s"
        )
        return "\n".join(lines)

    emit(report, args.json, text, to_stderr=is_stdout(args.output))
    return 1 if (mismatched.count or failed.count) else 0


def add_ks_output_arguments(p: argparse.ArgumentParser) -> None:
    """The options of the commands that stream KS files into a KS file (normal-form, data
    duals): input paths, -o, --jobs, --cluster, --limit, --json."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="KS files (plain or .gz; - for stdin)")
    p.add_argument(
        "-o", "--output", required=True, help="output KS file (.gz compresses; - for stdout)"
    )
    p.add_argument("--jobs", type=jobs_count, default=1, help=JOBS_HELP)
    p.add_argument("--cluster", type=cluster_spec, help=CLUSTER_HELP)
    p.add_argument("--limit", type=positive_int, help=LIMIT_HELP_FIRST)
    p.add_argument("--json", action="store_true", help="print a JSON report")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `hodge` and `normal-form` subcommands."""
    p = sub.add_parser(
        "hodge",
        help="Hodge numbers and point counts of every polytope of a KS file",
        description=(
            "Per entry: h11, h21, Euler number, points and vertices of the polytope (M:) and of "
            "its dual (N:), by Batyrev's formula with exact lattice arithmetic. Exit code 1 when "
            "--check finds a mismatch with the headers or an entry fails."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="KS files (plain or .gz; - for stdin)")
    p.add_argument(
        "--check",
        action="store_true",
        help="compare with the headers' M:, N:, H: values: each entry's line says whether it "
        "matches; mismatches listed (headers without values: nothing to compare, said so)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.add_argument("--jobs", type=jobs_count, default=1, help=JOBS_HELP)
    p.add_argument(
        "--out",
        help="write one row per entry to FILE (.csv, .jsonl or .parquet), as it goes; - for "
        "stdout (JSON lines unless --format)",
    )
    p.add_argument("--format", choices=FORMATS, help="format of --out (default: from its suffix)")
    p.add_argument("--cluster", type=cluster_spec, help=CLUSTER_HELP)
    p.add_argument(
        "--normal-form",
        action="store_true",
        help="also write each entry's normal form (a list of d*n integers, row by row)",
    )
    p.add_argument("--limit", type=positive_int, help=LIMIT_HELP_FIRST)
    p.set_defaults(func=run_hodge)

    q = sub.add_parser(
        "normal-form",
        help="replace every polytope of a KS file by its normal form (PALP's -N)",
        description="Write the KS file with each vertex matrix in GL(d,Z) x S_n normal form.",
    )
    add_ks_output_arguments(q)
    q.set_defaults(func=run_normal_form)
