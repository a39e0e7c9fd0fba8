"""Data-parallel training under torchrun on CPU: tokens/s of 1 and of 2 gloo processes (1 thread each), same work.

    .venv/bin/python -m benchmarks.ddp                  # from the repository root; about a minute on 2 idle cores

Each run is `torch.distributed.run --nproc_per_node N` of this script's worker: the cpu preset's language model
(10k vocab, 128/256/2, bs 64, bptt 64) trained by `Learner` for one epoch of the same token stream, every batch
split over the N processes (each holds its columns of the stream) under DistributedDataParallel, as `ulmfit
pretrain` does under torchrun. The figure is tokens trained per second of wall time over that epoch (its short
validation included). Writes benchmarks/results/ddp.json with both runs and the ratio (2 processes over 1).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch

from ulmfit_ref.loaders import LanguageModelLoader
from ulmfit_ref.models import get_language_model
from ulmfit_ref.presets import CPU
from ulmfit_ref.train import ARTAR, Learner, LearnerConfig, set_seed

ROOT = Path(__file__).resolve().parents[1]
VOCAB = CPU.prepare.max_vocab


def worker(steps: int, out: Path) -> None:
    """One process of the job: train one epoch of `steps` batches, rank 0 writes the seconds it took."""
    torch.set_num_threads(1)
    set_seed(0)
    fit = CPU.pretrain
    ids = torch.randint(4, VOCAB, (fit.bs * (steps * fit.bptt + 1),), generator=torch.Generator().manual_seed(0))
    shard = (int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1")))  # as `ulmfit pretrain`
    train = LanguageModelLoader(ids, fit.bs, fit.bptt, seed=0, shard=shard)
    valid = LanguageModelLoader(ids[: fit.bs * (2 * fit.bptt + 1)], fit.bs, fit.bptt, seed=1, shard=shard)
    config = LearnerConfig(betas=fit.learner.betas, wd=fit.learner.wd, clip=fit.learner.clip, progress=False)
    learner = Learner(get_language_model(VOCAB, CPU.lm), train, valid, reg_fn=ARTAR(), config=config,
                      device=torch.device("cpu"))
    began = time.perf_counter()
    learner.fit(1, fit.lr)
    seconds = time.perf_counter() - began
    if learner.is_main:
        tokens = sum(x.numel() for x, _ in train) * shard[1]  # every process trains as many
        out.write_text(json.dumps({"seconds": seconds, "tokens": tokens,
                                   "processes": learner.dist.world_size, "batches": len(train)}))


def launch(n: int, steps: int, out: Path) -> dict:
    """Run the worker under `torch.distributed.run --nproc_per_node n` and return what rank 0 wrote."""
    env = {k: v for k, v in os.environ.items() if k not in ("WORLD_SIZE", "RANK", "LOCAL_RANK")}
    env.update(OMP_NUM_THREADS="1", CUDA_VISIBLE_DEVICES="")
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={n}", "-m",
                    "benchmarks.ddp", "--worker", str(steps), str(out)], cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=15, help="batches of bs 64 x bptt 64 in the epoch")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ddp.json")
    parser.add_argument("--worker", nargs=2, metavar=("STEPS", "FILE"), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        return worker(int(opts.worker[0]), Path(opts.worker[1]))
    runs = {}
    for n in (1, 2):
        runs[n] = launch(n, opts.steps, opts.out.with_name(f"ddp.{n}.tmp"))
        opts.out.with_name(f"ddp.{n}.tmp").unlink()
        runs[n]["tokens_per_s"] = round(runs[n]["tokens"] / runs[n]["seconds"], 1)
        print(f"{n} process(es), 1 thread each: {runs[n]['tokens_per_s']:.0f} tokens/s "
              f"({runs[n]['tokens']:,} tokens in {runs[n]['seconds']:.1f} s)", flush=True)
    ratio = round(runs[2]["tokens_per_s"] / runs[1]["tokens_per_s"], 3)
    print(f"2 processes over 1: {ratio}x the tokens/s (2.0 would be perfect scaling)")
    results = {"torch": torch.__version__, "machine": platform.processor() or platform.machine(),
               "cpu_count": os.cpu_count(), "model": f"{VOCAB} vocab, {CPU.lm.emb_sz}/{CPU.lm.n_hid}/{CPU.lm.n_layers}",
               "bs": CPU.pretrain.bs, "bptt": CPU.pretrain.bptt, "backend": "gloo", "threads_per_process": 1,
               "runs": {f"{n}_processes": r for n, r in runs.items()}, "ratio_2_over_1": ratio}
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
