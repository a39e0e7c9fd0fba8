"""Training steps with glibc's allocator as it is vs told to keep freed memory (ulmfit_ref.allocator), in one run.

    .venv/bin/python -m benchmarks.allocator [--steps 12] [--rounds 2]

Each measurement is a fresh process (ULMFIT_MALLOC=system for glibc as it is) that builds the cpu preset's language
model (vocabulary 10,000, 128/256/2, bs 64, bptt 64: a pretraining or fine-tuning step) or its classifier (bs 64,
documents of 256 tokens), runs 3 steps to warm up, then `--steps` steps, and reports from `getrusage` its minor page
faults, user and system CPU seconds, and the wall time per step; the two allocators alternate, `--rounds` times each, so
that load from other processes falls on both. Prints the ratios (kept over system) and writes
benchmarks/results/allocator.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "allocator.json"
VOCAB, BS, BPTT, DOC_LEN = 10_000, 64, 64, 256

_CHILD = f"""
import json, resource, sys, time
import torch
import torch.nn.functional as F
from ulmfit_ref import allocator
from ulmfit_ref.presets import PRESETS
from ulmfit_ref.models import get_classifier, get_language_model

kind, steps = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(2)
torch.manual_seed(0)
preset = PRESETS["cpu"]
if kind == "lm":
    model = get_language_model({VOCAB}, preset.lm).train()
    x = torch.randint(2, {VOCAB}, ({BPTT}, {BS}))
    y = torch.randint(2, {VOCAB}, ({BPTT}, {BS}))
    loss_of = lambda: F.cross_entropy(model(x)[0].flatten(0, 1), y.flatten())
    tokens = {BPTT} * {BS}
else:
    model = get_classifier({VOCAB}, 2, preset.classifier).train()
    x = torch.randint(2, {VOCAB}, ({DOC_LEN}, {BS}))
    y = torch.randint(0, 2, ({BS},))
    lengths = torch.full(({BS},), {DOC_LEN})
    loss_of = lambda: F.cross_entropy(model(x, lengths)[0], y)
    tokens = {DOC_LEN} * {BS}
opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.8, 0.99))

def step():
    model.reset()
    loss = loss_of()
    opt.zero_grad()
    loss.backward()
    opt.step()

for _ in range(3):
    step()
before, began = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
for _ in range(steps):
    step()
after, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - began
print(json.dumps({{
    "allocator": allocator.STATE,
    "faults_per_step": (after.ru_minflt - before.ru_minflt) / steps,
    "system_s_per_step": (after.ru_stime - before.ru_stime) / steps,
    "user_s_per_step": (after.ru_utime - before.ru_utime) / steps,
    "wall_s_per_step": wall / steps,
    "tokens_per_s": tokens * steps / wall,
    "max_rss_mb": after.ru_maxrss / 1024,
}}))
"""


def measure(kind: str, kept: bool, steps: int) -> dict:
    """One fresh process's figures for `kind` ("lm" or "classifier"), the allocator kept or glibc's as it is."""
    env = {**os.environ, "ULMFIT_MALLOC": "kept" if kept else "system"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(steps)], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=12, help="measured steps per process (default: %(default)s)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="processes per allocator and model (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    runs = {(kind, kept): [] for kind in ("lm", "classifier") for kept in (False, True)}
    for _ in range(args.rounds):
        for kind, kept in runs:
            runs[kind, kept].append(measure(kind, kept, args.steps))
    out = {"machine": platform.platform(), "cpus": os.cpu_count(), "steps": args.steps, "rounds": args.rounds}
    for kind in ("lm", "classifier"):
        row = {}
        for kept in (False, True):
            figures = runs[kind, kept]
            name = "kept" if kept else "system"
            row[name] = {k: statistics.median(f[k] for f in figures) for k in figures[0] if k != "allocator"}
            row[name]["allocator"] = figures[0]["allocator"]
        row["ratio_kept_over_system"] = {
            k: row["kept"][k] / row["system"][k] if row["system"][k] else None
            for k in ("faults_per_step", "system_s_per_step", "user_s_per_step", "wall_s_per_step", "tokens_per_s")
        }
        out[kind] = row
        s, k, r = row["system"], row["kept"], row["ratio_kept_over_system"]
        print(
            f"{kind}: faults/step {s['faults_per_step']:,.0f} -> {k['faults_per_step']:,.0f}; system s/step "
            f"{s['system_s_per_step']:.3f} -> {k['system_s_per_step']:.3f}; user s/step {s['user_s_per_step']:.2f} -> "
            f"{k['user_s_per_step']:.2f} (x{r['user_s_per_step']:.2f}); tokens/s {s['tokens_per_s']:,.0f} -> "
            f"{k['tokens_per_s']:,.0f} (x{r['tokens_per_s']:.2f}); max RSS {s['max_rss_mb']:.0f} -> "
            f"{k['max_rss_mb']:.0f} MB"
        )
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return out


if __name__ == "__main__":
    main()
