# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 6 — The AWD-LSTM's dropouts
#
# ULMFiT's language model is the AWD-LSTM of Merity et al. (2017): a plain LSTM, made hard to overfit by
# five dropouts, each on a different thing. Plain dropout zeroes each number independently at every
# step; in a recurrent network that breaks what the network carries from step to step, so AWD-LSTM
# drops *structures* instead, with one random choice that holds for a whole sequence:
#
# | dropout | what it drops | fastai 0.7 name | `LMConfig` field |
# | --- | --- | --- | --- |
# | embedding | whole words: rows of the embedding matrix | `dropoute` | `embed_p` |
# | input | features of the embeddings, one mask per sequence | `dropouti` | `input_p` |
# | weight (DropConnect) | entries of each LSTM's hidden-to-hidden matrix | `wdrop` | `weight_p` |
# | hidden | features between LSTM layers, one mask per sequence | `dropouth` | `hidden_p` |
# | output | features of the last layer, before the decoder | `dropout` | `output_p` |
#
# Input, hidden and output dropout are the same *locked* (variational) dropout at three places. Every
# mask keeps a value with probability `1 - p` and scales it by `1 / (1 - p)`, so the expected value of
# each activation is unchanged and nothing needs rescaling at test time, where no dropout runs.
#
# **By the end of this lesson you can**
# 1. make a dropout mask of any shape, on any device;
# 2. write locked dropout, embedding dropout and DropConnect, and say what each shares and what it drops;
# 3. see the masks: plot them and tell a locked mask from a per-step one at a glance;
# 4. predict how much of a layer's input two dropouts zero together;
# 5. find and fix the classic bugs of weight dropout: a mask that never changes, no gradient to the raw weight, and
#    dropping at test time.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()` (a prediction: a number
# in place of `...`; exercise 6 gives code with a bug to fix), then run the check cell below it.

# %%
import copy

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from course.exercises import check

torch.set_num_threads(1)

# %% tags=["parameters"]
DATA = None  # this lesson makes its own small tensors
SEED = 0

# %%
_ = torch.manual_seed(SEED)  # `_ =`: the generator it returns is of no use to print

# %% [markdown]
# ## Exercise 1: `dropout_mask`
#
# **Goal:** the one random tool of every dropout below. Write `dropout_mask(x, size, p)`, with this
# contract:
# - it returns a **new** tensor of shape `size`, in `x`'s dtype and on `x`'s device (a GPU, if `x` is on one); `x`
#   only says the dtype and device, and is not changed;
# - each value is `0` with probability `p` and `1 / (1 - p)` otherwise, each drawn independently, and
#   a new draw at each call; so the mean of a mask is about 1 and `x * mask` keeps `x`'s expected value;
# - `p` is a probability in `[0, 1)`: `p = 0` gives all ones. `p = 1` is outside the contract: every
#   value would be dropped and `1 / (1 - p)` does not exist (the reference gives NaN there), so the
#   callers never ask for it. Any `size` works, an empty one (`(0, 3)`) or none at all (`()`) included.
#
# For example, `dropout_mask(torch.ones(2, 2), (2, 5), 0.5)` may be
# `[[2., 0., 2., 2., 0.], [0., 0., 2., 0., 2.]]`: each value 0 or 2, about half of each.
#
# The check does not compare your draws with the reference's one by one: it tests the values, the share of zeros,
# that two calls draw independently, and it runs your function on an `x` of torch's `meta` device, a device that holds
# no data: what a GPU would tell, without one.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# A mask of zeros and ones, where a one comes with probability `1 - p`: which well-known distribution is that, and
# what do you do to its ones so that they become `1 / (1 - p)`?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `x.new_empty(size)` makes an uninitialised tensor like `x` (dtype, device) of another shape; `Tensor.bernoulli_(q)`
# fills a tensor in place with ones (probability `q`) and zeros; `Tensor.div_` divides in place.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `return x.new_empty(size).bernoulli_(1 - p).div_(1 - p)`
#
# </details>
#
# Reference: [`ulmfit_ref.regularize.dropout_mask`](../docs/API.md#dropout_mask).

# %% nbgrader={"grade": false, "grade_id": "dropout_mask", "locked": false, "schema_version": 3, "solution": true, "task": false}
def dropout_mask(x: torch.Tensor, size: tuple, p: float) -> torch.Tensor:
    """A mask like `x` of shape `size`: 0 with probability `p`, else 1/(1-p)."""
    ### BEGIN SOLUTION
    return x.new_empty(size).bernoulli_(1 - p).div_(1 - p)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "dropout_mask-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("dropout_mask", dropout_mask)
### BEGIN HIDDEN TESTS
check("dropout_mask", dropout_mask, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2: `LockedDropout`
#
# The activations of an LSTM layer are `[seq_len, bs, n]`: `n` features of `bs` sequences at each of `seq_len` time
# steps. Plain dropout (`nn.Dropout`) drops each of those numbers on its own, a new choice at every step. Locked
# dropout makes **one** choice per sequence and feature, for all the time steps of the batch.
#
# **Goal:** the module `LockedDropout(p)` (its `__init__` is given; write its `forward(x)`), with this contract:
# - in training mode (`self.training`) with `p > 0`: the output has `x`'s shape, dtype and device; for each sequence
#   `b` and feature `j`, either every time step of `x[:, b, j]` is kept, times `1 / (1 - p)`, or every one is zero
#   (probability `p`), each pair drawn independently, and a new draw at each call;
# - in eval mode, or with `p = 0`: `x` itself;
# - `x` is not changed, and the gradient of the output reaches `x` (the layers below learn through it).
#
# For example, on `x = torch.ones(3, 2, 4)` in training mode, `LockedDropout(0.5)` may give, at each of the 3 time
# steps, the same `[[2., 0., 0., 2.], [0., 2., 2., 2.]]`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# If one mask serves every time step, what shape does it have, and how does a tensor of that shape meet `x` in a
# product?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Your `dropout_mask` makes a mask of any shape; broadcasting repeats a dimension of size 1 along `x`'s. `x.shape[1:]`
# is `(bs, n)`.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# Return `x` when `not self.training or self.p == 0`; otherwise `x * dropout_mask(x, (1, *x.shape[1:]), self.p)`.
#
# </details>
#
# Reference: [`ulmfit_ref.regularize.LockedDropout`](../docs/API.md#LockedDropout) (15 lines in
# salesforce/awd-lstm-lm's `locked_dropout.py`).

# %% nbgrader={"grade": false, "grade_id": "LockedDropout", "locked": false, "schema_version": 3, "solution": true, "task": false}
class LockedDropout(nn.Module):
    """Dropout with one mask per sequence, shared over all time steps of a [seq, bs, features] input."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ### BEGIN SOLUTION
        if not self.training or self.p == 0:
            return x
        return x * dropout_mask(x, (1, *x.shape[1:]), self.p)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "LockedDropout-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("LockedDropout", LockedDropout)
### BEGIN HIDDEN TESTS
check("LockedDropout", LockedDropout, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ### Inspect it
#
# Ones in, so the output *is* the mask. One sequence of the batch, features on the vertical axis and time
# on the horizontal: locked dropout gives whole rows (a feature off for the entire sequence), plain
# dropout gives salt and pepper.

# %%
ones = torch.ones(40, 4, 24)  # [seq_len, bs, features]
locked = LockedDropout(0.5).train()(ones)
plain = F.dropout(ones, 0.5, training=True)
fig, axes = plt.subplots(1, 2, figsize=(9, 3))
for ax, mask, title in zip(axes, (locked, plain), ("LockedDropout(0.5)", "nn.Dropout(0.5)")):
    ax.imshow(mask[:, 0].T, cmap="gray", aspect="auto", vmin=0, vmax=2)
    ax.set_title(f"{title}: sequence 0")
    ax.set_xlabel("time step")
    ax.set_ylabel("feature")
plt.tight_layout()
plt.show()
print("locked: every time step of sequence 0 has the mask of step 0:", bool((locked[:, 0] == locked[0, 0]).all()))

# %% [markdown]
# **Predict, then run.** With `LockedDropout(0.5)` on a `[40, 4, 24]` input of ones: what fraction of
# sequence 0's 24 features is dropped at time step 10? And how many of those are the features dropped at
# step 0? Write both down, then run the cell.

# %%
at_10, at_0 = locked[10, 0] == 0, locked[0, 0] == 0
print(f"dropped at step 10: {at_10.float().mean():.0%} of the features ({int(at_10.sum())}); "
      f"the same as at step 0: {int((at_10 & at_0).sum())} of them")
print(f"plain dropout at step 10: {(plain[10, 0] == 0).float().mean():.0%}, of which the same as at step 0: "
      f"{int(((plain[10, 0] == 0) & (plain[0, 0] == 0)).sum())}")

# %% [markdown]
# ## Exercise 3: `embedding_dropout`
#
# Embedding dropout drops **words**: a dropped word's whole vector is zero, wherever the word appears in
# the batch, as if its row of the embedding matrix were zero.
#
# **Goal:** `embedding_dropout(embed, words, p, training=True)`, with this contract: `embed` is an `nn.Embedding`,
# `words` a LongTensor of word ids of any shape; it returns the embeddings of `words` (shape `(*words.shape,
# embedding_dim)`, on the embedding's device), where, when `training` and `p > 0`, each word *of the vocabulary* is
# dropped with probability `p` (its vector is zero at every position it holds) or kept, its vector times
# `1 / (1 - p)`, and a new draw at each call. When not training, or with `p = 0`: `embed(words)`. Neither the
# embedding's matrix nor `words` is changed, and the gradient reaches the embedding's weight (for a kept word, its
# uses times `1 / (1 - p)`).
#
# For example, with `words = [[3], [5], [3]]` and `p = 0.5`, either both vectors of word 3 are zero, or both are
# twice `embed.weight[3]`.
#
# Masking the looked-up vectors gives the same result as masking the matrix (what fastai 0.7 did, with a
# copy of the whole `60,000 × 400` matrix at every batch) at the cost of the batch only.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# A mask with one value per word of the vocabulary: how do you find, for every position of `words`, the value of the
# word that sits there? You already know an operation that does this kind of look-up.
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Draw a `dropout_mask` of shape `(embed.num_embeddings, 1)`, like the embedding's weight; `F.embedding(words, table)`
# looks rows of any table up, as the embedding does its own; a `(..., 1)` value broadcasts over the features.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `emb = embed(words)`; return it when `not training or p == 0`; else
# `mask = dropout_mask(embed.weight, (embed.num_embeddings, 1), p)` and `return emb * F.embedding(words, mask)`.
#
# </details>
#
# Reference: [`ulmfit_ref.regularize.EmbeddingDropout`](../docs/API.md#EmbeddingDropout).

# %% nbgrader={"grade": false, "grade_id": "embedding_dropout", "locked": false, "schema_version": 3, "solution": true, "task": false}
def embedding_dropout(embed: nn.Embedding, words: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    """The embeddings of `words`, each word of the vocabulary dropped whole with probability `p` when training."""
    ### BEGIN SOLUTION
    emb = embed(words)
    if not training or p == 0:
        return emb
    mask = dropout_mask(embed.weight, (embed.num_embeddings, 1), p)
    return emb * F.embedding(words, mask)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "embedding_dropout-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("embedding_dropout", embedding_dropout)
### BEGIN HIDDEN TESTS
check("embedding_dropout", embedding_dropout, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ### Inspect it
#
# A sentence with a repeated word, and which of its embedding vectors survive: a dropped word is gone
# everywhere (its column is black in every row it appears), a kept one is scaled by `1/(1-p)`.

# %%
words_text = "the film was good , the acting was good , the end".split()
itos = sorted(set(words_text))
words = torch.tensor([itos.index(w) for w in words_text]).unsqueeze(1)  # [seq_len, bs=1]
embed = nn.Embedding(len(itos), 8)
with torch.no_grad():
    embed.weight.fill_(1.0)
torch.manual_seed(3)
dropped = embedding_dropout(embed, words, 0.4).detach()
fig, ax = plt.subplots(figsize=(8, 2.5))
ax.imshow(dropped[:, 0].T, cmap="gray", aspect="auto", vmin=0, vmax=2)
ax.set_xticks(range(len(words_text)), words_text)
ax.set_ylabel("feature")
ax.set_title("embedding_dropout(p=0.4): the same words dropped everywhere")
plt.show()
print("dropped words:", sorted({w for w, v in zip(words_text, dropped[:, 0, 0]) if v == 0}))

# %% [markdown]
# ## Exercise 4: predict the zeros of two dropouts
#
# In the AWD-LSTM the first LSTM reads the word vectors after two dropouts: embedding dropout (whole words), then
# input dropout (a `LockedDropout`: features, per sequence). With `embed_p = 0.1` and `input_p = 0.3`, on a batch of
# `[70, 200]` word ids from a vocabulary of 10,000 words (embedded in 100 features, none of them zero): what share of
# the numbers the first LSTM reads is exactly zero? Work it out on paper, write it in `predicted_zeros` (a number
# between 0 and 1), run its check, then run the cell after it. Within ±0.015 of the measured share passes.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# A number survives when its word is kept *and* its feature is kept in its sequence. Are those two draws related?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# For independent events the probabilities of "both" multiply; the share of zeros is one minus the share that
# survives. Adding the two `p`s counts twice the numbers that both dropouts zero.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "predicted_zeros", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
predicted_zeros = 1 - (1 - 0.1) * (1 - 0.3)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "predicted_zeros-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("predicted_zeros", predicted_zeros)

# %%
embed_big = nn.Embedding(10_000, 100)
batch = torch.randint(0, 10_000, (70, 200))
with torch.no_grad():
    first_input = LockedDropout(0.3).train()(embedding_dropout(embed_big, batch, 0.1))
print(f"zeros in the first LSTM's input: {(first_input == 0).float().mean():.1%}; "
      f"1 - 0.9 * 0.7 = {1 - 0.9 * 0.7:.1%}, where 0.1 + 0.3 would be 40%")

# %% [markdown]
# ## Exercise 5: `drop_connect`
#
# Weight dropout (DropConnect) drops entries of the LSTM's hidden-to-hidden matrix `weight_hh`, once per
# forward pass: the same dropped connections for every time step and every sequence of the batch, so
# the recurrence itself is regularized, with no change to torch's fast LSTM kernel.
#
# The weight that trains is the *raw* one; each forward makes a dropped copy of it. **Goal:** that
# copy. Write `drop_connect(weight, p, training)`, with this contract:
# - when `training`: a tensor of `weight`'s shape, each entry `0` with probability `p` and the others
#   `weight`'s times `1/(1-p)`, a new draw at each call; `weight` itself is not changed;
# - when not `training`: the weight's values unchanged (no dropout at test time: awd-lstm-lm issue #72);
# - on the weight's device;
# - the gradient of anything computed from the result reaches `weight` (zero where an entry was
#   dropped): a copy made from `weight.data` or `detach()` breaks it, and the raw weight never trains
#   (fastai2 PR #427).
#
# For example, `drop_connect(w, 0.5, True)` for `w = [[1., 2.], [3., 4.]]` may be `[[2., 0.], [0., 8.]]`, and
# `drop_connect(w, 0.5, False)` is `[[1., 2.], [3., 4.]]`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Which of the tools you have made or met in this lesson already drops entries of a tensor of any shape, and what
# must the result keep a link to, for autograd?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# A product of `weight` (the Parameter itself) with a mask is in the autograd graph; so is the output of torch's own
# `F.dropout`, which takes a `training` flag.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `return F.dropout(weight, p, training)`, or `weight * dropout_mask(weight, weight.shape, p)` when training and
# `weight` itself otherwise.
#
# </details>
#
# Reference: [`ulmfit_ref.regularize.drop_connect`](../docs/API.md#drop_connect), which `WeightDrop` calls.

# %% nbgrader={"grade": false, "grade_id": "drop_connect", "locked": false, "schema_version": 3, "solution": true, "task": false}
def drop_connect(weight: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """`weight` with entries dropped (probability `p`, the rest scaled by 1/(1-p)) when training; gradients reach it."""
    ### BEGIN SOLUTION
    return F.dropout(weight, p, training)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "drop_connect-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("drop_connect", drop_connect)
### BEGIN HIDDEN TESTS
check("drop_connect", drop_connect, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6: find and fix the bug in `WeightDrop`
#
# `WeightDrop` puts `drop_connect` to work. It wraps a one-layer `nn.LSTM`: it takes `weight_hh_l0` out of the LSTM,
# keeps it as the trainable `weight_hh_l0_raw`, and at every forward runs torch's LSTM function (`torch.lstm`, what
# `nn.LSTM` itself calls) with a dropped copy of it, so that nothing of the wrapped module is replaced.
#
# The code below is given, and it has a bug that implementations of weight dropout really shipped: the model trains,
# the loss goes down, and nothing raises. Its contract:
# - in training mode, each forward drops about `p` of the hidden-to-hidden connections, a new choice at each forward
#   (each batch), the others scaled by `1 / (1 - p)`;
# - the raw weight gets the gradient (zero where a connection was dropped in that forward), so that every connection
#   trains, batch after batch;
# - in eval mode nothing is dropped: the LSTM runs with the raw weight itself (awd-lstm-lm issue #72).
#
# Run the cell and the one after it, which trains the wrapped LSTM a few steps, read the symptom, find the bug, and fix
# it in the cell (the fix is small). Then run both cells again, and the check.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# In the cell after the class, which connections got no gradient at the first forward, and which at the second? How
# often is the mask drawn, and does eval mode look at it?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `__init__` runs once, `forward` at every batch. `F.dropout`, as in your `drop_connect` of exercise 5, draws a new
# mask at each call when it is told the training mode, and keeps the result in the autograd graph of its input.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# Delete the `self.mask = ...` line of `__init__`, and in `forward` make the copy with
# `w_hh = F.dropout(self.weight_hh_l0_raw, self.weight_p, self.training)` (or your
# `drop_connect(self.weight_hh_l0_raw, self.weight_p, self.training)`).
#
# </details>
#
# Reference: [`ulmfit_ref.regularize.WeightDrop`](../docs/API.md#WeightDrop).

# %% nbgrader={"grade": false, "grade_id": "WeightDrop", "locked": false, "schema_version": 3, "solution": true, "task": false}
class WeightDrop(nn.Module):
    """DropConnect on the hidden-to-hidden weight of a one-layer nn.LSTM; `weight_hh_l0_raw` is the weight that trains."""

    def __init__(self, module: nn.LSTM, weight_p: float):
        super().__init__()
        self.module, self.weight_p = module, weight_p
        self.weight_hh_l0_raw = module.weight_hh_l0  # the Parameter that trains, now held here
        del module.weight_hh_l0  # the LSTM is run below with explicit weights
        ### BEGIN SOLUTION
        ### RELEASED self.mask = F.dropout(torch.ones_like(self.weight_hh_l0_raw), weight_p)  # about weight_p of it 0
        ### END SOLUTION

    def forward(self, input: torch.Tensor, hidden: tuple) -> tuple:
        ### BEGIN SOLUTION
        ### RELEASED w_hh = self.weight_hh_l0_raw * self.mask  # the dropped copy of this forward
        w_hh = F.dropout(self.weight_hh_l0_raw, self.weight_p, self.training)  # the dropped copy of this forward
        ### END SOLUTION
        m = self.module
        weights = [m.weight_ih_l0, w_hh, m.bias_ih_l0, m.bias_hh_l0]
        output, h, c = torch.lstm(input, hidden, weights, has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

# %% [markdown]
# ### Watch it train
#
# A `WeightDrop(p=0.5)` around an LSTM of 6 features: eval mode against the plain LSTM, then where the raw weight gets
# a gradient at two forwards in a row (white: a gradient, so the connection was kept), then 20 steps of SGD. A right
# `WeightDrop` is the plain LSTM in eval mode, and drops other connections at each forward, so that after 20 steps
# nearly every connection has trained.

# %%
torch.manual_seed(5)
lstm = nn.LSTM(6, 6)
plain = copy.deepcopy(lstm)  # the same weights, never dropped
wd = WeightDrop(lstm, weight_p=0.5)
x, state = torch.randn(7, 2, 6), (0.5 * torch.randn(1, 2, 6), 0.5 * torch.randn(1, 2, 6))
with torch.no_grad():
    same = torch.allclose(wd.eval()(x, state)[0], plain(x, state)[0], atol=1e-6)
print("in eval mode, the plain LSTM:", same)
wd.train()
got_grad = []
for _ in range(2):
    wd.weight_hh_l0_raw.grad = None
    out = wd(x, state)[0]
    out.sum().backward()
    got_grad.append(wd.weight_hh_l0_raw.grad != 0)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
for ax, grad, title in zip(axes, got_grad, ("first forward", "second forward")):
    ax.imshow(grad.float(), cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"{title}: where the raw weight\ngot a gradient (4 gates x 6 rows)", fontsize=10)
plt.tight_layout()
plt.show()
print(f"no gradient at the first forward: {(~got_grad[0]).float().mean():.0%} of the connections; at both: "
      f"{(~got_grad[0] & ~got_grad[1]).float().mean():.0%} (two independent masks: about 25%)")
start = wd.weight_hh_l0_raw.detach().clone()
opt = torch.optim.SGD(wd.parameters(), lr=0.1)
for _ in range(20):
    opt.zero_grad()
    out = wd(x, state)[0]
    out.pow(2).mean().backward()
    opt.step()
print(f"connections that never moved in 20 steps of training: {(wd.weight_hh_l0_raw == start).float().mean():.0%}")

# %% nbgrader={"grade": true, "grade_id": "WeightDrop-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("WeightDrop", WeightDrop)
### BEGIN HIDDEN TESTS
check("WeightDrop", WeightDrop, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## What you built
#
# - `dropout_mask`: zeros with probability `p`, the rest `1/(1-p)`: the one tool of every dropout here.
# - `LockedDropout`: one mask per sequence and feature, held over all its time steps (input, hidden
#   and output dropout).
# - `embedding_dropout`: whole words dropped, the same everywhere in the batch.
# - `drop_connect`: the hidden-to-hidden weights dropped once per forward, with gradients to the raw
#   weight and nothing dropped at test time.
# - Two dropouts in a row keep a number only when both keep it: their zeros compose, they do not add.
# - `WeightDrop`, fixed: a mask drawn once in `__init__` drops the same connections for the whole of training (they
#   never learn) and still drops at test time; a new mask at each forward, from the raw weight, trains them all.
#
# In the reference all of them are scaled by one number, `drop_mult` (`LMConfig`), which replaced the
# 2018 notebook's `drops = np.array([0.25, 0.1, 0.2, 0.02, 0.15]) * 0.7`. Next, in lesson 7: the encoder that
# stacks these pieces, and the decoder tied to its embedding.
