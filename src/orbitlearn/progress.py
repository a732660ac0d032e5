"""Progress bars for long work: shown on a terminal, silent in pipes, tests and CI."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress_enabled(enabled: bool | None = None) -> bool:
    """True when a bar should be drawn: explicitly asked for, or stderr is a terminal."""
    if enabled is not None:
        return enabled
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def progress(
    iterable: Iterable[T], *, total: int | None = None, desc: str = "", enabled: bool | None = None
) -> Iterator[T]:
    """Wrap `iterable` in a tqdm bar on stderr when `progress_enabled(enabled)`; else pass through."""
    if not progress_enabled(enabled):
        yield from iterable
        return
    from tqdm.auto import tqdm

    yield from tqdm(iterable, total=total, desc=desc, file=sys.stderr, dynamic_ncols=True)


class _NoBar:
    """What `progress_bar` returns when no bar is drawn: updates are ignored."""

    def update(self, n: int = 1) -> None:
        """Ignore n steps."""

    def close(self) -> None:
        """Nothing to close."""


def progress_bar(
    desc: str = "", unit: str = "it", total: int | None = None, enabled: bool | None = None
):
    """A bar to `update(n)` by hand on stderr (a tqdm) when `progress_enabled(enabled)`; else a no-op."""
    if not progress_enabled(enabled):
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)
