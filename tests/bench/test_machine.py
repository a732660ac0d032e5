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
