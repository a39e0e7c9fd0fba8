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
# 2. shuffle texts and labels with **one** permutation, so that each text keeps its label, and predict what happens
#    when they are shuffled apart;
# 3. build the classifier split (train / test, unlabelled reviews dropped) and the language-model
#    split (every text of train and test, 10% held out for validation), and write the test that tells a right
#    split from a wrong one;
# 4. write the project's standard CSV: the label first, then the text, no header.
#
# **How this notebook works.** Run the cells in order. An *exercise* cell holds a function with its
# contract and `raise NotImplementedError()` where the body goes: write the body and run the cell.
# The *check* cell below it runs your function and the reference one from `ulmfit_ref` on a few inputs
# and says what differs: the call, what it should give, what yours gave. Under an exercise, folds hold hints that
# give more and more away (**Hint 1** a question, **Hint 2** a nudge, **Hint 3** the answer): open one only after you
# tried. A **Predict, then run** question asks you to
# write down what a cell will print before you run it: the surprises are where the learning is.
# Each exercise names the reference function that answers it (`ulmfit_ref.data.read_imdb`; all of
# them are listed in the course's `docs/API.md`); read its source after you tried, in a new cell:
# `import ulmfit_ref.data` then `ulmfit_ref.data.read_imdb??`.
#
# **Checking your work as the grader does.** Save the notebook, then in a terminal:
# `python -m grading check 01_data.ipynb` (any file name: the lesson is found from the notebook).

# %%
import copy
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
# - `path` is the `aclImdb` folder, a `str` or a `Path`, and is left as it was; it returns
#   `{"train": Reviews, "test": Reviews}`; a `Reviews` holds `texts`, `labels` and `n_decode_errors`;
# - within a split, the classes come in the order of `CLASSES` (`neg`, `pos`, `unsup`), each review
#   labelled with its class's index; within a class, the reviews come by review id as a number;
#   a class folder that does not exist (there is no `test/unsup`) adds nothing;
# - `limit` keeps at most that many reviews of each split and class, the lowest ids; `None` keeps all;
# - a text is exactly what its file holds, decoded as UTF-8: its line breaks (`"\r\n"`, `"\r"`, U+0085...) and
#   spaces as they are in the file. A file that is not valid UTF-8 still gives its text, each bad byte
#   becoming U+FFFD (�), and is counted in its split's `n_decode_errors`.
#
# For example, with `train/neg/10_2.txt` holding `b"Dull."`, `train/neg/9_1.txt` holding `b"Awful\r\n"`,
# `train/pos/0_9.txt` holding `b"caf\xe9"` and `test/pos/3_8.txt` holding `b"Fun."`, `read_imdb(path)` gives
# `{"train": Reviews(["Awful\r\n", "Dull.", "caf�"], [0, 0, 1], 1), "test": Reviews(["Fun."], [1], 0)}`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Sorted as text, `10_2.txt` comes before `9_1.txt`. What part of the name should the files be sorted by, and as what
# type? And which way of reading a file keeps its `"\r\n"` as it is?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `Path.glob` lists a folder's files; `sorted` takes a `key`. `Path.read_text` translates line breaks (`"\r\n"`
# becomes `"\n"`); `Path.read_bytes` gives the bytes as they are, and `bytes.decode` raises `UnicodeDecodeError` on bad
# bytes unless it is given `errors="replace"`.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `sorted((path / split / cls).glob("*.txt"), key=lambda f: int(f.name.split("_")[0]))[:limit]`; for each file,
# `raw = f.read_bytes()`, then `raw.decode("utf-8")` in a `try`, and in its `except UnicodeDecodeError`,
# `raw.decode("utf-8", errors="replace")` and `n_decode_errors += 1`.
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
# ## Exercise 2: predict what separate shuffles do
#
# The full IMDb train split holds 12,500 `neg`, 12,500 `pos` and 50,000 `unsup` reviews. Shuffle its texts and its
# labels *separately*, each with its own random permutation: what share of the texts still carry their own label?
# Work it out on paper, write it in `kept_share` as a number between 0 and 1, run its check, then run the cell after
# it. Within ±0.02 passes.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# After the two shuffles, the label that lands next to a text is a random one. What is the chance that a random label
# is, say, `unsup`, and that the text it lands on is an `unsup` one too?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Add up, over the three classes, the chance that the text is of that class *and* the label is too; the two are
# independent, and each chance is the class's share of the split.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "kept_share", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
kept_share = (12_500 / 75_000) ** 2 + (12_500 / 75_000) ** 2 + (50_000 / 75_000) ** 2
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "kept_share-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("kept_share", kept_share)

# %%
full = np.repeat([0, 1, 2], [12_500, 12_500, 50_000])  # the full train split's labels, by class
kept_full = np.mean(full[permutation(len(full), 0)] == full[permutation(len(full), 1)])
print(f"the full train split, shuffled apart: {kept_full:.1%} of the texts keep their own label "
      f"(1/36 + 1/36 + 4/9 = {1 / 36 + 1 / 36 + 4 / 9:.1%}), though 2 in 3 of them are unlabelled anyway")
rng = np.random.default_rng(0)
wrong_texts, wrong_labels = list(r.texts), list(r.labels)
rng.shuffle(wrong_texts)
rng.shuffle(wrong_labels)
truth = dict(zip(r.texts, r.labels))
kept = np.mean([truth[t] == y for t, y in zip(wrong_texts, wrong_labels)])
shares = np.bincount(r.labels) / len(r)
print(f"this lesson's sample (three classes in equal numbers): {kept:.0%} keep their label; the sum of the squared "
      f"class shares is {(shares ** 2).sum():.0%} (a small sample wanders around it)")

# ## Exercise 3: `make_splits`
#
# ULMFiT needs four datasets. The classifier trains on the labelled train reviews and is tested on
# the labelled test reviews; the unlabelled ones are of no use to it. The language model needs no
# labels at all, so it may read *every* text — train, test and unlabelled: only the test **labels**
# must stay unseen, and the language model never sees a label. It holds out a part of those texts to
# measure how well it predicts text it did not train on.
#
# **Goal:** the four datasets, shuffled the same way everywhere, no text parted from its label, no
# test label seen by anything. Write `make_splits(reviews, seed=42, lm_valid_frac=0.1, unlabelled=None)`; it returns
# `Splits(clas_train, clas_test, lm_train, lm_valid)`, each a `Reviews`. The contract, as what must hold of the result:
# - `clas_train` holds every review of `reviews["train"]` with its own label, once, in a random order, less those
#   labelled `unlabelled`; `clas_test` the same of `reviews["test"]`. Which label marks a text without a class is the
#   caller's to say: for IMDb it is `unsup`'s, `CLASSES.index("unsup")` (2); `None`, the default, drops none, so that
#   a data set whose third class has label 2 loses nothing;
# - `lm_train` and `lm_valid` together hold every text of train and test (unlabelled ones too) once, in a random order
#   that mixes train and test texts, every label 0; `lm_valid` holds `max(1, round(n * lm_valid_frac))` of the `n`
#   texts, `lm_train` the others;
# - every random draw comes from `seed`: the same seed gives the same four datasets, on every machine, whatever
#   numpy's or Python's global generator holds; another seed gives others. `permutation(n, seed)` (imported above) is
#   the seeded shuffle of `n` items that this package uses; how many you draw, and with which seeds, is yours to choose;
# - `reviews` is left as it was; `ValueError` unless `0 < lm_valid_frac < 1`.
#
# For example, with 8 train reviews (labels 0, 0, 1, 1, 2, 2, 2, 2) and 4 test reviews, `make_splits(reviews,
# unlabelled=2)` gives a `clas_train` of the 4 labelled train reviews in some order, a `clas_test` of the 4 test
# reviews, and 12 language-model texts: `max(1, round(1.2)) = 1` in `lm_valid`, 11 in `lm_train`.
#
# The check does not compare your order with the reference's: any shuffle that keeps this contract passes. It judges
# the contract on small inputs and, on 500 texts sorted by class, whether your shuffles mix the classes and the splits.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# How do you reorder two lists so that what sat side by side still does? And what must be shuffled for `lm_valid` to
# hold texts of both train and test?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# One permutation of the indices of a split, applied to its texts *and* to its labels; then a second permutation of
# all the texts together before they are cut into `lm_valid` and `lm_train`. Give each permutation a seed of its own
# made from `seed` (`seed`, `seed + 1`, ...).
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# For split `i` (0 train, 1 test): `idx = permutation(len(r), seed + i)` and `[r.texts[j] for j in idx]`, the same
# for labels; keep the pairs whose label is not `unlabelled` (all if it is `None`); concatenate the shuffled train
# and test texts, reorder them by `permutation(n, seed + 2)`, and cut them at `n_valid`.
#
# </details>
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
# ## Exercise 4: write the test of `make_splits`
#
# A check like the ones in this course is a test: it calls the code and says what is wrong. Now you write one.
# Write `test_make_splits(make_splits)`: it is given *some* `make_splits` and must raise (an `assert` that fails) when
# that `make_splits` breaks the contract of exercise 3, and return quietly when it keeps it. Your test is run on the
# correct `make_splits`, on correct ones that shuffle differently (each must pass) and on several hidden buggy
# versions, each a mistake people make; your score is the share of the bugs your test catches.
#
# A random result cannot be compared with one expected list: assert what must hold of *every* right answer. `Reviews`
# is given; build inputs whose texts you can tell apart and whose labels you know.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Which properties of the contract does a result show without knowing the order of the draws? What happens with one
# seed twice, with another seed, with a bad `lm_valid_frac`, and to the `reviews` you passed in?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Compare multisets, not lists: `sorted(zip(texts, labels))` of a split against what it should hold. Keep a
# `copy.deepcopy` of the input to compare after the call; expect `ValueError` with `try`/`except`; and to see that the
# test texts reach `lm_valid`, make `lm_valid` large (`lm_valid_frac=0.5`).
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "test_make_splits", "locked": false, "schema_version": 3, "solution": true, "task": false}
def test_make_splits(make_splits) -> None:
    """Raise when `make_splits` breaks its contract; return quietly when it keeps it."""
    ### BEGIN SOLUTION
    train = Reviews([f"train {i}" for i in range(60)], [i // 20 for i in range(60)])
    test = Reviews([f"test {i}" for i in range(40)], [i // 20 for i in range(40)])
    reviews = {"train": train, "test": test}
    before = copy.deepcopy(reviews)
    s = make_splits(reviews, seed=0, lm_valid_frac=0.1, unlabelled=2)
    assert reviews == before, "make_splits changed the reviews it was given"
    for got, r in ((s.clas_train, train), (s.clas_test, test)):
        pairs = sorted((t, y) for t, y in zip(r.texts, r.labels) if y != 2)
        assert sorted(zip(got.texts, got.labels)) == pairs, "each labelled review once, with its own label"
        assert len(got.texts) == len(got.labels) and got.labels != sorted(got.labels), "shuffled, and paired"
    assert sorted(s.lm_train.texts + s.lm_valid.texts) == sorted(train.texts + test.texts), "every text, once"
    assert len(s.lm_valid.texts) == 10 and len(s.lm_train.labels) == 90, "lm_valid: round(100 * 0.1) texts"
    assert set(s.lm_train.labels + s.lm_valid.labels) == {0}, "language-model labels are 0"
    assert make_splits(reviews, seed=0, lm_valid_frac=0.1, unlabelled=2) == s, "one seed, one split"
    assert make_splits(reviews, seed=1, lm_valid_frac=0.1, unlabelled=2) != s, "another seed, another split"
    half = make_splits(reviews, seed=0, lm_valid_frac=0.5)
    assert {t.split()[0] for t in half.lm_valid.texts} == {"train", "test"}, "train and test texts mixed"
    for frac in (0, 1, -0.5):
        try:
            make_splits(reviews, lm_valid_frac=frac)
        except ValueError:
            continue
        raise AssertionError(f"no ValueError for lm_valid_frac={frac}")
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_make_splits-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("test_make_splits", test_make_splits)

# %% [markdown]
# ## Exercise 5: `write_csv`
#
# Every dataset is saved in one plain format, the one the fast.ai 2018 course used
# (`df.to_csv(header=False, index=False)` with the label column first): **one row per document, the
# label first, then one or more text columns, no header.** Label first, because a document may have
# several text fields (a title and a body, say), and the reader then knows that everything after the
# first column is text. Texts hold commas, quotes and line breaks, so the CSV quoting rules matter:
# let the `csv` module (or pandas) apply them.
#
# **Goal:** a file that any CSV reader reads back as exactly the rows you meant. Write
# `write_csv(path, labels, *fields)`, with this contract:
# - `ValueError` when there is no text column, or when a column is not as long as `labels`; the arguments are left
#   as they were;
# - the parent folder of `path` is created when it is missing;
# - read back with `csv.reader` (the file opened with `newline=""`), the file gives one row per document: its label,
#   then its text in each column, in order, every text exactly as it was (commas, quotes, `"\r"`, `"\r\n"`, U+0085,
#   spaces at the ends); no header;
# - it returns the number of rows written.
#
# For example, `write_csv("out/a.csv", [1, 0], ["Fine, really.", 'She said "no".'])` writes two rows that read back
# as `["1", "Fine, really."]` and `["0", 'She said "no".']`, and returns 2.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# What must happen to a text that holds a comma, a quote or a line break, so that a reader does not cut it in two?
# Who should decide that?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `csv.writer(f).writerows(rows)` quotes what needs quoting; open the file with `newline=""` (the `csv` module's own
# advice) and `encoding="utf-8"`; `zip` turns columns into rows; `Path.parent.mkdir` takes `parents=True,
# exist_ok=True`.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# Check the columns and raise; `path.parent.mkdir(parents=True, exist_ok=True)`; then in
# `open(path, "w", encoding="utf-8", newline="")`, `csv.writer(f).writerows(zip(labels, *fields))`; return
# `len(labels)`.
#
# </details>
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
#   gets the labelled reviews, the language model every text with 10% held out; and a test that judges a random
#   split by what must hold of every right one.
# - Why texts and labels are never shuffled apart: half of IMDb's train texts would keep their label by chance.
# - `write_csv`: the standard CSV, label first and no header, that every later step reads.
#
# Next, in lesson 2: what is *inside* those texts — HTML line breaks, entities and other debris —
# and `fixup`, which repairs it.
