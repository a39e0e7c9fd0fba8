# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 9 — Fine-tuning: discriminative learning rates, slanted triangular LR, gradual unfreezing
#
# A pretrained language model already knows the language; fine-tuning must teach it the task's texts
# without erasing what it knows ("catastrophic forgetting"). ULMFiT's three tools for it:
#
# - **Discriminative learning rates.** The layers of the model are split into *layer groups*: for the
#   language model one per LSTM, and the embedding with the tied decoder last (the "head"). Lower layers
#   hold general knowledge and should move less: each group gets the learning rate of the group above
#   divided by 2.6 (the paper's factor, found by experiment).
# - **Slanted triangular learning rates** (STLR). The learning rate rises linearly for a short time (10% of
#   the steps) from `lr / 32` to `lr`, so the model quickly finds a good region, then falls linearly for
#   the rest, to settle in it.
# - **Gradual unfreezing.** First train the head alone (the other groups frozen), then one more group at
#   a time, from the top down. The new, random parts (the embeddings of new words here; the classifier's
#   head in lesson 10) learn before their gradients can disturb the pretrained layers.
#
# And one measure to read: **perplexity**, `exp(loss)`, is how many words the model hesitates between,
# on average; **accuracy** is how often its first guess of the next word is right. They do not always
# agree: a model can become surer (lower perplexity) without changing its first guess.
#
# **By the end of this lesson you can**
# 1. compute discriminative learning rates and the STLR multiplier of any step, and plot the schedule;
# 2. freeze and unfreeze layer groups;
# 3. fine-tune a small language model on CPU with all three, and read its perplexity and accuracy.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()`, then
# run the check cell below it.

# %%
import math
import time
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from course.data import lesson_imdb
from course.exercises import check
from ulmfit_ref.data import read_imdb
from ulmfit_ref.loaders import LanguageModelLoader
from ulmfit_ref.models import LMConfig, get_language_model
from ulmfit_ref.schedule import STLR
from ulmfit_ref.text import Tokenizer, mark_fields
from ulmfit_ref.train import ARTAR
from ulmfit_ref.vocab import Vocab

torch.set_num_threads(1)

# %% tags=["parameters"]
DATA = Path("../../shared/data/aclImdb_v1_reviews.tar.gz")
N_PER_CLASS = 20
HEAD_STEPS = 30  # the head alone
STEPS = 150  # then every layer group
LR = 1e-2
BS, BPTT = 16, 20

# %% [markdown]
# ## Exercise 1: `discriminative_lrs`
#
# Write `discriminative_lrs(lr, n_groups, factor=2.6)`: a list of `n_groups` floats, the learning rate of
# each layer group from the bottom (index 0) to the head (last). The head gets `lr`; each group below
# gets the rate of the group above it divided by `factor`, so group `i` gets
# `lr / factor ** (n_groups - 1 - i)`. `discriminative_lrs(1e-3, 3)` is about
# `[1.48e-04, 3.85e-04, 1e-03]`.
#
# Reference: [`ulmfit_ref.train.discriminative_lrs`](../docs/API.md#discriminative_lrs).

# %% nbgrader={"grade": false, "grade_id": "discriminative_lrs", "locked": false, "schema_version": 3, "solution": true, "task": false}
def discriminative_lrs(lr: float, n_groups: int, factor: float = 2.6) -> list:
    """One lr per layer group: the head (last) gets lr, every group below the lr above divided by factor."""
    ### BEGIN SOLUTION
    return [lr / factor ** (n_groups - 1 - i) for i in range(n_groups)]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "discriminative_lrs-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("discriminative_lrs", discriminative_lrs)
### BEGIN HIDDEN TESTS
check("discriminative_lrs", discriminative_lrs, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2: `stlr`
#
# Equation 3 of the paper, for step `t` (from 0) of `T` steps in all:
#
# ```
# cut = floor(T * cut_frac)
# p   = t / cut                                       if t < cut
#       1 - (t - cut) / (cut * (1 / cut_frac - 1))    otherwise
# multiplier = (1 + p * (ratio - 1)) / ratio
# ```
#
# Write `stlr(step, total, cut_frac=0.1, ratio=32.0)`: that multiplier, a `float`, which multiplies each
# group's maximum learning rate. Two guards of the reference, for short fits: `cut` is at least 1
# (`max(1, floor(...))`), and `p` is at least 0 (`max(0.0, ...)`). At step 0 the multiplier is
# `1/ratio`; at the cut it is 1.
#
# (The seed wrote it as `use_clr=(32, 10)`: `ratio = 32` and `cut_frac = 1/10`.)
#
# Reference: [`ulmfit_ref.schedule.STLR.lr_mult`](../docs/API.md#STLR.lr_mult).

# %% nbgrader={"grade": false, "grade_id": "stlr", "locked": false, "schema_version": 3, "solution": true, "task": false}
def stlr(step: int, total: int, cut_frac: float = 0.1, ratio: float = 32.0) -> float:
    """The slanted triangular multiplier of the lr at `step` of `total`: a short rise from 1/ratio to 1, a long fall."""
    ### BEGIN SOLUTION
    cut = max(1, math.floor(total * cut_frac))
    if step < cut:
        p = step / cut
    else:
        p = max(0.0, 1 - (step - cut) / (cut * (1 / cut_frac - 1)))
    return (1 + p * (ratio - 1)) / ratio
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "stlr-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("stlr", stlr)
### BEGIN HIDDEN TESTS
check("stlr", stlr, full=True)
### END HIDDEN TESTS

# %% [markdown]
# The schedule, with the discriminative rates of a 3-layer language model (4 groups) at `lr = 0.01`:
# every group follows the same slant, each 2.6 times below the one above.

# %%
total = 200
fig, ax = plt.subplots(figsize=(6, 3))
for i, group_lr in enumerate(discriminative_lrs(0.01, 4)):
    ax.plot([group_lr * stlr(t, total) for t in range(total)], label=f"group {i}" + (" (head)" if i == 3 else ""))
ax.set_xlabel("step")
ax.set_ylabel("learning rate")
ax.set_title("slanted triangular learning rates, cut_frac=0.1, ratio=32")
ax.legend()
plt.show()
assert all(math.isclose(stlr(t, total), STLR().lr_mult(t, total)) for t in range(total))

# %% [markdown]
# ## Exercise 3: `freeze_to`
#
# A frozen parameter has `requires_grad = False`: no gradient is computed for it and the optimizer leaves
# it alone. Write `freeze_to(groups, n)`: `groups` is a list of layer groups, each a list of Parameters.
# Set `requires_grad` to `True` for every parameter of the groups from index `n` on and to `False` for the
# groups before; `n` may be negative, counted from the end as in Python (`n = -1`: the head alone;
# `n = 0`: everything). Change the parameters in place and return `None`.
#
# Hint: `n % len(groups)` turns a negative index into the positive one.
#
# Reference: [`ulmfit_ref.train.Learner.freeze_to`](../docs/API.md#Learner.freeze_to).

# %% nbgrader={"grade": false, "grade_id": "freeze_to", "locked": false, "schema_version": 3, "solution": true, "task": false}
def freeze_to(groups: list, n: int) -> None:
    """Train only the layer groups from index n on (n = -1: the head alone); the groups before stay fixed."""
    ### BEGIN SOLUTION
    first = n % len(groups)
    for i, params in enumerate(groups):
        for p in params:
            p.requires_grad_(i >= first)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "freeze_to-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("freeze_to", freeze_to)
### BEGIN HIDDEN TESTS
check("freeze_to", freeze_to, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## A small fine-tuning run, on CPU
#
# A tiny AWD-LSTM on the training reviews (90% of the documents to train, 10% to validate), in two
# stages as the reference's `fine_tune_lm` does it: the head alone, then every group, each stage along
# its own slanted triangular schedule, with your three functions. The loss adds AR and TAR (Merity et
# al.): penalties on large activations and on activations that jump from one step to the next.
# Here the model starts from random weights, so the head stage trains the embeddings first; with a
# pretrained model (lesson 8) it trains the rows of the words the pretrained model never saw.

# %%
torch.manual_seed(0)
imdb = lesson_imdb(DATA, N_PER_CLASS)
texts = read_imdb(imdb)["train"].texts
tokenize = Tokenizer()
docs = [tokenize(mark_fields([t])) for t in texts]
n_valid = max(1, len(docs) // 10)
vocab = Vocab.build(Counter(t for d in docs[:-n_valid] for t in d), min_freq=2)
train_ids, valid_ids = ([torch.as_tensor(vocab.numericalize(d), dtype=torch.long) for d in part] for part in (docs[:-n_valid], docs[-n_valid:]))
n_train, n_val = sum(map(len, train_ids)), sum(map(len, valid_ids))
bs = max(1, min(BS, n_train // (4 * BPTT)))  # the tiny made-up reviews fill fewer columns
train_dl = LanguageModelLoader(train_ids, bs, BPTT, seed=0)
valid_dl = LanguageModelLoader(valid_ids, max(1, min(bs, n_val // (2 * BPTT))), BPTT, seed=1)
model = get_language_model(len(vocab.itos), LMConfig(emb_sz=32, n_hid=64, n_layers=2, drop_mult=0.2))
groups = model.layer_groups()
print(f"{n_train:,} training tokens, {n_val:,} validation tokens, vocabulary {len(vocab.itos)}, bs {bs}; "
      f"{len(groups)} layer groups of {[sum(p.numel() for p in g) for g in groups]} parameters")


def validate(model) -> tuple:
    """(loss, accuracy) of the next-word guesses on the validation stream, without dropout."""
    model.eval()
    model.reset()
    loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for x, y in valid_dl:
            logits = model(x)[0]
            loss += F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum").item()
            correct += int((logits.argmax(-1) == y).sum())
            n += y.numel()
    model.train()
    return loss / n, correct / n


def batches():
    """Batches of the train loader, epoch after epoch, the model's state reset at the start of each."""
    while True:
        model.reset()
        yield from train_dl


opt = torch.optim.AdamW([{"params": g} for g in groups], betas=(0.8, 0.99), weight_decay=1e-7)
reg = ARTAR()
history = {"step": [], "lrs": [], "train_loss": [], "valid": []}
stream = batches()
began = time.perf_counter()
print(f"{'stage':>6} {'step':>5} {'train_loss':>10} {'valid_loss':>10} {'perplexity':>10} {'accuracy':>8}")
for stage, (first_group, steps, lr) in enumerate(((-1, HEAD_STEPS, LR), (0, STEPS, LR))):
    freeze_to(groups, first_group)
    lrs = discriminative_lrs(lr, len(groups))
    model.train()
    for t in range(steps):
        for group, group_lr in zip(opt.param_groups, lrs):
            group["lr"] = group_lr * stlr(t, steps)
        x, y = next(stream)
        outputs = model(x)
        loss = F.cross_entropy(outputs[0].flatten(0, 1), y.flatten())
        opt.zero_grad()
        (loss + reg(outputs)).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
        history["step"].append(len(history["step"]))
        history["lrs"].append([g["lr"] for g in opt.param_groups])
        history["train_loss"].append(loss.item())
        if t == steps - 1 or t % 30 == 29:
            v_loss, acc = validate(model)
            history["valid"].append((history["step"][-1], v_loss, acc))
            print(f"{stage:>6} {t + 1:>5} {loss.item():>10.3f} {v_loss:>10.3f} {math.exp(v_loss):>10.1f} {acc:>8.3f}")
print(f"{len(history['step'])} steps in {time.perf_counter() - began:.1f} s")

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3))
axes[0].plot(history["lrs"])
axes[0].set_title("lr of each layer group")
axes[1].plot(history["train_loss"], label="train")
axes[1].plot([s for s, _, _ in history["valid"]], [v for _, v, _ in history["valid"]], "o-", label="valid")
axes[1].set_title("loss")
axes[1].legend()
axes[2].plot([s for s, _, _ in history["valid"]], [math.exp(v) for _, v, _ in history["valid"]], "o-", color="C2")
axes[2].set_ylabel("perplexity", color="C2")
right = axes[2].twinx()
right.plot([s for s, _, _ in history["valid"]], [a for _, _, a in history["valid"]], "s--", color="C3")
right.set_ylabel("accuracy", color="C3")
axes[2].set_title("validation")
for ax in axes:
    ax.set_xlabel("step")
    ax.axvline(HEAD_STEPS, color="gray", lw=0.5)
plt.tight_layout()
plt.show()

# %% [markdown]
# Read the three plots together. The first stage moves only the head's rate; in the second, all groups
# move, each 2.6 times slower than the one above. The loss falls fastest around the top of each slant.
# The validation perplexity starts near the vocabulary size (a uniform guess) and keeps falling to the
# end, while the accuracy jumps early, when the model learns to guess the most common tokens (`the`,
# `.`, `,`), and then hardly moves: the model grows surer of many words without changing its first
# guess. Perplexity measures the whole distribution, accuracy only its top; a longer run on more text
# (the `cpu` preset of `ulmfit`) is needed before the first guesses improve again.
#
# The reference packs the same recipe into its `Learner`: `fit(epochs, lr, STLR())` takes one lr and
# spreads it over the layer groups with `lr_factor = 2.6`, `fine_tune_lm` runs the two stages above, and
# `train_classifier` unfreezes one group per stage (lesson 10). It also clips gradients, has an lr
# finder (`lr_find`), checkpoints every epoch and resumes, and uses mixed precision on a GPU.
#
# ## What you built
#
# - `discriminative_lrs`: each layer group 2.6 times slower than the one above.
# - `stlr`: the slanted triangular schedule, a short rise and a long fall.
# - `freeze_to`: the groups that train, from the head down, for gradual unfreezing.
# - A fine-tuning loop that uses all three, and reads perplexity next to accuracy.
#
# Next, in lesson 10: the classifier on top of the fine-tuned encoder, and the whole IMDb run.
