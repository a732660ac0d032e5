"""Scale: reading speed, whole-command CPU seconds against PALP, memory on a 10 x v26 file, and
Dask scaling from 1 to 2 workers.

    python benchmarks/scale.py [--parts read,commands,memory,cluster] [--copies 10]

* read: CPU seconds to read all of v26 (gzip included) in this process — the strict line reader
  alone on a gzip text stream (how every read went before the compiled fast path), `iter_ks`
  (fast path, KSEntry objects) and `iter_ks_blocks` (columns only).
* commands: CPU seconds (user + system) of whole processes on v26, PALP and orbitlearn in the
  same run: `poly-4d.x -g` vs `orbitlearn hodge --check`, `poly-4d.x -N` vs
  `orbitlearn normal-form -o` (each pair back to back, --rounds times; the ratio is the median
  of the rounds' ratios), and `orbitlearn data info`.
* memory: peak RSS of `orbitlearn hodge FILE --out OUT.csv` on one copy and on --copies
  concatenated copies of v26 (trailers dropped).
* cluster (cluster16): wall seconds of `orbitlearn hodge` on 4 (16) copies with `--cluster local:1` and
  `local:2` (throughput ratio; run it on an otherwise idle machine).
* worker_memory: peak RSS of each worker of a 2-worker LocalCluster after Hodge tasks over v26.

Writes benchmarks/results/scale/results.json and results.md with the machine record. Needs
ORBITLEARN_DATA (or a cached v26 file) and PALP (apt-get install palp) for the commands part.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "scale"
ORBITLEARN = [sys.executable, "-m", "orbitlearn"]


def child_run(argv: list[str], stdout=subprocess.DEVNULL) -> dict:
    """Run a process; its wall seconds, CPU seconds (user + system) and peak RSS in MB."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(argv, stdout=stdout, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "peak_rss_mb": None}


def peak_rss_mb(argv: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one process, via /usr/bin/time or wait4."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.read()[-500:]!r}")
    return usage.ru_maxrss / 1024, wall


def part_read(v26: Path) -> dict:
    from orbitlearn.datasets.ks import iter_ks, iter_ks_blocks

    next(iter(iter_ks_blocks(v26, block_entries=64)))  # compile / load the kernel
    out = {}
    for name, make in (
        # the line reader alone, fed as every read was before the fast path: a gzip text stream
        ("line_reader", lambda: iter_ks(gzip.open(v26, "rt", encoding="ascii", errors="replace"))),
        ("iter_ks", lambda: iter_ks(v26)),
        ("iter_ks_blocks", lambda: iter_ks_blocks(v26)),
    ):
        best = None
        for _ in range(2):
            t = time.process_time()
            count = sum(len(x) if hasattr(x, "table") else 1 for x in make())
            cpu = time.process_time() - t
            best = cpu if best is None else min(best, cpu)
        out[name] = {"cpu_s": round(best, 3), "entries": count}
    t = time.process_time()
    with gzip.open(v26, "rb") as fh:
        while fh.read(1 << 22):
            pass
    out["gunzip_only"] = {"cpu_s": round(time.process_time() - t, 3)}
    out["speedup_iter_ks"] = round(out["line_reader"]["cpu_s"] / out["iter_ks"]["cpu_s"], 2)
    out["speedup_blocks"] = round(out["line_reader"]["cpu_s"] / out["iter_ks_blocks"]["cpu_s"], 2)
    return out


def _paired(first: list[str], second: list[str], rounds: int) -> dict:
    """`first` and `second` run one after the other, `rounds` times: each one's runs, and the
    ratio of their CPU seconds (first / second) per round and its median. Pairing the runs
    keeps the comparison fair on a machine whose speed drifts (a shared VM: the same PALP run
    here ranged over 7.1-10.5 CPU s in one hour)."""
    runs_a, runs_b, ratios = [], [], []
    for _ in range(rounds):
        a = child_run(first)
        b = child_run(second)
        runs_a.append(a)
        runs_b.append(b)
        ratios.append(round(a["cpu_s"] / b["cpu_s"], 3))
    median = sorted(ratios)[len(ratios) // 2]
    return {"first": runs_a, "second": runs_b, "ratios": ratios, "median_ratio": median}


def median_run(runs: list[dict]) -> dict:
    """The run of median CPU seconds."""
    return sorted(runs, key=lambda r: r["cpu_s"])[len(runs) // 2]


def part_commands(v26: Path, tmp: Path, rounds: int = 3) -> dict:
    palp = shutil.which("poly-4d.x")
    if palp is None:
        raise SystemExit("poly-4d.x (PALP) not found: apt-get install palp")
    plain = tmp / "v26.txt"
    with gzip.open(v26, "rb") as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst)
    child_run([*ORBITLEARN, "hodge", str(v26), "--limit", "10"])  # kernel cache warm
    child_run([*ORBITLEARN, "normal-form", str(v26), "--limit", "10", "-o", str(tmp / "w.txt")])
    hodge = _paired([palp, "-g", str(plain)], [*ORBITLEARN, "hodge", str(v26), "--check"], rounds)
    nf = _paired(
        [palp, "-N", str(plain)],
        [*ORBITLEARN, "normal-form", str(v26), "-o", str(tmp / "nf.txt")],
        rounds,
    )
    rows = {
        "rounds": rounds,
        "palp_hodge": median_run(hodge["first"]),
        "orbitlearn_hodge_check": median_run(hodge["second"]),
        "palp_normal_form": median_run(nf["first"]),
        "orbitlearn_normal_form": median_run(nf["second"]),
        "orbitlearn_data_info": child_run([*ORBITLEARN, "data", "info", str(v26)]),
        "orbitlearn_version": child_run([*ORBITLEARN, "--version"]),
        "cpu_s_per_round": {
            "palp_hodge": [r["cpu_s"] for r in hodge["first"]],
            "orbitlearn_hodge_check": [r["cpu_s"] for r in hodge["second"]],
            "palp_normal_form": [r["cpu_s"] for r in nf["first"]],
            "orbitlearn_normal_form": [r["cpu_s"] for r in nf["second"]],
        },
        "ratios_hodge": hodge["ratios"],
        "ratios_normal_form": nf["ratios"],
        # the median over rounds of PALP's CPU seconds / ours, each round a back-to-back pair
        "ratio_hodge": hodge["median_ratio"],
        "ratio_normal_form": nf["median_ratio"],
    }
    return rows


def _copies(v26: Path, copies: int, dest: Path) -> Path:
    """`copies` concatenated copies of v26's entries (trailer lines dropped), gzipped."""
    with gzip.open(v26, "rt") as fh:
        lines = fh.read().splitlines(keepends=True)
    body = "".join(lines[:-2]).encode()
    with gzip.open(dest, "wb", compresslevel=1) as out:
        for _ in range(copies):
            out.write(body)
    return dest


def part_memory(v26: Path, tmp: Path, copies: int) -> dict:
    one = _copies(v26, 1, tmp / "x1.gz")
    many = _copies(v26, copies, tmp / f"x{copies}.gz")
    out = {}
    for name, path in (("one_copy", one), (f"{copies}_copies", many)):
        rss, wall = peak_rss_mb([*ORBITLEARN, "hodge", str(path), "--out", str(tmp / "h.csv")])
        out[name] = {"peak_rss_mb": round(rss, 1), "wall_s": round(wall, 1)}
    out["ratio"] = round(out[f"{copies}_copies"]["peak_rss_mb"] / out["one_copy"]["peak_rss_mb"], 3)
    return out


def part_cluster(v26: Path, tmp: Path, copies: int = 4) -> dict:
    four = _copies(v26, copies, tmp / f"x{copies}.gz")
    out = {}
    for workers in (1, 2):
        res = child_run(
            [
                *ORBITLEARN,
                "hodge",
                str(four),
                "--out",
                str(tmp / f"c{workers}.csv"),
                "--cluster",
                f"local:{workers}",
            ]
        )
        out[f"local_{workers}"] = {**res, "per_s": round(copies * 78468 / res["wall_s"], 1)}
    out["speedup"] = round(out["local_1"]["wall_s"] / out["local_2"]["wall_s"], 3)
    same = (tmp / "c1.csv").read_bytes() == (tmp / "c2.csv").read_bytes()
    out["same_rows"] = same
    out["copies"] = copies
    return out


def _peak_rss_mb_here() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def part_worker_memory(v26: Path) -> dict:
    """Peak RSS of each of 2 LocalCluster workers after each ran Hodge tasks over all of v26."""
    from orbitlearn.datasets.ks import iter_input_blocks
    from orbitlearn.dist import executor
    from orbitlearn.geometry.commands import TASK_ENTRIES, hodge_task

    with executor("local:2") as ex:
        tasks = (b.compact() for b in iter_input_blocks([str(v26)], block_entries=TASK_ENTRIES))
        done = sum(len(r["table"]) for r in ex.map(hodge_task, tasks))
        peaks = ex.client.run(_peak_rss_mb_here)
    return {"entries": done, "worker_peak_rss_mb": sorted(round(v, 1) for v in peaks.values())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="read,commands,memory,cluster")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="PALP / orbitlearn pairs (commands)")
    args = parser.parse_args(argv)

    from orbitlearn.bench.machine import machine_info, machine_lines
    from orbitlearn.bench.runner import write_results
    from orbitlearn.datasets.fetch import resolve_ks_path

    v26 = Path(resolve_ks_path(26, download=False))
    parts = args.parts.split(",")
    previous = OUT / "results.json"
    results = {}
    if previous.exists():  # parts not rerun keep their earlier record
        results = {r["part"]: r for r in json.loads(previous.read_text()).get("rows", [])}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for part in parts:
            print(f"scale: {part} ...", file=sys.stderr)
            if part == "read":
                results["read"] = part_read(v26)
            elif part == "commands":
                results["commands"] = part_commands(v26, tmp, args.rounds)
            elif part == "memory":
                results["memory"] = part_memory(v26, tmp, args.copies)
            elif part == "cluster":
                results["cluster"] = part_cluster(v26, tmp)
            elif (
                part == "cluster16"
            ):  # the same on 16 copies: the start-up of the cluster amortised
                results["cluster16"] = part_cluster(v26, tmp, 16)
            elif part == "worker_memory":
                results["worker_memory"] = part_worker_memory(v26)
            else:
                raise SystemExit(f"unknown part {part!r}")
            results[part]["part"] = part
            results[part]["machine"] = machine_info()
            print(json.dumps(results[part]), file=sys.stderr)
    lines = ["# Scale", "", "Measured by `benchmarks/scale.py`; each part records its machine.", ""]
    for part, rec in results.items():
        shown = {k: v for k, v in rec.items() if k not in ("machine", "part")}
        lines += [f"## {part}", "", "```json", json.dumps(shown, indent=1), "```", ""]
        lines += machine_lines(rec["machine"]) + [""]
    write_results(OUT, list(results.values()), lines)
    print(f"results in {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
