# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 10 — The classifier, and the whole IMDb run
#
# The last stage of ULMFiT: a classifier that reads a review with the fine-tuned encoder and says
# positive or negative. Three ideas make it work:
#
# - **Concat pooling.** The encoder gives one state per token. The last state alone forgets much of a
#   long review, so the classifier's head reads three summaries, concatenated: the **last** state, the
#   **max** over time of each feature (did anything in the review light it up?) and the **mean** over time.
#   Reviews of a batch have different lengths and are padded at the end; padding is not text, so the
#   three are taken over each review's **real tokens only**: the last *real* state, and the max and mean
#   over the real positions.
# - **Reading long reviews in chunks.** An IMDb review has about 270 tokens, some several thousand. The
#   encoder reads a batch `bptt` tokens at a time, keeping its state between chunks (it is stateful,
#   lesson 5), so memory does not grow with the length; only the chunks that cover the last `max_len`
#   tokens keep their outputs and gradients (`MultiBatchEncoder`).
# - **Gradual unfreezing** (lesson 9): the new head first, then one more layer group per stage.
#
# **By the end of this lesson you can**
# 1. write concat pooling over the real tokens of padded documents;
# 2. clip a long review the way the reference does before classifying it;
# 3. read long documents in chunks with the reference `MultiBatchEncoder`, and see its mask;
# 4. run the whole of ULMFiT on IMDb with the `ulmfit` command: the tiny preset here on CPU, and know
#    what the `cpu` and `paper` presets take.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()`, then
# run the check cell below it.

# %%
import json
from dataclasses import replace

import numpy as np
import torch
from IPython.display import Image

from course.data import lesson_imdb, scratch_dir
from course.exercises import check
from ulmfit_ref.loaders import pad_collate
from ulmfit_ref.models import ClassifierConfig, get_classifier
from ulmfit_ref.pipeline import TINY, make_run, run_imdb

torch.set_num_threads(1)

# %% tags=["parameters"]
DATA = None  # None: the IMDb data found for this folder (see lesson 1); a path; or "tiny"
N_PER_CLASS = 40
RUN_LIMIT = 30  # reviews per split and class in the full run (`ulmfit imdb --limit`)

# %% [markdown]
# ## Exercise 1: `concat_pool`
#
# **Goal:** one summary per document that does not depend on what else was in its batch. Write
# `concat_pool(output, lengths)`, with this contract: `output` is the encoder's last layer,
# `[seq_len, bs, n]`; `lengths` a LongTensor `[bs]`, the number of real tokens of each document, which
# fill positions `0 .. length-1` (the padding comes after, and holds anything). Return a `[bs, 3 * n]`
# tensor: for each document, its state at position `length - 1`, then the max over its real positions,
# then the mean over them; the padding's values change none of the three.
#
# <details><summary><b>Stuck?</b> (open after you tried)</summary>
#
# `mask = torch.arange(seq_len).unsqueeze(1) < lengths` is `[seq_len, bs]`, True on real tokens.
# `output.masked_fill(~mask.unsqueeze(2), float("-inf"))` hides the padding from the max; for the mean,
# sum `output * mask.unsqueeze(2)` over time and divide by the length. `output[lengths - 1,
# torch.arange(bs)]` picks each document's last real state.
#
# </details>
#
# Reference: [`ulmfit_ref.models.PoolingLinearClassifier.pool`](../docs/API.md#PoolingLinearClassifier.pool).

# %% nbgrader={"grade": false, "grade_id": "concat_pool", "locked": false, "schema_version": 3, "solution": true, "task": false}
def concat_pool(output: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """[last real state, max, mean] over the real tokens of [seq_len, bs, n] `output`: [bs, 3n]."""
    ### BEGIN SOLUTION
    seq_len, bs, _ = output.shape
    mask = (torch.arange(seq_len).unsqueeze(1) < lengths).unsqueeze(2)
    last = output[lengths - 1, torch.arange(bs)]
    max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
    mean_pool = (output * mask).sum(0) / lengths.unsqueeze(1)
    return torch.cat([last, max_pool, mean_pool], 1)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "concat_pool-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("concat_pool", concat_pool)
### BEGIN HIDDEN TESTS
check("concat_pool", concat_pool, full=True)
### END HIDDEN TESTS

# %% [markdown]
# Why the mask matters: the same review, alone and padded in a batch with a longer one, must give the
# same summary. Its padding positions hold whatever the LSTM made of the `_pad_` tokens, which is not
# zero. **Predict, then run.** A review of 4 tokens in a batch padded to 6: pooled over the 4 real
# positions, it gives the same summary as alone. Pooled over all 6 instead, which of the three parts
# (last, max, mean) change? Write it down, then run the cell.

# %%
torch.manual_seed(0)
output = torch.randn(6, 2, 3)
alone = concat_pool(output[:4, :1], torch.tensor([4]))
padded = concat_pool(output, torch.tensor([4, 6]))[:1]
print("alone and padded give the same summary:", torch.allclose(alone, padded))
over_all = concat_pool(output, torch.tensor([6, 6]))[:1]
print("pooled over all 6 positions instead:  ", torch.allclose(alone, over_all))
for part, name in enumerate(("last", "max", "mean")):
    same = torch.allclose(alone[:, 3 * part : 3 * part + 3], over_all[:, 3 * part : 3 * part + 3])
    print(f"  {name:<4} part the same: {same}")

# %% [markdown]
# All three can change: the last state is another position's, and the max and mean take in the
# padding's states (the max only when a padding value is larger, so by chance it may stay).
#
# ## Exercise 2: `clip_document`
#
# The reference reads at most `max_len` tokens of a review with gradients (1,400 in the paper) and, in the
# `cpu` and `tiny` presets, clips reviews before batching them, to bound the time per batch. Where to cut?
# A review's verdict is often at its end ("...7/10, worth seeing") and its subject at its start.
# **Goal:** a review of bounded length that keeps its subject and its verdict. Write
# `clip_document(ids, max_tokens)`: `ids` a 1-D NumPy array. When `max_tokens` is `None` or the
# document has at most `max_tokens` ids, return `ids` itself; otherwise keep the first
# `head = max_tokens // 4` ids and the last `max_tokens - head`, concatenated (a NumPy array of the same
# dtype, `max_tokens` long).
#
# Reference: [`ulmfit_ref.predict.clip_document`](../docs/API.md#clip_document).

# %% nbgrader={"grade": false, "grade_id": "clip_document", "locked": false, "schema_version": 3, "solution": true, "task": false}
def clip_document(ids: np.ndarray, max_tokens: int = None) -> np.ndarray:
    """At most `max_tokens` ids: a longer document keeps its first quarter and its end."""
    ### BEGIN SOLUTION
    if max_tokens is None or len(ids) <= max_tokens:
        return ids
    head = max_tokens // 4
    return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "clip_document-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("clip_document", clip_document)
### BEGIN HIDDEN TESTS
check("clip_document", clip_document, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Long documents in chunks
#
# The reference classifier is a `MultiBatchEncoder` (the stateful `RNNEncoder`, run chunk by chunk)
# then a `PoolingLinearClassifier` (concat pooling, then BatchNorm, dropout and linear layers). Its
# pooling is yours with one change: it takes a **mask** `[kept_len, bs]` in place of `lengths`, True on
# the positions it pools, because it pools each document's last `max_len` real tokens only (1,400 in
# the paper), the ones whose states were computed with gradients. For a document no longer than
# `max_len` that mask is exactly your `torch.arange(seq_len).unsqueeze(1) < lengths`:

# %%
config = ClassifierConfig(emb_sz=8, n_hid=16, n_layers=2, bptt=8, max_len=12, head_sz=8)
clas = get_classifier(50, 2, config).eval()
short = torch.tensor([6, 4])  # both within max_len = 12
same_mask = torch.arange(6).unsqueeze(1) < short
print("reference pool with the lengths' mask == your concat_pool:",
      torch.allclose(clas[1].pool(output, same_mask), concat_pool(output, short)))

# %% [markdown]
# Now three documents of 30, 21 and 27 tokens, padded by `pad_collate`, read in chunks of `bptt = 8`
# with `max_len = 12`. Each document's window is its last 12 real tokens: positions 18–29, 9–20 and
# 15–26. The first chunk, positions 0–7, ends before every window starts, so it is run without
# gradients (its states still carry on to the next chunk: the encoder is stateful) and dropped; the
# mask starts at the first kept chunk, position 8.

# %%
docs = [np.arange(2, 32), np.arange(2, 23), np.arange(2, 29)]
x, lengths, y = pad_collate([(d, 0) for d in docs])
raw_outputs, outputs, mask = clas[0](x, lengths)
n_chunks = -(-len(x) // config.bptt)
first_kept = len(x) - len(mask)
print(f"x {tuple(x.shape)} (padded with id 1): {n_chunks} chunks of {config.bptt} read, "
      f"{first_kept // config.bptt} dropped; outputs kept {tuple(outputs[-1].shape)}, mask {tuple(mask.shape)}")
print(f"mask (rows: documents of lengths {lengths.tolist()}, columns: positions {first_kept} to {len(x) - 1}):")
print(mask.int().T)
logits = clas(x, lengths)[0]
print("logits", tuple(logits.shape))

# %% [markdown]
# ## The whole run: `ulmfit imdb`
#
# The reference's command runs every stage of ULMFiT on IMDb, each stage skipped when its folder holds a
# result, so an interrupted run goes on where it stopped:
#
# 1. `prepare`: reviews → tokens → vocabulary → ids (lessons 1–4), with the LM and classifier splits;
# 2. `lm`: the language model, from a pretrained one (`--pretrained`, lesson 8) or from scratch, fine-tuned
#    on all IMDb text, labelled or not (lesson 9);
# 3. `classifier`: its encoder under a concat-pooling head, trained with gradual unfreezing;
# 4. `evaluate`: accuracy on the 25,000 test reviews, in `results.json`.
#
# The presets name every size and recipe:
#
# | preset | model | data | where, how long |
# | --- | --- | --- | --- |
# | `tiny` | 24/48/2 | `--limit` reviews per class | CPU, a minute or less: a smoke test, near chance |
# | `cpu` | 128/256/2, 10k words | all reviews, 2–3.5M LM tokens, reviews clipped to 256 | 2 CPU cores, under 45 minutes |
# | `paper` | 400/1150/3, 60k words, the 2018 notebook's dropouts | everything, 15 LM epochs, classifier (1, 1, 14) | a GPU (354 tokens/s on 2 cores: weeks on CPU) |
#
# On a GPU, the paper's run is
# `ulmfit imdb --data aclImdb_v1.tar.gz --preset paper --pretrained fwd_wt103.h5 --pretrained-vocab itos_wt103.pkl --out runs/paper`
# (the paper reports 4.6% test error on IMDb; mixed precision is on by default on CUDA).
#
# Here, the `tiny` preset on `RUN_LIMIT` reviews per class, through the Python API that the command
# calls, the same as `ulmfit imdb --data <the reviews> --preset tiny --limit RUN_LIMIT --out <folder>`.
# Expect an accuracy near 50%: a few dozen reviews teach a tiny model little. The point is the pipeline.
# Its log names each stage of gradual unfreezing (the head alone, the top two groups, every group), its
# table shows a language model's perplexity and a classifier's accuracy, and the figure under it is
# redrawn as it trains.

# %%
imdb = lesson_imdb(DATA, N_PER_CLASS)
out = scratch_dir() / "run_tiny"
preset = replace(TINY, prepare=replace(TINY.prepare, limit=RUN_LIMIT))
print(f"ulmfit imdb --data {imdb} --preset tiny --limit {RUN_LIMIT} --out {out}")
run = make_run(out, preset, seed=42, n_workers=1, log=print)
results = run_imdb(run, imdb)

# %%
print(json.dumps({k: results[k] for k in ("preset", "accuracy", "perplexity", "lm_accuracy", "valid_accuracy", "minutes")}, indent=1))
print("files of the run:", sorted(p.name for p in out.iterdir()))

# %% [markdown]
# The whole gradual unfreezing of the classifier in one picture, its stages one after another (the
# dashed lines), as the run saved it in `classifier/clas_training.png`:

# %%
Image(filename=out / "classifier" / "clas_training.png")

# %% [markdown]
# Then `ulmfit predict --model <folder> "A wonderful, moving film."` prints the label and its probability
# for each text, reading the reviews as training did (tokenized, clipped, batched by length, returned
# in input order).
#
# ## Why it matters: the paper's claims, measured on this machine
#
# A review classifier a little ahead of a bag of words is not why ULMFiT made a stir. Its strongest claim is
# *sample efficiency* (the paper's Figure 3): "with only 100 labeled examples, it matches the performance
# of training from scratch on 100x more data". The project measures that claim at the `cpu` preset with
# `benchmarks/low_shot.py`: IMDb classifiers trained on N = 100 to 25,000 labelled reviews and scored on
# all 25,000 test reviews, by four methods: ULMFiT semi-supervised (the LM fine-tuned once on all IMDb
# text, unsup included, as in this course), ULMFiT supervised (the LM fine-tuned on the N labelled texts
# only), the same classifier from scratch (no LM), and TF-IDF + logistic regression. Nothing trains
# here: the cells read the committed results (`benchmarks/results/`), made on 2 CPU cores.

# %%
from course.claims import result, results_dir

low_shot = result("low_shot")
Image(filename=results_dir() / "low_shot.png")

# %% [markdown]
# The same as a table, each cell the mean test error over the samples drawn at that N (3 where N ≤ 1,000
# in the full run), and what the smallest N of semi-supervised ULMFiT matches among the others:

# %%
methods = list(low_shot["errors"])
print("test error (%)".ljust(10), *(m.rjust(11) for m in methods))
for n in low_shot["sizes"]:
    cells = [low_shot["errors"][m].get(str(n)) for m in methods]
    print(f"N={n:<8,}", *(f"{100 * c['mean']:11.2f}" if c else " " * 11 for c in cells))
print("tfidf: TF-IDF + logistic regression; semi: ULMFiT semi-supervised; scratch: the classifier from random "
      "weights; supervised: ULMFiT, the LM fine-tuned on the N texts only")
for peer, claim in low_shot["claims"].items():
    if not isinstance(claim, dict):
        continue
    n0, error = claim["semi_n"], 100 * claim["semi_error"]
    if claim["bound"] == "at most":
        print(f"{peer} with {n0} labels already errs no more than semi-supervised ULMFiT with {n0} ({error:.1f}%)")
    else:
        print(f"{peer} needs {claim['bound']} {claim['peer_equivalent_n']:,.0f} labels to match semi-supervised "
              f"ULMFiT with {n0} ({error:.1f}%): {claim['times_more_labels']:.1f}x more")
print("the paper (IMDb, Figure 3): semi-supervised ULMFiT with 100 labels matches from scratch with 100x more")

# %% [markdown]
# Read it before you believe it. At the `cpu` preset the paper's claim does **not** reproduce: the bag of
# words wins at every N up to 10,000, and only with all 25,000 labels does semi-supervised ULMFiT pass it.
# Semi-supervised ULMFiT is ahead of the same classifier from random weights at the smallest N (by about
# 1.6x in labels, not the paper's 100x) and from 10,000 on; between, random weights do as well or better.
# Supervised ULMFiT, whose LM saw only the N labelled texts, is behind the semi-supervised one up to 3,000
# labels, as in the paper: the unlabelled reviews do help the LM while labels are few. What is missing is the language model. The paper's
# is a 3-layer, 1,150-unit AWD-LSTM pretrained on 103 million words of Wikipedia, then fine-tuned on all of
# IMDb; the one here is a 2-layer, 256-unit model pretrained on 6 million words and fine-tuned on 2
# million tokens of IMDb (its perplexity is printed below). With 100 labels, a classifier can only be as
# good as the features its encoder already computes.

# %%
lm = low_shot["semi_supervised_lm"]
print(f"the semi-supervised LM: perplexity {lm['perplexity']:.1f} on IMDb text after fine-tuning on "
      f"{lm['train_tokens']:,} tokens ({lm['minutes']:.0f} minutes)")

# %% [markdown]
# That is a claim, and it can be measured. `benchmarks/low_shot.py --lm-tokens` fine-tunes the LM on more
# IMDb text and, on held-out training reviews, puts two readers on each LM: ULMFiT's classifier, and a
# *probe*: the frozen encoder's concat pooling (what the classifier's head reads) fed to logistic
# regression. The probe says how much sentiment the LM's features hold before any fine-tuning; the row
# without an LM probes random weights.

# %%
study = result("low_shot_lm")
print("held-out error (%)".ljust(40), *(f"N={n}: ULMFiT | probe".rjust(24) for n in study["probe_errors"]["0"]))
for tokens, made in study["lms"].items():
    what = "no LM (random weights)" if made["lm"] is None else (
        f"LM of {made['read_tokens']:,} tokens, perplexity {made['perplexity']:.0f}")
    cells = []
    for n, probed in study["probe_errors"][tokens].items():
        ours = study["errors"].get(tokens, {}).get(n)
        ulmfit = "" if ours is None else f"{100 * ours['mean']:.1f}"
        cells.append(f"{ulmfit} | {100 * probed['mean']:.1f}".rjust(24))
    print(what.ljust(40), *cells)

# %% [markdown]
# Read it row by row. The LM's features hold some sentiment that random weights do not, and more
# fine-tuning of the LM (lower perplexity) gives features that a linear reader finds more of; ULMFiT's
# classifier, which fine-tunes the encoder too, does better than the probe of the same LM. Sample efficiency
# is bought by the quality of the language model: that is why the paper pretrains a large LM on a large
# corpus, and why lesson 8's step is the expensive one.

# Which of ULMFiT's ideas bought what? `benchmarks/ablations.py` runs the paper's ablation tables on a
# held-out tenth of the training reviews (as the paper does). Two rows of its Table 7, the classifier's
# fine-tuning: the same classifier from random weights, and ULMFiT's own recipe (gradual unfreezing,
# discriminative learning rates, slanted triangular schedule) on the fine-tuned LM, beside the paper's
# validation errors (on IMDb, TREC-6 and AG News, with its 3-layer LM pretrained on WikiText-103):

# %%
ablations = result("ablations")
rows = {row["row"]: row for row in ablations["tables"]["Table 7: classifier fine-tuning"]}
for name in ("From scratch", "Freez + discr + stlr"):
    row = rows[name]
    ours = ", ".join(f"N={size}: {100 * s['mean']:.2f}%" for size, s in row["ours"].items()) or "not run"
    imdb, trec, ag = row["paper"]
    print(f"{name:<21} ours {ours:<16} paper: IMDb {imdb:.2f}%, TREC-6 {trec:.2f}%, AG {ag:.2f}%")
print("(every table and row: benchmarks/results/ablations.md)")

# %% [markdown]
# ## What you built
#
# - `concat_pool`: the last real state, the max and the mean over the real tokens, padding ignored.
# - `clip_document`: long reviews cut to their start and their end, where the verdict is.
# - And you ran the whole of ULMFiT, prepare → language model → classifier → evaluation, with the
#   reference's `ulmfit imdb`. The course is complete: every piece of the run is one you have written
#   and checked against the reference, from the CSV of lesson 1 to the pooling above.
