"""`python -m orbitlearn ...`: the same as the `orbitlearn` command."""

import sys

from orbitlearn.cli import main

if __name__ == "__main__":
    sys.exit(main())
