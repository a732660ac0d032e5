"""`python -m orbitlearn ...`: the same as the `orbitlearn` command."""

from orbitlearn.cli import run

if __name__ == "__main__":
    run()
