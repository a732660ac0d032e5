"""Independent tasks run in input order: in this process, in local worker processes, or on a
Dask cluster.

`executor(cluster, jobs)` opens one of three back ends behind the same `map(func, tasks)`:
results come back in the order of `tasks`, with a bounded number of tasks in flight (so a
stream of tasks is never read far ahead and memory stays bounded), and a task that raises is
retried (on Dask, by the scheduler) and then returned as a `TaskFailed` in its place, never
dropped. `func` must be a module-level function (it is pickled to the workers).

Clusters (the `[dist]` extra: dask, distributed): ``local:N`` starts a `LocalCluster` of N
single-threaded worker processes on this machine for the duration of the job;
``tcp://HOST:PORT`` connects to a running ``dask scheduler`` with its ``dask worker`` processes
(which must have orbitlearn installed).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from orbitlearn.errors import OrbitlearnError

_CLUSTER_RE = re.compile(r"local:(?P<n>[1-9][0-9]{0,3})|tcp://[A-Za-z0-9_.\-\[\]:]+:[0-9]{1,5}")
CLUSTER_HELP = (
    "run on a Dask cluster: local:N (N worker processes on this machine) or tcp://HOST:PORT "
    "(a running dask scheduler); needs pip install 'orbitlearn[dist]'"
)


def cluster_spec(text: str) -> str:
    """An argparse type: ``local:N`` (1 <= N <= 9999) or ``tcp://HOST:PORT``."""
    if not _CLUSTER_RE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected local:N or tcp://HOST:PORT, got {text!r}")
    return text


@dataclass(frozen=True)
class TaskFailed:
    """What a task that kept failing returns in its place: the last error, in one line."""

    message: str


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


class _Inline:
    """Tasks run one after the other in this process."""

    workers = 1

    def __init__(self, retries: int):
        self.retries = retries

    def map(self, func: Callable, tasks: Iterable) -> Iterator:
        for task in tasks:
            yield _call_with_retries(func, task, self.retries)


def _call_with_retries(func: Callable, task: Any, retries: int) -> Any:
    for attempt in range(retries + 1):
        try:
            return func(task)
        except SystemError:  # e.g. Ctrl-C inside compiled code: the job stops
            raise
        except Exception as exc:  # a task failure is returned, never raised past the job
            if attempt == retries:
                return TaskFailed(_error_text(exc))
    raise AssertionError("unreachable")  # pragma: no cover


def _pool_call(args: tuple[Callable, Any, int]) -> Any:
    func, task, retries = args
    return _call_with_retries(func, task, retries)


class _Pool:
    """Tasks in a pool of local processes, at most 2 per worker in flight."""

    def __init__(self, pool: Any, workers: int, retries: int):
        self.pool = pool
        self.workers = workers
        self.retries = retries

    def map(self, func: Callable, tasks: Iterable) -> Iterator:
        it = iter(tasks)
        window = 2 * self.workers
        pending = deque(
            self.pool.apply_async(_pool_call, ((func, t, self.retries),))
            for t in islice(it, window)
        )
        while pending:
            result = pending.popleft().get()
            for t in islice(it, 1):
                pending.append(self.pool.apply_async(_pool_call, ((func, t, self.retries),)))
            yield result


class _Dask:
    """Tasks on a Dask cluster; the scheduler retries a failed task `retries` times."""

    def __init__(self, client: Any, retries: int):
        self.client = client
        self.retries = retries
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))

    def map(self, func: Callable, tasks: Iterable) -> Iterator:
        it = iter(tasks)
        window = 2 * self.workers + 2

        def submit(task: Any) -> Any:
            return self.client.submit(func, task, retries=self.retries, pure=False)

        pending = deque(submit(t) for t in islice(it, window))
        while pending:
            future = pending.popleft()
            try:
                result = future.result()
            except Exception as exc:  # failed after the scheduler's retries
                result = TaskFailed(_error_text(exc))
            for t in islice(it, 1):
                pending.append(submit(t))
            yield result


@contextmanager
def executor(cluster: str | None = None, jobs: int = 1, retries: int = 2) -> Iterator[Any]:
    """The back end for `cluster` (None: `jobs` local processes, 1 = this process)."""
    if cluster is None:
        if jobs <= 1:
            yield _Inline(retries)
            return
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        with ctx.Pool(jobs) as pool:
            yield _Pool(pool, jobs, retries)
        return
    import logging

    try:
        from dask.distributed import Client, LocalCluster
    except ModuleNotFoundError as exc:
        raise OrbitlearnError(
            f"--cluster needs {exc.name}, an optional dependency: pip install 'orbitlearn[dist]'"
        ) from None
    import orbitlearn.geometry._jit  # noqa: F401  (workers inherit the kernel cache folder)

    m = re.fullmatch(r"local:(\d+)", cluster)
    local = None
    try:
        if m:
            local = LocalCluster(
                n_workers=int(m.group(1)),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(local)
        else:
            try:
                client = Client(cluster, timeout="15s")
            except OSError as exc:
                raise OrbitlearnError(f"{cluster}: cannot reach a Dask scheduler ({exc})") from None
        try:
            yield _Dask(client, retries)
        finally:
            client.close()
    finally:
        if local is not None:
            local.close()
