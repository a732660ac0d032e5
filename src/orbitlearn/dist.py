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
from orbitlearn.extras import import_optional
from orbitlearn.limits import MAX_JOBS

_CLUSTER_RE = re.compile(r"local:(?P<n>[1-9][0-9]{0,3})|tcp://[A-Za-z0-9_.\-\[\]:]+:[0-9]{1,5}")
CLUSTER_HELP = (
    f"run on a Dask cluster: local:N (N worker processes on this machine, N <= {MAX_JOBS}) or "
    "tcp://HOST:PORT (a running dask scheduler); needs pip install 'orbitlearn[dist]'"
)
JOBS_HELP = f"worker processes (default 1, at most {MAX_JOBS})"


def cluster_spec(text: str) -> str:
    """An argparse type: ``local:N`` (1 <= N <= MAX_JOBS) or ``tcp://HOST:PORT``."""
    m = _CLUSTER_RE.fullmatch(text)
    if not m:
        raise argparse.ArgumentTypeError(f"expected local:N or tcp://HOST:PORT, got {text!r}")
    if m.group("n") is not None and int(m.group("n")) > MAX_JOBS:
        raise argparse.ArgumentTypeError(
            f"local:N takes at most {MAX_JOBS} worker processes, got {m.group('n')}"
        )
    return text


def check_jobs(jobs: int) -> int:
    """`jobs` if 1 <= jobs <= MAX_JOBS, else OrbitlearnError."""
    if not 1 <= jobs <= MAX_JOBS:
        raise OrbitlearnError(f"--jobs must be between 1 and {MAX_JOBS}, got {jobs}")
    return jobs


def usable_cores() -> int:
    """The logical cores this process may run on (its CPU affinity where the system has one)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def jobs_count(text: str) -> int:
    """An argparse type: a number of worker processes, 1 <= N <= MAX_JOBS."""
    from orbitlearn.argtypes import positive_int

    value = positive_int(text)
    if value > MAX_JOBS:
        raise argparse.ArgumentTypeError(f"at most {MAX_JOBS} worker processes, got {value}")
    return value


def jobs_or_auto(text: str) -> int | str:
    """An argparse type: a number of worker processes (see `jobs_count`) or ``auto``."""
    return "auto" if text == "auto" else jobs_count(text)


def auto_jobs(tasks: int) -> int:
    """How many worker processes ``--jobs auto`` runs `tasks` independent tasks in: one per core
    this process may use, at most one per task, at least 1. (On the 2-core machine of
    benchmarks/results/main-job, two workers beat one both idle and beside a CPU-bound process.)"""
    return max(1, min(tasks, MAX_JOBS, usable_cores()))


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


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this process when its parent ends (however it ends), so
    that no worker outlives an interrupted or killed driver; elsewhere nothing."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _worker_main(conn: Any, retries: int) -> None:
    """A worker process: run the (func, task) pairs received on `conn`, send back each result
    (None ends it). Ctrl-C is the driver's to handle: the driver kills its workers."""
    import signal

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the driver's handler, inherited by fork
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        func, task = message
        result = _call_with_retries(func, task, retries)
        try:
            conn.send(result)
        except Exception as exc:  # a result that cannot be pickled
            conn.send(TaskFailed(_error_text(exc)))


def _death_text(exitcode: int | None) -> str:
    """Why a worker process ended, in words."""
    import signal

    if exitcode is not None and exitcode < 0:
        try:
            return f"a worker process was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            pass
    return f"a worker process died (exit code {exitcode})"


class _Pool:
    """Tasks in `workers` local processes, one task per process at a time, at most 2 per worker
    in flight. A task whose process dies is run again in a new process, up to `retries` times,
    then returned as a `TaskFailed`; the other tasks go on. Leaving the block (an error, Ctrl-C)
    kills the processes."""

    def __init__(self, ctx: Any, workers: int, retries: int):
        self.ctx = ctx
        self.workers = workers
        self.retries = retries
        self.procs: list[Any] = []

    def _start(self) -> tuple[Any, Any]:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker_main, args=(child, self.retries), daemon=True)
        proc.start()
        child.close()
        self.procs.append(proc)
        return proc, parent

    def close(self) -> None:
        """Kill every worker process still running and reap them."""
        for proc in self.procs:
            if proc.is_alive():
                proc.kill()
        for proc in self.procs:
            proc.join()
        self.procs = []

    def map(self, func: Callable, tasks: Iterable) -> Iterator:
        from multiprocessing.connection import wait

        it = iter(tasks)
        window = 2 * self.workers
        todo: deque = deque()  # (id, task) to send: tasks to run again first
        deaths: dict[int, int] = {}  # id -> how many processes died running it
        done: dict[int, Any] = {}
        busy: dict[Any, tuple[Any, int, Any]] = {}  # connection -> (process, id, task)
        idle = [self._start() for _ in range(self.workers)]
        sent = yielded = 0
        exhausted = False
        while True:
            while len(todo) < len(idle) and not exhausted and sent - yielded < window:
                task = next(it, _END)
                if task is _END:
                    exhausted = True
                else:
                    todo.append((sent, task))
                    sent += 1
            while todo and idle:
                proc, conn = idle.pop()
                tid, task = todo.popleft()
                conn.send((func, task))
                busy[conn] = (proc, tid, task)
            while yielded in done:
                yield done.pop(yielded)
                yielded += 1
            if not busy:
                if exhausted and not todo:
                    return
                continue
            ready = wait([*busy, *(proc.sentinel for proc, _, _ in busy.values())])
            for conn in [c for c in busy if c in ready or busy[c][0].sentinel in ready]:
                proc, tid, task = busy.pop(conn)
                try:
                    done[tid] = conn.recv()
                    idle.append((proc, conn))
                    continue
                except (EOFError, OSError):
                    pass
                proc.join()
                conn.close()
                deaths[tid] = deaths.get(tid, 0) + 1
                if deaths[tid] > self.retries:
                    done[tid] = TaskFailed(f"{_death_text(proc.exitcode)} running this task")
                else:
                    todo.appendleft((tid, task))
                idle.append(self._start())


_END = object()


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
def executor(
    cluster: str | None = None, jobs: int = 1, retries: int = 2, isolated: bool = False
) -> Iterator[Any]:
    """The back end for `cluster` (None: `jobs` local processes, 1 = this process, or one worker
    process with `isolated`: compiled work that Ctrl-C cannot interrupt runs there, and the
    driver kills it). `jobs` and N of ``local:N`` are at most `MAX_JOBS`."""
    check_jobs(jobs)
    if cluster is None:
        if jobs <= 1 and not isolated:
            yield _Inline(retries)
            return
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        pool = _Pool(ctx, jobs, retries)
        try:
            yield pool
        finally:
            pool.close()
        return
    import logging

    distributed = import_optional("dask.distributed", "--cluster")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster
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
