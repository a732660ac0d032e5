"""Using the committed models: load time (cold: a fresh process, imports included; first: the
first load in a process that has imported torch; again: a second load of the same model) and
prediction throughput in polytopes per second with 1 and 2 torch threads.

Writes benchmarks/results/predict/results.json and results.md (with the machine record). Needs
ORBITLEARN_DATA (or a cached v26 file) for the polytopes it predicts.

    python benchmarks/predict.py [--count 5000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from orbitlearn.bench.runner import write_results

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "predict"
MODELS = ("ks_h11_gl4z", "ks_h11_best")


def cold_load_seconds(name: str) -> float:
    """Wall seconds of `import orbitlearn; load_model(name)` in a fresh interpreter."""
    code = (
        "import time; t = time.perf_counter(); import orbitlearn; "
        f"orbitlearn.load_model({name!r}); print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=5000, help="polytopes predicted per measurement"
    )
    args = parser.parse_args(argv)

    import torch

    import orbitlearn
    from orbitlearn.datasets import load_ks

    data = load_ks(vertices=26)
    x = np.asarray(data.vertices[: args.count], dtype=np.int64)
    rows = []
    for name in MODELS:
        cold = cold_load_seconds(name)
        t = time.perf_counter()
        model = orbitlearn.load_model(name)
        first = time.perf_counter() - t
        t = time.perf_counter()
        model = orbitlearn.load_model(name)
        again = time.perf_counter() - t
        rec = {
            "model": name,
            "load_cold_s": cold,
            "load_first_s": first,
            "load_again_s": again,
            "count": len(x),
        }
        for threads in (1, 2):
            torch.set_num_threads(threads)
            model.predict(x[:200])  # compile caches and allocations
            t = time.perf_counter()
            model.predict(x)
            rec[f"per_s_{threads}_threads"] = len(x) / (time.perf_counter() - t)
        rows.append(rec)
        print(json.dumps(rec), file=sys.stderr)
    lines = [
        "# Prediction with the committed models",
        "",
        f"{args.count} v26 polytopes per measurement (each pipeline projects every input, then runs "
        "its networks); load times in seconds, throughput in polytopes per second.",
        "",
        "| model | load, fresh process (s) | first load, torch imported (s) | load again (s) "
        "| per s, 1 thread | per s, 2 threads |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['load_cold_s']:.2f} | {r['load_first_s']:.2f} | "
            f"{r['load_again_s']:.3f} | "
            f"{r['per_s_1_threads']:.0f} | {r['per_s_2_threads']:.0f} |"
        )
    write_results(OUT, rows, lines)
    print(f"results in {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
