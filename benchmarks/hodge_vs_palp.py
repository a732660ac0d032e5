"""Benchmark: orbitlearn's exact engine against PALP on the same KS polytopes, in one run.

Measures, on the first --limit entries of a KS file (default: all of v26):
  * Hodge data (h11, h21, M: and N: counts): PALP ``poly-4d.x -g`` vs ``orbitlearn.geometry``
    in one process and with --jobs 2 (and whatever --jobs lists);
  * normal forms: PALP ``poly-4d.x -N`` vs ``orbitlearn.geometry.normalform``;
  * correctness: every result compared with the file's headers and with PALP's output.

PALP's time includes reading its text input; orbitlearn's engine time excludes parsing the file
(reported separately as `parse_seconds`). Numba compilation is done before timing (reported as
`warmup_seconds`). Writes results.json and results.md under --out-dir.

    python benchmarks/hodge_vs_palp.py [--data PATH] [--limit N] [--jobs 1,2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from orbitlearn.bench.machine import machine_info, machine_lines
from orbitlearn.datasets.ks import iter_ks, write_ks
from orbitlearn.geometry import hodge_many, hodge_record, normal_form, normal_form_many

FIELDS = ("h11", "h21", "euler", "m_points", "m_vertices", "n_points", "n_vertices")
GEN_RE = re.compile(r"M:(\d+) (\d+) N:(\d+) (\d+) H:(-?\d+),(-?\d+) \[(-?\d+)\]")
ROOT = Path(__file__).resolve().parents[1]


def run_palp(option: str, path: Path) -> tuple[str, float, float]:
    """PALP's stdout, wall seconds and CPU seconds (user + system of the child)."""
    exe = shutil.which("poly-4d.x")
    if exe is None:
        raise SystemExit("poly-4d.x (PALP) not found: apt-get install palp")
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    res = subprocess.run([exe, option, str(path)], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return res.stdout, wall, cpu


def parse_palp_general(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        m = GEN_RE.search(line)
        if m:
            h11, h21, chi = int(m[5]), int(m[6]), int(m[7])
            out.append(
                dict(zip(FIELDS, (h11, h21, chi, int(m[1]), int(m[2]), int(m[3]), int(m[4]))))
            )
    return out


def parse_palp_nf(text: str) -> list[np.ndarray]:
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        if "Normal form" in lines[i]:
            r = int(lines[i].split()[0])
            out.append(np.array([[int(x) for x in lines[i + 1 + k].split()] for k in range(r)]))
            i += r + 1
        else:
            i += 1
    return out


def timed(func, *args) -> tuple[object, float]:
    t = time.perf_counter()
    out = func(*args)
    return out, time.perf_counter() - t


def timed_cpu(func) -> tuple[object, float, float]:
    """(result, wall seconds, CPU seconds of this process and its finished children)."""
    c0 = time.process_time()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = func()
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - c0 + (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return out, wall, cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("ORBITLEARN_DATA", "/work/shared/data")) / "ks" / "v26.gz"
    ap.add_argument("--data", default=str(default))
    ap.add_argument("--limit", type=int, default=None, help="first N entries only")
    ap.add_argument("--jobs", default="1,2", help="comma-separated process counts (default 1,2)")
    ap.add_argument("--out-dir", default=str(ROOT / "benchmarks" / "results" / "hodge"))
    args = ap.parse_args(argv)
    jobs_list = [int(x) for x in args.jobs.split(",")]

    info = machine_info()
    t = time.perf_counter()
    entries = []
    for e in iter_ks(args.data):
        entries.append(e)
        if args.limit is not None and len(entries) >= args.limit:
            break
    parse_seconds = time.perf_counter() - t
    n = len(entries)
    print(f"{n} entries from {args.data} (parsed in {parse_seconds:.2f} s)", file=sys.stderr)

    _, warmup = timed(lambda: (hodge_record(entries[0].vertices), normal_form(entries[0].vertices)))
    headers = [{f: getattr(e, f) for f in FIELDS} for e in entries]
    results: dict = {"machine": info, "data": str(args.data), "count": n}
    results["parse_seconds"] = round(parse_seconds, 3)
    results["warmup_seconds"] = round(warmup, 3)

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "input.txt"
        write_ks(entries, plain)
        palp_g_text, palp_g_s, palp_g_cpu = run_palp("-g", plain)
        palp_n_text, palp_n_s, palp_n_cpu = run_palp("-N", plain)
    palp_g = parse_palp_general(palp_g_text)
    palp_nf = parse_palp_nf(palp_n_text)
    assert len(palp_g) == n and len(palp_nf) == n, (len(palp_g), len(palp_nf), n)
    palp_correct = sum(g == h for g, h in zip(palp_g, headers))

    hodge = {
        "palp": {
            "seconds": round(palp_g_s, 3),
            "cpu_seconds": round(palp_g_cpu, 3),
            "per_second": round(n / palp_g_s, 1),
            "correct_vs_headers": palp_correct,
        }
    }
    items = [(e.index, e.vertices) for e in entries]
    for jobs in jobs_list:
        out, s, cpu = timed_cpu(lambda j=jobs: list(hodge_many(items, jobs=j)))
        recs = [r for _, r, _ in out]
        hodge[f"orbitlearn_jobs{jobs}"] = {
            "seconds": round(s, 3),
            "cpu_seconds": round(cpu, 3),
            "per_second": round(n / s, 1),
            "correct_vs_headers": sum(r == h for r, h in zip(recs, headers)),
            "equal_to_palp": sum(r == g for r, g in zip(recs, palp_g)),
            "failed": sum(err is not None for _, _, err in out),
            "time_ratio_vs_palp": round(s / palp_g_s, 3),
        }
        print(f"hodge jobs={jobs}: {s:.2f} s", file=sys.stderr)
    results["hodge"] = hodge

    nf = {
        "palp": {
            "seconds": round(palp_n_s, 3),
            "cpu_seconds": round(palp_n_cpu, 3),
            "per_second": round(n / palp_n_s, 1),
            "equal_to_input": sum(np.array_equal(a, e.vertices) for a, e in zip(palp_nf, entries)),
        }
    }
    for jobs in jobs_list:
        out, s, cpu = timed_cpu(lambda j=jobs: list(normal_form_many(items, jobs=j)))
        mats = [m for _, m, _ in out]
        nf[f"orbitlearn_jobs{jobs}"] = {
            "seconds": round(s, 3),
            "cpu_seconds": round(cpu, 3),
            "per_second": round(n / s, 1),
            "equal_to_palp": sum(np.array_equal(a, b) for a, b in zip(mats, palp_nf)),
            "equal_to_input": sum(np.array_equal(a, e.vertices) for a, e in zip(mats, entries)),
            "failed": sum(err is not None for _, _, err in out),
            "time_ratio_vs_palp": round(s / palp_n_s, 3),
        }
        print(f"normal form jobs={jobs}: {s:.2f} s", file=sys.stderr)
    results["normal_form"] = nf

    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out_dir / "results.md").write_text(render_md(results, args))
    print(json.dumps(results, indent=2))
    return 0


def render_md(r: dict, args) -> str:
    m = r["machine"]
    lines = [
        "# Exact engine vs PALP: Hodge numbers and normal forms",
        "",
        f"Command: `python benchmarks/hodge_vs_palp.py --jobs {args.jobs}"
        + (f" --limit {args.limit}`" if args.limit else "`"),
        f"Data: `{r['data']}`, {r['count']} polytopes (parsing them took {r['parse_seconds']} s, "
        f"not included below; numba warm-up {r['warmup_seconds']} s, not included).",
        "",
        *machine_lines(m),
        "",
        "PALP times are `poly-4d.x -g` / `poly-4d.x -N` on the same polytopes as a text file "
        "(including its own parsing). CPU s counts all processes of a run (a pool's workers "
        "included), so with --jobs 2 it exceeds wall time; on a shared machine it is the fairer "
        "single-process comparison.",
        "",
    ]
    for key, title, extra in (
        ("hodge", "Hodge data (h11, h21, M:, N:)", "correct_vs_headers"),
        ("normal_form", "Normal form", "equal_to_input"),
    ):
        lines += [
            f"## {title}",
            "",
            f"| engine | wall s | CPU s | polytopes/s (wall) | wall time / PALP | {extra.replace('_', ' ')} | equal to PALP |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, v in r[key].items():
            lines.append(
                f"| {name} | {v['seconds']} | {v['cpu_seconds']} | {v['per_second']} | "
                f"{v.get('time_ratio_vs_palp', 1.0)} | {v.get(extra, '')} / {r['count']} | "
                f"{v.get('equal_to_palp', '—')} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
