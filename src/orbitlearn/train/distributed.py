"""Data-parallel training on several processes (torch.distributed: gloo on CPUs, nccl on GPUs).

`launch(fn, world_size, *args)` starts `world_size` processes on this machine, each joining one
process group, and runs `fn(*args)` in each; under `torchrun` the group is already described by the
environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and `join_from_environment` joins it. In
the trainer every rank takes its share of each batch (rank::world of the batch's indices), gradients
are averaged by DistributedDataParallel, every rank evaluates the same validation part (so all
choose the same epoch), and only rank 0 writes files.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any


def world() -> tuple[int, int]:
    """(rank, world size) of this process: (0, 1) outside a process group."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def is_main() -> bool:
    """Whether this process writes files (rank 0, or no process group)."""
    return world()[0] == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _backend() -> str:
    import torch

    return "nccl" if torch.cuda.is_available() else "gloo"


def join_from_environment() -> bool:
    """Join the process group `torchrun` describes in the environment; False when there is none."""
    import torch.distributed as dist

    if dist.is_initialized() or "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        return dist.is_initialized()
    dist.init_process_group(_backend())
    return True


def _worker(rank: int, world_size: int, port: int, fn: Callable, args: tuple) -> None:
    import torch.distributed as dist

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group(_backend(), rank=rank, world_size=world_size)
    try:
        fn(*args)
    finally:
        dist.barrier()
        dist.destroy_process_group()


def launch(fn: Callable[..., Any], world_size: int, *args: Any) -> None:
    """Run fn(*args) in `world_size` processes of one process group on this machine."""
    import torch.multiprocessing as mp

    mp.spawn(_worker, args=(world_size, _free_port(), fn, args), nprocs=world_size, join=True)


__all__ = ["is_main", "join_from_environment", "launch", "world"]
