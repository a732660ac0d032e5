"""The group abstraction: elements are plain data, an action applies them to arrays.

A `Group` acts on some axes of an array. Axes are counted from the end (negative), so any
number of leading batch dimensions is allowed: a group acting on the rows and columns of a
4 x 26 matrix acts on arrays of shape (4, 26), (B, 4, 26) or (B, C, 4, 26) alike.

Batching convention (one rule everywhere):

* ``act(g, x)`` applies one element ``g`` to every item of ``x`` (shape (..., *event)).
* ``act_batch(gs, x)`` applies ``gs[b]`` to ``x[b]``: ``gs`` is a sequence of ``len(x)``
  elements (e.g. ``group.sample(len(x), rng)``), ``x`` has shape (B, ..., *event).

Composition follows the action: ``act(compose(g, h), x) == act(g, act(h, x))``.
Arrays may be numpy arrays or torch tensors; torch is only imported when given a tensor.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

Element = Any  # plain data: an int64 array, or a tuple of them for products
ArrayLike = Any  # numpy.ndarray or torch.Tensor

MAX_ENUMERATE = 100_000


def is_torch(x: Any) -> bool:
    """True for a torch.Tensor, decided without importing torch."""
    return type(x).__module__.startswith("torch")


def _norm_axis(axis: int) -> int:
    if axis >= 0:
        raise ValueError(
            f"group axes are counted from the end and must be negative (got {axis}); "
            "e.g. axis=-2 for the rows of a (B, 4, 26) batch"
        )
    return axis


class Group(ABC):
    """A group G with an action ρ on arrays: ρ(gh) = ρ(g)ρ(h), ρ(e) = id."""

    #: short readable name, e.g. "S4(axis=-2)"
    name: str = "G"

    # ---------------------------------------------------------------- algebra
    @abstractmethod
    def identity(self) -> Element:
        """The neutral element e: act(e, x) = x."""

    @abstractmethod
    def compose(self, g: Element, h: Element) -> Element:
        """The product gh, defined by act(gh, x) = act(g, act(h, x))."""

    @abstractmethod
    def inverse(self, g: Element) -> Element:
        """g⁻¹ with g g⁻¹ = e."""

    def order(self) -> int | None:
        """|G| as an exact int, or None when G is infinite."""
        return None

    @abstractmethod
    def sample(self, n: int, rng: np.random.Generator) -> list[Element]:
        """n random elements (uniform for finite groups; documented otherwise)."""

    def _iter_elements(self) -> Iterator[Element]:  # pragma: no cover - overridden when finite
        raise NotImplementedError(f"{self.name} cannot enumerate its elements")

    def elements(self, limit: int = MAX_ENUMERATE) -> list[Element]:
        """All elements of a finite group with |G| <= limit, identity first."""
        order = self.order()
        if order is None:
            raise ValueError(f"{self.name} is infinite: use sample(n, rng) instead of elements()")
        if order > limit:
            raise ValueError(
                f"{self.name} has {order} elements, more than limit={limit}: use sample(n, rng)"
            )
        return list(self._iter_elements())

    def is_small(self, limit: int = MAX_ENUMERATE) -> bool:
        """True when the group is finite with at most `limit` elements."""
        order = self.order()
        return order is not None and order <= limit

    def equal(self, g: Element, h: Element) -> bool:
        """Equality of elements as data."""
        return _equal(g, h)

    # ---------------------------------------------------------------- action
    @property
    def axes(self) -> tuple[int, ...]:
        """The (negative) axes the group acts on."""
        return ()

    def axis_sizes(self) -> dict[int, int | None]:
        """Required size of each acted-on axis (None: any size allowed by the action)."""
        return {}

    def example_shape(self, free: int = 6) -> tuple[int, ...]:
        """The smallest event shape this group can act on, `free` for unconstrained axes."""
        sizes = self.axis_sizes()
        rank = max((-a for a in sizes), default=1)
        return tuple(sizes.get(a) or free for a in range(-rank, 0))

    @abstractmethod
    def act(self, g: Element, x: ArrayLike) -> ArrayLike:
        """ρ(g)x for one element g applied to every item of x (numpy or torch)."""

    def act_batch(self, gs: Sequence[Element], x: ArrayLike) -> ArrayLike:
        """ρ(gs[b]) x[b] for every b: one element per batch item (len(gs) == len(x))."""
        gs = list(gs)
        if len(gs) != x.shape[0]:
            raise ValueError(
                f"act_batch needs one element per item: {len(gs)} elements, {x.shape[0]} items"
            )
        return _act_by_groups(self, gs, x)

    def __repr__(self) -> str:
        return self.name


def _equal(g: Any, h: Any) -> bool:
    if isinstance(g, tuple):
        return isinstance(h, tuple) and len(g) == len(h) and all(map(_equal, g, h))
    return bool(np.array_equal(np.asarray(g), np.asarray(h)))


def _key(g: Any) -> Any:
    if isinstance(g, tuple):
        return tuple(_key(c) for c in g)
    a = np.asarray(g)
    return (a.shape, a.tobytes())


def _act_by_groups(group: Group, gs: list[Element], x: ArrayLike) -> ArrayLike:
    """Generic per-item action: apply each distinct element once to the items that carry it."""
    buckets: dict[Any, list[int]] = {}
    reps: dict[Any, Element] = {}
    for i, g in enumerate(gs):
        k = _key(g)
        buckets.setdefault(k, []).append(i)
        reps.setdefault(k, g)
    first = True
    out = None
    for k, idx in buckets.items():
        if is_torch(x):
            import torch

            index = torch.as_tensor(idx, device=x.device)
            y = group.act(reps[k], x.index_select(0, index))
            if first:
                out = torch.empty((x.shape[0], *y.shape[1:]), dtype=y.dtype, device=y.device)
            out[index] = y
        else:
            index = np.asarray(idx)
            y = group.act(reps[k], x[index])
            if first:
                out = np.empty((x.shape[0], *y.shape[1:]), dtype=y.dtype)
            out[index] = y
        first = False
    return out


# ------------------------------------------------------------------ backend helpers


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


def matmul_axis(g: np.ndarray, x: ArrayLike, axis: int) -> ArrayLike:
    """Left multiplication along one axis: out[..., i, ...] = Σ_j g[i, j] x[..., j, ...]."""
    if is_torch(x):
        import torch

        if x.dtype.is_floating_point:
            m = torch.as_tensor(np.asarray(g, dtype=np.float64), device=x.device)
            y = torch.movedim(x.double(), axis, -1) @ m.T
            return torch.movedim(y, -1, axis).to(x.dtype)
        m = torch.as_tensor(np.asarray(g, dtype=np.int64), device=x.device)
        y = torch.movedim(x.long(), axis, -1) @ m.T
        return torch.movedim(y, -1, axis).to(x.dtype)
    xa = np.asarray(x)
    work = np.float64 if np.issubdtype(xa.dtype, np.floating) else np.int64
    y = np.moveaxis(xa.astype(work, copy=False), axis, -1) @ np.asarray(g, dtype=work).T
    return np.moveaxis(y, -1, axis).astype(xa.dtype, copy=False)


def matmul_axis_batch(gs: np.ndarray, x: ArrayLike, axis: int) -> ArrayLike:
    """Per-item left multiplication: out[b, ..., i, ...] = Σ_j gs[b, i, j] x[b, ..., j, ...]."""
    if is_torch(x):
        import torch

        work = torch.float64 if x.dtype.is_floating_point else torch.int64
        m = torch.as_tensor(np.asarray(gs), device=x.device).to(work)
        xm = torch.movedim(x.to(work), axis, -1)
        y = torch.einsum("bij,b...j->b...i", m, xm)
        return torch.movedim(y, -1, axis).to(x.dtype)
    xa = np.asarray(x)
    work = np.float64 if np.issubdtype(xa.dtype, np.floating) else np.int64
    xm = np.moveaxis(xa.astype(work, copy=False), axis, -1)
    y = np.einsum("bij,b...j->b...i", np.asarray(gs, dtype=work), xm)
    return np.moveaxis(y, -1, axis).astype(xa.dtype, copy=False)


def product_iter(*iterables: Sequence[Element]) -> Iterator[tuple]:
    return itertools.product(*iterables)
