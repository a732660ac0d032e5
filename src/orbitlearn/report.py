"""Printing a command's report: JSON with --json, else a human-readable text (a leaf module)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any


def emit(
    obj: Any, as_json: bool, text: Callable[[Any], str] | None = None, *, to_stderr: bool = False
) -> None:
    """Print a report: JSON with --json, else the human-readable `text(obj)`; on stderr when
    `to_stderr` (the command's data went to standard output: `-o -`)."""
    stream = sys.stderr if to_stderr else sys.stdout
    if as_json or text is None:
        stream.write(json.dumps(obj, indent=None if as_json else 2) + "\n")
    else:
        stream.write(text(obj).rstrip("\n") + "\n")
