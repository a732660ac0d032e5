"""Array helpers shared by the actions: numpy or torch, torch imported only when given a tensor."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

ArrayLike = Any  # numpy.ndarray or torch.Tensor


def is_torch(x: Any) -> bool:
    """True for a torch.Tensor, decided without importing torch (a tensor implies torch is loaded)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def take(x: ArrayLike, index: np.ndarray, axis: int) -> ArrayLike:
    """x with `axis` re-indexed: out[..., i, ...] = x[..., index[i], ...]."""
    if is_torch(x):
        import torch

        return x.index_select(x.ndim + axis, torch.as_tensor(index, device=x.device))
    return np.take(x, index, axis=axis)


def take_batch(x: ArrayLike, index: np.ndarray, axis: int) -> ArrayLike:
    """Per-item re-indexing: out[b, ..., i, ...] = x[b, ..., index[b, i], ...]; index (B, n)."""
    ax = x.ndim + axis
    shape = [1] * x.ndim
    shape[0] = index.shape[0]
    shape[ax] = index.shape[1]
    idx = np.asarray(index).reshape(shape)
    if is_torch(x):
        import torch

        t = torch.as_tensor(idx, device=x.device).expand(
            *x.shape[:ax], index.shape[1], *x.shape[ax + 1 :]
        )
        return torch.gather(x, ax, t)
    full = np.broadcast_to(idx, (*x.shape[:ax], index.shape[1], *x.shape[ax + 1 :]))
    return np.take_along_axis(x, full, axis=ax)


def result_dtype(g: np.ndarray, x: ArrayLike) -> Any:
    """The dtype of ρ(g)x: x's float dtype when x is float (computed in float64, stored back),
    else the matrix's (an integer input moved by float rotations becomes float64, never cast
    down to integers). Returned as a numpy dtype, or a torch dtype for tensors."""
    g_float = np.issubdtype(np.asarray(g).dtype, np.floating)
    if is_torch(x):
        import torch

        if x.dtype.is_floating_point:
            return x.dtype
        return torch.float64 if g_float else torch.int64
    xd = np.asarray(x).dtype
    if np.issubdtype(xd, np.floating):
        return xd
    return np.dtype(np.float64) if g_float else np.dtype(np.int64)


def _work(out_dtype: Any) -> Any:
    """The dtype products are computed in: float64 for float outputs, int64 for integer ones."""
    if not isinstance(out_dtype, np.dtype):  # a torch dtype
        import torch

        return torch.float64 if out_dtype.is_floating_point else torch.int64
    return np.float64 if np.issubdtype(out_dtype, np.floating) else np.int64


def matmul_axis(g: np.ndarray, x: ArrayLike, axis: int) -> ArrayLike:
    """Left multiplication along one axis: out[..., i, ...] = Σ_j g[i, j] x[..., j, ...].

    Dtypes follow `result_dtype` (float matrices on integer arrays give float64)."""
    out = result_dtype(g, x)
    work = _work(out)
    if is_torch(x):
        import torch

        m = torch.as_tensor(np.asarray(g), device=x.device).to(work)
        y = torch.movedim(x.to(work), axis, -1) @ m.T
        return torch.movedim(y, -1, axis).to(out)
    xa = np.asarray(x)
    y = np.moveaxis(xa.astype(work, copy=False), axis, -1) @ np.asarray(g).astype(work).T
    return np.moveaxis(y, -1, axis).astype(out, copy=False)


def matmul_axis_batch(gs: np.ndarray, x: ArrayLike, axis: int) -> ArrayLike:
    """Per-item left multiplication: out[b, ..., i, ...] = Σ_j gs[b, i, j] x[b, ..., j, ...]."""
    out = result_dtype(gs, x)
    work = _work(out)
    if is_torch(x):
        import torch

        m = torch.as_tensor(np.asarray(gs), device=x.device).to(work)
        xm = torch.movedim(x.to(work), axis, -1)
        y = torch.einsum("bij,b...j->b...i", m, xm)
        return torch.movedim(y, -1, axis).to(out)
    xa = np.asarray(x)
    xm = np.moveaxis(xa.astype(work, copy=False), axis, -1)
    y = np.einsum("bij,b...j->b...i", np.asarray(gs).astype(work), xm)
    return np.moveaxis(y, -1, axis).astype(out, copy=False)


def rot90(x: ArrayLike, k: int, axes: tuple[int, int]) -> ArrayLike:
    """x rotated by k quarter turns in the plane of `axes`."""
    k = int(k) % 4
    if k == 0:
        return x
    if is_torch(x):
        import torch

        return torch.rot90(x, k, dims=list(axes))
    return np.rot90(x, k, axes=axes)


def flip(x: ArrayLike, axis: int) -> ArrayLike:
    """x reversed along one axis."""
    if is_torch(x):
        import torch

        return torch.flip(x, dims=[axis])
    return np.flip(x, axis=axis)


def roll(x: ArrayLike, shifts: list[int], axes: tuple[int, ...]) -> ArrayLike:
    """x shifted periodically by shifts[i] along axes[i]."""
    if is_torch(x):
        import torch

        return torch.roll(x, shifts=shifts, dims=list(axes))
    return np.roll(x, shift=shifts, axis=axes)
