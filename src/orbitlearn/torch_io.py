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
    try:
        with atomic_write(path, "wb") as fh:
            torch.save(obj, fh)
    except RuntimeError as exc:  # torch's writer wraps a failed write (disk full) this way
        raise OrbitlearnError(f"{path}: cannot write ({first_line(exc)})") from None
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
    import warnings

    import torch

    if not path.exists():
        raise OrbitlearnError(f"{path}: no such checkpoint")
    if path.is_dir():
        raise OrbitlearnError(f"{path}: is a directory, expected a checkpoint file")
    try:
        with warnings.catch_warnings():  # torch's multi-line warnings: the refusal is one line
            warnings.simplefilter("ignore")
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


def _feed(h: Any, obj: Any) -> None:
    """Feed a canonical byte form of plain data and tensors to the hash `h` (dict keys sorted)."""
    import numpy as np
    import torch

    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        h.update(f"T{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    elif isinstance(obj, np.ndarray):
        a = np.ascontiguousarray(obj)
        h.update(f"A{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    elif isinstance(obj, dict):
        h.update(f"D{len(obj)}".encode())
        for key in sorted(obj, key=repr):
            _feed(h, key)
            _feed(h, obj[key])
    elif isinstance(obj, list | tuple):
        h.update(f"L{len(obj)}".encode())
        for item in obj:
            _feed(h, item)
    elif isinstance(obj, bytes | bytearray):
        h.update(b"B%d:" % len(obj) + bytes(obj))
    else:  # numbers, strings, None, bools: their repr is exact
        text = repr(obj).encode()
        h.update(b"S%d:" % len(text) + text)


def content_checksum(obj: Any) -> str:
    """sha256 (hex) of a canonical byte form of `obj`: every tensor's dtype, shape and bytes and
    every plain value, dict keys sorted; the same content gives the same checksum."""
    import hashlib

    h = hashlib.sha256()
    _feed(h, obj)
    return h.hexdigest()


def non_finite_tensor(state: Any, prefix: str = "") -> str | None:
    """The name of the first floating tensor or array in `state` holding a NaN or an infinity
    (None if all are finite)."""
    import numpy as np
    import torch

    if isinstance(state, torch.Tensor):
        if state.is_floating_point() and not bool(torch.isfinite(state).all()):
            return prefix or "tensor"
    elif isinstance(state, np.ndarray):
        if state.dtype.kind in "fc" and not np.isfinite(state).all():
            return prefix or "array"
    elif isinstance(state, float):
        if state != state or state in (float("inf"), float("-inf")):
            return prefix or "value"
    elif isinstance(state, dict):
        for key, value in state.items():
            found = non_finite_tensor(value, f"{prefix}.{key}" if prefix else str(key))
            if found:
                return found
    elif isinstance(state, list | tuple):
        for i, value in enumerate(state):
            found = non_finite_tensor(value, f"{prefix}[{i}]")
            if found:
                return found
    return None
