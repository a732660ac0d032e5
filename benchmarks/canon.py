"""Canonicaliser benchmark on the KS v26 file: speed (entries/s) and measured invariance rates.

For every canonicaliser π and group G in {S4 x S26, signed permutations x S26, GL(4,Z) x S26}
it reports the share of sampled inputs x with π(g·x) = π(x) for one random g per input, the
share with π(π(x)) = π(x), and the projection speed on one core. Results go to
benchmarks/results/canon/results.json and results.md, with machine info.

    ORBITLEARN_DATA=/work/shared/data python benchmarks/canon.py --sample 5000 --normal-sample 300
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from orbitlearn.apps.ks.names import get_group  # noqa: E402
from orbitlearn.bench.machine import machine_info, machine_lines  # noqa: E402
from orbitlearn.canon import Dirichlet, LexCanonical, PolytopeNormalForm, invariance_rate  # noqa: E402
from orbitlearn.canon.normal import geometry_normal_forms  # noqa: E402
from orbitlearn.datasets.ks import read_ks  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GROUPS = ("s4xs26", "signed", "gl4z")


def measure(name: str, canon, x: np.ndarray, seed: int, repeats: int) -> dict:
    canon.project(x[:8])  # warm-up: JIT compilation and caches are not timed
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        p = canon.project(x)
        times.append(time.perf_counter() - t0)
    best = min(times)
    rates = {
        g: invariance_rate(canon, get_group(g), x, np.random.default_rng([seed, i]))
        for i, g in enumerate(GROUPS)
    }
    idem = float((canon.project(p) == p).all(axis=(1, 2)).mean())
    return {
        "method": name,
        "exact_for": getattr(canon, "_claim", ""),
        "n": int(len(x)),
        "seconds": best,
        "entries_per_second": len(x) / best,
        "invariance_rate": rates,
        "idempotent_rate": idem,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default_data = Path(os.environ.get("ORBITLEARN_DATA", "/work/shared/data")) / "ks" / "v26.gz"
    ap.add_argument("--data", default=str(default_data))
    ap.add_argument("--sample", type=int, default=5000, help="entries for lex and dirichlet")
    ap.add_argument("--normal-sample", type=int, default=300, help="entries for the normal form")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "canon"))
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    ks = read_ks(args.data)
    read_s = time.perf_counter() - t0
    allx = np.stack([e.vertices for e in ks.entries])
    rng = np.random.default_rng(args.seed)
    idx = rng.choice(len(allx), size=min(args.sample, len(allx)), replace=False)
    x = allx[idx]

    rows = []
    specs = [
        ("lex", LexCanonical(), "S4 x S26"),
        ("dirichlet (rank-1 x0)", Dirichlet(seed=0), ""),
        ("dirichlet (rank-1 x0, 4 restarts)", Dirichlet(seed=0, restarts=4), ""),
        ("dirichlet (gaussian x0)", Dirichlet(seed=0, reference="gaussian"), ""),
    ]
    for name, canon, claim in specs:
        canon._claim = claim
        print(f"measuring {name} on {len(x)} entries", file=sys.stderr)
        rows.append(measure(name, canon, x, args.seed, args.repeats if name == "lex" else 1))

    if geometry_normal_forms() is not None:
        nf = PolytopeNormalForm()
        nf._claim = "GL(4,Z) x S26"
        xn = x[: args.normal_sample]
        print(f"measuring normal form on {len(xn)} entries", file=sys.stderr)
        rows.append(measure("normal form", nf, xn, args.seed, 1))
    else:
        print("orbitlearn.geometry.normal_forms missing: normal form not measured", file=sys.stderr)

    # the whole file through LexCanonical: time and number of distinct S4 x S26 orbits
    lex = LexCanonical()
    t0 = time.perf_counter()
    full = lex.project(allx)
    full_s = time.perf_counter() - t0
    distinct = len(np.unique(full.reshape(len(full), -1), axis=0))

    result = {
        "benchmark": "canonicalisers on KS v26",
        "data": str(args.data),
        "entries_in_file": len(allx),
        "read_seconds": read_s,
        "sample": int(len(x)),
        "seed": args.seed,
        "machine": machine_info(),
        "rows": rows,
        "lex_full_file": {
            "entries": len(allx),
            "seconds": full_s,
            "entries_per_second": len(allx) / full_s,
            "distinct_canonical_forms": distinct,
        },
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "results.md").write_text(to_markdown(result))
    print(to_markdown(result))
    return 0


def to_markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        "# Canonicalisers on KS v26",
        "",
        f"Sample: {r['sample']} of {r['entries_in_file']} entries (seed {r['seed']}); normal form on the first "
        "entries of the same sample (see n). Invariance rate: share of inputs x with π(g·x) = π(x) for one "
        "random g per input. Idempotent: share with π(π(x)) = π(x). Speed: best of the timed runs after a warm-up call, one thread.",
        "",
        "| method | exact for | n | entries/s | S4×S26 | signed×S26 | GL(4,Z)×S26 | idempotent |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in r["rows"]:
        ir = row["invariance_rate"]
        lines.append(
            f"| {row['method']} | {row['exact_for'] or '—'} | {row['n']} | {row['entries_per_second']:,.0f} | "
            f"{100 * ir['s4xs26']:.1f}% | {100 * ir['signed']:.1f}% | {100 * ir['gl4z']:.1f}% | "
            f"{100 * row['idempotent_rate']:.1f}% |"
        )
    f = r["lex_full_file"]
    lines += [
        "",
        f"LexCanonical on the whole file: {f['entries']} entries in {f['seconds']:.2f} s "
        f"({f['entries_per_second']:,.0f} entries/s); {f['distinct_canonical_forms']} distinct canonical forms.",
        "",
        "## Machine",
        "",
        *machine_lines(m),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
