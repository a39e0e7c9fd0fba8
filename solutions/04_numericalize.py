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
# 3. turn documents into arrays of ids and back, with unknown tokens as 0, and measure what
#    `max_vocab` and `min_freq` cost in unknown tokens.
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
# this contract: it reads the token file at `tok_path` (UTF-8, one JSON list of tokens per line) and
# returns a `Counter` of how often each token occurs in all its documents together, its memory the
# size of the counts, not of the file (so: one line at a time).
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
# The 2018 course made `stoi` a `defaultdict(lambda: 0, ...)`, so that `stoi[token]` gives 0 for an
# unknown token. **Predict, then run.** Below, a `stoi` of three tokens is asked for the ids of `the`
# and of two words it does not hold. How many tokens does it hold afterwards? And a plain dict asked
# with `.get(token, 0)`? Write both down, then run the cell.

# %%
stoi = defaultdict(lambda: 0, {"_unk_": 0, "_pad_": 1, "the": 2})
print([stoi[t] for t in ["the", "zyzzyva", "qwertyuiop"]], "-> stoi now holds", len(stoi), "tokens:", list(stoi))
plain = {"_unk_": 0, "_pad_": 1, "the": 2}
print([plain.get(t, 0) for t in ["the", "zyzzyva", "qwertyuiop"]], "-> a plain dict still holds", len(plain))

# %% [markdown]
# A `defaultdict` **adds** every key it is asked about: numericalizing a corpus full of unknown words
# that way grows `stoi` by every one of them, and
# `len(stoi)` no longer says the vocabulary size. A plain dict with `.get(token, 0)` has neither problem.
#
# ## Exercise 2: the `Vocab` class
#
# Complete the class (four places):
# - `Vocab(itos)` keeps `itos` as a list, and `stoi` as a plain `dict` from token to id;
# - `Vocab.build(counts, max_vocab=60000, min_freq=3)` returns the `Vocab` whose `itos` is
#   `["_unk_", "_pad_"]` followed by the tokens of `counts` other than those two, most common first
#   with ties by first appearance, at most `max_vocab` of them, each seen at least `min_freq` times
#   (`min_freq` itself included);
# - `numericalize(tokens)` returns the ids of the tokens as a numpy array of `np.int32`, 0 for a token
#   not in the vocabulary, and never adds a token to `stoi`;
# - `textify(ids, sep=" ")` returns the tokens of the ids joined by `sep`.
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
# - A measure of what the vocabulary's size costs in unknown tokens.
#
# That is the whole text pipeline: `ulmfit prepare` runs lessons 1 to 4 on all of IMDb. Next, in
# lesson 5: the language-model loader, which cuts the stream of ids into batches.
