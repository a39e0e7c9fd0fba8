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
# 2. take a batch `(x, y)` where `y` is `x` shifted one token on, and write the test that tells a right one from a
#    wrong one;
# 3. draw the sequence lengths of an epoch so that they have AWD-LSTM's distribution, from a seeded generator;
# 4. predict how many batches an epoch has, and explain why the language model is stateful.
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
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Token `k` of column `j` is token `j * n_rows + k` of the stream. Which shape would put each stretch of `n_rows`
# consecutive tokens in one *row*, and how do you turn rows into columns?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `Tensor.view` reads the values in their order, filling the last dimension first; `Tensor.t()` swaps the two
# dimensions. Check your answer on `torch.arange(20)` against the example: it is easy to get the right shape with the
# tokens of one stretch spread over a row.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `ids[: n_rows * bs].view(bs, n_rows).t()`, with `n_rows = len(ids) // bs`. (`view(n_rows, bs)` gives the right shape
# too, but puts consecutive tokens side by side: one sequence would jump from column to column.)
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
# **Goal:** a batch for the language model: inputs, and for every input token the token that follows it.
# Write `get_batch(data, i, seq_len)`, with this contract: `data` is a batchified matrix (rows are time steps), `i` a
# row; it returns the tuple `(x, y)`, `x` the `seq_len` rows from row `i`, and `y` the targets: for every token of `x`,
# the token after it in its column. Near the end of `data` there are fewer rows with a next token than `seq_len`:
# then the batch is shorter, never padded. `x` and `y` always have the same shape, and `data` is left as it was.
#
# With `data = batchify(torch.arange(30), 3)` (rows `[0, 10, 20]`, `[1, 11, 21]`, ...), `get_batch(data, 8, 5)` gives
# `x = [[8, 18, 28]]`, `y = [[9, 19, 29]]`: row 9 is the last one, and it is nobody's input.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# If `data` has `R` rows, which is the last row that can be an input, given that its target must exist?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Work out how many rows starting at `i` have a target, and take the smaller of that and `seq_len`; slicing does the
# rest.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `seq_len = min(seq_len, len(data) - 1 - i)`, then `data[i : i + seq_len]` and `data[i + 1 : i + 1 + seq_len]`.
#
# </details>
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
# ## Exercise 3: write the test of `get_batch`
#
# A check like the ones in this course is a test: it calls the code and says what is wrong. Now you write one.
# Write `test_get_batch(get_batch)`: it is given *some* `get_batch` and must raise (an `assert` that fails) when that
# `get_batch` breaks the contract of exercise 2, and return quietly when it keeps it. Your test is run on the correct
# `get_batch`, on one written differently (both must pass) and on several hidden buggy versions, each a mistake
# people really make; your score is the share of the bugs your test catches.
#
# Decide what to assert: which inputs tell a right `get_batch` from a wrong one? A test that calls it on one easy
# input catches little.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# What must be true of `y` compared with `x`, in every column? And what happens at the end of `data`?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Build `data` so that you know every value (`torch.arange(n).view(bs, -1).t()`: each column counts up by one) and
# assert on shapes, on `y - x`, on the first row of `x` and on the type of what comes back, at the start, in the middle
# and at the very end of `data`.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "test_get_batch", "locked": false, "schema_version": 3, "solution": true, "task": false}
def test_get_batch(get_batch) -> None:
    """Raise when `get_batch` breaks its contract; return quietly when it keeps it."""
    ### BEGIN SOLUTION
    data = torch.arange(30).view(3, 10).t()  # each column counts up by one: [[0, 10, 20], [1, 11, 21], ...]
    for i, seq_len in ((0, 4), (3, 6), (6, 5), (8, 5), (8, 1)):
        before = data.clone()
        batch = get_batch(data, i, seq_len)
        assert isinstance(batch, tuple) and len(batch) == 2, "get_batch should return the tuple (x, y)"
        x, y = batch
        n = min(seq_len, len(data) - 1 - i)
        assert x.shape == y.shape == (n, 3), f"x and y should both be [{n}, 3] at i={i}, seq_len={seq_len}"
        assert torch.equal(x[0], data[i]), "x should start at row i"
        assert torch.equal(y - x, torch.ones_like(x)), "each target should be the next token of its column"
        assert torch.equal(data, before), "data should be left as it was"
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_get_batch-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("test_get_batch", test_get_batch)

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
# ## Exercise 4: `draw_seq_lens`
#
# **Goal:** the lengths of the batches of one epoch, drawn so that no token always sits at the start of a batch.
# Write `draw_seq_lens(n, bptt, generator)`, with this contract: `n` is the number of rows that have a target
# (`len(data) - 1`); it returns a list of `int`s that adds up to `n`:
#
# - the first length is `bptt + 25` (fastai 0.7's trick: the largest batch comes first, so memory peaks at once, not
#   late in the epoch), or `n` if that is less;
# - every other length is drawn: 95% of the time from a normal distribution around `bptt`, otherwise around `bptt / 2`,
#   with a standard deviation of 5, made an `int`, never below 5; the last length takes what is left;
# - every random number comes from `generator` (and nothing else), so that one seed gives one epoch.
#
# The check does not compare your draws with the reference's one by one: any order of draws that has this distribution
# passes. It draws an epoch of 200,000 rows and tests the distribution; it checks that the same seed gives the same
# lengths, that another seed gives others, and that torch's global generator plays no part.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# You do not know in advance how many lengths an epoch has. What loop goes on until the lengths cover `n` rows, and how
# is the last one kept from going past `n`?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `torch.rand((), generator=generator)` is one uniform draw in [0, 1); `torch.normal(mean, std, (), generator=generator)`
# one normal draw. Both are tensors: `float()` and `int()` turn them into numbers.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# Keep a position `i` from 0 while `i < n`: the first length is `bptt + 25`; after it, `b = bptt` if a uniform draw
# is below 0.95, else `bptt / 2`, and `max(5, int(normal(b, 5)))`; append `min(length, n - i)` and move `i` on by it.
#
# </details>
#
# Drawing every length before the epoch starts (the reference does so) makes `len(loader)` exact, where fastai 0.7's
# loader estimated it as `n // bptt`.
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
# ## Exercise 5: predict the number of batches
#
# The reference `LanguageModelLoader(ids, bs, bptt, seed=0)` batchifies `ids` and draws the lengths of an epoch with
# `draw_seq_lens`. For a stream of 100,000 tokens, `bs = 10` and `bptt = 70`: how many batches does one epoch have?
# Work it out on paper from what you know of the lengths (no code), write it in `predicted_batches`, run its check,
# then run the cell after it. Within 2% passes.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# How many rows does the matrix have, how many of them have a target, and how long is a batch on average?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# The first batch is fixed; the others average `0.95 * bptt + 0.05 * bptt / 2`, a little less after `int()` cuts.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "predicted_batches", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
predicted_batches = 1 + (100_000 // 10 - 1 - 95) / (0.95 * 70 + 0.05 * 35 - 0.5)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "predicted_batches-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("predicted_batches", predicted_batches)

# %%
epoch = LanguageModelLoader(torch.arange(100_000), bs=10, bptt=70, seed=0)
print(f"{len(epoch)} batches: 10,000 rows, 9,999 with a target; the first batch 95, the others averaging "
      f"{sum(epoch.seq_lens[1:-1]) / len(epoch.seq_lens[1:-1]):.2f}")

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
# - `batchify`: the stream as `bs` parallel sequences, one per column.
# - `get_batch`: `(x, y)` with `y` the next token of every `x`, cut at the end of the data; and a test that catches
#   the ways a `get_batch` goes wrong.
# - `draw_seq_lens`: AWD-LSTM's variable sequence length, judged by its distribution, one seed one epoch.
# - Why the loader and the model are stateful: each column is one continuous text, read across batches.
#
# Next, in lesson 6: the dropouts of the AWD-LSTM, which regularize the model that reads these batches.
