"""`orbitlearn hodge` and `orbitlearn normal-form`: wiring from the command line to the engine."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import itertools
import json
import sys
import time
from pathlib import Path

from orbitlearn.argtypes import LIMIT_HELP_FIRST, positive_int
from orbitlearn.errors import GeometryError, OrbitlearnError
from orbitlearn.progress import progress

FIELDS = ("h11", "h21", "euler", "m_points", "m_vertices", "n_points", "n_vertices")


def _read_entries(path: str, limit: int | None) -> tuple[list, list[str]]:
    from orbitlearn.datasets.ks import iter_ks

    if not Path(path).exists():
        raise OrbitlearnError(f"{path}: no such file")
    trailer: list[str] = []
    it = iter_ks(path, trailer=trailer)
    entries = list(itertools.islice(it, limit) if limit is not None else it)
    return entries, trailer


def _ks_text(rec: dict) -> str:
    return (
        f"M:{rec['m_points']} {rec['m_vertices']} N:{rec['n_points']} {rec['n_vertices']} "
        f"H:{rec['h11']},{rec['h21']} [{rec['euler']}]"
    )


def _write_records(path: Path, records: list[dict], columns: list[str]) -> None:
    """CSV or JSON lines, written atomically: the old file or the whole new one, never a part."""
    from orbitlearn.fileio import atomic_write

    with atomic_write(path, "w", newline="") as fh:
        if path.suffix == ".csv":
            w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
            w.writeheader()
            for r in records:
                w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in columns})
        else:
            for r in records:
                fh.write(json.dumps({k: r.get(k) for k in columns}) + "\n")


def run_hodge(args: argparse.Namespace) -> int:
    """Hodge numbers and KS counts of every entry; with --check, compared with the headers."""
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix not in (".csv", ".jsonl"):
        raise OrbitlearnError(f"--out must end in .csv or .jsonl, got {out.name}")
    from orbitlearn.geometry.batch import hodge_many

    start = time.perf_counter()
    entries, _ = _read_entries(args.path, args.limit)
    items = ((e.index, e.vertices) for e in entries)
    records: list[dict] = []
    failed: list[dict] = []
    mismatched: list[dict] = []
    results = progress(
        hodge_many(items, jobs=args.jobs), total=len(entries), desc=f"hodge {args.path}"
    )
    for e, (index, rec, err) in zip(entries, results):
        row = {"index": index, "line": e.line}
        if err is not None:
            failed.append({"index": index, "line": e.line, "message": err})
            row["error"] = err
            records.append(row)
            continue
        row.update(rec)
        if args.check:
            diff = {
                f: [getattr(e, f), rec[f]]
                for f in FIELDS
                if getattr(e, f) is not None and getattr(e, f) != rec[f]
            }
            row["matches_header"] = not diff
            if diff:
                mismatched.append({"index": index, "line": e.line, "fields": diff})
        records.append(row)
    seconds = time.perf_counter() - start
    columns = ["index", "line", *FIELDS, "error"] + (["matches_header"] if args.check else [])
    if out is not None:
        _write_records(out, records, columns)
    report = {
        "source": str(args.path),
        "count": len(entries),
        "computed": len(entries) - len(failed),
        "checked": bool(args.check),
        "mismatches": len(mismatched),
        "mismatched": mismatched,
        "failed": failed,
        "seconds": round(seconds, 3),
        "per_second": round(len(entries) / seconds, 1) if seconds > 0 else None,
        "jobs": args.jobs,
        "out": str(out) if out else None,
    }
    if args.json:
        if out is None and not args.check:
            report["entries"] = records
        json.dump(report, sys.stdout)
        sys.stdout.write("\n")
    else:
        w = sys.stdout.write
        if out is None and not args.check:
            for r in records:
                if "error" not in r:
                    w(f"{r['index']}\t{_ks_text(r)}\n")
        for m in mismatched:
            got = ", ".join(f"{k}: header {a} computed {b}" for k, (a, b) in m["fields"].items())
            w(f"mismatch: entry {m['index']} (line {m['line']}): {got}\n")
        for f in failed:
            w(f"failed: entry {f['index']} (line {f['line']}): {f['message']}\n")
        summary = f"{report['count']} entries, {report['computed']} computed"
        if args.check:
            summary += f", {report['mismatches']} mismatches with the headers"
        summary += f", {len(failed)} failed, {report['seconds']:.2f} s ({report['per_second']}/s)"
        if out is not None:
            summary += f"; written to {out}"
        w(summary + "\n")
    return 1 if (mismatched or failed) else 0


def run_normal_form(args: argparse.Namespace) -> int:
    """Every entry replaced by its normal form, same order and headers, written in KS format."""
    from orbitlearn.datasets.ks import write_ks
    from orbitlearn.geometry.batch import normal_form_many

    start = time.perf_counter()
    entries, trailer = _read_entries(args.path, args.limit)
    items = ((e.index, e.vertices) for e in entries)
    new = []
    changed = 0
    results = progress(
        normal_form_many(items, jobs=args.jobs), total=len(entries), desc=f"normal form {args.path}"
    )
    for e, (_, nf, err) in zip(entries, results):
        if err is not None:
            raise GeometryError(f"{args.path}:{e.line}: entry {e.index}: {err}")
        changed += not (nf.shape == e.vertices.shape and (nf == e.vertices).all())
        new.append(dataclasses.replace(e, vertices=nf))
    write_ks(new, args.output, trailer=trailer if args.limit is None else None)
    seconds = time.perf_counter() - start
    report = {
        "source": str(args.path),
        "output": str(args.output),
        "count": len(new),
        "changed": changed,
        "seconds": round(seconds, 3),
        "jobs": args.jobs,
    }
    if args.json:
        json.dump(report, sys.stdout)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(
            f"{report['count']} entries written to {args.output} "
            f"({changed} changed by the normal form), {report['seconds']:.2f} s\n"
        )
    return 0


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
    p.add_argument("path", help="KS file (plain or .gz)")
    p.add_argument("--check", action="store_true", help="compare with the headers, list mismatches")
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.add_argument("--jobs", type=positive_int, default=1, help="worker processes (default 1)")
    p.add_argument("--out", help="write per-entry results to FILE.csv or FILE.jsonl")
    p.add_argument("--limit", type=positive_int, help=LIMIT_HELP_FIRST)
    p.set_defaults(func=run_hodge)

    q = sub.add_parser(
        "normal-form",
        help="replace every polytope of a KS file by its normal form (PALP's -N)",
        description="Write the KS file with each vertex matrix in GL(d,Z) x S_n normal form.",
    )
    q.add_argument("path", help="KS file (plain or .gz)")
    q.add_argument("-o", "--output", required=True, help="output KS file (.gz compresses)")
    q.add_argument("--jobs", type=positive_int, default=1, help="worker processes (default 1)")
    q.add_argument("--limit", type=positive_int, help=LIMIT_HELP_FIRST)
    q.add_argument("--json", action="store_true", help="print a JSON report")
    q.set_defaults(func=run_normal_form)
