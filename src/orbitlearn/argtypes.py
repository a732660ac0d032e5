"""Command-line value types: strict integers and finite floats, checked at the CLI edge.

Each function turns one argument string into a value or raises `argparse.ArgumentTypeError`
with a one-line reason. Integers follow the grammar ``[+-]?[0-9]+`` (`INTEGER`, shared with the KS
reader: no ``1_0``, no ``0x10``, no spaces) and must fit in an int64; floats must be finite. A leaf
module: no heavy imports.
"""

from __future__ import annotations

import argparse
import math
import re

from orbitlearn.limits import MAX_SYMMETRIZE_SAMPLES

#: the project's one integer grammar (the KS reader uses it too): a sign and ASCII digits
INTEGER = re.compile(r"[+-]?[0-9]+")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def strict_int(text: str) -> int:
    """An integer written as ``[+-]?[0-9]+`` that fits in an int64."""
    if not INTEGER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}")
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise argparse.ArgumentTypeError(f"{text} is out of range (at most {INT64_MAX} in size)")
    return value


def _restricted(parse, ok, expected: str, name: str, doc: str):
    """A value type: `parse(text)`, then a one-line error unless `ok(value)`."""

    def convert(text: str):
        value = parse(text)
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
        return value

    convert.__name__ = convert.__qualname__ = name
    convert.__doc__ = doc
    return convert


positive_int = _restricted(
    strict_int, lambda v: v >= 1, "a positive integer", "positive_int", "An integer >= 1."
)
nonnegative_int = _restricted(
    strict_int, lambda v: v >= 0, "an integer >= 0", "nonnegative_int",
    "An integer >= 0 (seeds, counts that may be zero).",
)  # fmt: skip
sample_count = _restricted(
    strict_int, lambda v: -1 <= v <= MAX_SYMMETRIZE_SAMPLES,
    f"a count from 0 to {MAX_SYMMETRIZE_SAMPLES}, or -1 (all elements)", "sample_count",
    "A number of group elements to average over: 0 .. MAX_SYMMETRIZE_SAMPLES, or -1 for all "
    "of a small group.",
)  # fmt: skip
group_samples = _restricted(
    strict_int, lambda v: 1 <= v <= MAX_SYMMETRIZE_SAMPLES,
    f"a count from 1 to {MAX_SYMMETRIZE_SAMPLES}", "group_samples",
    "A number of random group elements per input: 1 .. MAX_SYMMETRIZE_SAMPLES.",
)  # fmt: skip


def finite_float(text: str) -> float:
    """A finite float (no nan, no inf, no underscores)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or "_" in text:
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


positive_float = _restricted(
    finite_float, lambda v: v > 0, "a positive number", "positive_float", "A finite float > 0."
)
nonnegative_float = _restricted(
    finite_float, lambda v: v >= 0, "a number >= 0", "nonnegative_float", "A finite float >= 0."
)
fraction = _restricted(
    finite_float, lambda v: 0 <= v <= 1, "a number in [0, 1]", "fraction",
    "A finite float in [0, 1].",
)  # fmt: skip
smoothing = _restricted(
    finite_float, lambda v: 0 <= v < 1, "a number in [0, 1)", "smoothing",
    "A label-smoothing weight in [0, 1).",
)  # fmt: skip


#: the help text every ``--limit`` shares, so that the option has one meaning everywhere
LIMIT_HELP_FIRST = "at most N entries (N >= 1): the first N of the file"
LIMIT_HELP_SAMPLE = "at most N entries (N >= 1): a seeded random subset of N"


_UNRECOGNIZED = "unrecognized arguments: "
_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


def did_you_mean(message: str, parser: argparse.ArgumentParser) -> str:
    """The closest known option or choice to what a usage error says is wrong, as
    ``"; did you mean --check?"`` (empty when nothing is close), as pip and git suggest."""
    import difflib

    if message.startswith(_UNRECOGNIZED):
        options = list(parser._option_string_actions)
        for token in message[len(_UNRECOGNIZED) :].split():
            if token.startswith("-"):
                close = difflib.get_close_matches(token.split("=")[0], options, n=1, cutoff=0.6)
                if close:
                    return f"; did you mean {close[0]}?"
        return ""
    found = _INVALID_CHOICE.search(message)
    if found:
        choices = re.findall(r"'([^']*)'", found.group(2))
        close = difflib.get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
        if close:
            return f"; did you mean {close[0]}?"
    return ""


class OneLineArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one stderr line and exit code 2, with the
    closest option or choice suggested ("did you mean --check?")."""

    #: the most deeply nested parser that has started parsing (a subcommand's): an unknown
    #: option is reported by the top-level parser but belongs to it
    _innermost: argparse.ArgumentParser | None = None

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        """As argparse does, noting this parser as the innermost one parsing."""
        OneLineArgumentParser._innermost = self
        return super().parse_known_args(args, namespace)

    def error(self, message: str):  # type: ignore[override]
        """Print the usage error as one line (``orbitlearn: error: ...``) and exit with status 2."""
        inner = OneLineArgumentParser._innermost or self
        hint = did_you_mean(message, inner)
        prog = inner.prog if message.startswith(_UNRECOGNIZED) else self.prog
        self.exit(2, f"{prog}: error: {message}{hint} (see {prog} --help)\n")
