"""How each exercise is called and what of it is observed, run alike on the learner's object and on the reference.

A probe takes the exercise's object (a function or a class), one input (plain data) and a scratch folder, and returns
what the call shows: a value, or a dict of values for an exercise with several steps. Both sides encode the result
with `wire.encode`, and the checker compares the two encodings. This module runs in the learner's process, so it
imports nothing of the reference but the lesson's own data classes.
"""

import copy
import csv
import itertools
import json
from collections import Counter
from pathlib import Path

from ulmfit_ref.data import Reviews

from . import wire

_fresh = itertools.count()


def _folder(workdir: Path, name: str) -> Path:
    """A new folder under `workdir`, one per call, so that no call sees the files of another."""
    path = Path(workdir) / f"{name}{next(_fresh)}"
    path.mkdir(parents=True)
    return path


def _attempt(step):
    """The value of `step()`, or the exception it raised, as a value."""
    try:
        return step()
    except Exception as e:  # noqa: BLE001 - the learner's errors are results to compare
        return wire.Raised(e)


def call(fn, inp, workdir):
    """`fn(*args, **kwargs)` for an input `(args, kwargs)`."""
    args, kwargs = inp
    return fn(*args, **kwargs)


def read_imdb(fn, inp, workdir):
    """`fn(folder, **kwargs)` on an aclImdb folder written from `files` (relative path -> bytes); str or Path as asked."""
    files, as_str, kwargs = inp
    root = _folder(workdir, "imdb") / "aclImdb"
    for name, data in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return fn(str(root) if as_str else root, **kwargs)


def make_splits(fn, inp, workdir):
    """`fn(reviews, *args, **kwargs)` with reviews given as {split: [texts, labels]}."""
    reviews, args, kwargs = inp
    return fn({split: Reviews(list(texts), list(labels)) for split, (texts, labels) in reviews.items()}, *args, **kwargs)


def write_csv(fn, inp, workdir):
    """What `fn(path, labels, *fields)` returns, and the rows of the file it wrote, read back with `csv`."""
    labels, fields = inp
    path = _folder(workdir, "csv") / "new_folder" / "texts.csv"
    returned = fn(path, labels, *fields)
    rows = None
    if path.exists():
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    return {"returned": returned, "rows": rows}


def count_tokens(fn, docs, workdir):
    """`fn(path)` on a token file (one JSON list per line) of the documents `docs`."""
    path = _folder(workdir, "tok") / "docs.tok.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return fn(path)


def vocab(cls, inp, workdir):
    """`cls.build(counts, **kwargs)`: its itos and stoi, `numericalize`, stoi after it, `textify`; and `cls(itos).stoi`."""
    pairs, kwargs, tokens, itos = inp
    v = cls.build(Counter(dict(pairs)), **kwargs)
    seen = {"itos": copy.copy(v.itos), "stoi": copy.copy(v.stoi)}
    ids = _attempt(lambda: v.numericalize(list(tokens)))
    seen["numericalize"] = ids
    seen["stoi after numericalize"] = _attempt(lambda: copy.copy(v.stoi))
    if not isinstance(ids, wire.Raised):
        seen["textify"] = _attempt(lambda: v.textify(ids))
    seen["textify with sep='|'"] = _attempt(lambda: v.textify(list(range(len(v.itos)))[::-1], sep="|"))
    seen["Vocab(itos).stoi"] = _attempt(lambda: cls(list(itos)).stoi)
    return seen


PROBES = {"read_imdb": read_imdb, "make_splits": make_splits, "write_csv": write_csv, "count_tokens": count_tokens, "Vocab": vocab}


def observe(exercise: str, obj, tree, workdir) -> list:
    """The encoded result of probing `obj`, the object of `exercise`, on the encoded input `tree`."""
    probe = PROBES.get(exercise, call)
    try:
        value = probe(obj, wire.decode(tree), workdir)
    except MemoryError:
        raise
    except BaseException as e:  # noqa: BLE001 - SystemExit and the like from learner code are results too
        value = wire.Raised(e)
    return wire.encode(value)
