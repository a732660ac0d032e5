"""Printing a command's report: JSON with --json, else a human-readable text (a leaf module)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any


def emit(obj: Any, as_json: bool, text: Callable[[Any], str] | None = None) -> None:
    """Print a report: JSON with --json, else the human-readable `text(obj)`."""
    if as_json or text is None:
        sys.stdout.write(json.dumps(obj, indent=None if as_json else 2) + "\n")
    else:
        sys.stdout.write(text(obj).rstrip("\n") + "\n")
