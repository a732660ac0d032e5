"""orbitlearn.bench.machine: the record of what a benchmark ran on."""

from __future__ import annotations

from orbitlearn.bench import machine


def test_simd_sets_are_a_subset_in_a_fixed_order():
    found = machine.cpu_simd()
    assert found == [f for f in machine._SIMD if f in found]


def test_simd_read_from_the_flags_line(tmp_path, monkeypatch):
    info = tmp_path / "cpuinfo"
    info.write_text("model name\t: Some CPU\nflags\t\t: fpu sse avx2 avx fma avx512f\n")
    real = machine.Path

    def fake(path, *a):
        return real(info) if str(path) == "/proc/cpuinfo" else real(path, *a)

    monkeypatch.setattr(machine, "Path", fake)
    assert machine.cpu_simd() == ["avx", "avx2", "fma", "avx512f"]
    assert machine._cpu_model() == "Some CPU"


def test_lines_name_the_simd_sets_only_when_known():
    record = machine.machine_info()
    assert "simd" in record
    line = machine.machine_lines({**record, "simd": ["avx2", "fma"]})[0]
    assert line.endswith("; avx2 fma")
    assert "avx" not in machine.machine_lines({**record, "simd": []})[0].split(")")[-1]


def test_cells_on_a_gpu_are_counted_and_named_apart():
    from orbitlearn.apps.ks.report import cell_machines

    record = machine.machine_info()
    gpu = {**record, "device": "cuda:0 (NVIDIA H100 80GB HBM3)"}
    cells = [
        {"machine": {**record, "device": "cpu"}, "finished": "1"},
        {"machine": record, "finished": "2"},  # a record from before devices were recorded
        {"machine": gpu, "finished": "3"},
    ]
    found = cell_machines(cells)
    assert found[record["cpu"]][0] == 2
    assert found[f"{record['cpu']} with cuda:0 (NVIDIA H100 80GB HBM3)"] == (1, gpu)
    assert "- Torch device: cuda:0 (NVIDIA H100 80GB HBM3)" in machine.machine_lines(gpu)
    assert not any("Torch device" in line for line in machine.machine_lines(record))
