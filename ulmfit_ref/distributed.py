"""Data parallelism under torchrun: which process this is, and the work that rank 0 alone does while the others wait.

    torchrun --nproc_per_node N -m ulmfit_ref.cli train DATA --out RUN    (or imdb, pretrain; NCCL on GPUs, gloo on CPU)

starts N copies of the command. Each joins one process group; `Learner` (train.py) wraps the model in
DistributedDataParallel and gives each process its share of every batch: its columns of the language model's token
stream, its documents of a classifier batch (the batch size is the total, split over the processes). Rank 0 alone
prepares the data, writes models, checkpoints, results, logs and pictures; the others wait for it (`on_main`).

What differs from one process is the batch split: each process draws its own dropout masks for its share, and the
classifier head's BatchNorm normalizes over its share. A model without either learns the same weights, up to float
rounding (tests/ref/test_train.py checks it); with them, the same expected result, not the same draws.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist

from .errors import StageError

# How long a process waits for the others at a collective: rank 0's prepare stage alone (tokenizing a corpus the size
# of WikiText-103 takes hours on a few cores) outlasts torch's default of 10 (NCCL) or 30 (gloo) minutes.
WAIT = timedelta(hours=12)


@dataclass(frozen=True)
class DistInfo:
    """This process's place in a torchrun job (rank 0 of 1 when alone)."""

    rank: int = 0
    world_size: int = 1


def setup_distributed(device: torch.device) -> DistInfo:
    """Join the torchrun process group (nccl on GPU, gloo on CPU) when WORLD_SIZE > 1."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        return DistInfo()
    if "RANK" not in os.environ or "MASTER_ADDR" not in os.environ:
        raise RuntimeError("WORLD_SIZE > 1 but RANK or MASTER_ADDR is unset: launch the script with torchrun")
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo", timeout=WAIT)
    return DistInfo(dist.get_rank(), dist.get_world_size())


def current() -> DistInfo:
    """This process's place in the process group that setup_distributed joined (rank 0 of 1 outside one)."""
    if dist.is_available() and dist.is_initialized():
        return DistInfo(dist.get_rank(), dist.get_world_size())
    return DistInfo()


def is_main() -> bool:
    """Whether this process writes files and prints (rank 0, or the only process)."""
    return current().rank == 0


def _from_main(obj):
    """`obj` of rank 0, sent to every process."""
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def on_main(fn: Callable, *args, **kwargs):
    """fn(*args, **kwargs) on rank 0 alone; every other process waits for it and gets its result, or its error."""
    if current().world_size == 1:
        return fn(*args, **kwargs)
    if not is_main():
        ok, value = _from_main(None)
        if not ok:
            raise StageError(f"rank 0 stopped: {value}")
        return value
    try:
        result = fn(*args, **kwargs)
    except BaseException as e:
        _from_main((False, " ".join(str(e).split()) or type(e).__name__))
        raise
    return _from_main((True, result))[1]


def main_log(log: Callable[[str], None]) -> Callable[[str], None]:
    """`log` on rank 0, nothing on the other processes (one copy of every line)."""
    return log if is_main() else (lambda line: None)


def leave(wait: bool = False) -> None:
    """Leave the process group, if this process joined one; `wait`: first wait for every process to be done."""
    if dist.is_available() and dist.is_initialized():
        if wait:
            dist.barrier()  # a gloo process torn down while another still writes can abort at exit
        dist.destroy_process_group()
