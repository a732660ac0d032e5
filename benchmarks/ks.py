"""The Kreuzer-Skarke h11 table: `python benchmarks/ks.py [--seeds 0 1 2] [--rows ...]`.

A thin entry point to `orbitlearn bench ks --profile full --save-models`, which writes
benchmarks/results/ks/ (table.csv, table.md, chart.png, curves.png, rows/, cells/). Finished cells
are kept and not rerun, so the table can be built up over several runs. Needs ORBITLEARN_DATA
(or a cached v26 file).
"""

import sys

from orbitlearn.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "ks", "--profile", "full", "--save-models", *sys.argv[1:]]))
