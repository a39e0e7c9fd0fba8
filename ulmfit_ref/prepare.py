"""`ulmfit prepare`: a data set to CSVs, tokens, a vocab and token ids on disk, streaming and counted.

The classifier reads train and test; the language model reads every text, labelled or not (train, unlabelled
and test: the test *labels* stay unseen), 10% held out. The output folder holds `lm/train`, `lm/valid`,
`clas/train`, `clas/test` (each a CSV, tokens, labels and ids), `vocab.json` and `summary.json`.
"""

from collections import Counter
from dataclasses import asdict
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .archive import skipped_words
from .config import PrepareConfig
from .data import Reviews, make_splits, read_csv, write_csv, write_imdb_csv
from .dataset import (
    Dataset,
    dataset_folder,
    dataset_identity,
    hold_out_test,
    limit_per_class,
    overlap_note,
    read_dataset,
    train_test_overlap,
)
from .errors import DataError
from .files import atomic_write, identity, read_json, write_json
from .ids import write_ids
from .lock import folder_lock
from .text import mark_fields, read_tokens, tokenize_to_file
from .vocab import Vocab

DATASETS = ("lm/train", "lm/valid", "clas/train", "clas/test")
UNLABELLED = -1  # the label that marks an unlabelled text for make_splits: the language model's only


def tokenize_csv(csv_path, tok_path, n_workers: int = None, chunksize: int = 1000, total: int = None):
    """Tokenize every row of a standard CSV into a JSON-lines token file; returns (labels, empty documents)."""
    labels, n_empty = [], 0

    def chunks():
        nonlocal n_empty
        desc = f"tokenize {Path(csv_path).parent.name}/{Path(csv_path).name}"
        with tqdm(total=total, desc=desc, unit="doc", leave=False, disable=None) as bar:
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
    """How often each token occurs in a token file.

    Taught in lesson 4; the 2018 notebook: `Counter(p for o in tok_trn for p in o)`."""
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


def prepare_dataset(data, out, config: PrepareConfig = PrepareConfig(), n_workers: int = None, log=print) -> dict:
    """Every step from a data set (a standard CSV folder, or a Dataset) to token ids under `out`.

    Skipped when `out` holds the same data prepared with the same configuration.
    """
    with folder_lock(out, "ulmfit prepare", log):
        return _prepare_dataset(data, Path(out), config, n_workers, log)


def _prepare_dataset(data, out: Path, config: PrepareConfig, n_workers: int, log) -> dict:
    """The body of prepare_dataset, once `out` is locked."""
    source = str(dataset_folder(data).resolve()) if not isinstance(data, Dataset) else data.source
    inputs = dataset_identity(data) if not isinstance(data, Dataset) else None
    summary_path = out / "summary.json"
    if summary_path.exists():
        summary = read_json(summary_path)
        made = {k: summary.get(k) for k in ("config", "source", "input")}
        if made == {"config": asdict(config), "source": source, "input": inputs}:
            log(f"{out}: already prepared from these files with this configuration, skipping")
            return summary
        why = ("other options" if made["config"] != asdict(config) else f"other data ({made['source']})"
               if made["source"] != source else f"{source} as it was then (its files changed since)")
        log(f"{out}: prepared before from {why}; preparing it again")
    dataset = read_dataset(data, config.limit) if not isinstance(data, Dataset) else limit_per_class(data, config.limit)
    test_from = "test.csv"
    if dataset.test is None:
        dataset = hold_out_test(dataset, config.test_frac, config.seed)
        test_from = f"{config.test_frac:.0%} of each class of train.csv, held out"
    counts = dataset.counts()
    if overlap := train_test_overlap(dataset):
        dataset.notes.append(overlap_note(dataset, overlap, test_from))
    log(f"read {counts['train']:,} training, {counts['test']:,} test and {counts['unlabelled']:,} unlabelled "
        f"documents of {len(dataset.classes)} classes from {source}; test set: {test_from}"
        + (f"; {dataset.blank_lines} blank lines skipped" if dataset.blank_lines else ""))
    for note in dataset.notes:
        log(note)
    texts = dataset.train.texts + dataset.unlabelled
    labels = dataset.train.labels + [UNLABELLED] * len(dataset.unlabelled)
    splits = make_splits({"train": Reviews(texts, labels), "test": dataset.test}, config.seed, config.lm_valid_frac,
                         unlabelled=UNLABELLED)
    sizes = {}
    for name in DATASETS:
        r = getattr(splits, name.replace("/", "_"))
        sizes[name] = write_csv(out / f"{name}.csv", r.labels, *zip(*r.texts))
    del splits, texts, labels

    empty = {}
    for name in DATASETS:
        tok_path = out / f"{name}.tok.jsonl"
        labels, empty[name] = tokenize_csv(out / f"{name}.csv", tok_path, n_workers, config.chunksize, sizes[name])
        with atomic_write(out / f"{name}.labels.npy") as tmp, open(tmp, "wb") as f:
            np.save(f, np.array(labels, dtype=np.int64), allow_pickle=False)
    vocab, stats = numericalize_all(out, DATASETS, "lm/train", config.max_vocab, config.min_freq)
    for name in DATASETS:
        stats[name]["empty"] = empty[name]
    n_in = counts["train"] + counts["test"] + counts["unlabelled"]
    n_lm = stats["lm/train"]["documents"] + stats["lm/valid"]["documents"]
    if n_lm != n_in or (stats["clas/train"]["documents"], stats["clas/test"]["documents"]) != (counts["train"],
                                                                                               counts["test"]):
        raise DataError(f"document counts differ: {n_in} in ({counts['train']} train, {counts['test']} test, "
                        f"{counts['unlabelled']} unlabelled), {n_lm} for the LM, {stats['clas/train']['documents']} "
                        f"and {stats['clas/test']['documents']} for the classifier")
    summary = {"config": asdict(config), "source": source, "input": inputs, "classes": list(dataset.classes),
               "label_format": dataset.label_format, "n_fields": dataset.n_fields, "test_from": test_from,
               "documents_in": {k: counts[k] for k in ("train", "test", "unlabelled")},
               "per_class": counts["per_class"], "blank_lines": dataset.blank_lines, "test_in_train": overlap,
               "notes": dataset.notes, "vocab_size": len(vocab), "datasets": stats}
    write_json(summary_path, summary)
    log(format_summary(summary))
    return summary


def prepare_imdb(data, out, config: PrepareConfig = PrepareConfig(), n_workers: int = None, log=print,
                 task: str = "sentiment") -> dict:
    """IMDb's reviews to the standard CSV folder out/data (write_imdb_csv), then prepared like any data set."""
    with folder_lock(out, "ulmfit prepare", log):
        folder = imdb_csv(data, Path(out) / "data", task, config.limit, log)
        return prepare_dataset(folder, out, config, n_workers, log)


def imdb_csv(data, folder, task: str = "sentiment", limit: int = None, log=print) -> Path:
    """`folder` holding IMDb's reviews as a standard CSV folder; kept when made before from the same reviews."""
    folder = Path(folder)
    made = folder / "imdb.json"
    wanted = {"source": str(Path(data).resolve()), "input": identity(data), "task": task, "limit": limit}
    if made.exists() and {k: read_json(made).get(k) for k in wanted} == wanted:
        log(f"{folder}: IMDb already in the standard CSV, skipping")
        return folder
    summary = write_imdb_csv(data, folder, task, limit)
    bad, skipped = summary["decode_errors"], summary["skipped"]
    log(f"IMDb ({task}) from {data} to the standard CSV in {folder}: {summary['documents']}"
        + (f"; {bad} reviews not valid UTF-8 (bad bytes replaced by U+FFFD)" if bad else "")
        + (f"; skipped {skipped_words(skipped)}" if skipped else ""))
    return folder


def format_summary(summary: dict) -> str:
    """The prepare summary as a small table."""
    rows = [f"{'dataset':<12}{'documents':>11}{'tokens':>13}{'unknown':>9}{'empty':>7}"]
    for name, s in summary["datasets"].items():
        rows.append(f"{name:<12}{s['documents']:>11,}{s['tokens']:>13,}{s['unknown_rate']:>9.2%}{s['empty']:>7}")
    n = summary["documents_in"]
    rows.append(f"vocab size {summary['vocab_size']:,}; {len(summary['classes'])} classes ({summary['label_format']}); "
                f"documents read: {n['train']:,} train, {n['test']:,} test, {n['unlabelled']:,} unlabelled")
    return "\n".join(rows)
