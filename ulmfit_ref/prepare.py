"""`ulmfit prepare`: IMDb reviews to CSVs, tokens, a vocab and token ids on disk, streaming and counted."""

import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .data import CLASSES, DataError, make_splits, read_csv, read_imdb, write_csv
from .ids import write_ids
from .text import mark_fields, read_tokens, tokenize_to_file
from .vocab import Vocab

DATASETS = ("lm/train", "lm/valid", "clas/train", "clas/test")


@dataclass
class PrepareConfig:
    """What `prepare_imdb` does: vocabulary size, shuffling seed, LM hold-out and an optional per-class limit."""

    max_vocab: int = 60000
    min_freq: int = 3
    seed: int = 42
    lm_valid_frac: float = 0.1
    limit: int = None  # at most this many reviews per split and class (None: all)
    chunksize: int = 1000  # documents per chunk sent to a tokenizer process


def tokenize_csv(csv_path, tok_path, n_workers: int = None, chunksize: int = 1000, total: int = None):
    """Tokenize every row of a standard CSV into a JSON-lines token file; returns (labels, empty documents)."""
    labels, n_empty = [], 0

    def chunks():
        nonlocal n_empty
        with tqdm(total=total, desc=f"tokenize {Path(csv_path).parent.name}/{Path(csv_path).name}", unit="doc", leave=False) as bar:
            for chunk in read_csv(csv_path, chunksize):
                labels.extend(chunk.labels)
                n_empty += sum(not "".join(f).strip() for f in chunk.fields)
                bar.update(len(chunk.labels))
                yield [mark_fields(f) for f in chunk.fields]

    n_out = tokenize_to_file(chunks(), tok_path, n_workers)
    if n_out != len(labels):
        raise DataError(f"{csv_path}: {len(labels)} documents read but {n_out} tokenized; nothing may be lost")
    return labels, n_empty


def count_tokens(tok_path) -> Counter:
    """How often each token occurs in a token file."""
    counts = Counter()
    for tokens in read_tokens(tok_path):
        counts.update(tokens)
    return counts


def numericalize_file(tok_path, vocab: Vocab, prefix) -> dict:
    """Token file to ids on disk; returns documents, tokens and unknown tokens."""
    n_unk = 0

    def docs():
        nonlocal n_unk
        for tokens in read_tokens(tok_path):
            ids = vocab.numericalize(tokens)
            n_unk += int((ids == 0).sum())
            yield ids

    n_docs, n_tokens = write_ids(prefix, docs())
    return {"documents": n_docs, "tokens": n_tokens, "unknown": n_unk}


def numericalize_all(out: Path, names, train: str, max_vocab: int, min_freq: int) -> tuple[Vocab, dict]:
    """A vocab from the `train` token file, saved as out/vocab.json, then ids for every named token file."""
    vocab = Vocab.build(count_tokens(out / f"{train}.tok.jsonl"), max_vocab, min_freq)
    vocab.save(out / "vocab.json")
    stats = {}
    for name in names:
        stats[name] = numericalize_file(out / f"{name}.tok.jsonl", vocab, out / name)
        stats[name]["unknown_rate"] = stats[name]["unknown"] / max(1, stats[name]["tokens"])
    return vocab, stats


def write_summary(path: Path, summary: dict):
    """Write a summary JSON atomically: its presence marks the preparation done."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(summary, indent=2))
    tmp.replace(path)


def prepare_imdb(data, out, config: PrepareConfig = PrepareConfig(), n_workers: int = None, log=print) -> dict:
    """Every step from the IMDb reviews at `data` to token ids under `out`; skipped when `out` holds the same run."""
    out = Path(out)
    summary_path = out / "summary.json"
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
        if summary.get("config") == asdict(config):
            log(f"{out}: already prepared with this configuration, skipping")
            return summary
    reviews = read_imdb(data, config.limit)
    n_in = sum(len(r) for r in reviews.values())
    n_bad = sum(r.n_decode_errors for r in reviews.values())
    n_unsup = sum(y == CLASSES.index("unsup") for r in reviews.values() for y in r.labels)
    log(f"read {n_in} reviews from {data}" + (f" ({n_bad} not valid UTF-8: bad bytes replaced by U+FFFD)" if n_bad else ""))
    splits = make_splits(reviews, config.seed, config.lm_valid_frac)
    del reviews
    sizes = {}
    for name in DATASETS:
        r = getattr(splits, name.replace("/", "_"))
        sizes[name] = write_csv(out / f"{name}.csv", r.labels, r.texts)
    del splits

    empty = {}
    for name in DATASETS:
        tok_path = out / f"{name}.tok.jsonl"
        labels, empty[name] = tokenize_csv(out / f"{name}.csv", tok_path, n_workers, config.chunksize, sizes[name])
        np.save(out / f"{name}.labels.npy", np.array(labels, dtype=np.int64))
    vocab, stats = numericalize_all(out, DATASETS, "lm/train", config.max_vocab, config.min_freq)
    for name in DATASETS:
        stats[name]["empty"] = empty[name]
    n_lm = stats["lm/train"]["documents"] + stats["lm/valid"]["documents"]
    n_clas = stats["clas/train"]["documents"] + stats["clas/test"]["documents"]
    if n_lm != n_in or n_clas != n_in - n_unsup:
        raise DataError(f"document counts differ: {n_in} reviews in ({n_unsup} unsup), {n_lm} for the LM, {n_clas} for the classifier")
    summary = {"config": asdict(config), "reviews_in": n_in, "unsup": n_unsup, "decode_errors": n_bad, "vocab_size": len(vocab), "datasets": stats}
    write_summary(summary_path, summary)
    log(format_summary(summary))
    return summary


def format_summary(summary: dict) -> str:
    """The prepare summary as a small table."""
    rows = [f"{'dataset':<12}{'documents':>11}{'tokens':>13}{'unknown':>9}{'empty':>7}"]
    for name, s in summary["datasets"].items():
        rows.append(f"{name:<12}{s['documents']:>11,}{s['tokens']:>13,}{s['unknown_rate']:>9.2%}{s['empty']:>7}")
    rows.append(f"vocab size {summary['vocab_size']:,}; reviews read {summary['reviews_in']:,}")
    return "\n".join(rows)
