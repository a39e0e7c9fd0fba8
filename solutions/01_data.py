# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 1 — The data: IMDb reviews into the standard CSV
#
# ULMFiT learns from text in two ways: a **language model** reads plain text and needs no labels,
# and a **classifier** reads labelled text. The IMDb dataset (Maas et al. 2011) serves both: 50,000
# labelled movie reviews (positive or negative) and 50,000 unlabelled ones. Before any model, the
# reviews must become datasets that every later step reads the same way, on every machine.
#
# **By the end of this lesson you can**
# 1. read the `aclImdb` folders into texts and labels, in an order that does not depend on the machine;
# 2. shuffle texts and labels with **one** permutation, so that each text keeps its label;
# 3. build the classifier split (train / test, unlabelled reviews dropped) and the language-model
#    split (every text of train and test, 10% held out for validation);
# 4. write the project's standard CSV: the label first, then the text, no header.
#
# **How this notebook works.** Run the cells in order. An *exercise* cell holds a function with its
# contract and `raise NotImplementedError()` where the body goes: write the body and run the cell.
# The *check* cell below it runs your function and the reference one from `ulmfit_ref` on a few inputs
# and says what differs: the call, what it should give, what yours gave. A **Stuck?** fold under an
# exercise holds hints: open it only after you tried. A **Predict, then run** question asks you to
# write down what a cell will print before you run it: the surprises are where the learning is.
# Each exercise names the reference function that answers it (`ulmfit_ref.data.read_imdb`; all of
# them are listed in the course's `docs/API.md`); read its source after you tried, in a new cell:
# `import ulmfit_ref.data` then `ulmfit_ref.data.read_imdb??`.
#
# **Checking your work as the grader does.** Save the notebook, then in a terminal:
# `python -m grading check 01_data.ipynb` (any file name: the lesson is found from the notebook).

# %%
import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from course.data import lesson_imdb, scratch_dir
from course.exercises import check
from ulmfit_ref.data import CLASSES, Reviews, Splits, permutation

# %% [markdown]
# ## The reviews
#
# `DATA = None` finds the IMDb data: the path in `$ULMFIT_DATA`, else the one that
# `python -m course start` wrote into this folder's `ulmfit-course.json`, else the project's data
# folders. Or set `DATA` to the official `aclImdb_v1.tar.gz` or an extracted `aclImdb` folder
# yourself; `DATA = "tiny"` asks for a tiny made-up `aclImdb` with the same layout (and when no data
# is found, the lesson runs on it too, and says so in a red box you cannot miss). The lesson copies
# `N_PER_CLASS` reviews of each class into a temporary folder, so that it runs in seconds.

# %% tags=["parameters"]
DATA = None
N_PER_CLASS = 200

# %%
imdb = lesson_imdb(DATA, N_PER_CLASS)

# %% [markdown]
# The layout is `aclImdb/{train,test}/{neg,pos,unsup}/ID_RATING.txt`: one review per file, named by
# its id and its star rating (1–4 for `neg`, 7–10 for `pos`, 0 for the unlabelled `unsup`, which exist
# in `train` only). Our label of a review is the position of its folder in `CLASSES`:

# %%
print({label: name for label, name in enumerate(CLASSES)})
for split in ("train", "test"):
    for cls in CLASSES:
        files = sorted((imdb / split / cls).glob("*.txt"))
        if files:
            print(f"{split}/{cls}: {len(files)} files, e.g. {[f.name for f in files[:4]]}")
first = sorted((imdb / "train" / "pos").glob("*.txt"))[0]
print(f"\n{first.name}:", first.read_text(encoding="utf-8", errors="replace")[:300])

# %% [markdown]
# The reader returns one `Reviews` per split: a small dataclass of `texts`, `labels` (the index of
# each text's class) and `n_decode_errors`. It starts empty and grows as reviews are read:

# %%
demo = Reviews()
demo.texts.append("A joy to watch.")
demo.labels.append(CLASSES.index("pos"))
print(demo, "| len:", len(demo))
print(Reviews(["Awful.", "Brilliant."], [0, 1]))

# %% [markdown]
# Look at the names above: sorted as text, `10_7.txt` comes before `9_7.txt`. And the order in which
# `glob` lists a folder is whatever the file system keeps, which differs between machines. A dataset
# read in that order would be shuffled differently on your laptop and on the grader, so we sort the
# files of each folder **by review id, as a number**.
#
# ## Exercise 1: `read_imdb`
#
# **Goal:** the reviews of an extracted `aclImdb` folder as texts and labels, in an order that is the
# same on every machine. Write `read_imdb(path, limit=None)`. The contract:
# - it returns `{"train": Reviews, "test": Reviews}`; a `Reviews` holds `texts`, `labels` and
#   `n_decode_errors`;
# - within a split, the classes come in the order of `CLASSES` (`neg`, `pos`, `unsup`), each review
#   labelled with its class's index; within a class, the files are sorted by review id as a number;
#   a class folder that does not exist (there is no `test/unsup`) is skipped;
# - `limit` keeps at most that many reviews of each split and class, the lowest ids; `None` keeps all;
# - a file is read as bytes and decoded as UTF-8; a file that is not valid UTF-8 is decoded with
#   `errors="replace"` (each bad byte becomes U+FFFD, �) and counted in its split's `n_decode_errors`.
#
# <details><summary><b>Stuck?</b> (open after you tried)</summary>
#
# `sorted(folder.glob("*.txt"), key=...)` with the key `int(f.name.split("_")[0])`; `f.read_bytes()`;
# `raw.decode("utf-8")` raises `UnicodeDecodeError` on bad bytes, and `try`/`except` catches it.
#
# </details>
#
# Reference: [`ulmfit_ref.data.read_imdb`](../docs/API.md#read_imdb), which also reads the tar.gz
# archive as a stream, without extracting it.

# %% nbgrader={"grade": false, "grade_id": "read_imdb", "locked": false, "schema_version": 3, "solution": true, "task": false}
def read_imdb(path, limit: int = None) -> dict:
    """Train and test reviews of an aclImdb folder, in a fixed order (by class, then by review id)."""
    ### BEGIN SOLUTION
    path = Path(path)
    out = {}
    for split in ("train", "test"):
        reviews = Reviews()
        for label, cls in enumerate(CLASSES):
            files = sorted((path / split / cls).glob("*.txt"), key=lambda f: int(f.name.split("_")[0]))
            for f in files[:limit]:
                raw = f.read_bytes()
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("utf-8", errors="replace")
                    reviews.n_decode_errors += 1
                reviews.texts.append(text)
                reviews.labels.append(label)
        out[split] = reviews
    return out
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "read_imdb-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("read_imdb", read_imdb)
### BEGIN HIDDEN TESTS
check("read_imdb", read_imdb, full=True)
### END HIDDEN TESTS

# %%
reviews = read_imdb(imdb)
for split, r in reviews.items():
    print(f"{split}: {len(r)} reviews, labels {dict(sorted(Counter(r.labels).items()))}, not UTF-8: {r.n_decode_errors}")
print("first labels of train:", reviews["train"].labels[:10], "... last:", reviews["train"].labels[-10:])

# %% [markdown]
# ## Shuffling with one permutation
#
# The reviews now come sorted by class: every negative review, then every positive one. A model
# that reads them in this order sees a thousand negatives before its first positive, and a
# validation set cut from the end would hold one class only. So we shuffle. But texts and labels
# are two lists: shuffled separately, each text gets a random label. The cure is to draw **one**
# permutation of the indices and apply it to both lists. `ulmfit_ref.data.permutation(n, seed)` is
# that permutation, seeded, so that the same seed gives the same datasets everywhere.

# %%
r = reviews["train"]
idx = permutation(len(r), seed=42)
texts, labels = [r.texts[i] for i in idx], [r.labels[i] for i in idx]
print("one permutation, labels:", labels[:20])

# %% [markdown]
# **Predict, then run.** The train split holds three classes (`neg`, `pos`, `unsup`) in about equal
# numbers. Shuffle the texts and the labels *separately*: what fraction of the texts still carry their
# own label? Write your guess down, then run the cell.

# %%
rng = np.random.default_rng(0)
wrong_texts, wrong_labels = list(r.texts), list(r.labels)
rng.shuffle(wrong_texts)
rng.shuffle(wrong_labels)
truth = dict(zip(r.texts, r.labels))
kept = np.mean([truth[t] == y for t, y in zip(wrong_texts, wrong_labels)])
shares = np.bincount(r.labels) / len(r)
print(f"two separate shuffles: only {kept:.0%} of the texts still carry their own label")
print(f"expected: the chance that a random label is the text's own, the sum of the squared class shares, "
      f"{(shares ** 2).sum():.0%} (a small sample wanders around it)")

# %% [markdown]
# ## Exercise 2: `make_splits`
#
# ULMFiT needs four datasets. The classifier trains on the labelled train reviews and is tested on
# the labelled test reviews; the unlabelled ones are of no use to it. The language model needs no
# labels at all, so it may read *every* text — train, test and unlabelled: only the test **labels**
# must stay unseen, and the language model never sees a label. It holds out a part of those texts to
# measure how well it predicts text it did not train on.
#
# **Goal:** the four datasets, shuffled the same way everywhere, no text parted from its label, no
# test label seen by anything. Write `make_splits(reviews, seed=42, lm_valid_frac=0.1, unlabelled=None)`:
# - raise `ValueError` unless `0 < lm_valid_frac < 1`;
# - shuffle each split with one permutation: split number `i` (0 for `"train"`, 1 for `"test"`) is
#   reordered by `permutation(len(reviews[split]), seed + i)`, texts and labels alike;
# - `clas_train` and `clas_test` are the shuffled train and test reviews without those labelled
#   `unlabelled`, in their shuffled order. Which label marks a text without a class is the caller's to
#   say: for IMDb it is `unsup`'s, `CLASSES.index("unsup")` (2); `None`, the default, keeps every review,
#   so that a data set whose third class has label 2 loses nothing;
# - the language-model texts are all shuffled train texts followed by all shuffled test texts,
#   reordered once more by `permutation(n, seed + 2)` (`n` is their number); the first
#   `n_valid = max(1, round(n * lm_valid_frac))` of them are `lm_valid`, the rest `lm_train`, and
#   every language-model label is 0;
# - it returns `Splits(clas_train, clas_test, lm_train, lm_valid)`, each a `Reviews`.
#
# Reference: [`ulmfit_ref.data.make_splits`](../docs/API.md#make_splits).

# %% nbgrader={"grade": false, "grade_id": "make_splits", "locked": false, "schema_version": 3, "solution": true, "task": false}
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    """Shuffle train and test once; the classifier drops the texts labelled `unlabelled`; the LM holds out some."""
    ### BEGIN SOLUTION
    if not 0 < lm_valid_frac < 1:
        raise ValueError(f"lm_valid_frac must be between 0 and 1, got {lm_valid_frac}")
    shuffled = {}
    for i, split in enumerate(("train", "test")):
        r = reviews[split]
        order = permutation(len(r), seed + i)
        shuffled[split] = ([r.texts[j] for j in order], [r.labels[j] for j in order])

    def labelled(texts, labels):
        keep = [j for j, y in enumerate(labels) if unlabelled is None or y != unlabelled]
        return Reviews([texts[j] for j in keep], [labels[j] for j in keep])

    all_texts = shuffled["train"][0] + shuffled["test"][0]
    order = permutation(len(all_texts), seed + 2)
    lm = [all_texts[j] for j in order]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(
        clas_train=labelled(*shuffled["train"]),
        clas_test=labelled(*shuffled["test"]),
        lm_train=Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)),
        lm_valid=Reviews(lm[:n_valid], [0] * n_valid),
    )
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "make_splits-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("make_splits", make_splits)
### BEGIN HIDDEN TESTS
check("make_splits", make_splits, full=True)
### END HIDDEN TESTS

# %%
splits = make_splits(reviews, unlabelled=CLASSES.index("unsup"))
for name in ("clas_train", "clas_test", "lm_train", "lm_valid"):
    r = getattr(splits, name)
    print(f"{name:<11}{len(r):>6} texts, labels {dict(sorted(Counter(r.labels).items()))}")
print("clas_train starts with labels", splits.clas_train.labels[:16])

# %% [markdown]
# ## Exercise 3: `write_csv`
#
# Every dataset is saved in one plain format, the one the fast.ai 2018 course used
# (`df.to_csv(header=False, index=False)` with the label column first): **one row per document, the
# label first, then one or more text columns, no header.** Label first, because a document may have
# several text fields (a title and a body, say), and the reader then knows that everything after the
# first column is text. Texts hold commas, quotes and line breaks, so the CSV quoting rules matter:
# let the `csv` module (or pandas) apply them.
#
# Write `write_csv(path, labels, *fields)`:
# - raise `ValueError` when there is no text column, or when a column is not as long as `labels`;
# - create the parent folder of `path` when it is missing;
# - write one row per document: its label, then its text in each column, in order; no header;
# - return the number of rows written.
#
# Reference: [`ulmfit_ref.data.write_csv`](../docs/API.md#write_csv); `read_csv` beside it reads
# the format back, in chunks.

# %% nbgrader={"grade": false, "grade_id": "write_csv", "locked": false, "schema_version": 3, "solution": true, "task": false}
def write_csv(path, labels, *fields) -> int:
    """Write the standard CSV (label first, then one or more text columns, no header); returns the rows."""
    ### BEGIN SOLUTION
    path = Path(path)
    if not fields or any(len(f) != len(labels) for f in fields):
        raise ValueError(f"{path}: need at least one text column, each as long as the {len(labels)} labels")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(zip(labels, *fields))
    return len(labels)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "write_csv-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("write_csv", write_csv)
### BEGIN HIDDEN TESTS
check("write_csv", write_csv, full=True)
### END HIDDEN TESTS

# %% [markdown]
# Now the four datasets, written as `ulmfit prepare` writes them (`lm/train.csv`, `lm/valid.csv`,
# `clas/train.csv`, `clas/test.csv`), and one read back with pandas, the way the 2018 course read it:

# %%
out = scratch_dir()  # a temporary folder, removed when the kernel stops
for name in ("lm/train", "lm/valid", "clas/train", "clas/test"):
    r = getattr(splits, name.replace("/", "_"))
    n = write_csv(out / f"{name}.csv", r.labels, r.texts)
    print(f"{name}.csv: {n} rows, {(out / f'{name}.csv').stat().st_size:,} bytes")
df = pd.read_csv(out / "clas/train.csv", header=None)
df.head()

# %% [markdown]
# ## What you built
#
# - `read_imdb`: the reviews of an `aclImdb` folder as texts and labels, sorted by class and by
#   review id, so that every machine reads the same dataset; bad bytes are replaced and counted,
#   not fatal.
# - `make_splits`: one seeded permutation per split keeps texts and labels paired; the classifier
#   gets the labelled reviews, the language model every text with 10% held out.
# - `write_csv`: the standard CSV, label first and no header, that every later step reads.
#
# Next, in lesson 2: what is *inside* those texts — HTML line breaks, entities and other debris —
# and `fixup`, which repairs it.
