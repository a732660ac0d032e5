"""`orbitlearn data simulate nbody`: charged-particle trajectories to an npz in the published layout."""

from __future__ import annotations

import argparse
import sys

from orbitlearn.argtypes import nonnegative_int, positive_int


def cmd_simulate_nbody(args: argparse.Namespace) -> int:
    """Simulate, write OUT.npz (arrays loc/vel (sims, frames, 3, n), charges, edges), report."""
    import numpy as np

    from orbitlearn.datasets.nbody import simulate
    from orbitlearn.fileio import atomic_write
    from orbitlearn.progress import progress_enabled
    from orbitlearn.report import emit

    bar = None
    if progress_enabled(None):
        from tqdm.auto import tqdm

        bar = tqdm(total=args.steps, desc="simulate nbody", file=sys.stderr, unit="step")

    def tick(i: int) -> None:
        if bar is not None:
            bar.update(i - bar.n)

    traj = simulate(
        args.sims, args.particles, args.seed, args.steps, args.sample_every, progress=tick
    )
    if bar is not None:
        bar.update(args.steps - bar.n)
        bar.close()
    with atomic_write(args.output, "wb") as fh:
        np.savez(fh, **traj.to_npz_arrays(args.split))
    report = {
        "output": args.output,
        "sims": args.sims,
        "particles": args.particles,
        "frames": int(traj.loc.shape[1]),
        "seed": args.seed,
    }
    emit(report, args.json, lambda r: "\n".join(f"{k}: {v}" for k, v in r.items()))
    return 0


def register_simulate(dsub: argparse._SubParsersAction) -> None:
    """Add ``data simulate nbody`` under the ``data`` command's subparsers."""
    sim = dsub.add_parser("simulate", help="simulate a physical system into a data file")
    ssub = sim.add_subparsers(dest="system", metavar="SYSTEM", required=True)
    nb = ssub.add_parser(
        "nbody",
        help="charged particles under Coulomb forces (the EGNN paper's generator, draw for draw)",
    )
    nb.add_argument("--particles", type=positive_int, default=5, help="particles (default 5)")
    nb.add_argument("--sims", type=positive_int, required=True, help="number of simulations")
    nb.add_argument("--seed", type=nonnegative_int, default=43, help="RandomState seed (43)")
    nb.add_argument("--steps", type=positive_int, default=5000, help="integrator steps (5000)")
    nb.add_argument(
        "--sample-every", type=positive_int, default=100, help="steps between frames (100)"
    )
    nb.add_argument(
        "--split", default="train", help="suffix of the array names, e.g. loc_train (train)"
    )
    nb.add_argument("-o", "--output", required=True, metavar="OUT.npz", help="output file")
    nb.add_argument("--json", action="store_true", help="print the report as JSON")
    nb.set_defaults(func=cmd_simulate_nbody)
