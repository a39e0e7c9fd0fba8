# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 5 — The LanguageModelLoader
#
# A language model learns to predict the next token. Its training data is one long stream: every
# review's ids, one after another (`xbos` tells where each starts). The loader cuts that stream into
# batches the way the 2018 course did, and every choice has a reason:
#
# - **batchify**: the stream is cut into `bs` equal stretches, one per column of a matrix. Row `t` of
#   the matrix holds the `t`-th token of every stretch, so one row is one time step of `bs` independent
#   sequences, read in parallel.
# - **bptt** (backpropagation through time): a batch is the next `seq_len` rows, about `bptt` of them
#   (70 in the paper); the gradient flows back that many steps and no further.
# - **stateful**: column `j` of batch `k+1` goes on exactly where column `j` of batch `k` stopped, so the
#   model's hidden state at the end of one batch is the right start for the next. The model keeps it
#   (detached from the graph) instead of starting every batch from zeros: it sees context far longer than
#   `bptt`, at the cost of `bptt` steps of gradient.
# - **variable length**: with a fixed `bptt`, the same tokens would always sit at the start of a
#   batch, where the model has the least gradient to learn from. AWD-LSTM draws each batch's length:
#   `bptt` 95% of the time, else `bptt / 2`, then a normal draw around that value with standard deviation
#   5, never below 5.
#
# **By the end of this lesson you can**
# 1. batchify a stream of ids into `bs` columns, and read a batch as rows;
# 2. take a batch `(x, y)` where `y` is `x` shifted one token on;
# 3. draw the sequence lengths of an epoch exactly as the reference does, from a seeded generator;
# 4. explain why the language model is stateful, and see it in the reference loader.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()`, then
# run the check cell below it. The ids come from the reference tokenizer and vocabulary, so this lesson
# does not need your lessons 3 and 4.

# %%
from collections import Counter

import matplotlib.pyplot as plt
import torch

from course.data import lesson_imdb
from course.exercises import check
from ulmfit_ref.data import read_imdb
from ulmfit_ref.loaders import LanguageModelLoader
from ulmfit_ref.text import Tokenizer, mark_fields
from ulmfit_ref.vocab import Vocab

torch.set_num_threads(1)

# %% tags=["parameters"]
DATA = None  # None: the IMDb data found for this folder (see lesson 1); a path; or "tiny"
N_PER_CLASS = 20
BS = 8
BPTT = 20

# %%
imdb = lesson_imdb(DATA, N_PER_CLASS)
reviews = read_imdb(imdb)
tokenize = Tokenizer()
docs = [tokenize(mark_fields([t])) for t in reviews["train"].texts]
vocab = Vocab.build(Counter(t for d in docs for t in d), min_freq=1)
stream = torch.cat([torch.as_tensor(vocab.numericalize(d), dtype=torch.long) for d in docs])
print(f"{len(docs)} reviews, {len(stream):,} tokens, a vocabulary of {len(vocab.itos)}")
print(vocab.textify(stream[:20].tolist()))

# %% [markdown]
# ## Exercise 1: `batchify`
#
# **Goal:** `bs` sequences read side by side, each one a stretch of the stream that goes on from row
# to row. Write `batchify(ids, bs)`, with this contract: `ids` is a 1-D LongTensor (the stream), `bs`
# the batch size; the last `len(ids) % bs` tokens are dropped so that the rest divides evenly; it
# returns a LongTensor of shape `[len(ids) // bs, bs]` whose column `j` is the `j`-th stretch of the
# stream, read downwards. `batchify(torch.arange(20), 4)` is
#
# ```
# [[ 0,  5, 10, 15],
#  [ 1,  6, 11, 16],
#  [ 2,  7, 12, 17],
#  [ 3,  8, 13, 18],
#  [ 4,  9, 14, 19]]
# ```
#
# <details><summary><b>Stuck?</b> (open after you tried)</summary>
#
# `view(bs, -1)` makes one row per stretch; `.t()` turns the rows into columns. (`view(-1, bs)` gives
# the right shape too, but puts consecutive tokens side by side: one sequence would jump from column
# to column.)
#
# </details>
#
# Reference: [`ulmfit_ref.loaders.batchify`](../docs/API.md#batchify), which `LanguageModelLoader` calls.

# %% nbgrader={"grade": false, "grade_id": "batchify", "locked": false, "schema_version": 3, "solution": true, "task": false}
def batchify(ids: torch.Tensor, bs: int) -> torch.Tensor:
    """The stream `ids` cut into `bs` columns of consecutive tokens: [len(ids) // bs, bs]."""
    ### BEGIN SOLUTION
    n_rows = len(ids) // bs
    return ids[: n_rows * bs].view(bs, n_rows).t().contiguous()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "batchify-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("batchify", batchify)
### BEGIN HIDDEN TESTS
check("batchify", batchify, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2: `get_batch`
#
# Write `get_batch(data, i, seq_len)`: `data` is a batchified matrix, `i` a row. Return the tuple
# `(x, y)` where `x` is the `seq_len` rows from row `i`, and `y` the same rows one token later: the
# target of each token is the token after it. Near the end of `data` only `len(data) - 1 - i` rows have a
# next token, so `seq_len` becomes `min(seq_len, len(data) - 1 - i)` there; `x` and `y` always have the
# same shape.
#
# With `data = batchify(torch.arange(30), 3)` (rows `[0, 10, 20]`, `[1, 11, 21]`, ...),
# `get_batch(data, 0, 4)` gives `x` = rows 0–3 and `y` = rows 1–4, and `get_batch(data, 8, 5)` gives one row
# each: `x = [[8, 18, 28]]`, `y = [[9, 19, 29]]`.
#
# Reference: [`ulmfit_ref.loaders.get_batch`](../docs/API.md#get_batch), which `LanguageModelLoader.__iter__` calls.

# %% nbgrader={"grade": false, "grade_id": "get_batch", "locked": false, "schema_version": 3, "solution": true, "task": false}
def get_batch(data: torch.Tensor, i: int, seq_len: int) -> tuple:
    """(x, y): rows i to i+seq_len of `data` and the same rows shifted one token on."""
    ### BEGIN SOLUTION
    seq_len = min(seq_len, len(data) - 1 - i)
    return data[i : i + seq_len], data[i + 1 : i + 1 + seq_len]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "get_batch-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("get_batch", get_batch)
### BEGIN HIDDEN TESTS
check("get_batch", get_batch, full=True)
### END HIDDEN TESTS

# %% [markdown]
# Read the first batch of the reviews as text: a column of `x` is a piece of one review (or the end of
# one and the start of the next), and the same column of `y` is that piece one word later.

# %%
data = batchify(stream, BS)
x, y = get_batch(data, 0, 12)
print(f"data {tuple(data.shape)}, x {tuple(x.shape)}, y {tuple(y.shape)}")
print("x, column 0:", vocab.textify(x[:, 0].tolist()))
print("y, column 0:", vocab.textify(y[:, 0].tolist()))

# %% [markdown]
# ## Exercise 3: `draw_seq_lens`
#
# Write `draw_seq_lens(n, bptt, generator)`: the lengths of the batches of one epoch over `n` rows (the
# rows that have a target: `len(data) - 1`), as a list of `int`s that adds up to `n`. Starting at `i = 0`,
# while `i < n`:
#
# 1. at `i == 0`, `seq_len = bptt + 25`, with no draw: fastai 0.7 makes the first batch the longest, so
#    the largest memory use comes at once and not late in the epoch;
# 2. else `b = bptt` if `torch.rand((), generator=generator) < 0.95`, else `b = bptt / 2`, and
#    `seq_len = max(5, int(torch.normal(float(b), 5.0, (), generator=generator)))`;
# 3. append `min(seq_len, n - i)` (the last batch takes what is left) and move `i` on by it.
#
# Draw from `generator` in exactly this order, so the same seed gives the reference's lengths.
# Drawing every length before the epoch starts (the reference does so) makes `len(loader)` exact, where
# fastai 0.7's loader estimated it as `n // bptt`.
#
# Reference: [`ulmfit_ref.loaders.draw_seq_lens`](../docs/API.md#draw_seq_lens).

# %% nbgrader={"grade": false, "grade_id": "draw_seq_lens", "locked": false, "schema_version": 3, "solution": true, "task": false}
def draw_seq_lens(n: int, bptt: int, generator: torch.Generator) -> list:
    """The batch lengths of one epoch over `n` rows: bptt + 25, then bptt (95%) or bptt/2 plus N(0, 5), at least 5."""
    ### BEGIN SOLUTION
    i, seq_lens = 0, []
    while i < n:
        if i == 0:
            seq_len = bptt + 25
        else:
            b = bptt if torch.rand((), generator=generator) < 0.95 else bptt / 2
            seq_len = max(5, int(torch.normal(float(b), 5.0, (), generator=generator)))
        seq_lens.append(min(seq_len, n - i))
        i += seq_lens[-1]
    return seq_lens
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "draw_seq_lens-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("draw_seq_lens", draw_seq_lens)
### BEGIN HIDDEN TESTS
check("draw_seq_lens", draw_seq_lens, full=True)
### END HIDDEN TESTS

# %% [markdown]
# One draw of the lengths of a very long epoch (200,000 rows) at `bptt = 70`: most near 70, a small bump
# near 35, nothing below 5, and the one first batch at 95. The next epoch draws other lengths, so every
# token starts a batch in some epoch and ends one in another.

# %%
lengths = draw_seq_lens(200_000, 70, torch.Generator().manual_seed(0))
fig, ax = plt.subplots(figsize=(6, 2.5))
ax.hist(lengths[:-1], bins=range(0, 100))
ax.set_xlabel("seq_len")
ax.set_ylabel("batches")
ax.set_title(f"{len(lengths)} sequence lengths drawn at bptt = 70")
plt.show()

# %% [markdown]
# ## Stateful: batch `k+1` goes on where batch `k` stopped
#
# The reference `LanguageModelLoader` puts the three pieces together. Below, the last target row of a
# batch is the first input row of the next one, in every column. That is why the encoder keeps its
# hidden state from one batch to the next (`RNNEncoder.hidden`, lesson 7) and is only reset at the start
# of an epoch or of a new document set: the state it ends a batch with belongs to the very tokens that
# come next.

# %% [markdown]
# **Predict, then run.** The loader's first batch is `bptt + 25` rows long. How many batches does an
# epoch have for a stream of 162 tokens at `bs = 8`, `bptt = 20`? Write it down, then run the cell.

# %%
tiny_loader = LanguageModelLoader(torch.arange(162), bs=8, bptt=20, seed=0)
print(f"{len(tiny_loader)} batch(es): 162 // 8 = {162 // 8} rows, {162 // 8 - 1} of them with a next token, "
      f"and the first batch asks for 20 + 25 = 45: lengths {tiny_loader.seq_lens}")

# %% [markdown]
# One batch: the first takes every row. A small stream needs fewer columns to give several batches,
# so the demo below uses at most `BS` columns, and fewer when the stream is short (as the tiny
# made-up reviews are): enough rows for at least two batches.

# %%
bs = max(1, min(BS, len(stream) // (2 * (BPTT + 25) + 2)))
loader = LanguageModelLoader(stream, bs=bs, bptt=BPTT, seed=0)
batches = iter(loader)
(x1, y1), (x2, y2) = next(batches), next(batches)
print(f"bs {bs}: {len(loader)} batches per epoch; lengths of this epoch: {loader.seq_lens[:10]}...")
print("last target row of batch 1:", y1[-1].tolist())
print("first input row of batch 2:", x2[0].tolist())
assert torch.equal(y1[-1], x2[0])

# %% [markdown]
# ## What you built
#
# - `batchify`: the stream as `bs` parallel sequences, one per column (`view(bs, -1).t()`).
# - `get_batch`: `(x, y)` with `y` the next token of every `x`, clipped at the end of the data.
# - `draw_seq_lens`: AWD-LSTM's variable sequence length, drawn in the reference's order, so one seed
#   gives one epoch.
# - Why the loader and the model are stateful: each column is one continuous text, read across batches.
#
# Next, in lesson 6: the dropouts of the AWD-LSTM, which regularize the model that reads these batches.
