"""The cell runner says, per cell, which of how many it is, the time so far and about how much is
left, weighting each cell by its expected work."""

from __future__ import annotations

from orbitlearn.bench.runner import CellStore, clock, run_cells, time_left


def test_clock_and_time_left():
    assert clock(0) == "0:00" and clock(75.4) == "1:15" and clock(3725) == "1:02:05"
    assert time_left(10.0, 0.0, 5.0) is None
    assert time_left(10.0, 2.0, 6.0) == 30.0
    # no estimate from the first sliver of the work (it also paid for loading and compiling)
    assert time_left(10.0, 0.5, 9.5) is None and time_left(10.0, 1.0, 9.0) == 90.0


def test_run_cells_logs_position_and_time_left_by_weight():
    lines: list[str] = []
    weights = {"a": 1.0, "b": 3.0, "c": None}  # c: unknown, the mean of the known ones (2)
    done = run_cells(
        list(weights),
        stem=lambda t: t,
        compute=lambda t: {"value": t},
        store=CellStore(None),
        desc="demo",
        log=lines.append,
        weight=weights.get,
    )
    assert done == ["a", "b", "c"]
    finished = [x for x in lines if not x.endswith("...")]
    assert finished[0].startswith("demo [1/3, ") and "left]" in finished[0]
    assert finished[-1].startswith("demo [3/3, ") and "left" not in finished[-1]
    assert lines[0] == "demo [1/3]: a ..."
