# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 4 — Numericalization: from tokens to ids
#
# A model computes with numbers, so each token becomes an integer id: the row of the embedding
# matrix that the model learns for it. The list of tokens that get an id is the **vocabulary**. It
# cannot hold every token ever seen: the embedding and the softmax layer of a language model grow
# with it (ULMFiT's 60,000 tokens × 400 dimensions is already 24 million weights in each), and a
# token seen once or twice gives the model nothing to learn from. Every other token maps to one id,
# "unknown".
#
# **By the end of this lesson you can**
# 1. count tokens with `collections.Counter`, and read the counts: a few tokens are most of the text;
# 2. build the vocabulary as ULMFiT does: `itos` (id → token) and `stoi` (token → id), the special
#    tokens `_unk_` = 0 and `_pad_` = 1 first, at most `max_vocab` tokens seen at least `min_freq` times;
# 3. turn documents into arrays of ids and back, with unknown tokens as 0, and find and fix the bug of fastai 0.7's
#    `stoi`, which grew with every unknown word it was asked about;
# 4. measure what `max_vocab` and `min_freq` cost in unknown tokens, and choose the smallest vocabulary that keeps
#    them under 5% of held-out text.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()`, then
# run the check cell below it. The data and tokens of lessons 1–3 come from the reference here.

# %%
import json
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from course.data import lesson_imdb, scratch_dir
from course.exercises import check
from ulmfit_ref.data import CLASSES, make_splits, read_imdb
from ulmfit_ref.ids import read_ids, write_ids
from ulmfit_ref.text import mark_fields, partition, tokenize_to_file

# %% tags=["parameters"]
DATA = None  # None: the IMDb data found for this folder (see lesson 1); a path; or "tiny"
N_PER_CLASS = 200

# %% [markdown]
# The language-model texts of lesson 1, tokenized as in lesson 3 into token files: one JSON list of
# tokens per line, one line per document (the format `ulmfit prepare` writes).

# %%
imdb = lesson_imdb(DATA, N_PER_CLASS)
splits = make_splits(read_imdb(imdb), unlabelled=CLASSES.index("unsup"))
work = scratch_dir()  # a temporary folder, removed when the kernel stops
tok_files = {}
for name in ("lm_train", "lm_valid"):
    docs = [mark_fields([t]) for t in getattr(splits, name).texts]
    tok_files[name] = work / f"{name}.tok.jsonl"
    n = tokenize_to_file(partition(docs, 250), tok_files[name])
    print(f"{name}: {n} documents tokenized into {tok_files[name].name}")
print(tok_files["lm_valid"].read_text(encoding="utf-8")[:300])

# %% [markdown]
# ## Counting tokens
#
# A `Counter` is a dict from item to count: `Counter(tokens)` counts a list, `counts.update(tokens)`
# adds a list's counts to it, and `counts.most_common(k)` gives the `k` most common items with their
# counts, most common first. Two items with the same count come in the order in which the `Counter`
# first saw them: **ties go by first appearance**, which makes the vocabulary below the same on every
# run.

# %%
c = Counter(["b", "a", "b", "c", "a"])
c.update(["d", "c"])
print(c, c.most_common(3))

# %% [markdown]
# ## Exercise 1: `count_tokens`
#
# **Goal:** the counts of a corpus too large to hold in memory. Write `count_tokens(tok_path)`, with
# this contract:
# - `tok_path` is the path of a token file: UTF-8 text, one JSON list of tokens per line (a line ends with `"\n"`);
#   a token may hold any character, `"\x85"` and `"\u2028"` included, which JSON writes as they are;
# - it returns a `Counter` (exactly that type) of how often each token occurs in all the documents together;
# - its memory is the size of the counts, not of the file: it never holds the whole file, nor all its tokens;
#   and it leaves the file as it was.
#
# For a file of the two lines `["a", "b", "a"]` and `["b", "c"]`, the result is `Counter({"a": 2, "b": 2, "c": 1})`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# What does a file object give, one at a time, when you loop over it? And what turns one line back into a list?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Open the file with `encoding="utf-8"`, loop over it, `json.loads` each line and add its tokens to one `Counter`
# (`Counter.update` adds). `str.splitlines()` would cut a line at a `"\x85"` inside a token.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# ```python
# counts = Counter()
# with open(tok_path, encoding="utf-8") as f:
#     for line in f:
#         counts.update(json.loads(line))
# return counts
# ```
#
# </details>
#
# Reference: [`ulmfit_ref.prepare.count_tokens`](../docs/API.md#count_tokens) (it reads with
# `ulmfit_ref.text.read_tokens`).

# %% nbgrader={"grade": false, "grade_id": "count_tokens", "locked": false, "schema_version": 3, "solution": true, "task": false}
def count_tokens(tok_path) -> Counter:
    """How often each token occurs in a token file."""
    ### BEGIN SOLUTION
    counts = Counter()
    with open(tok_path, encoding="utf-8") as f:
        for line in f:
            counts.update(json.loads(line))
    return counts
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "count_tokens-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("count_tokens", count_tokens)
### BEGIN HIDDEN TESTS
check("count_tokens", count_tokens, full=True)
### END HIDDEN TESTS

# %% [markdown]
# What do the counts say? A handful of tokens make up a large part of the text, and a long tail of
# tokens occur once. Plotted by rank on log scales, the counts fall on a near-straight line (Zipf's law).

# %%
counts = count_tokens(tok_files["lm_train"])
total = sum(counts.values())
print(f"{total:,} tokens, {len(counts):,} distinct; seen once: {sum(c == 1 for c in counts.values()):,}")
print(counts.most_common(15))
freqs = np.array(sorted(counts.values(), reverse=True))
plt.figure(figsize=(5, 3))
plt.loglog(np.arange(1, len(freqs) + 1), freqs)
plt.xlabel("rank of the token")
plt.ylabel("count")
plt.title("token counts of lm_train")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The vocabulary: `itos` and `stoi`
#
# `itos` ("int to string") is a list: `itos[i]` is the token of id `i`. `stoi` ("string to int") is
# the dict that inverts it. ULMFiT's rules:
# - `itos[0]` is `_unk_`, the id of every token not in the vocabulary, and `itos[1]` is `_pad_`, the
#   filler that makes documents of a batch equally long (lesson 10). A `_unk_` or `_pad_` found in
#   the counts is not added a second time.
# - Then the most common tokens, at most `max_vocab` of them (60,000 in the paper), keeping only
#   those seen at least `min_freq` times (3 by default: the 2018 notebook wrote `c > 2`), ties by first
#   appearance.
# - A token not in `stoi` gets id 0.
#
# ## Exercise 2: the `Vocab` class
#
# **Goal:** the two maps between tokens and ids, built by ULMFiT's rules. Complete the class (four places), with this
# contract:
# - `Vocab(itos)` keeps `itos` as a list (a copy: the list given is left as it was) and `stoi`, a mapping from each
#   token of `itos` to its position, that holds those tokens and nothing else;
# - `Vocab.build(counts, max_vocab=60000, min_freq=3)` returns the `Vocab` whose `itos` starts with `_unk_` and
#   `_pad_`, followed by the other tokens of `counts`, most common first, ties in the order `counts` first saw them, at
#   most `max_vocab` of them and only those seen `min_freq` times or more; `counts` is left as it was;
# - `numericalize(tokens)` returns the ids of the tokens as a numpy array of `np.int32`, 0 for a token not in the
#   vocabulary; it adds nothing to `stoi`, so that `len(stoi)` is the size of the vocabulary before and after;
# - `textify(ids, sep=" ")` returns the tokens of the ids joined by `sep`.
#
# With `counts = Counter("b a b c a b _pad_".split())`, `Vocab.build(counts, min_freq=2).itos` is
# `["_unk_", "_pad_", "b", "a"]`, and `numericalize(["a", "zzz"])` is `array([3, 0], dtype=int32)`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Which method of `Counter` gives the tokens most common first, ties by first appearance, and can stop after a given
# number? Where must `_unk_` and `_pad_` of the counts go, so that they are neither counted twice nor take a place?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `Counter.most_common(n)`; a dict comprehension over `enumerate(itos)` inverts a list; `dict.get(key, default)` looks
# a key up without adding it; `np.array(..., dtype=np.int32)`.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `stoi = {t: i for i, t in enumerate(itos)}`; in `build`, drop `_unk_` and `_pad_` from the counts, then
# `["_unk_", "_pad_"] + [t for t, c in counts.most_common(max_vocab) if c >= min_freq]`; `numericalize` with
# `self.stoi.get(t, 0)`; `textify` with `sep.join(self.itos[int(i)] for i in ids)`.
#
# </details>
#
# Reference: [`ulmfit_ref.vocab.Vocab`](../docs/API.md#Vocab), which also checks its input and
# saves itself as JSON.

# %% nbgrader={"grade": false, "grade_id": "Vocab", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Vocab:
    """Token <-> id maps: `itos[i]` is the token of id i; unknown tokens map to `_unk_` = 0, `_pad_` = 1."""

    def __init__(self, itos: list):
        self.itos = list(itos)
        ### BEGIN SOLUTION
        self.stoi = {t: i for i, t in enumerate(self.itos)}
        ### END SOLUTION

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        """The `max_vocab` most common tokens seen at least `min_freq` times (ties by first appearance), after the specials."""
        ### BEGIN SOLUTION
        counts = Counter({t: c for t, c in counts.items() if t not in ("_unk_", "_pad_")})
        return cls(["_unk_", "_pad_"] + [t for t, c in counts.most_common(max_vocab) if c >= min_freq])
        ### END SOLUTION

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list) -> np.ndarray:
        """The ids of `tokens` (int32), 0 for unknown tokens."""
        ### BEGIN SOLUTION
        return np.array([self.stoi.get(t, 0) for t in tokens], dtype=np.int32)
        ### END SOLUTION

    def textify(self, ids, sep: str = " ") -> str:
        """The tokens of `ids` joined by `sep`."""
        ### BEGIN SOLUTION
        return sep.join(self.itos[int(i)] for i in ids)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "Vocab-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("Vocab", Vocab)
### BEGIN HIDDEN TESTS
check("Vocab", Vocab, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Numericalizing the corpus
#
# With the vocabulary built from the training texts only, the validation texts show how many tokens
# a model will meet as unknown. The paper's `max_vocab` of 60,000 is far above the number of distinct
# tokens of this small sample, so here `min_freq` decides.

# %%
def read_docs(path):
    """The token list of each document of a token file."""
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


valid_docs = read_docs(tok_files["lm_valid"])
vocab = Vocab.build(counts)
ids = [vocab.numericalize(d) for d in valid_docs]
n_valid = sum(map(len, ids))
unknown = sum(int((a == 0).sum()) for a in ids)
print(f"vocab of {len(vocab):,} tokens; lm_valid: {n_valid:,} tokens, {unknown / n_valid:.1%} unknown")
print(ids[0][:20])
print(vocab.textify(ids[0][:20]))

# %% [markdown]
# ## Exercise 3: find and fix fastai 0.7's vocabulary
#
# The 2018 course built `stoi` as `collections.defaultdict(lambda: 0, {v: k for k, v in enumerate(itos)})`, so that
# `stoi[token]` gives 0 for a token it does not know. Below is a vocabulary written that way, `Vocab2018`: its size is
# `len(stoi)`, and `save` writes the tokens of `stoi` in id order. It gives the right ids; and yet, after it has
# numericalized the validation texts, its size is wrong and the vocabulary it saves holds words that have no id in
# the model. Run the cell and the demo after its check to see it, then find the bug and fix it, changing as little as
# you can.
#
# The contract it must keep: `Vocab2018(itos)` maps each token of `itos` to its id; `numericalize(tokens)` gives the
# ids as an `np.int32` array, 0 for a token not in `itos`, and leaves the vocabulary as it was (`len`, `stoi` and what
# `save` writes stay the same however many tokens it has looked up).
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# The demo prints `len(v)` before and after numericalizing: where can a dict get new keys when the code only *reads*
# from it?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# A `defaultdict` calls its default factory for a missing key *and stores the result* under that key. Reading with
# `dict.get(key, default)` stores nothing.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# Make `stoi` a plain dict, `{t: i for i, t in enumerate(self.itos)}`, and look tokens up with
# `self.stoi.get(t, 0)`. (Keeping the `defaultdict` but reading it with `.get` is right too.)
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "Vocab2018", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Vocab2018:
    """fastai 0.7's vocabulary: `stoi` maps a token to its id, 0 for a token not in `itos`."""

    def __init__(self, itos: list):
        self.itos = list(itos)
        ### BEGIN SOLUTION
        ### RELEASED self.stoi = defaultdict(lambda: 0, {t: i for i, t in enumerate(self.itos)})
        self.stoi = {t: i for i, t in enumerate(self.itos)}
        ### END SOLUTION

    def __len__(self):
        return len(self.stoi)

    def numericalize(self, tokens: list) -> np.ndarray:
        """The ids of `tokens` (int32), 0 for unknown tokens."""
        ### BEGIN SOLUTION
        ### RELEASED return np.array([self.stoi[t] for t in tokens], dtype=np.int32)
        return np.array([self.stoi.get(t, 0) for t in tokens], dtype=np.int32)
        ### END SOLUTION

    def save(self, path):
        """Write the vocabulary, its tokens in id order, as JSON."""
        Path(path).write_text(json.dumps(list(self.stoi), ensure_ascii=False), encoding="utf-8")


# %% nbgrader={"grade": true, "grade_id": "Vocab2018-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("Vocab2018", Vocab2018)
### BEGIN HIDDEN TESTS
check("Vocab2018", Vocab2018, full=True)
### END HIDDEN TESTS

# %% [markdown]
# The symptom, on the reviews: the vocabulary of the training texts numericalizes the validation texts, then is saved
# and read back.

# %%
old = Vocab2018(vocab.itos)
before = len(old)
old_ids = [old.numericalize(d) for d in valid_docs]
old.save(work / "itos2018.json")
saved = json.loads((work / "itos2018.json").read_text(encoding="utf-8"))
print(f"len before: {before:,}; after numericalizing lm_valid: {len(old):,}; tokens saved: {len(saved):,}")
print("the same ids as Vocab:", all(np.array_equal(a, b) for a, b in zip(old_ids, ids)))
print("the last tokens saved:", saved[-5:])

# %% [markdown]
# **Predict, then run.** Below, a fastai 0.7 `stoi` of three tokens is asked for the ids of `the` and of two words it
# does not hold. How many tokens does it hold afterwards? And a plain dict asked with `.get(token, 0)`? Write both
# down, then run the cell.

# %%
stoi = defaultdict(lambda: 0, {"_unk_": 0, "_pad_": 1, "the": 2})
print([stoi[t] for t in ["the", "zyzzyva", "qwertyuiop"]], "-> stoi now holds", len(stoi), "tokens:", list(stoi))
plain = {"_unk_": 0, "_pad_": 1, "the": 2}
print([plain.get(t, 0) for t in ["the", "zyzzyva", "qwertyuiop"]], "-> a plain dict still holds", len(plain))

# %% [markdown]
# A `defaultdict` **adds** every key it is asked about: numericalizing a corpus full of unknown words
# that way grows `stoi` by every one of them, `len(stoi)` no longer says the vocabulary size (a model built with
# `len(stoi)` rows would have rows for words it never saw), and a vocabulary saved from `stoi` holds them all.
# A plain dict read with `.get(token, 0)` has none of these problems.

# %%
print(f"{'min_freq':>8}{'max_vocab':>10}{'vocab size':>12}{'unknown in lm_valid':>21}")
for min_freq, max_vocab in ((1, 60000), (2, 60000), (3, 60000), (5, 60000), (3, 1000), (3, 100)):
    v = Vocab.build(counts, max_vocab=max_vocab, min_freq=min_freq)
    unk = sum(int((v.numericalize(d) == 0).sum()) for d in valid_docs)
    print(f"{min_freq:>8}{max_vocab:>10}{len(v):>12,}{unk / n_valid:>21.1%}")

# %% [markdown]
# `min_freq=1` keeps every token of the training texts, yet the validation texts still hold unknown
# tokens: new names, typos, rare words. Each step up in `min_freq` removes thousands of tokens from
# the vocabulary for a small rise in unknowns. That trade is the point: the embedding rows saved are
# those of tokens the model could hardly learn anything about.
#
# ## Exercise 4: the smallest vocabulary for a budget of unknown tokens
#
# **Goal:** a design choice, made by measuring. Write `smallest_vocab(counts, held_out, max_unknown=0.05)`, with this
# contract:
# - `counts` are the token counts of the training texts, `held_out` a list of documents (lists of tokens) that the
#   counts did not see; both are left as they were;
# - it returns the keyword arguments of `Vocab.build` (a dict with `max_vocab`, `min_freq` or both) that give the
#   **smallest** vocabulary whose unknown tokens (id 0) are *under* `max_unknown` of the tokens of `held_out`;
# - if no vocabulary gets that low (too many held-out words were never seen), it asks for the largest one, every
#   token of `counts`; with no held-out token at all, nothing is unknown.
#
# The check builds the vocabulary your arguments ask for with the reference `Vocab`, measures its size and its share
# of unknown tokens, and compares the size with the smallest that keeps under the budget. For example, with
# `counts = Counter({"a": 5, "b": 5, "c": 5, "d": 1})` and one held-out document `["a", "b", "c"] * 3 + ["d"]`, leaving
# `d` out makes 10% of the tokens unknown: `{"min_freq": 1}` (6 tokens, with the specials) is the answer at 5%.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Every vocabulary that `Vocab.build` makes is the two specials and some number of the most common tokens. How does the
# share of unknown held-out tokens change as that number grows by one?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Numericalize `held_out` once with the vocabulary of every token: each id is then the rank of its token, and the
# vocabulary of the `k` most common tokens knows exactly the ids below `k + 2`. Count the ids, and walk `k` up from 0.
# `min_freq` alone moves in big steps (all the tokens seen that often go in or out at once).
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# With `full = Vocab.build(counts, max_vocab=len(counts), min_freq=1)` and `ids = Counter` of its ids of every held-out
# token, start with `unknown = n - ids[1]` (only `_pad_` is known to the specials alone) and `k = 0`; while the share
# is not under the budget and `k < len(full) - 2`, add one token: `k += 1`, `unknown -= ids[k + 1]`. Return
# `{"max_vocab": k, "min_freq": 1}`.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "smallest_vocab", "locked": false, "schema_version": 3, "solution": true, "task": false}
def smallest_vocab(counts: Counter, held_out: list, max_unknown: float = 0.05) -> dict:
    """Vocab.build's keyword arguments for the smallest vocabulary that leaves under `max_unknown` of `held_out` unknown."""
    ### BEGIN SOLUTION
    full = Vocab.build(counts, max_vocab=len(counts), min_freq=1)
    ids = Counter(int(i) for d in held_out for i in full.numericalize(d))
    n = sum(ids.values())
    unknown, k = n - ids[1], 0  # the specials alone know only _pad_
    while n and unknown / n >= max_unknown and k < len(full) - 2:
        k += 1
        unknown -= ids[k + 1]
    return {"max_vocab": k, "min_freq": 1}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "smallest_vocab-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("smallest_vocab", smallest_vocab)
### BEGIN HIDDEN TESTS
check("smallest_vocab", smallest_vocab, full=True)
### END HIDDEN TESTS

# %% [markdown]
# Your choice on the reviews: the validation texts are the held-out sample.

# %%
choice = smallest_vocab(counts, valid_docs)
small = Vocab.build(counts, **choice)
unk = sum(int((small.numericalize(d) == 0).sum()) for d in valid_docs)
print(f"{choice}: {len(small):,} tokens of {len(counts):,} seen, {unk / n_valid:.1%} of lm_valid unknown")

# Last, the ids go to disk as one flat `int32` array with the offset where each document starts
# (the reference's `write_ids`), which a language-model loader can read without loading it all
# into memory (lesson 5):

# %%
n_docs, n_tokens = write_ids(work / "lm_valid", ids)
back = read_ids(work / "lm_valid")
print(n_docs, "documents,", n_tokens, "ids written;", "read back equal:", all(np.array_equal(a, b) for a, b in zip(ids, back)))

# %% [markdown]
# ## What you built
#
# - `count_tokens`: a `Counter` of a token file, read line by line.
# - `Vocab`: `itos` and `stoi` with `_unk_` = 0 and `_pad_` = 1, built from the counts with
#   `max_vocab` and an inclusive `min_freq`, ties by first appearance; `numericalize` to `int32` ids
#   with 0 for unknown tokens and no growth of `stoi`; `textify` back to text.
# - The fix of fastai 0.7's `stoi`, which grew with every unknown word it was asked about.
# - A measure of what the vocabulary's size costs in unknown tokens, and the smallest vocabulary for a budget of them.
#
# That is the whole text pipeline: `ulmfit prepare` runs lessons 1 to 4 on all of IMDb. Next, in
# lesson 5: the language-model loader, which cuts the stream of ids into batches.
