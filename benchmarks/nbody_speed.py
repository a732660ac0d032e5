"""N-body networks on one CPU thread: training-step and forward time, eager against torch.compile,
and how the fully connected dense graph's cost grows with the particle count.

    python benchmarks/nbody_speed.py [--parts step,scale] [--reps 20] [--out FOLDER]

* step: one Adam step on a batch of 100 five-particle systems (the published batch), each network
  eager and compiled (`torch.compile`, default inductor backend), the variants interleaved
  round by round in this one process so machine load hits them alike; median over rounds.
  Seconds per epoch = 30 steps (3000 training simulations).
* scale: forward and training-step time for n = 5, 20, 100, 500 particles (random systems as
  the simulator draws them), batch max(1, 2500 / n²) so every run holds about the same number of
  edges as the published batch; reported per system. Also the EGNN on a k-nearest-neighbour
  graph (k = 16: O(n k) messages), where a fully connected graph gets too dear.

Writes benchmarks/results/nbody-speed/results.json and results.md with the machine record.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from orbitlearn.apps.nbody import models
from orbitlearn.bench.runner import write_results

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "nbody-speed"
NETWORKS = {"GNN": models.GNN, "EGNN": models.EGNN, "RadialField": models.RadialField}
#: the scale part also times the EGNN on a k-nearest-neighbour graph (messages from the 16 nearest
#: particles; the fully connected graph where n − 1 <= 16)
KNN = 16
SCALE_NETWORKS = {**NETWORKS, f"EGNN, {KNN} nearest": lambda: models.EGNN(neighbours=KNN)}


def _batch(b: int, n: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    sigma = (n / 5) ** (1 / 3)
    loc = torch.randn(b, n, 3, generator=g) * sigma
    vel = torch.randn(b, n, 3, generator=g)
    vel = 0.5 * vel / vel.norm(dim=-1, keepdim=True)
    q = torch.randint(0, 2, (b, n), generator=g).float() * 2 - 1
    return loc, vel, q, loc + vel


def _step_fn(net, run):
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)

    def step(loc, vel, q, y):
        opt.zero_grad(set_to_none=True)
        loss = ((run(loc, vel, q) - y) ** 2).mean()
        loss.backward()
        opt.step()

    return step


def _time(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def step_part(reps: int) -> list[dict]:
    batch = _batch(100, 5)
    variants = {}
    for name, cls in NETWORKS.items():
        for compiled in (False, True):
            torch.manual_seed(0)
            net = cls()
            run = torch.compile(net) if compiled else net
            step = _step_fn(net, run)
            t0 = time.perf_counter()
            for _ in range(3):
                step(*batch)  # warm-up (and compilation)
            variants[(name, compiled)] = (step, time.perf_counter() - t0, [])
    for _ in range(reps):  # interleaved rounds
        for step, _, times in variants.values():
            times.append(_time(step, *batch))
    rows = []
    for (name, compiled), (_, warm, times) in variants.items():
        ms = 1e3 * statistics.median(times)
        rows.append(
            {
                "part": "step",
                "network": name,
                "compiled": compiled,
                "step_ms": ms,
                "epoch_s": 30 * ms / 1e3,
                "warmup_s": warm,
            }
        )
    return rows


def scale_part(reps: int) -> list[dict]:
    rows = []
    for n in (5, 20, 100, 500):
        b = max(1, 2500 // (n * n))
        batch = _batch(b, n)
        for name, cls in SCALE_NETWORKS.items():
            torch.manual_seed(0)
            net = cls()
            step = _step_fn(net, net)
            step(*batch)
            r = max(3, reps // (1 + n // 50))
            st = statistics.median(_time(step, *batch) for _ in range(r))
            with torch.no_grad():
                fw = statistics.median(_time(net, *batch[:3]) for _ in range(r))
            rows.append(
                {
                    "part": "scale",
                    "network": name,
                    "particles": n,
                    "batch": b,
                    "forward_ms_per_system": 1e3 * fw / b,
                    "step_ms_per_system": 1e3 * st / b,
                }
            )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="step,scale")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--out", default=str(OUT), help="results folder (default %(default)s)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rows: list[dict] = []
    parts = args.parts.split(",")
    if "step" in parts:
        rows += step_part(args.reps)
    if "scale" in parts:
        rows += scale_part(args.reps)
    md = ["# N-body networks: time on one CPU thread", ""]
    steps = [r for r in rows if r["part"] == "step"]
    if steps:
        md += [
            "One Adam step, batch 100 of 5 particles (dense (B, n, n) edges), median of "
            f"{args.reps} interleaved rounds.",
            "",
            "| network | torch.compile | step ms | s / epoch (30 steps) | warm-up s |",
            "|---|---|---|---|---|",
        ]
        md += [
            f"| {r['network']} | {'yes' if r['compiled'] else 'no'} | {r['step_ms']:.1f} "
            f"| {r['epoch_s']:.2f} | {r['warmup_s']:.1f} |"
            for r in steps
        ]
        md.append("")
    scale = [r for r in rows if r["part"] == "scale"]
    if scale:
        md += [
            "Eager: time per system against particle count (batch max(1, 2500 / n²)); every "
            f"network on the fully connected graph, and the EGNN on the {KNN} nearest particles.",
            "",
            "| network | particles | batch | forward ms / system | train step ms / system |",
            "|---|---|---|---|---|",
        ]
        md += [
            f"| {r['network']} | {r['particles']} | {r['batch']} | "
            f"{r['forward_ms_per_system']:.2f} | {r['step_ms_per_system']:.2f} |"
            for r in scale
        ]
    path = write_results(Path(args.out), rows, md)
    print(path.read_text())


if __name__ == "__main__":
    main()
