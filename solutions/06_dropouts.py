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
# 1. make a dropout mask of any shape;
# 2. write locked dropout, embedding dropout and DropConnect, and say what each shares and what it drops;
# 3. see the masks: plot them and tell a locked mask from a per-step one at a glance;
# 4. avoid the two classic bugs of weight dropout: no gradient to the raw weight, and dropping at test time.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()`, then
# run the check cell below it.

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from course.exercises import check
from ulmfit_ref.regularize import WeightDrop

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
# - it returns a **new** tensor of shape `size`, in `x`'s dtype and on `x`'s device; `x` only says
#   the dtype and device, and is not changed;
# - each value is `0` with probability `p` and `1 / (1 - p)` otherwise, each drawn independently, and
#   a new draw at each call; so the mean of a mask is about 1 and `x * mask` keeps `x`'s expected value;
# - `p` is a probability in `[0, 1)`: `p = 0` gives all ones. `p = 1` is outside the contract: every
#   value would be dropped and `1 / (1 - p)` does not exist (the reference gives NaN there), so the
#   callers never ask for it.
#
# <details><summary><b>Stuck?</b> (open after you tried)</summary>
#
# `x.new_empty(size)` makes the tensor, `.bernoulli_(1 - p)` fills it with ones (probability `1 - p`)
# and zeros, `.div_(1 - p)` scales it.
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
# The activations of an LSTM layer are `[seq_len, bs, n]`. Locked dropout draws **one** mask of shape
# `(1, bs, n)` and multiplies the whole input by it: a feature dropped for a sequence stays dropped at
# every one of its time steps, and each sequence of the batch has its own mask. (Plain `nn.Dropout`
# would draw a mask of the full shape: a different one at every step.)
#
# Write the `forward` of `LockedDropout(p)`: in training mode (`self.training`) with `p > 0`, return
# `x` times a `dropout_mask(x, (1, *x.shape[1:]), p)`; otherwise return `x` unchanged.
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
# the batch, as if its row of the embedding matrix were zero. Write `embedding_dropout(embed, words, p,
# training=True)`: `embed` an `nn.Embedding`, `words` a LongTensor of word ids of any shape. When not
# training, or `p == 0`, return `embed(words)`. Otherwise draw a mask of one value per word of the
# vocabulary, shape `(embed.num_embeddings, 1)`, look up each word's value in it the way the embedding is
# looked up (`F.embedding(words, mask)`), and multiply `embed(words)` by it.
#
# Masking the looked-up vectors gives the same result as masking the matrix (what fastai 0.7 did, with a
# copy of the whole `60,000 × 400` matrix at every batch) at the cost of the batch only.
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
# ## Exercise 4: `drop_connect`
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
# - the gradient of anything computed from the result reaches `weight` (zero where an entry was
#   dropped): a copy made from `weight.data` or `detach()` breaks it, and the raw weight never trains
#   (fastai2 PR #427).
#
# <details><summary><b>Stuck?</b> (open after you tried)</summary>
#
# Your `dropout_mask` of `weight`'s shape, multiplied in, does it; so does torch's own
# `F.dropout(weight, p, training)`.
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
# ### Inspect it, in the reference `WeightDrop`
#
# `WeightDrop` wraps a one-layer `nn.LSTM`: it takes `weight_hh_l0` out of the LSTM, keeps it as the
# trainable `weight_hh_l0_raw`, and at every forward calls torch's LSTM with a dropped copy. Below, the
# dropped matrix of one forward pass, and the proof that training reaches the raw weight: its gradient
# is zero exactly where the connection was dropped.

# %%
wd = WeightDrop(nn.LSTM(6, 6), weight_p=0.5).train()
x, state = torch.randn(7, 2, 6), (torch.zeros(1, 2, 6), torch.zeros(1, 2, 6))
torch.manual_seed(5)
w_hh = wd.flat_weights()[1].detach()  # the dropped copy that the forward below makes (same seed, same mask)
torch.manual_seed(5)
out, _ = wd(x, state)
out.sum().backward()
grad = wd.weight_hh_l0_raw.grad
fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
axes[0].imshow((w_hh != 0).float(), cmap="gray")
axes[0].set_title("kept entries of weight_hh\n(4 gates x 6 rows, 6 columns)", fontsize=10)
axes[1].imshow((grad != 0).float(), cmap="gray")
axes[1].set_title("where the raw weight\ngot a gradient", fontsize=10)
fig.suptitle("one forward pass of WeightDrop(p=0.5): white is kept / has a gradient", fontsize=10)
plt.tight_layout()
plt.show()
print("gradient only where the connection was kept:", bool(((grad != 0) <= (w_hh != 0)).all()))
wd.eval()
print("nothing dropped in eval mode:", torch.equal(wd.flat_weights()[1], wd.weight_hh_l0_raw.detach()))

# %% [markdown]
# ## What you built
#
# - `dropout_mask`: zeros with probability `p`, the rest `1/(1-p)`: the one tool of every dropout here.
# - `LockedDropout`: one mask per sequence and feature, held over all its time steps (input, hidden
#   and output dropout).
# - `embedding_dropout`: whole words dropped, the same everywhere in the batch.
# - `drop_connect`: the hidden-to-hidden weights dropped once per forward, with gradients to the raw
#   weight and nothing dropped at test time.
#
# In the reference all of them are scaled by one number, `drop_mult` (`LMConfig`), which replaced the
# 2018 notebook's `drops = np.array([0.25, 0.1, 0.2, 0.02, 0.15]) * 0.7`. Next, in lesson 7: the encoder that
# stacks these pieces, and the decoder tied to its embedding.
