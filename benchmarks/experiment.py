"""What the benchmarks of the paper's claims share (low_shot.py, ablations.py): the run they train on, its documents
as text for the linear peer, samples and held-out training documents, the spread over seeds, the machine's record.

Run the benchmarks from the repository root as modules (`python -m benchmarks.low_shot`): benchmarks/ is then not
on the import path, where its tokenize.py would shadow the standard library's.
"""

import argparse
import os
import platform
from pathlib import Path

import numpy as np
import torch

from ulmfit_ref import api
from ulmfit_ref.data import read_csv
from ulmfit_ref.dataset import stratified_indices
from ulmfit_ref.files import read_json
from ulmfit_ref.prepare import imdb_csv

RESULTS = Path(__file__).parent / "results"


def data_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that name the data set, the run's folder, the preset and the pretrained LM."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--imdb", help="IMDb's reviews (an aclImdb folder or the tar.gz), written to OUT/data as a "
                                       "standard CSV folder first (neg/pos, unsup as unlabelled.csv)")
    source.add_argument("--data", help="a standard CSV folder (train.csv, test.csv, classes.txt, unlabelled.csv)")
    parser.add_argument("--out", required=True, help="the run's folder: every LM, classifier and result, kept, so "
                                                     "that a rerun skips what is done")
    parser.add_argument("--pretrained", help="a folder made by `ulmfit pretrain`, the stand-in for fastai's wt103")
    parser.add_argument("--preset", default="cpu", help="cpu (default) or tiny (a smoke test)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON, markdown and PNG go")


def open_run(args, log=print) -> api.Run:
    """The run on the data set of `args`, prepared and its LM fine-tuned on every text (done once, then skipped)."""
    out = Path(args.out)
    data = imdb_csv(args.imdb, out / "data", "sentiment", None, log) if args.imdb else Path(args.data)
    run = api.make(data, out, args.preset, pretrained=args.pretrained, log=log)
    api.fine_tune(run)
    return run


def documents(run: api.Run, split: str) -> tuple[list[str], np.ndarray]:
    """The texts (fields joined by a space) and class numbers of clas/train or clas/test, in the order of its ids."""
    texts, labels = [], []
    for chunk in read_csv(run.prepared / "clas" / f"{split}.csv"):
        texts += [" ".join(fields) for fields in chunk.fields]
        labels += chunk.labels
    return texts, np.asarray(labels, dtype=np.int64)


def held_out(labels: np.ndarray, frac: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(the rest, held out): `frac` of each class of the training documents held out, seeded."""
    held = stratified_indices(labels, round(len(labels) * frac), seed)
    return np.setdiff1d(np.arange(len(labels)), held), held


def sample(labels: np.ndarray, pool: np.ndarray, n: int, seed: int) -> np.ndarray:
    """`n` documents of `pool` (indices of `labels`), every class in its proportion, seeded."""
    if n > len(pool):
        raise SystemExit(f"a sample of {n} documents from {len(pool)}: pass smaller --sizes")
    return pool[stratified_indices(labels[pool], n, seed)]


def spread(values) -> dict:
    """Mean, sample standard deviation (0 for one value), min, max and count."""
    v = np.asarray(values, dtype=np.float64)
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0, "min": float(v.min()),
            "max": float(v.max()), "n": len(v)}


def percent(s: dict) -> str:
    """An error's spread as markdown: '12.34' for one run, '12.34 ± 0.56' (std over seeds) for several."""
    return f"{100 * s['mean']:.2f}" + (f" ± {100 * s['std']:.2f}" if s["n"] > 1 else "")


def pretraining(run: api.Run) -> dict | None:
    """The general-domain LM the run starts from: its file, corpus, tokens, perplexity and minutes (None: none)."""
    if run.pretrained is None:
        return None
    made = run.pretrained.weights.parent / "result.json"
    record = {"weights": str(run.pretrained.weights)}
    if made.exists():
        r = read_json(made)
        record.update(corpus=r.get("corpus"), train_tokens=r.get("train_tokens"), perplexity=r.get("perplexity"),
                      minutes=r["seconds"] / 60 if "seconds" in r else None)
    return record


def conditions() -> dict:
    """The machine and its load now: the minutes of a benchmark depend on both."""
    return {"machine": f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
                       f"torch {torch.__version__}", "torch_threads": torch.get_num_threads(),
            "load_average": list(os.getloadavg())}
