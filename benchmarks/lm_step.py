"""One language-model training step (forward, backward, Adam) on 2 CPU threads: ours vs fastai 2.8.12 vs a plain LSTM.

fastai is never a dependency of ulmfit_ref: it is imported here only, from a separate venv:

    python3 -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install torch==2.13.0
    /tmp/benchvenv/bin/pip install --no-deps -r benchmarks/requirements-fastai.txt
    /tmp/benchvenv/bin/python -m benchmarks.lm_step        # from the repository root

Ours and fastai's AWD-LSTM have the same sizes, the 2018 notebook's dropouts (x0.7) and AR/TAR; the plain model is
Embedding + nn.LSTM layers of the same sizes + tied Linear with no dropout and no AR/TAR. Steps of the three
models are interleaved so that load from other processes falls on all of them; figures and ratios use each
model's fastest step (the one least slowed by other processes on the shared cores); medians and the
process CPU time per step (less sensitive to that load) are kept beside them.
Writes benchmarks/results/lm_step.json with tokens/s per model and time-per-step ratios (ours over theirs).
"""

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ulmfit_ref.models import LMConfig, get_language_model
from ulmfit_ref.regularize import activation_reg, temporal_activation_reg

SIZES = {
    "small": dict(vocab=10_000, emb_sz=128, n_hid=256, n_layers=2, bs=64, bptt=70),
    "paper": dict(vocab=60_000, emb_sz=400, n_hid=1152, n_layers=3, bs=32, bptt=70),
}
DROP_MULT = 0.7


class PlainLM(nn.Module):
    """Embedding, nn.LSTM layers (last one of emb_sz) and a tied Linear: no dropout, sequence-first."""

    def __init__(self, vocab: int, emb_sz: int, n_hid: int, n_layers: int):
        super().__init__()
        self.encoder = nn.Embedding(vocab, emb_sz)
        sizes = [emb_sz] + [n_hid] * (n_layers - 1) + [emb_sz]
        self.rnns = nn.ModuleList(nn.LSTM(n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:]))
        self.decoder = nn.Linear(emb_sz, vocab)
        self.decoder.weight = self.encoder.weight

    def forward(self, x):
        h = self.encoder(x)
        for rnn in self.rnns:
            h, _ = rnn(h)
        return self.decoder(h)


def ours_step(size):
    """A training step of ulmfit_ref's language model (sequence-first), with AR/TAR."""
    config = LMConfig(emb_sz=size["emb_sz"], n_hid=size["n_hid"], n_layers=size["n_layers"], out_bias=True,
                      drop_mult=DROP_MULT)
    model = get_language_model(size["vocab"], config).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.8, 0.99))
    x = torch.randint(0, size["vocab"], (size["bptt"], size["bs"]))
    y = torch.randint(0, size["vocab"], (size["bptt"], size["bs"]))

    def step():
        logits, raw_outputs, outputs = model(x)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        loss = loss + activation_reg(outputs[-1], 2.0) + temporal_activation_reg(raw_outputs[-1], 1.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def fastai_step(size):
    """A training step of fastai 2.8.12's AWD_LSTM language model (batch-first), with AR/TAR as RNNRegularizer does."""
    from fastai.text.models.awdlstm import AWD_LSTM, awd_lstm_lm_config
    from fastai.text.models.core import get_language_model as fastai_language_model

    config = dict(awd_lstm_lm_config, emb_sz=size["emb_sz"], n_hid=size["n_hid"], n_layers=size["n_layers"])
    model = fastai_language_model(AWD_LSTM, size["vocab"], config=config, drop_mult=DROP_MULT).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.8, 0.99))
    x = torch.randint(0, size["vocab"], (size["bs"], size["bptt"]))
    y = torch.randint(0, size["vocab"], (size["bs"], size["bptt"]))

    def step():
        logits, raw, dropped = model(x)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        loss = loss + 2.0 * dropped.float().pow(2).mean() + 1.0 * (raw[:, 1:] - raw[:, :-1]).float().pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def plain_step(size):
    """A training step of PlainLM: cross-entropy only."""
    model = PlainLM(size["vocab"], size["emb_sz"], size["n_hid"], size["n_layers"]).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.8, 0.99))
    x = torch.randint(0, size["vocab"], (size["bptt"], size["bs"]))
    y = torch.randint(0, size["vocab"], (size["bptt"], size["bs"]))

    def step():
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def measure(size, warmup: int, steps: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and process-CPU seconds of each timed step of each model, steps interleaved in a rotating order."""
    torch.manual_seed(0)
    runs = {"ours": ours_step(size), "fastai": fastai_step(size), "plain": plain_step(size)}
    for step in runs.values():
        for _ in range(warmup):
            step()
    wall, cpu = {name: [] for name in runs}, {name: [] for name in runs}
    names = list(runs)
    for i in range(steps):
        for name in names[i % 3:] + names[:i % 3]:
            start, start_cpu = time.perf_counter(), time.process_time()
            runs[name]()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--steps", type=int, nargs=2, default=[10, 5], metavar=("SMALL", "PAPER"),
                        help="timed steps per model for the small and the paper size")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "lm_step.json")
    opts = parser.parse_args()
    torch.set_num_threads(2)
    import fastai

    results = {"torch": torch.__version__, "fastai": fastai.__version__, "threads": torch.get_num_threads(),
               "machine": platform.processor() or platform.machine(), "warmup": opts.warmup, "sizes": {}}
    for name in opts.sizes:
        size = SIZES[name]
        steps = opts.steps[list(SIZES).index(name)]
        wall, cpu = measure(size, opts.warmup, steps)
        seconds = {k: min(t) for k, t in wall.items()}
        cpu_seconds = {k: min(t) for k, t in cpu.items()}
        tokens = size["bs"] * size["bptt"]
        entry = dict(size, steps=steps, seconds_per_step=seconds,
                     median_seconds_per_step={k: statistics.median(t) for k, t in wall.items()},
                     cpu_seconds_per_step=cpu_seconds,
                     tokens_per_s={k: round(tokens / s, 1) for k, s in seconds.items()},
                     ratio_vs_fastai=round(seconds["ours"] / seconds["fastai"], 3),
                     ratio_vs_plain=round(seconds["ours"] / seconds["plain"], 3),
                     cpu_ratio_vs_fastai=round(cpu_seconds["ours"] / cpu_seconds["fastai"], 3),
                     cpu_ratio_vs_plain=round(cpu_seconds["ours"] / cpu_seconds["plain"], 3))
        results["sizes"][name] = entry
        speed = entry["tokens_per_s"]
        print(f"{name}: tokens/s ours {speed['ours']:.0f}, fastai {speed['fastai']:.0f}, plain {speed['plain']:.0f}; "
              f"time per step, ours over theirs (targets <= 1.0 and <= 1.1): "
              f"vs fastai {entry['ratio_vs_fastai']} (CPU time {entry['cpu_ratio_vs_fastai']}), "
              f"vs plain {entry['ratio_vs_plain']} (CPU time {entry['cpu_ratio_vs_plain']})", flush=True)
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
