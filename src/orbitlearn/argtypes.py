"""Command-line value types: strict integers and finite floats, checked at the CLI edge.

Each function turns one argument string into a value or raises `argparse.ArgumentTypeError`
with a one-line reason. Integers follow the grammar ``[+-]?[0-9]+`` (no ``1_0``, no ``0x10``,
no spaces) and must fit in an int64; floats must be finite. A leaf module: no heavy imports.
"""

from __future__ import annotations

import argparse
import math
import re

INT64_MAX = 2**63 - 1
_INT_RE = re.compile(r"[+-]?[0-9]+")


def strict_int(text: str) -> int:
    """An integer written as ``[+-]?[0-9]+`` that fits in an int64."""
    if not _INT_RE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}")
    value = int(text)
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise argparse.ArgumentTypeError(f"{text} is out of range (at most {INT64_MAX} in size)")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = strict_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def nonnegative_int(text: str) -> int:
    """An integer >= 0 (seeds, counts that may be zero)."""
    value = strict_int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text}")
    return value


def finite_float(text: str) -> float:
    """A finite float (no nan, no inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or "_" in text:
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite float > 0."""
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def nonnegative_float(text: str) -> float:
    """A finite float >= 0."""
    value = finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text}")
    return value


def fraction(text: str) -> float:
    """A finite float in [0, 1]."""
    value = finite_float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text}")
    return value


def smoothing(text: str) -> float:
    """A label-smoothing weight in [0, 1)."""
    value = finite_float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text}")
    return value


def sample_count(text: str) -> int:
    """A number of group elements to average over: >= 0, or -1 for all of a small group."""
    value = strict_int(text)
    if value < -1:
        raise argparse.ArgumentTypeError(f"expected a count >= 0 or -1 (all elements), got {text}")
    return value


#: the help text every ``--limit`` shares, so that the option has one meaning everywhere
LIMIT_HELP_FIRST = "at most N entries (N >= 1): the first N of the file"
LIMIT_HELP_SAMPLE = "at most N entries (N >= 1): a seeded random subset of N"


class OneLineArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one stderr line and exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")
