"""The IMDb reviews (an aclImdb folder or its tar.gz archive), the shuffled splits, and the standard CSV format.

IMDb is one data set among others: `write_imdb_csv` puts it in the standard CSV folder that `ulmfit train` reads
(see dataset.py), the lesson's own step; nothing after that knows it was IMDb.
"""

import csv
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .archive import Archive
from .errors import DataError as DataError  # raised here; imported from here by older code
from .files import atomic_write, identity, write_json

CLASSES = ("neg", "pos", "unsup")  # label ids 0, 1, 2 of read_imdb; unsup reviews only feed the language model
SPLITS = ("train", "test")
IMDB_TASKS = {  # the classes of each task `write_imdb_csv` can make: sentiment (the paper's) or the star ratings
    "sentiment": ("neg", "pos"),
    "ratings": ("1", "2", "3", "4", "7", "8", "9", "10"),  # the N of ID_N.txt; IMDb has no 5 or 6
}
_re_review = re.compile(r"(?:^|/)aclImdb/(train|test)/(neg|pos|unsup)/(\d+)_(\d+)\.txt$")
_re_class_file = re.compile(r"(?:^|/)aclImdb/(train|test)/(neg|pos|unsup)/[^/]+$")  # a file where reviews are
NOT_A_REVIEW = "files in a class folder not named ID_RATING.txt"

csv.field_size_limit(sys.maxsize)  # one review may be megabytes long


@dataclass
class Reviews:
    """The texts and labels of one split, in a fixed order (by class, then by review id)."""

    texts: list = field(default_factory=list)  # one str per document, or a tuple of its fields
    labels: list[int] = field(default_factory=list)
    n_decode_errors: int = 0  # reviews that were not valid UTF-8 (bad bytes became U+FFFD)

    def __len__(self):
        return len(self.texts)


def decode(raw: bytes) -> tuple[str, bool]:
    """UTF-8 text of raw bytes, and whether bad bytes had to be replaced by U+FFFD."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def read_imdb(path, limit: int = None) -> dict[str, Reviews]:
    """Train and test reviews of an aclImdb folder (or a folder holding one) or of the tar.gz archive.

    `limit` keeps at most that many reviews per split and class (the lowest ids), for small runs.

    Taught in lesson 1; the 2018 notebook: `get_texts(PATH)`."""
    found, _ = _imdb_files(path, limit)
    out = {s: Reviews() for s in SPLITS}
    for label, cls in enumerate(CLASSES):
        for split in SPLITS:
            items = found.get((split, cls), [])
            out[split].texts += [text for _, _, text, _ in items]
            out[split].labels += [label] * len(items)
            out[split].n_decode_errors += sum(bad for _, _, _, bad in items)
    return out


def _is_review(name: str) -> bool:
    """Whether a file's name is that of an IMDb review, aclImdb/SPLIT/CLASS/ID_RATING.txt."""
    return _re_review.search(name) is not None


def _imdb_files(path, limit: int = None) -> tuple[dict[tuple[str, str], list[tuple[int, int, str, bool]]], Counter]:
    """(split, class) -> (review id, rating, text, decode error) of each review, by id, at most `limit` per class;
    and what was skipped, by reason."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder; pass an aclImdb folder or aclImdb_v1.tar.gz")
    found, skipped = {}, Counter()
    archive = Archive(path) if path.is_file() else None
    for name, raw in archive.members(_is_review) if archive else _folder_members(path, _is_review, skipped):
        m = _re_review.search(name)
        if m is None:
            skipped[NOT_A_REVIEW] += _re_class_file.search(name) is not None
            continue
        key = (m.group(1), m.group(2))
        found.setdefault(key, []).append((int(m.group(3)), int(m.group(4)), *decode(raw)))
    if archive:
        skipped.update(archive.skipped)
    wanted = [(s, c) for s in SPLITS for c in CLASSES if (s, c) != ("test", "unsup")]
    missing = [f"aclImdb/{s}/{c}" for s, c in wanted if (s, c) not in found]
    if missing:
        raise DataError(f"{path}: no reviews found in {', '.join(missing)}; is this the IMDb dataset?")
    return {key: sorted(items)[:limit] for key, items in found.items()}, +skipped


def write_imdb_csv(path, folder, task: str = "sentiment", limit: int = None) -> dict:
    """The IMDb reviews at `path` as a standard CSV folder: train.csv, test.csv, unlabelled.csv (unsup), classes.txt.

    task "sentiment": neg / pos; "ratings": the 8 star ratings. Rows come by class, then by review id; the labels
    are the class names. Writes imdb.json (what was read) last, so a folder holding it is complete.
    """
    if task not in IMDB_TASKS:
        raise DataError(f"unknown IMDb task {task!r}; the tasks are {', '.join(IMDB_TASKS)}")
    classes, folder = IMDB_TASKS[task], Path(folder)
    found, skipped = _imdb_files(path, limit)
    counts = {}
    for split in SPLITS:
        labels, texts = [], []
        for cls in ("neg", "pos"):
            for review_id, rating, text, _ in found.get((split, cls), []):
                label = cls if task == "sentiment" else str(rating)
                if label not in classes:
                    raise DataError(f"{path}: aclImdb/{split}/{cls}/{review_id}_{rating}.txt has rating {rating}, "
                                    f"not one of {', '.join(classes)}")
                labels.append(label)
                texts.append(text)
        counts[split] = write_csv(folder / f"{split}.csv", labels, texts)
    unsup = [(text,) for items in (found.get((s, "unsup"), []) for s in SPLITS) for _, _, text, _ in items]
    counts["unlabelled"] = write_rows(folder / "unlabelled.csv", unsup)
    with atomic_write(folder / "classes.txt") as tmp:
        tmp.write_text("".join(f"{c}\n" for c in classes), encoding="utf-8")
    summary = {"source": str(Path(path).resolve()), "input": identity(path), "task": task, "limit": limit,
               "classes": list(classes),
               "documents": counts, "decode_errors": sum(bad for items in found.values() for *_, bad in items),
               "skipped": dict(skipped)}
    write_json(folder / "imdb.json", summary)
    return summary


def _folder_members(path: Path, read, skipped: Counter):
    """(name, bytes where read(name), else None) of each file in the class folders of an aclImdb folder (or of the
    folder holding one); what is not a file there (a broken link, a folder) is counted in `skipped`."""
    root = path if path.name == "aclImdb" else path / "aclImdb"
    if not root.is_dir():
        raise DataError(f"{path}: no aclImdb folder here; pass the extracted aclImdb folder or the tar.gz archive")
    for split in SPLITS:
        for cls in CLASSES:
            folder = root / split / cls
            for f in sorted(folder.iterdir()) if folder.is_dir() else []:
                name = f"aclImdb/{split}/{cls}/{f.name}"
                if f.is_file():
                    yield name, f.read_bytes() if read(name) else None
                else:
                    skipped["entries of a class folder that are no file (folders, broken links)"] += 1


def permutation(n: int, seed: int) -> np.ndarray:
    """The one seeded shuffle of `n` items that every split of this package uses.

    Taught in lesson 1; the 2018 notebook: `np.random.permutation`."""
    return np.random.default_rng(seed).permutation(n)


@dataclass
class Splits:
    """The lesson's four datasets: classifier train/test (no unsup) and language-model train/valid (labels 0)."""

    clas_train: Reviews
    clas_test: Reviews
    lm_train: Reviews
    lm_valid: Reviews


def make_splits(reviews: dict[str, Reviews], seed: int = 42, lm_valid_frac: float = 0.1,
                unlabelled: int = None) -> Splits:
    """Shuffle train and test once; the classifier drops texts labelled `unlabelled` (IMDb's unsup: 2; None: none);
    the LM holds out `lm_valid_frac` of all texts.

    Taught in lesson 1; the 2018 notebook: `sklearn.model_selection.train_test_split`."""
    if not 0 < lm_valid_frac < 1:
        raise ValueError(f"lm_valid_frac must be between 0 and 1, got {lm_valid_frac}")
    shuffled = {}
    for i, split in enumerate(SPLITS):
        r = reviews[split]
        idx = permutation(len(r), seed + i)
        shuffled[split] = ([r.texts[j] for j in idx], [r.labels[j] for j in idx])

    def labelled(texts, labels):
        keep = [j for j, y in enumerate(labels) if unlabelled is None or y != unlabelled]
        return Reviews([texts[j] for j in keep], [labels[j] for j in keep])

    all_texts = shuffled["train"][0] + shuffled["test"][0]
    idx = permutation(len(all_texts), seed + len(SPLITS))
    n_valid = max(1, round(len(all_texts) * lm_valid_frac))
    lm = [all_texts[j] for j in idx]
    return Splits(
        clas_train=labelled(*shuffled["train"]),
        clas_test=labelled(*shuffled["test"]),
        lm_train=Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)),
        lm_valid=Reviews(lm[:n_valid], [0] * n_valid),
    )


def write_csv(path, labels, *fields) -> int:
    """Write the standard CSV (label first, then one or more text columns, no header); returns the rows.

    Taught in lesson 1; the 2018 notebook: `df.to_csv(header=False, index=False)`."""
    path = Path(path)
    if any(len(f) != len(labels) for f in fields) or not fields:
        raise ValueError(f"{path}: need at least one text column, each as long as the {len(labels)} labels")
    return write_rows(path, zip(labels, *fields))


def write_rows(path, rows) -> int:
    """Write rows as CSV (UTF-8, quoted where needed, no header), atomically; returns how many."""
    n = 0
    with atomic_write(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        for row in rows:
            w.writerow(row)
            n += 1
    return n


@dataclass
class CsvChunk:
    """A run of rows of a standard CSV: labels, the text fields of each row, and the rows' first lines."""

    labels: list[int]
    fields: list[list[str]]
    lines: list[int]


def read_csv(path, chunksize: int = 10_000, n_labels: int = 1):
    """Stream a standard CSV in chunks; a missing text column or a non-integer label is an error naming the line.

    Empty cells (pandas writes NaN so) are read as empty text and the document is kept.
    """
    path = Path(path)
    if chunksize < 1:
        raise ValueError(f"chunksize must be at least 1, got {chunksize}")
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        reader = csv.reader(f)
        chunk = CsvChunk([], [], [])
        line = 1
        for row in reader:
            if len(row) < n_labels + 1:
                raise DataError(f"{path}, line {line}: expected {n_labels} label(s) then text, got {len(row)} "
                                f"column(s)")
            try:
                label = int(row[0]) if n_labels == 1 else [int(v) for v in row[:n_labels]]
            except ValueError:
                raise DataError(f"{path}, line {line}: label {row[:n_labels]} is not an integer") from None
            chunk.labels.append(label)
            chunk.fields.append(row[n_labels:])
            chunk.lines.append(line)
            line = reader.line_num + 1
            if len(chunk.labels) == chunksize:
                yield chunk
                chunk = CsvChunk([], [], [])
        if chunk.labels:
            yield chunk
