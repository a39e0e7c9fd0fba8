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

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from course import lm
from course.data import lesson_imdb
from course.exercises import check
from ulmfit_ref.data import read_imdb
from ulmfit_ref.loaders import LanguageModelLoader
from ulmfit_ref.models import LMConfig, get_language_model
from ulmfit_ref.plots import LiveFigure, in_notebook, training_figure
from ulmfit_ref.runs import find_pretrained
from ulmfit_ref.schedule import STLR
from ulmfit_ref.text import Tokenizer, mark_fields
from ulmfit_ref.train import ARTAR, Learner, LearnerConfig
from ulmfit_ref.transfer import load_pretrained_lm
from ulmfit_ref.vocab import Vocab, load_itos

torch.set_num_threads(1)

# %% tags=["parameters"]
DATA = None  # None: the IMDb data found for this folder (see lesson 1); a path; or "tiny"
N_PER_CLASS = 20
HEAD_STEPS = 30  # the head alone
STEPS = 150  # then every layer group
LR = None  # the head's peak lr; None: the lr finder's suggestion
LR_FIND_STEPS = 60
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
# (The 2018 notebook wrote it as `use_clr=(32, 10)`: `ratio = 32` and `cut_frac = 1/10`.)
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
# ## Fine-tuning lesson 8's language model, on CPU
#
# The model lesson 8 pretrained on its "general corpus" (and saved beside the lessons in `lesson08_lm/`;
# when it is not there, the same small model is pretrained now), transferred to the vocabulary of the
# training reviews with the reference `load_pretrained_lm`, then fine-tuned on them (90% of the documents
# to train, 10% to validate) in two stages, as the reference's `fine_tune_lm` does: the head alone, then
# every group, each stage along its own slanted triangular schedule, with your three functions. The loss
# adds AR and TAR (Merity et al.): penalties on large activations and on activations that jump from one
# step to the next.

# %%
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

pretrained = find_pretrained(lm.lesson08_model(DATA))
config = LMConfig(emb_sz=pretrained.emb_sz, n_hid=pretrained.n_hid, n_layers=pretrained.n_layers, drop_mult=0.2)


def language_model(from_pretrained: bool):
    """A language model for the reviews' vocabulary: lesson 8's weights moved onto it, or random ones."""
    torch.manual_seed(0)
    model = get_language_model(len(vocab.itos), config)
    if from_pretrained:
        load_pretrained_lm(model, pretrained.state, load_itos(pretrained.vocab), vocab.itos)
    return model


model = language_model(from_pretrained=True)
groups = model.layer_groups()
print(f"{n_train:,} training tokens, {n_val:,} validation tokens, vocabulary {len(vocab.itos)}, bs {bs}; "
      f"{len(groups)} layer groups of {[sum(p.numel() for p in g) for g in groups]} parameters")

# %% [markdown]
# ## Which learning rate? The lr finder
#
# Too low a rate wastes the steps, too high a one undoes the pretraining. Leslie Smith's lr finder
# (fastai 0.7's `learner.lr_find()` then `learner.sched.plot()`) trains a few dozen steps with the rate
# growing exponentially, from tiny to far too large, and plots the loss against it: the loss falls,
# flattens, then explodes. A good rate sits well before the bottom, where the loss still falls fast;
# the reference `Learner.lr_find` suggests a tenth of the rate at the lowest (smoothed) loss, then puts
# the weights back as they were. Here on the head alone, as the first stage trains it.

# %%
finder = Learner(model, train_dl, valid_dl, reg_fn=ARTAR(), config=LearnerConfig(progress=False),
                 device=torch.device("cpu"))
finder.freeze_to(-1)
found = finder.lr_find(start_lr=1e-5, end_lr=10, num_it=LR_FIND_STEPS)
LR = LR or found.suggestion
print(f"lr finder: {len(found.lrs)} steps, lowest loss at lr {found.lrs[found.losses.index(min(found.losses))]:.1e}, "
      f"suggestion {found.suggestion:.1e}; the run below uses LR = {LR:.1e}")
found.figure()

# %% [markdown]
# Now the run. The bar shows the steps and the loss as they go, and the figure below it is redrawn
# every second: the loss of each batch, the validation loss, and the rate of each group that trains
# (a frozen group's rate is not drawn: it moves nothing).

# %%
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


def fine_tune(model, lr: float, live: bool) -> list:
    """The two stages with your functions: (label, history) of each, history as the reference's Learner keeps it."""
    groups = model.layer_groups()

    def batches():
        while True:  # epoch after epoch, the model's state reset at the start of each
            model.reset()
            yield from train_dl

    opt = torch.optim.AdamW([{"params": g} for g in groups], betas=(0.8, 0.99), weight_decay=1e-7)
    reg, stream, stages = ARTAR(), batches(), []
    figure = LiveFigure() if live and in_notebook() else None
    for first_group, steps, label in ((-1, HEAD_STEPS, "stage 1: the head alone"), (0, STEPS, "stage 2: every group")):
        freeze_to(groups, first_group)
        lrs = discriminative_lrs(lr, len(groups))
        history = {"losses": [], "valid": [], "lrs": [], "accuracy": []}
        stages.append((label, history))
        model.train()
        for t in tqdm(range(steps), desc=label, leave=False, disable=not live):
            for group, group_lr in zip(opt.param_groups, lrs):
                group["lr"] = group_lr * stlr(t, steps)
            x, y = next(stream)
            outputs = model(x)
            loss = F.cross_entropy(outputs[0].flatten(0, 1), y.flatten())
            opt.zero_grad()
            (loss + reg(outputs)).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            opt.step()
            history["losses"].append(loss.item())
            history["lrs"].append([g["lr"] if g["params"][0].requires_grad else float("nan") for g in opt.param_groups])
            if t == steps - 1 or t % 30 == 29:
                v_loss, acc = validate(model)
                history["valid"].append((t, v_loss))
                history["accuracy"].append(acc)
                if live:
                    tqdm.write(f"{label}, step {t + 1:>3}: train loss {loss.item():.3f}, valid loss {v_loss:.3f}, "
                               f"perplexity {math.exp(v_loss):.1f}, accuracy {acc:.3f}")
            if figure:
                figure.show(lambda: training_figure(stages, "fine-tuning lesson 8's language model"), force=t == steps - 1)
    return stages


began = time.perf_counter()
v_start = validate(model)[0]
stages = fine_tune(model, LR, live=True)
print(f"{HEAD_STEPS + STEPS} steps in {time.perf_counter() - began:.1f} s; validation perplexity "
      f"{math.exp(v_start):.1f} before, {math.exp(stages[-1][1]['valid'][-1][1]):.1f} after")

# %% [markdown]
# **Predict, then run.** The same two stages, the same steps and rates, from random weights instead of
# lesson 8's: will the validation perplexity at the end be about the same, or how much higher? Write
# it down, then run the cell.

# %%
random_model = language_model(from_pretrained=False)
v_random = validate(random_model)[0]
random_stages = fine_tune(random_model, LR, live=False)
for name, start, run in (("lesson 8's model", v_start, stages), ("random weights", v_random, random_stages)):
    print(f"from {name:<16}: validation perplexity {math.exp(start):>8.1f} before, "
          f"{math.exp(run[-1][1]['valid'][-1][1]):>8.1f} after {HEAD_STEPS + STEPS} steps")

# %%
def valid_curve(stages):
    """(steps, validation losses, accuracies) over both stages, the second's steps after the first's."""
    steps, losses, accuracy, offset = [], [], [], 0
    for _, history in stages:
        steps += [offset + t for t, _ in history["valid"]]
        losses += [v for _, v in history["valid"]]
        accuracy += history["accuracy"]
        offset += len(history["losses"])
    return steps, losses, accuracy


fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
axes[0].plot([lr for _, h in stages for lr in h["lrs"]])
axes[0].set_title("lr of each layer group that trains")
axes[0].set_yscale("log")
axes[1].plot([v for _, h in stages for v in h["losses"]], alpha=0.6, label="train")
for run, name, style in ((stages, "valid, from lesson 8's model", "o-"), (random_stages, "valid, from random weights", "s--")):
    steps, losses, _ = valid_curve(run)
    axes[1].plot(steps, losses, style, label=name)
axes[1].set_title("loss")
axes[1].legend(fontsize=8)
steps, losses, accuracy = valid_curve(stages)
axes[2].plot(steps, [math.exp(v) for v in losses], "o-", color="C2")
axes[2].set_ylabel("perplexity", color="C2")
right = axes[2].twinx()
right.plot(steps, accuracy, "s--", color="C3")
right.set_ylabel("accuracy", color="C3")
axes[2].set_title("validation, from lesson 8's model")
for ax in axes:
    ax.set_xlabel("step")
    ax.axvline(HEAD_STEPS, color="gray", lw=0.5)
plt.tight_layout()
plt.show()

# %% [markdown]
# Read the plots together. In the first stage only the head trains, so only its rate is drawn; in the
# second every group moves, each 2.6 times slower than the one above, all along one slant. The model
# from lesson 8 starts far below the random one and stays ahead: that is transfer, the whole idea of
# ULMFiT, at a scale you can run in seconds. The validation perplexity is no straight line down: it can
# rise when the second slant takes every group to its peak rate, where the weights move most, and it
# falls as the rates come down to the end; a few thousand validation tokens make a noisy measure too,
# with small ups and downs from one point to the next. The accuracy, how often the first guess is right, moves much less: it rises
# when the model learns the most common tokens (`the`, `.`, `,`) and then hardly moves, as the model
# grows surer of many words without changing its first guess. Perplexity measures the whole
# distribution, accuracy only its top; a longer run on more text (the `cpu` preset of `ulmfit`) is
# needed before the first guesses improve much.
#
# The reference packs the same recipe into its `Learner`: `fit(epochs, lr, STLR())` takes one lr and
# spreads it over the layer groups with `lr_factor = 2.6`, `fine_tune_lm` runs the two stages above, and
# `train_classifier` unfreezes one group per stage (lesson 10). It also clips gradients, has an lr
# finder (`lr_find`, above), checkpoints every epoch and resumes, and uses mixed precision on a GPU.
#
# ## What you built
#
# - `discriminative_lrs`: each layer group 2.6 times slower than the one above.
# - `stlr`: the slanted triangular schedule, a short rise and a long fall.
# - `freeze_to`: the groups that train, from the head down, for gradual unfreezing.
# - A fine-tuning loop that uses all three, and reads perplexity next to accuracy.
#
# Next, in lesson 10: the classifier on top of the fine-tuned encoder, and the whole IMDb run.
