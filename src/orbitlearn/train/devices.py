"""Where torch computes: `resolve_device("auto" | "cpu" | "cuda" | "cuda:N" | "mps")`.

"auto" is the first CUDA GPU if there is one, else Apple's MPS if available, else the CPU. Asking
for a device this machine does not have is a user error (one line), not a crash.
"""

from __future__ import annotations

import re

from orbitlearn.errors import OrbitlearnError

DEVICE_CHOICES_HELP = "auto (the first GPU if any, else the CPU), cpu, cuda, cuda:N or mps"
_DEVICE_RE = re.compile(r"auto|cpu|mps|cuda(?::[0-9]+)?")


def check_device_spec(spec: str) -> str:
    """The spec itself if it names a kind of device (ValueError otherwise; no torch needed)."""
    if not _DEVICE_RE.fullmatch(spec):
        raise ValueError(f"unknown device {spec!r}: expected {DEVICE_CHOICES_HELP}")
    return spec


def resolve_device(spec: str = "auto"):
    """The torch.device for a spec (OrbitlearnError when this machine has no such device)."""
    import torch

    check_device_spec(spec)
    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if spec == "auto":
        return torch.device("cuda:0" if cuda else "mps" if mps else "cpu")
    if spec.startswith("cuda"):
        if not cuda:
            raise OrbitlearnError(f"device {spec}: this machine has no CUDA GPU (use --device cpu)")
        index = int(spec.split(":")[1]) if ":" in spec else 0
        if index >= torch.cuda.device_count():
            raise OrbitlearnError(
                f"device {spec}: this machine has {torch.cuda.device_count()} CUDA GPU(s)"
            )
        return torch.device(f"cuda:{index}")
    if spec == "mps" and not mps:
        raise OrbitlearnError("device mps: not available on this machine (use --device cpu)")
    return torch.device(spec)


def describe_device(spec: str = "auto") -> str:
    """What a spec resolves to here, for records: "cpu" (without importing torch when the spec is
    "cpu"), "mps", or "cuda:N (the card's name)"."""
    if spec == "cpu":
        return "cpu"
    device = resolve_device(spec)
    if device.type != "cuda":
        return str(device)
    import torch

    return f"{device} ({torch.cuda.get_device_name(device)})"


__all__ = ["DEVICE_CHOICES_HELP", "check_device_spec", "describe_device", "resolve_device"]
