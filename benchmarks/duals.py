"""The polar duals of all of v26 and the mirror-symmetry check: `python benchmarks/duals.py`.

Runs `orbitlearn data duals v26.gz -o DUALS --json` (DUALS under runs/, not committed: it is
derived from the KS file) and writes its report — how many duals, how many checked against the
source's swapped Hodge numbers and point counts, how many mismatched or failed, seconds — with
the machine record to benchmarks/results/ks-duals/mirror/results.json and results.md.
"""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stdout
from pathlib import Path

from orbitlearn.bench.runner import write_results
from orbitlearn.cli import main as cli
from orbitlearn.datasets.fetch import resolve_ks_path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "ks-duals" / "mirror"
DUALS = ROOT / "runs" / "duals" / "v26_duals.txt.gz"


def main() -> int:
    v26 = resolve_ks_path(26, download=False)
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = cli(["data", "duals", str(v26), "-o", str(DUALS), "--json", *sys.argv[1:]])
    report = json.loads(buf.getvalue())
    report["exit_code"] = code
    lines = [
        "# Polar duals of v26 and the mirror-symmetry check",
        "",
        f"{report['count']} entries, {report['written']} duals written (in normal form, headers "
        f"computed by the engine), {report['checked']} checked against the source's swapped "
        f"h11/h21 and M:/N: counts: **{report['mirror_mismatches']} mismatches**, "
        f"{report['failed_count']} failed; {report['seconds']:.1f} s "
        f"(jobs {report['jobs']}, cluster {report['cluster']}).",
    ]
    write_results(OUT, [report], lines)
    print(f"results in {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
