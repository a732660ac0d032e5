"""Big jobs: `hodge` streamed over several inputs, columnar output, and real Dask clusters (a
LocalCluster, and a scheduler with two workers started as processes on 127.0.0.1)."""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orbitlearn.cli import main
from orbitlearn.datasets.ks import iter_ks, write_ks
from orbitlearn.dist import TaskFailed, executor

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def v26_head(v26_path, tmp_path_factory) -> Path:
    """The first 900 entries of v26 as a plain file."""
    entries = []
    for e in iter_ks(v26_path):
        entries.append(e)
        if len(entries) == 900:
            break
    path = tmp_path_factory.mktemp("dist") / "head.txt"
    write_ks(entries, path)
    return path


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open()))


def test_executors_keep_order_and_return_failures_in_place():
    tasks = ["1", "x", "3", "4"]
    for kind in ({"jobs": 1}, {"jobs": 2}, {"cluster": "local:2"}):
        with executor(**kind, retries=1) as ex:
            out = list(ex.map(int, tasks))
        assert out[0] == 1 and out[2:] == [3, 4]
        assert isinstance(out[1], TaskFailed) and "ValueError" in out[1].message


def test_hodge_local_cluster_equals_one_process_and_reads_many_inputs(v26_head, tmp_path):
    one = tmp_path / "one.csv"
    assert main(["hodge", str(v26_head), "--check", "--out", str(one)]) == 0
    two = tmp_path / "two.csv"
    args = ["hodge", str(v26_head), str(v26_head), "--check", "--out", str(two)]
    assert main([*args, "--cluster", "local:2"]) == 0
    a, b = _rows(one), _rows(two)
    assert len(b) == 2 * len(a) == 1800
    strip = [{k: v for k, v in r.items()} for r in b[:900]]
    assert strip == a and [r["index"] for r in b[900:]] == [r["index"] for r in a]
    assert all(r["matches_header"] == "True" for r in b)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_hodge_on_a_scheduler_and_two_worker_processes(v26_head, tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-dashboard",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        time.sleep(1.0)
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        out = tmp_path / "remote.parquet"
        argv = ["hodge", str(v26_head), "--out", str(out), "--cluster", address, "--json"]
        assert main(argv) == 0
        local = tmp_path / "local.parquet"
        assert main(["hodge", str(v26_head), "--out", str(local)]) == 0
        import pyarrow.parquet as pq

        remote_rows = pq.read_table(out).to_pylist()
        assert remote_rows == pq.read_table(local).to_pylist()
        assert [r["index"] for r in remote_rows] == list(range(900))
        assert {"h11", "h21"} <= set(pq.read_table(out).column_names)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_hodge_reads_stdin_and_formats_agree(v26_head, tmp_path, monkeypatch, capsys):
    import io

    out_csv, out_jsonl = tmp_path / "a.csv", tmp_path / "b.jsonl"
    assert main(["hodge", str(v26_head), "--limit", "40", "--out", str(out_csv)]) == 0
    fake = io.TextIOWrapper(io.BytesIO(v26_head.read_bytes()))
    monkeypatch.setattr(sys, "stdin", fake)
    assert main(["hodge", "-", "--limit", "40", "--out", str(out_jsonl)]) == 0
    a = _rows(out_csv)
    b = [json.loads(x) for x in out_jsonl.read_text().splitlines()]
    assert [int(r["h11"]) for r in a] == [r["h11"] for r in b]
    assert b[0]["source"] == "-"


def test_cluster_without_the_extra_is_one_line(v26_head, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    assert main(["hodge", str(v26_head), "--limit", "5", "--cluster", "local:1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'orbitlearn[dist]'" in err


@pytest.mark.parametrize("bad", ["local:0", "local:x", "tcp://nohost", "udp://a:1"])
def test_bad_cluster_argument_is_a_usage_error(v26_head, bad, capsys):
    assert main(["hodge", str(v26_head), "--cluster", bad]) == 2


def _die_on_three(text: str) -> int:
    """A task whose worker process is killed (SIGKILL) when it gets "3"."""
    import os
    import signal

    if text == "3":
        os.kill(os.getpid(), signal.SIGKILL)
    return int(text)


def _die_once(path: str) -> str:
    """Kills its worker the first time (leaving a marker), succeeds when run again."""
    import os
    import signal
    from pathlib import Path

    marker = Path(path)
    if not marker.exists():
        marker.write_text("died once")
        os.kill(os.getpid(), signal.SIGKILL)
    return "ok"


def test_a_killed_worker_fails_its_task_and_never_hangs():
    """A worker that dies (SIGKILL) mid-task: its task is retried in a new process, then returned
    as a TaskFailed in place; the other tasks are all there, in order; nothing hangs."""
    start = time.perf_counter()
    with executor(jobs=2, retries=1) as ex:
        out = list(ex.map(_die_on_three, ["1", "2", "3", "4", "5"]))
    assert out[:2] == [1, 2] and out[3:] == [4, 5]
    assert isinstance(out[2], TaskFailed) and "SIGKILL" in out[2].message
    assert time.perf_counter() - start < 30


def test_a_worker_killed_once_is_retried(tmp_path):
    with executor(jobs=2, retries=2) as ex:
        assert list(ex.map(_die_once, [str(tmp_path / "m")])) == ["ok"]


def test_jobs_and_local_workers_are_bounded(tmp_path, capsys):
    from orbitlearn.limits import MAX_JOBS

    src = tmp_path / "in.txt"
    src.write_text("4 5\n 1 0 0 0 -1\n 0 1 0 0 -1\n 0 0 1 0 -1\n 0 0 0 1 -1\n")
    for argv in (
        ["hodge", str(src), "--jobs", str(MAX_JOBS + 1)],
        ["hodge", str(src), "--cluster", f"local:{MAX_JOBS + 1}"],
        ["normal-form", str(src), "-o", str(tmp_path / "o.txt"), "--jobs", "100000"],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(MAX_JOBS) in err
