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
# 1. compute discriminative learning rates and the STLR multiplier of any step, plot the schedule, and test such code;
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
# **Goal:** lower layer groups move less. Write `discriminative_lrs(lr, n_groups, factor=2.6)`, with this contract: it
# returns a `list` of `n_groups` floats, the learning rate of each layer group from the bottom (index 0) to the head
# (the last); the head trains at `lr`, and each group trains `factor` times slower than the group just above it.
# With one group, that group is the head. Example: `discriminative_lrs(1.0, 3, factor=2.0)` is `[0.25, 0.5, 1.0]`.
# (The 2018 notebook wrote the five rates of its classifier by hand: `lr/(2.6**4)` for the bottom group up to `lr`.)
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# How many times is the rate divided by `factor` on the way down from the head to group `i`?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# A list comprehension over `range(n_groups)` with a power of `factor`; check it on the example, and on `n_groups = 1`.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# Group `i` is `n_groups - 1 - i` groups below the head: `[lr / factor ** (n_groups - 1 - i) for i in range(n_groups)]`.
#
# </details>
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
# ## Exercise 2: write the test of `discriminative_lrs`
#
# Write `test_discriminative_lrs(discriminative_lrs)`: it is given *some* `discriminative_lrs` and must raise (an
# `assert` that fails) when that function breaks the contract of exercise 1, and return quietly when it keeps it. It
# is run on the correct function, on others written differently (each must pass) and on hidden buggy versions, each a
# slip people make with these rates; your score is the share of the bugs it catches.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# What must be true of the last rate, of the ratio between neighbours, of the length and type of what comes back, and
# for which arguments (a factor other than the default, a single group)? Two right versions can differ in the last
# bits of a float.
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `math.isclose` compares floats; call the function with a few `(lr, n_groups, factor)`, the default factor included,
# and assert on `type(...)`, `len(...)`, the last value and `lrs[i + 1] / lrs[i]`.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "test_discriminative_lrs", "locked": false, "schema_version": 3, "solution": true, "task": false}
def test_discriminative_lrs(discriminative_lrs) -> None:
    """Raise when `discriminative_lrs` breaks its contract; return quietly when it keeps it."""
    ### BEGIN SOLUTION
    for lr, n, factor in ((0.01, 4, None), (1.0, 3, 2.0), (0.5, 1, 3.0), (2e-3, 5, 1.5)):
        lrs = discriminative_lrs(lr, n) if factor is None else discriminative_lrs(lr, n, factor=factor)
        factor = 2.6 if factor is None else factor
        assert type(lrs) is list and len(lrs) == n, f"a list of {n} rates, one per group"
        assert math.isclose(lrs[-1], lr), "the head (the last group) trains at lr"
        for below, above in zip(lrs, lrs[1:]):
            assert math.isclose(above / below, factor), "each group trains factor times slower than the one above"
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_discriminative_lrs-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("test_discriminative_lrs", test_discriminative_lrs)

# %% [markdown]
# ## Exercise 3: `stlr`
#
# **Goal:** the slanted triangle of the paper (its equation 3): the multiplier of each group's maximum learning rate at
# step `step` (counted from 0) of a fit of `total` steps, a short linear rise and a long linear fall:
#
# ```
#   1       |    /\
#           |   /   \
#           |  /      \
#           | /         \
#   1/ratio |/             \
#           +--+-------------+--> step
#           0  cut         total
# ```
#
# Write `stlr(step, total, cut_frac=0.1, ratio=32.0)`, a `float`, with this contract:
#
# - the rise lasts `cut` steps: `cut_frac` of the `total` steps, rounded down, and at least 1 (a fit of 5 steps still
#   rises for one step);
# - it rises linearly from `1/ratio` at step 0 to `1` at step `cut`;
# - then it falls linearly, `1/cut_frac - 1` times slower than it rose (9 times at `cut_frac = 0.1`): it would be back
#   at `1/ratio` at step `cut / cut_frac` (which is `total` when `total * cut_frac` is whole), and it never goes below
#   `1/ratio` (where rounding `cut` down made the fall too short for the fit).
#
# Examples at `total = 100` (`cut = 10`): step 0 gives `1/32 = 0.03125`, step 5 gives `0.515625` (half way up),
# step 10 gives `1.0`, step 55 gives `0.515625` (half way down) and step 99 about `0.0420`.
# (The 2018 notebook wrote it as `use_clr=(32, 10)`: `ratio = 32` and `cut_frac = 1/10`.)
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Call `p` how far up the triangle a step is (0 at the bottom, 1 at the top): how does `p` grow before the cut, and how
# many steps does it take to come back down from 1 to 0 after it? And how does `p` become a multiplier between
# `1/ratio` and `1`?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `math.floor` rounds down, `max` keeps a value above a floor. A straight line from `1/ratio` (at `p = 0`) to `1` (at
# `p = 1`) is `1/ratio` plus `p` times the rest of the way.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `cut = max(1, math.floor(total * cut_frac))`; `p = step / cut` before the cut, else
# `p = max(0.0, 1 - (step - cut) / (cut * (1 / cut_frac - 1)))`; return `(1 + p * (ratio - 1)) / ratio`.
#
# </details>
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
# ## Exercise 4: find and fix `group_lrs`
#
# **Goal:** the whole schedule of a fit, worked out before it starts: `group_lrs(lrs, total, multiplier)` returns a
# list of `total` lists, one per step (from step 0), each holding the learning rate of every layer group at that step:
# the group's maximum rate (`lrs`, from `discriminative_lrs`) times `multiplier(step, total)`, a schedule such as your
# `stlr`. `lrs` is left as it was. Example: `group_lrs([0.01], 20, stlr)[0]` is `[0.0003125]` (`0.01 / 32`) and
# `group_lrs([0.01], 20, stlr)[2]` is `[0.01]`, the peak, at the cut. (The check calls it with a multiplier of its own,
# which refuses a step that is not a step of the fit.)
#
# The version below has an off-by-one bug of the kind schedules are known for (fastai's issue tracker holds several:
# a peak one step off, a last step that is not the last). It runs, and the fit it drives trains; only the schedule is
# not the one asked. Run the cell after it, which plots it, find the bug, fix it, and run both again.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# At which step does the plotted schedule start, where is its peak, and where should they be?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# The paper writes `t = 1, ..., T`; here steps count from 0, as the fit's loop does.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# The steps should be `range(total)`, not `range(1, total + 1)`.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "group_lrs", "locked": false, "schema_version": 3, "solution": true, "task": false}
def group_lrs(lrs: list, total: int, multiplier) -> list:
    """The lr of each layer group at each step of a fit of `total` steps, [step][group]: lrs times the multiplier."""
    ### BEGIN SOLUTION
    ### RELEASED return [[lr * multiplier(t, total) for lr in lrs] for t in range(1, total + 1)]
    return [[lr * multiplier(t, total) for lr in lrs] for t in range(total)]
    ### END SOLUTION


# %%
steps_demo = 20
schedule = group_lrs([0.01], steps_demo, stlr)
fig, ax = plt.subplots(figsize=(6, 2.5))
ax.plot(range(len(schedule)), [s[0] for s in schedule], "o-", label="group_lrs([0.01], 20, stlr)")
ax.axhline(0.01 / 32, color="gray", lw=0.5, ls="--", label="lr / ratio")
ax.axvline(max(1, math.floor(steps_demo * 0.1)), color="C1", lw=0.5, label="the cut")
ax.set_xlabel("step")
ax.set_ylabel("learning rate")
ax.legend(fontsize=8)
plt.show()
peak = max(range(len(schedule)), key=lambda t: schedule[t][0])
print(f"{len(schedule)} steps; step 0 at {schedule[0][0]:.3g} (lr / ratio = {0.01 / 32:.3g}), the peak at step {peak}, "
      f"the last step at {schedule[-1][0]:.3g}")

# %% nbgrader={"grade": true, "grade_id": "group_lrs-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("group_lrs", group_lrs)
### BEGIN HIDDEN TESTS
check("group_lrs", group_lrs, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5: predict a learning rate
#
# A 3-layer language model has 4 layer groups. It is fine-tuned for 200 steps with `lr = 0.01` at the head, the
# factor 2.6 between groups and the slanted triangle of the paper (`cut_frac = 0.1`, `ratio = 32`). What is the
# learning rate of **group 0** (the bottom one) at step 150? Work it out on paper, write it in `predicted_lr`, run its
# check, then the cell after it, which plots the schedule of every group. Within 3% passes.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Two factors: group 0's maximum rate, and the multiplier at step 150. Where is the cut, and how far down the fall is
# step 150?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Group 0 is three groups below the head. The fall lasts 180 steps from the cut at step 20; step 150 is 130 of them in.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "predicted_lr", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
predicted_lr = 0.01 / 2.6**3 * (1 + (1 - 130 / 180) * 31) / 32
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "predicted_lr-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("predicted_lr", predicted_lr)

# %% [markdown]
# The schedule, with the discriminative rates of a 3-layer language model (4 groups) at `lr = 0.01`:
# every group follows the same slant, each 2.6 times below the one above. The dot is your prediction's step.

# %%
total = 200
fig, ax = plt.subplots(figsize=(6, 3))
schedule = group_lrs(discriminative_lrs(0.01, 4), total, stlr)
for i in range(4):
    ax.plot([s[i] for s in schedule], label=f"group {i}" + (" (head)" if i == 3 else ""))
ax.plot([150], [schedule[150][0]], "ko")
ax.set_xlabel("step")
ax.set_ylabel("learning rate")
ax.set_title("slanted triangular learning rates, cut_frac=0.1, ratio=32")
ax.legend()
plt.show()
print(f"group 0 at step 150: {schedule[150][0]:.4g}")
assert all(math.isclose(stlr(t, total), STLR().lr_mult(t, total)) for t in range(total))

# %% [markdown]
# ## Exercise 6: `freeze_to`
#
# **Goal:** choose which layer groups train. A frozen parameter has `requires_grad = False`: no gradient is computed
# for it and the optimizer leaves it alone. Write `freeze_to(groups, n)`, with this contract: `groups` is a list of
# layer groups, each a list of Parameters; afterwards every parameter of the groups from index `n` on trains
# (`requires_grad` is `True`) and every parameter of the groups before does not, whatever they were before. `n` counts
# as a Python index does: `n = -1` is the head alone, `n = 0` every group, `n = -2` the top two. It changes the
# parameters themselves (not copies), leaves their values and the lists alone, and returns `None`. Example: with four
# groups, `freeze_to(groups, -2)` leaves groups 2 and 3 training and groups 0 and 1 frozen.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# For `n = -1` and four groups, which index is the first group that trains? How do you turn any `n` from `-len(groups)`
# to `len(groups) - 1` into that index?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Python's `%` gives a result of the sign of the divisor; `Parameter.requires_grad_(flag)` sets the flag in place.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `first = n % len(groups)`, then `p.requires_grad_(i >= first)` for every parameter `p` of group `i`.
#
# </details>
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
# every group, each stage along its own slanted triangular schedule, with your functions. The loss
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
        schedule = group_lrs(discriminative_lrs(lr, len(groups)), steps, stlr)
        history = {"losses": [], "valid": [], "lrs": [], "accuracy": []}
        stages.append((label, history))
        model.train()
        for t in tqdm(range(steps), desc=label, leave=False, disable=not live):
            for group, group_lr in zip(opt.param_groups, schedule[t]):
                group["lr"] = group_lr
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
# - `discriminative_lrs`: each layer group 2.6 times slower than the one above; and a test that catches the ways it
#   goes wrong.
# - `stlr`: the slanted triangular schedule, a short rise and a long fall; `group_lrs`, the schedule of a whole fit,
#   with its steps counted from 0.
# - `freeze_to`: the groups that train, from the head down, for gradual unfreezing.
# - A fine-tuning loop that uses them all, and reads perplexity next to accuracy.
#
# Next, in lesson 10: the classifier on top of the fine-tuned encoder, and the whole IMDb run.
