"""The paper preset's real sizes on CPU, a few batches of each stage on real IMDb text: seconds per step, peak memory.

    .venv/bin/python -m benchmarks.paper_preset --imdb ../shared/data/aclImdb_v1_reviews.tar.gz   # a few minutes

Each stage runs in a process of its own, so that each peak is its own: `pretrain` (the general LM, bs 64), `lm` (its
fine-tuning, bs 52) and `classifier` (bs 48, whole reviews read in bptt chunks), all at 400/1150/3, bptt 70, with a
vocabulary of 60,000 (the embedding and softmax have 60,000 rows; the sample's words are ids below that). The LM's
batches start with the longest one (bptt + 25, as LanguageModelLoader's first), the classifier's with the longest
reviews of the sample (as SortishSampler's first), every layer trained (the recipes' last, longest stage), through
Learner.fit: AR/TAR, clipping, Adam. A step's time is the wall time from handing out one batch to the next; memory is
the process's peak resident set (ru_maxrss). `estimate()` turns the sizes and the measured steps into the GPU figures
of the README (memory per stage, minutes per epoch); writes benchmarks/results/paper_preset.json.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from ulmfit_ref.data import read_imdb
from ulmfit_ref.loaders import LanguageModelLoader, SortishSampler, pad_collate
from ulmfit_ref.models import get_classifier, get_language_model
from ulmfit_ref.presets import PAPER
from ulmfit_ref.text import mark_fields, partition, proc_all_mp
from ulmfit_ref.train import ARTAR, Learner, set_seed
from ulmfit_ref.vocab import Vocab

ROOT = Path(__file__).resolve().parents[1]
VOCAB = PAPER.prepare.max_vocab
STAGES = {"pretrain": PAPER.pretrain, "lm": PAPER.fine_tune, "classifier": PAPER.classify}
# What an epoch of each stage reads: WikiText-103's training tokens (Merity et al. 2016), 90% of IMDb's 100k texts
# (train, unsup, test; 10% validate the LM) and its 25k training reviews, in documents of the sample's mean length.
EPOCH_DOCUMENTS = {"lm": 90_000, "classifier": 25_000}
WIKITEXT_103_TOKENS = 103_227_021


class Timed:
    """The first `n` batches of a loader, timing each step (from handing a batch out to being asked for the next) and
    counting its tokens."""

    def __init__(self, dl, n: int):
        self.dl, self.n, self.seconds, self.tokens = dl, n, [], []

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        for _, batch in zip(range(self.n), self.dl):
            self.tokens.append(int(batch[0].numel()))  # x: [seq_len, bs]
            began = time.perf_counter()
            yield batch
            self.seconds.append(time.perf_counter() - began)


def sample(imdb: Path, per_class: int) -> list[np.ndarray]:
    """Token ids of `per_class` train and test reviews of each class, tokenized as `ulmfit prepare` does."""
    reviews = read_imdb(imdb, limit=per_class)
    texts = [mark_fields([t]) for split in reviews.values() for t in split.texts]
    tokens = [doc for chunk in proc_all_mp(partition(texts, 100), n_workers=1) for doc in chunk]
    vocab = Vocab.build(Counter(t for doc in tokens for t in doc), VOCAB, PAPER.prepare.min_freq)
    return [np.asarray(vocab.numericalize(doc), dtype=np.int64) for doc in tokens]


def loaders(stage: str, docs: list[np.ndarray], batches: int):
    """(train, valid) loaders of `stage`'s batch size: `batches` timed training batches, one validation batch."""
    fit = STAGES[stage]
    if stage != "classifier":
        stream = np.concatenate(docs)
        return (Timed(LanguageModelLoader(stream, fit.bs, fit.bptt, seed=0), batches),
                Timed(LanguageModelLoader(stream[: fit.bs * (fit.bptt + 30)], fit.bs, fit.bptt, seed=1), 1))
    data = [(d, i % 2) for i, d in enumerate(docs)]
    train = DataLoader(data, batch_sampler=SortishSampler([len(d) for d in docs], fit.bs, seed=0),
                       collate_fn=pad_collate)
    return Timed(train, batches), Timed(DataLoader(data, batch_size=fit.bs, collate_fn=pad_collate), 1)


def peak_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_stage(stage: str, imdb: Path, batches: int, per_class: int) -> dict:
    """`batches` training steps of `stage` at the paper's sizes: their seconds, tokens and the peak memory."""
    set_seed(0)
    docs = sample(imdb, per_class)
    fit = STAGES[stage]
    model = get_classifier(VOCAB, 2, PAPER.classifier) if stage == "classifier" else get_language_model(VOCAB, PAPER.lm)
    train, valid = loaders(stage, docs, batches)
    learner = Learner(model, train, valid, reg_fn=ARTAR(), config=replace(fit.learner, progress=False),
                      device=torch.device("cpu"))
    before = peak_mib()
    learner.fit(1, fit.lr)
    return {"stage": stage, "bs": fit.bs, "bptt": PAPER.classifier.bptt if stage == "classifier" else fit.bptt,
            "parameters": sum(p.numel() for p in model.parameters()), "seconds_per_step": train.seconds,
            "tokens_per_step": train.tokens, "peak_mib": peak_mib(), "peak_mib_before_training": before,
            "sample_documents": len(docs), "mean_tokens_per_document": float(np.mean([len(d) for d in docs])),
            "threads": torch.get_num_threads()}


LSTM_BYTES = 48  # per token and LSTM unit kept for the backward pass (gates, cell, output, dropout masks), fp32
RATES = (10, 40)  # TFLOP/s that an LSTM's step-by-step matmuls sustain on a GPU, a low and a high guess


def training_bytes(stage: str, parameters: int, tokens: int, softmax_bytes: int) -> float:
    """Bytes of a training step on a batch of `tokens` tokens with gradients: 16 per parameter (fp32 weights,
    gradients, Adam's two moments), `softmax_bytes` per token and vocabulary row of an LM's softmax, LSTM_BYTES per
    token and LSTM unit."""
    units = PAPER.lm.n_hid * (PAPER.lm.n_layers - 1) + PAPER.lm.emb_sz
    softmax = softmax_bytes * tokens * VOCAB if stage != "classifier" else 0
    return 16 * parameters + softmax + LSTM_BYTES * tokens * units


def estimate(stages: dict) -> dict:
    """GPU memory (GiB) and minutes per epoch at the paper preset (WikiText-103 for pretrain, IMDb for the others),
    from the sizes and the measured CPU steps.

    Memory: `training_bytes` of the largest batch (an LM's first, bs x (bptt + 25); a classifier's of documents of
    max_len + bptt tokens or more, whose last chunks keep their activations) with 14 bytes per softmax entry under
    bf16 autocast (bf16 logits, their fp32 copy, the fp32 log-softmax and gradient, the bf16 gradient), plus 1 GiB
    of CUDA context and allocator slack. The same count with the CPU's 12 bytes (all fp32) for the batches measured
    here stands beside the measured peak, as a check. Time: 6 FLOPs per weight and token (forward, and twice that
    backward; a classifier's embedding is a lookup) over an epoch's tokens, at the sustained RATES; the
    CPU's rate by the same count is given beside them.
    """
    out = {}
    for name, s in stages.items():
        measured = max(s["tokens_per_step"])
        if name == "classifier":  # only the chunks over a document's last max_len tokens keep their activations
            measured = s["bs"] * min(measured // s["bs"], PAPER.classifier.max_len + PAPER.classifier.bptt)
        largest = s["bs"] * (PAPER.classifier.max_len + PAPER.classifier.bptt if name == "classifier"
                             else s["bptt"] + 25)
        lookup_only = VOCAB * PAPER.lm.emb_sz if name == "classifier" else 0  # an LM's is its tied softmax too
        flops_per_token = 6 * (s["parameters"] - lookup_only)
        cpu_rate = flops_per_token * float(np.mean(s["tokens_per_step"])) / float(np.median(s["seconds_per_step"]))
        epoch_tokens = (WIKITEXT_103_TOKENS if name == "pretrain"
                        else EPOCH_DOCUMENTS[name] * s["mean_tokens_per_document"])
        out[name] = {"gpu_memory_gib": round(training_bytes(name, s["parameters"], largest, 14) / 2**30 + 1.0, 1),
                     "largest_batch_tokens": largest,
                     "cpu_peak_gib_counted": round(training_bytes(name, s["parameters"], measured, 12) / 2**30
                                                   + s["peak_mib_before_training"] / 1024, 2),
                     "cpu_peak_gib_measured": round(s["peak_mib"] / 1024, 2),
                     "flops_per_token": flops_per_token, "cpu_tflops": round(cpu_rate / 1e12, 4),
                     "epoch_tokens": round(epoch_tokens),
                     "cpu_minutes_per_epoch": round(epoch_tokens * flops_per_token / cpu_rate / 60),
                     "gpu_minutes_per_epoch": {f"{rate}_tflops": round(epoch_tokens * flops_per_token
                                                                            / (rate * 1e12) / 60, 1)
                                                    for rate in RATES}}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imdb", type=Path, required=True, help="aclImdb_v1.tar.gz or an aclImdb folder")
    parser.add_argument("--batches", type=int, default=3, help="timed training steps per stage")
    parser.add_argument("--per-class", type=int, default=100, help="reviews per split and class in the sample")
    parser.add_argument("--stages", nargs="+", default=list(STAGES), choices=list(STAGES))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "paper_preset.json")
    parser.add_argument("--stage", help=argparse.SUPPRESS)  # the worker: one stage, its JSON to --out
    opts = parser.parse_args()
    if opts.stage:
        opts.out.write_text(json.dumps(run_stage(opts.stage, opts.imdb, opts.batches, opts.per_class)))
        return
    results = {"torch": torch.__version__, "machine": platform.processor() or platform.machine(),
               "cpu_count": os.cpu_count(), "preset": "paper", "vocab": VOCAB, "stages": {}}
    for stage in opts.stages:
        part = opts.out.with_name(f"{opts.out.stem}.{stage}.tmp")
        subprocess.run([sys.executable, "-m", "benchmarks.paper_preset", "--stage", stage, "--imdb", str(opts.imdb),
                        "--batches", str(opts.batches), "--per-class", str(opts.per_class), "--out", str(part)],
                       cwd=ROOT, check=True)
        s = results["stages"][stage] = json.loads(part.read_text())
        part.unlink()
        print(f"{stage}: bs {s['bs']}, {s['parameters']:,} parameters, steps of {max(s['tokens_per_step']):,} tokens "
              f"at most in {', '.join(f'{t:.1f}' for t in s['seconds_per_step'])} s, peak memory "
              f"{s['peak_mib'] / 1024:.2f} GiB", flush=True)
    results["estimate"] = estimate(results["stages"])
    for stage, e in results["estimate"].items():
        low, high = (e["gpu_minutes_per_epoch"][f"{rate}_tflops"] for rate in RATES)
        print(f"{stage} on a GPU: about {e['gpu_memory_gib']} GiB; an epoch ({e['epoch_tokens']:,} tokens) "
              f"{high}-{low} min (CPU here: {e['cpu_minutes_per_epoch']} min; its peak "
              f"{e['cpu_peak_gib_measured']} GiB measured, {e['cpu_peak_gib_counted']} GiB counted)")
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
