# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 8 — Transfer: a pretrained language model on a new vocabulary
#
# ULMFiT's first step is a language model trained once on a large general corpus: the 2018 course used
# an AWD-LSTM trained on WikiText-103 (`fwd_wt103.h5`, with its vocabulary `itos_wt103.pkl`). It already
# knows English; fine-tuning it on IMDb (lesson 9) only has to teach it movie reviews.
#
# Two things stand in the way:
#
# 1. **The vocabulary differs.** Wikipedia's word 1234 is not IMDb's word 1234. Four weights have one
#    row per word: the embedding, its copy inside the embedding dropout, the tied decoder, and the
#    decoder's bias when there is one. For each word of the new vocabulary we take the pretrained row
#    of that word; a word the pretrained model never saw gets the **mean** of all pretrained rows: a
#    typical word, a better start than zeros (which the tied decoder would turn into logits of 0 for
#    every word: neither frequent nor rare) or random noise.
# 2. **The key names differ.** fastai 0.7 saved `0.encoder_with_dropout.embed.weight` and
#    `0.rnns.0.module.weight_hh_l0_raw`, fastai 1 and 2 `0.encoder_dp.emb.weight`; the reference names
#    them `0.encoder_dp.embed.weight` and `0.rnns.0.weight_hh_l0_raw`. Keys are matched by name, and a
#    file that does not fit fails with the list of what is missing (fastai issue #1294 was old files that
#    no longer loaded after a rename).
#
# **By the end of this lesson you can**
# 1. rename the keys of a fastai 0.7 or 1/2 language model to the reference's names;
# 2. move the vocabulary rows of the pretrained weights onto a new vocabulary, with the mean row for
#    new words;
# 3. load a pretrained LM saved in fastai 0.7's format into a model for the IMDb vocabulary, and see
#    that it starts far ahead of a random one.
#
# No download here: the "pretrained" model is a tiny one, trained in this notebook on the test reviews
# (our general corpus) and saved in fastai 0.7's format, then transferred to the vocabulary of the
# training reviews. At the end it is saved beside this notebook (`lesson08_lm/`), and lesson 9
# fine-tunes it.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()`, then
# run the check cell below it.

# %%
import math
import re
from collections import Counter

import torch

from course import lm
from course.data import lesson_imdb, scratch_dir
from course.exercises import check
from ulmfit_ref.data import read_imdb
from ulmfit_ref.loaders import LanguageModelLoader
from ulmfit_ref.models import get_language_model
from ulmfit_ref.text import Tokenizer, mark_fields
from ulmfit_ref.transfer import VOCAB_KEYS, load_pretrained_lm, read_lm_weights
from ulmfit_ref.vocab import Vocab

torch.set_num_threads(1)

# %% tags=["parameters"]
DATA = None  # None: the IMDb data found for this folder (see lesson 1); a path; or "tiny"
N_PER_CLASS = 20
PRETRAIN_STEPS = lm.STEPS

# %%
imdb = lesson_imdb(DATA, lm.N_GENERAL)
tokenize = Tokenizer()
general, old_vocab = lm.general_corpus(imdb)  # the tokens of the test reviews: the "general corpus"
reviews = read_imdb(imdb, limit=N_PER_CLASS)  # a few of each class: the task
target = [tokenize(mark_fields([t])) for t in reviews["train"].texts]  # the texts of the task
new_vocab = Vocab.build(Counter(t for d in target for t in d), min_freq=1)
shared = set(old_vocab.itos) & set(new_vocab.itos)
print(f"pretrained vocabulary {len(old_vocab.itos)} words, new vocabulary {len(new_vocab.itos)}, {len(shared)} in both")

# %% [markdown]
# ## The "pretrained" model, saved as fastai 0.7 did
#
# A tiny AWD-LSTM trained for a few seconds on the general corpus (`course.lm.pretrain`: Adam on the
# batches of lesson 5's loader, the loop of lesson 9 without its refinements), then its weights saved
# under fastai 0.7's key names.

# %%
CONFIG = lm.CONFIG
ids_of = lm.ids_of


def mean_loss(model, ids: torch.Tensor) -> float:
    """The model's mean cross-entropy on a stream of ids, without dropout."""
    model.eval()
    model.reset()
    losses = []
    with torch.no_grad():
        for x, y in LanguageModelLoader(ids, bs=4, bptt=20, seed=0):
            losses.append(torch.nn.functional.cross_entropy(model(x)[0].flatten(0, 1), y.flatten()).item())
    return sum(losses) / len(losses)


pretrained = lm.pretrain(general, old_vocab, CONFIG, PRETRAIN_STEPS)
print(f"pretrained {PRETRAIN_STEPS} steps; loss on its own corpus {mean_loss(pretrained, ids_of(general, old_vocab)):.2f} "
      f"(uniform guess: ln {len(old_vocab.itos)} = {math.log(len(old_vocab.itos)):.2f})")


def as_fastai_07(key: str) -> str:
    """The reference's key under the name fastai 0.7 saved it with."""
    key = key.replace("0.encoder_dp.embed.", "0.encoder_with_dropout.embed.")
    parts = key.split(".")
    if parts[-1] == "weight_hh_l0_raw":
        key = ".".join(parts[:-1] + ["module", parts[-1]])
    return key


folder = scratch_dir()
wt = folder / "fwd_tiny.pt"
torch.save({as_fastai_07(k): v for k, v in pretrained.state_dict().items()}, wt)
for key, value in torch.load(wt, weights_only=True).items():
    print(f"{key:40} {tuple(value.shape)}")

# %% [markdown]
# ## Exercise 1: `rename_key`
#
# **Goal:** old checkpoints keep loading: every key a fastai 0.7 or fastai 1/2 language model was saved with gets
# the reference's name, and every other key is left alone. Write `rename_key(key)`, a `str` to a `str`, by these three
# rules, each tried on the key in turn:
#
# | the key... | becomes |
# | --- | --- |
# | starts with `0.encoder_with_dropout.embed.` (fastai 0.7) | the same key starting with `0.encoder_dp.embed.` |
# | starts with `0.encoder_dp.emb.` (fastai 1 and 2) | the same key starting with `0.encoder_dp.embed.` |
# | is, as a whole, `0.rnns.N.module.weight_hh_l0_raw`, N any number (fastai 0.7) | `0.rnns.N.weight_hh_l0_raw` |
#
# A key that only *contains* one of these names somewhere else (`x0.encoder_dp.emb.weight`,
# `0.rnns.3.module.weight_hh_l0_raw.x`) is not one of them, and the input weights of an LSTM stay inside `module`.
# Example: `rename_key("0.encoder_with_dropout.embed.weight")` is `"0.encoder_dp.embed.weight"`;
# `rename_key("0.rnns.1.module.weight_ih_l0")` is `"0.rnns.1.module.weight_ih_l0"`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# What tells "starts with" from "contains", and "is, as a whole" from "starts with"? What stands for "any number" in
# the third rule, and how do you keep that number in the new key?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `re.sub` with a pattern anchored by `^` (the start) and `$` (the end), `\d+` for the number and a group `( )` that
# the replacement gives back as `\1`; remember to escape the dots (`\.`). `str.startswith` and slicing work too.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# One `re.sub` per rule, in turn: `re.sub(r"^0\.encoder_with_dropout\.embed\.", "0.encoder_dp.embed.", key)`, the same
# for `^0\.encoder_dp\.emb\.`, then `re.sub(r"^0\.rnns\.(\d+)\.module\.weight_hh_l0_raw$", r"0.rnns.\1.weight_hh_l0_raw",
# key)`.
#
# </details>
#
# Reference: [`ulmfit_ref.transfer.rename_key`](../docs/API.md#rename_key).

# %% nbgrader={"grade": false, "grade_id": "rename_key", "locked": false, "schema_version": 3, "solution": true, "task": false}
def rename_key(key: str) -> str:
    """The reference's name for a key of a fastai 0.7 or 1/2 language model."""
    ### BEGIN SOLUTION
    key = re.sub(r"^0\.encoder_with_dropout\.embed\.", "0.encoder_dp.embed.", key)
    key = re.sub(r"^0\.encoder_dp\.emb\.", "0.encoder_dp.embed.", key)
    return re.sub(r"^0\.rnns\.(\d+)\.module\.weight_hh_l0_raw$", r"0.rnns.\1.weight_hh_l0_raw", key)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "rename_key-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("rename_key", rename_key)
### BEGIN HIDDEN TESTS
check("rename_key", rename_key, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2: find and fix `new_rows`
#
# **Goal:** one weight with a row per word (the embedding, or the tied decoder) moved onto the new vocabulary. The
# 2018 notebook did it with a loop over the new words: start from an array of zeros, `new_w = np.zeros((vs, em_sz))`,
# then fill row `i` with the pretrained row of the word `new_itos[i]`, or with `row_m`, the mean of the pretrained rows,
# for a word the pretrained model never saw. `new_rows(w, old_itos, new_itos)` below does the same in torch, with one
# branch missing, the kind of slip that runs without an error. Its contract:
#
# - `w` has one row per word of `old_itos` (shape `[len(old_itos), ...]`: a matrix, or a vector such as a bias);
#   it returns a new tensor of shape `[len(new_itos), ...]`, of `w`'s dtype and on `w`'s device, and leaves `w` as it
#   was;
# - row `i` is the row of `w` of the word `new_itos[i]` (its first row, when a word appears twice in `old_itos`), or,
#   for a word not in `old_itos`, the mean of all the rows of `w`.
#
# Example: with `w = [[1., 2.], [3., 4.], [5., 9.]]` for `["_unk_", "the", "film"]`, `new_rows(w, ["_unk_", "the",
# "film"], ["film", "zebra"])` is `[[5., 9.], [3., 5.]]`: `film` keeps its row, `zebra` gets the mean row.
#
# Run the cell below the exercise first: it uses the given `new_rows` on the lesson's pretrained embedding and shows
# what the bug does. Then fix `new_rows` (a small change) and run both cells again.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# What does the given code put in the row of a word that is not in `old_itos`? Compare with the example.
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `w.mean(0)` is the mean row; a row filled before the loop is kept wherever the loop does not write.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# Start from the mean row instead of zeros: `new = w.mean(0).expand(len(new_itos), *w.shape[1:]).clone()` (or fill
# `new[i] = w.mean(0)` in an `else` branch of the loop).
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "new_rows", "locked": false, "schema_version": 3, "solution": true, "task": false}
def new_rows(w: torch.Tensor, old_itos: list, new_itos: list) -> torch.Tensor:
    """One row of `w` per word of `new_itos`: the word's pretrained row, or the mean row for a word new to `old_itos`."""
    ### BEGIN SOLUTION
    ### RELEASED old_stoi = {}
    ### RELEASED for i, word in enumerate(old_itos):
    ### RELEASED     old_stoi.setdefault(word, i)
    ### RELEASED new = w.new_zeros((len(new_itos), *w.shape[1:]))
    ### RELEASED for i, word in enumerate(new_itos):
    ### RELEASED     if word in old_stoi:
    ### RELEASED         new[i] = w[old_stoi[word]]
    ### RELEASED return new
    old_stoi = {}
    for i, word in enumerate(old_itos):
        old_stoi.setdefault(word, i)
    new = w.mean(0).expand(len(new_itos), *w.shape[1:]).clone()
    for i, word in enumerate(new_itos):
        if word in old_stoi:
            new[i] = w[old_stoi[word]]
    return new
    ### END SOLUTION


# %%
emb = pretrained[0].encoder.weight.detach()
rows = new_rows(emb, old_vocab.itos, new_vocab.itos)
unseen = torch.tensor([w not in old_vocab.stoi for w in new_vocab.itos])
print(f"{int((~unseen).sum())} of the {len(new_vocab.itos)} new words found in the pretrained vocabulary, "
      f"{int(unseen.sum())} new to it")
print(f"the norm of a found word's row: {rows[~unseen].norm(dim=1).mean():.3f} on average; of a new word's row: "
      f"{rows[unseen].norm(dim=1).mean() if unseen.any() else float('nan'):.3f}")
# The first predictions of the pretrained LSTM on a task text, read through the tied decoder with these rows: a zero
# row gives its word the logit 0 at every position, whatever the text says.
pretrained.eval()
pretrained.reset()
with torch.no_grad():
    h = pretrained[0](torch.as_tensor(old_vocab.numericalize(target[0][:8])).unsqueeze(1))[1][-1][:, 0]  # [8, emb_sz]
logits = h @ rows.t()  # [8, len(new_itos)]
share = logits.softmax(-1)[:, unseen].sum(-1)
print("logits of the new words at the first 4 positions:",
      [[round(v, 2) for v in row[unseen][:5].tolist()] for row in logits[:4]])
print("their share of the probability of the next word:", [f"{v:.0%}" for v in share[:4].tolist()])

# %% nbgrader={"grade": true, "grade_id": "new_rows-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("new_rows", new_rows)
### BEGIN HIDDEN TESTS
check("new_rows", new_rows, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3: `convert_weights`
#
# **Goal:** a whole pretrained state dict ready for a model built for the new vocabulary, the pretrained one left as it
# was. Write `convert_weights(weights, old_itos, new_itos)`, with this contract:
#
# - `weights` is a dict of tensors under the reference's names, `old_itos` the pretrained vocabulary, `new_itos` the
#   new one; it returns a **new** dict with the same keys, and changes neither `weights` nor its tensors;
# - each key of `VOCAB_KEYS` (given: `0.encoder.weight`, `0.encoder_dp.embed.weight`, `1.decoder.weight`,
#   `1.decoder.bias`) that `weights` holds gets one row per word of `new_itos`, as `new_rows` moves them; a file may
#   hold some of these keys and not the others;
# - every other key (the LSTM's weights) keeps its tensor as it is.
#
# Example: for `weights` with `0.encoder.weight` of shape `[6, 3]` and `0.rnns.0.weight_hh_l0_raw` of shape `[12, 3]`,
# and a `new_itos` of 2 words, the result has `0.encoder.weight` of shape `[2, 3]` and the same
# `0.rnns.0.weight_hh_l0_raw`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Which keys have one row per word, and what happens to a key of `VOCAB_KEYS` that `weights` does not hold?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `dict(weights)` is a new dict holding the same tensors; replacing a value in it leaves `weights` alone, where
# `weights[key] = ...` would not. Call your `new_rows` for each key that needs it.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `out = dict(weights)`, then for each `key` of `VOCAB_KEYS` that is in `weights`:
# `out[key] = new_rows(weights[key], old_itos, new_itos)`; return `out`.
#
# </details>
#
# Reference: [`ulmfit_ref.transfer.convert_weights`](../docs/API.md#convert_weights).

# %% nbgrader={"grade": false, "grade_id": "convert_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def convert_weights(weights: dict, old_itos: list, new_itos: list) -> dict:
    """`weights` with the vocabulary rows moved from `old_itos` to `new_itos`; unseen words get the mean row."""
    ### BEGIN SOLUTION
    out = dict(weights)
    for key in VOCAB_KEYS:
        if key in weights:
            out[key] = new_rows(weights[key], old_itos, new_itos)
    return out
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "convert_weights-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("convert_weights", convert_weights)
### BEGIN HIDDEN TESTS
check("convert_weights", convert_weights, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Loading the pretrained model for the new vocabulary
#
# Your two functions, in the order the reference applies them: read the file, rename its keys, move the
# vocabulary rows, load into a model built for the new vocabulary. `load_state_dict` (strict by
# default) fails on a key that is missing or left over: the renaming has to be complete.

# %%
state = {rename_key(k): v for k, v in torch.load(wt, map_location="cpu", weights_only=True).items()}
state = convert_weights(state, old_vocab.itos, new_vocab.itos)
model = get_language_model(len(new_vocab.itos), CONFIG)
model.load_state_dict(state)
word = next(w for w in new_vocab.itos[10:] if w in shared)
print(f"{word!r}: old id {old_vocab.stoi[word]}, new id {new_vocab.stoi[word]}, same vector:",
      torch.equal(model[0].encoder.weight[new_vocab.stoi[word]], pretrained[0].encoder.weight[old_vocab.stoi[word]]))
print("still tied after loading:", model[1].decoder.weight is model[0].encoder.weight)

# %% [markdown]
# ## Exercise 4: predict the norm of the mean row
#
# Is the mean row much different from zeros? Start with an embedding that learned nothing. wt103's embedding has
# 60,000 rows of 400 values; fill one with independent draws from the standard normal distribution,
# `torch.randn(60_000, 400)`: a single row then has a norm of about `sqrt(400) = 20`. What is the norm (its length,
# `.norm()`) of the **mean** of its 60,000 rows? Work it out on paper, write it in `mean_row_norm`, run its check,
# then the cell after it, which measures it and compares with the embedding of this lesson's pretrained model. Within
# 10% passes.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Each value of the mean row is the mean of 60,000 independent standard normal draws: what is its standard deviation?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# The mean of n independent draws of standard deviation 1 has standard deviation `1 / sqrt(n)`; a vector of d such
# values has a norm of about `sqrt(d)` times that.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "mean_row_norm", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
mean_row_norm = math.sqrt(400 / 60_000)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "mean_row_norm-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("mean_row_norm", mean_row_norm)

# %%
noise = torch.randn(60_000, 400, generator=torch.Generator().manual_seed(0))
print(f"random embedding: the mean row's norm {noise.mean(0).norm():.4f}, a row's {noise.norm(dim=1).mean():.2f}: "
      f"a ratio of {noise.mean(0).norm() / noise.norm(dim=1).mean():.4f}")
del noise
start = torch.randn(emb.shape, generator=torch.Generator().manual_seed(0)) * emb.std()  # as many random rows, as spread
for name, w in (("this lesson's pretrained embedding", emb), ("random rows of its shape and spread", start)):
    print(f"{name}: the mean row's norm {w.mean(0).norm():.3f}, a row's {w.norm(dim=1).mean():.3f}: "
          f"a ratio of {w.mean(0).norm() / w.norm(dim=1).mean():.3f}")

# %% [markdown]
# The mean of many random rows is close to zeros: the draws cancel out, and the more rows the closer. A trained
# embedding is not random: its rows share directions (the ones frequent words push them to), so its mean row is
# further from zeros than the random rows' of the same shape and spread, and it stands for "a typical word" the
# decoder and the LSTM already know how to read.
#
# The reference does the same in one call, `load_pretrained_lm(model, path, old_itos, new_itos)`, which
# reads fastai 0.7, fastai 1/2 and its own files, refuses a file that holds more than tensors, and lists
# what does not fit. Then the test of the whole idea: the loss on the task's texts of a random model, of
# the pretrained one on the new vocabulary, and of the same with zeros in place of the mean row.
#
# **Predict, then run.** Rank the three, lowest loss first, before any fine-tuning. Where will the
# zeros land: between the other two, or below the random model's? Write it down, then run the cell.

# %%
reference = get_language_model(len(new_vocab.itos), CONFIG)
load_pretrained_lm(reference, wt, old_vocab.itos, new_vocab.itos)
assert all(torch.equal(reference.state_dict()[k], model.state_dict()[k]) for k in model.state_dict())

zeros = get_language_model(len(new_vocab.itos), CONFIG)
zero_state = dict(state)
unseen = torch.tensor([w not in old_vocab.stoi for w in new_vocab.itos])
for key in VOCAB_KEYS:
    if key in zero_state:
        zero_state[key] = zero_state[key].clone()
        zero_state[key][unseen] = 0
zeros.load_state_dict(zero_state)
task_ids = ids_of(target, new_vocab)
torch.manual_seed(0)
random_lm = get_language_model(len(new_vocab.itos), CONFIG)
print(f"loss on the task's texts: random {mean_loss(random_lm, task_ids):.2f}, pretrained with the mean row "
      f"{mean_loss(model, task_ids):.2f}, pretrained with zeros {mean_loss(zeros, task_ids):.2f}")
print(f"{unseen.float().mean():.0%} of the new vocabulary is new to the pretrained model; "
      f"read with read_lm_weights, the file has the keys {sorted(read_lm_weights(wt))[:3]}...")

# %% [markdown]
# The pretrained model with the mean row starts well ahead of the random one, before any fine-tuning:
# that is the whole point of transfer. With zeros for the new words it lands between the two: a zero
# row, tied, gives every unseen word a logit of 0 at every position, whatever the context, and an
# unseen word read as input gives the LSTM nothing to work with; the mean row is a typical word on both
# ends.
#
# Last, the pretrained model goes beside this notebook, in the format of `ulmfit pretrain` (`model.pt`
# and `vocab.json`, which `ulmfit train --pretrained lesson08_lm` reads too): lesson 9 fine-tunes it.

# %%
print("saved:", sorted(p.name for p in lm.save(pretrained, old_vocab).iterdir()))

# %% [markdown]
# With the real wt103 model the call is the same, on the files of the 2018 course:
# `load_pretrained_lm(model, "fwd_wt103.h5", load_itos("itos_wt103.pkl"), vocab.itos)` (the model built
# with `LMConfig(emb_sz=400, n_hid=1150, n_layers=3)`), or from the command line,
# `ulmfit imdb --pretrained fwd_wt103.h5 --pretrained-vocab itos_wt103.pkl`.
#
# ## What you built
#
# - `rename_key`: fastai 0.7 and 1/2 key names to the reference's, so old checkpoints keep loading.
# - `convert_weights`: the pretrained vocabulary rows moved to the new ids, with the mean row for
#   words the pretrained model never saw.
# - A pretrained LM saved in fastai 0.7's format, loaded for a new vocabulary, ahead of a random model
#   before any fine-tuning.
#
# Next, in lesson 9: fine-tuning it on the task's texts, with discriminative and slanted triangular
# learning rates.
