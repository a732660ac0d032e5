"""The README's main job, timed: `orbitlearn bench ks --profile quick` from nothing (a fresh output
folder, so every cell trains, and an empty numba cache, so the engine compiles), on an idle
machine and beside one CPU-bound process (a Python busy loop on the other core), with the cells
one after another (`--jobs 1`) and side by side (`--jobs 2`); wall seconds each. What `--jobs auto`
(the default) picks follows from these numbers.

Writes benchmarks/results/main-job/results.json and results.md (with the machine record). Run it
on an otherwise idle machine; the load average before each run is recorded beside its time.

    ORBITLEARN_DATA=../shared/data python benchmarks/main_job.py [--only idle|busy] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from orbitlearn.bench.runner import write_results

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "main-job"
COMMAND = ("bench", "ks", "--profile", "quick")
#: one CPU-bound process: a pure-Python loop that never sleeps
BUSY_LOOP = "while True: pass"


def run_main_job(beside_busy_process: bool, jobs: str) -> dict:
    """Wall seconds of the main job into a fresh folder (and the 1-minute load average before)."""
    busy = None
    if beside_busy_process:
        busy = subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
        time.sleep(2)  # running before the job starts
    try:
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory() as tmp:
            # an empty numba cache: the engine compiles as on a fresh machine
            env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / "numba")}
            t0 = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "orbitlearn",
                    *COMMAND,
                    "--jobs",
                    jobs,
                    "--out",
                    str(Path(tmp) / "ks"),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                env=env,
            )
            seconds = time.perf_counter() - t0
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    return {
        "condition": "beside one CPU-bound process" if beside_busy_process else "idle",
        "command": "orbitlearn " + " ".join(COMMAND) + f" --jobs {jobs}",
        "jobs": jobs,
        "wall_seconds": round(seconds, 1),
        "load_average_before": round(load, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("idle", "busy"), help="one condition only")
    parser.add_argument(
        "--jobs", nargs="+", default=["1", "2"], help="the --jobs values to time (default 1 2)"
    )
    args = parser.parse_args(argv)
    conditions = {"idle": [False], "busy": [True]}.get(args.only, [False, True])
    rows = [run_main_job(c, j) for c in conditions for j in args.jobs]
    lines = [
        "# The README's main job, timed",
        "",
        "`python benchmarks/main_job.py`: `orbitlearn bench ks --profile quick` into a fresh folder.",
        "",
        "| condition | --jobs | wall | load average before |",
        "|---|---|---|---|",
        *(
            f"| {r['condition']} | {r['jobs']} "
            f"| {r['wall_seconds'] / 60:.1f} min ({r['wall_seconds']:.0f} s) "
            f"| {r['load_average_before']} |"
            for r in rows
        ),
    ]
    print(write_results(OUT, rows, lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
