"""Saving and loading torch files safely: atomic writes, and loads that never run code.

`safe_torch_load` reads with ``weights_only=True`` (tensors, numbers, strings, lists, dicts):
a pickle that asks for any other Python object is refused before anything in it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orbitlearn.errors import OrbitlearnError, first_line
from orbitlearn.fileio import atomic_write


def save_atomic(obj: Any, path: str | Path) -> Path:
    """`torch.save(obj)` to `path` atomically: readers see the old file or the whole new one."""
    import torch

    path = Path(path)
    with atomic_write(path, "wb") as fh:
        torch.save(obj, fh)
    return path


def _unpickling_detail(message: str) -> tuple[bool, str]:
    """(whether the file asked for a Python object, the specific part of torch's weights-only
    error), its preamble, advice and links dropped."""
    for line in message.splitlines():
        if "GLOBAL" in line:  # e.g. "Unsupported global: GLOBAL posix.system ..."
            text = line.strip()
            text = text[text.find("Unsupported") :] if "Unsupported" in text else text
            return True, " ".join(text.split(". ")[0].split())
    generic = ("Weights only load failed", "Check the documentation", "Please file an issue")
    for paragraph in message.split("\n\n"):
        text = paragraph.strip()
        if text and not text.startswith(generic):
            return False, " ".join(text.split())
    return False, "not a torch file"


def safe_torch_load(path: Path) -> Any:
    """`torch.load` restricted to tensors and plain data (``weights_only=True``): nothing in the
    file is executed. A file that needs anything else is refused with a one-line error."""
    import pickle

    import torch

    if not path.exists():
        raise OrbitlearnError(f"{path}: no such checkpoint")
    if path.is_dir():
        raise OrbitlearnError(f"{path}: is a directory, expected a checkpoint file")
    try:
        return torch.load(path, weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as exc:
        unsafe, detail = _unpickling_detail(str(exc))
        if unsafe:  # the file asks for a Python object: refused, nothing in it ran
            raise OrbitlearnError(
                f"{path}: not a safe orbitlearn checkpoint: it holds Python objects beyond "
                f"tensors and plain data, and was not loaded ({detail[:200]})"
            ) from None
        raise OrbitlearnError(f"{path}: not a readable checkpoint ({detail[:200]})") from None
    except OSError as exc:
        if isinstance(exc, PermissionError):
            raise
        raise OrbitlearnError(
            f"{path}: not a readable checkpoint ({type(exc).__name__}: {exc})"
        ) from None
    except Exception as exc:  # a corrupt or foreign file: zip, pickle or tensor errors
        raise OrbitlearnError(
            f"{path}: not a readable checkpoint ({type(exc).__name__}: {first_line(exc)})"
        ) from None
