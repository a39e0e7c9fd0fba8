# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 7 — The encoder, the linear decoder and weight tying
#
# The AWD-LSTM language model has two parts:
#
# - the **encoder** (`RNNEncoder`): an embedding of each word id (`emb_sz` numbers, 400 in the paper),
#   then a stack of LSTMs (3 in the paper: 400 → 1150 → 1150 → 400). The last LSTM gives back `emb_sz`
#   features, the size of the embedding, on purpose: see tying below. Between the pieces sit the dropouts
#   of lesson 6.
# - the **decoder** (`LinearDecoder`): one linear layer from the last LSTM's `emb_sz` features to one
#   score (a logit) per word of the vocabulary: the model's guess of the next word.
#
# **Weight tying** (Press & Wolf 2017, Inan et al. 2017): the decoder's weight matrix is
# `[vocab, emb_sz]`, the same shape as the embedding's, and both say what each word *is*, one on the way
# in, one on the way out. Tying makes them one Parameter: the decoder's weight *is* the embedding's.
# With 60,000 words and `emb_sz = 400`, that is 24 million fewer parameters (44 million instead of 68), a
# regularizer (a word's output vector learns from every time the word is read, not only when it is
# predicted), and better perplexity. A copy would not do: the two would train apart after the first
# step.
#
# **By the end of this lesson you can**
# 1. run the encoder's forward pass by hand, layer by layer, and match the reference `RNNEncoder`;
# 2. tie a decoder to an embedding so that they share one Parameter, and write the test that proves it;
# 3. predict the loss of a language model that knows nothing;
# 4. count what tying saves, and read the shapes of the language model's outputs.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()` (a prediction: a number
# in place of `...`), then run the check cell below it.

# %%
import math

import torch
from torch import nn

from course.exercises import check
from ulmfit_ref.models import LMConfig, get_language_model

torch.set_num_threads(1)

# %% tags=["parameters"]
DATA = None  # this lesson makes its own small model
VOCAB = 100
EMB_SZ, N_HID, N_LAYERS = 16, 32, 3

# %%
_ = torch.manual_seed(0)  # `_ =`: the generator it returns is of no use to print

# %% [markdown]
# ## Exercise 1: `encoder_forward`
#
# **Goal:** the encoder's forward pass, without its dropouts. Write `encoder_forward(embedding, rnns, x)`, with this
# contract: `embedding` is an `nn.Embedding`, `rnns` a list (or `nn.ModuleList`) of one-layer `nn.LSTM`s whose sizes
# chain (each reads what the one before gives), `x` a LongTensor of ids `[seq_len, bs]` (sequence first, as everywhere
# in this course). The first LSTM reads the embeddings of `x`, each other LSTM the output of the one before, each from a
# zero state. It returns the list of the outputs of every layer, `[seq_len, bs, hidden_size]` each, first layer first.
# It works wherever the weights are (in float64, on a GPU: any tensor it makes follows them), the gradient of the last
# output reaches every weight, and `x` is left as it was.
#
# For example, with `emb_sz = 16`, LSTMs `16 -> 32 -> 32 -> 16` and `x` of shape `[12, 4]`, it returns three tensors of
# shapes `[12, 4, 32]`, `[12, 4, 32]` and `[12, 4, 16]`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# What does an `nn.LSTM` return when called on a sequence, and which part of it is the next layer's input?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `nn.LSTM` returns `(output, (h, c))`: `output` holds the top state of every time step, `h` only the last one. Given no
# state, it starts from zeros, made on its weights' device and in their dtype.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `output, outputs = embedding(x), []`, then for each `rnn`: `output, _ = rnn(output)` and `outputs.append(output)`;
# return `outputs`.
#
# </details>
#
# The reference returns the same list as `raw_outputs` (before hidden dropout): AR and TAR (lesson 9)
# read the last one.
#
# Reference: [`ulmfit_ref.models.RNNEncoder`](../docs/API.md#RNNEncoder) (its `forward`).

# %% nbgrader={"grade": false, "grade_id": "encoder_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def encoder_forward(embedding: nn.Embedding, rnns: list, x: torch.Tensor) -> list:
    """Each LSTM layer's output for ids `x` [seq_len, bs], from a zero state, first layer first."""
    ### BEGIN SOLUTION
    output, outputs = embedding(x), []
    for rnn in rnns:
        output, _ = rnn(output)
        outputs.append(output)
    return outputs
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "encoder_forward-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("encoder_forward", encoder_forward)
### BEGIN HIDDEN TESTS
check("encoder_forward", encoder_forward, full=True)
### END HIDDEN TESTS

# %% [markdown]
# The sizes of the stack: the first LSTM reads the embedding, the middle ones are `n_hid` wide, and the
# last gives back `emb_sz`, so that the decoder can be tied to the embedding.

# %%
sizes = [EMB_SZ] + [N_HID] * (N_LAYERS - 1) + [EMB_SZ]
embedding = nn.Embedding(VOCAB, EMB_SZ)
rnns = nn.ModuleList(nn.LSTM(n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:]))
x = torch.randint(0, VOCAB, (12, 4))
with torch.no_grad():
    outputs = encoder_forward(embedding, rnns, x)
for i, (rnn, out) in enumerate(zip(rnns, outputs)):
    print(f"layer {i}: nn.LSTM({rnn.input_size}, {rnn.hidden_size}) -> output {tuple(out.shape)}")

# %% [markdown]
# ## Exercise 2: `tied_decoder`
#
# **Goal:** a decoder that reads and writes one word matrix with the embedding, for the whole of
# training. Write `tied_decoder(encoder, bias=False)`, with this contract: `encoder` is the
# `nn.Embedding` (`[vocab, emb_sz]`); it returns an `nn.Linear` from `emb_sz` features to `vocab`
# logits, with a bias only when `bias=True` (starting at zeros, in the embedding's dtype and on its device), such that
# - any change to the embedding's weight, by an optimizer step or in place, is the decoder's too, and the other way
#   round;
# - a loss computed through both gives the word matrix the gradient of both ends;
# - the parameters of the two modules together hold that matrix once.
#
# For example, `tied_decoder(nn.Embedding(100, 16))` maps `[12, 4, 16]` features to `[12, 4, 100]` logits, and
# `sum(p.numel() for p in nn.ModuleList([embedding, decoder]).parameters())` is `1600`, not `3200`.
#
# The check builds your decoder, changes the embedding, takes an SGD step, and compares every effect with what a tied
# decoder does. Think first: what must be true of the two weights for that, and what do shapes say about `nn.Linear`'s
# `[out_features, in_features]`?
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Copying values makes two matrices equal once. What makes them stay the same matrix, and how many `Parameter`
# objects does the optimizer see then?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# A module's Parameter is an attribute: assigning a Parameter to it replaces the one it had. `nn.Linear` stores its
# weight as `[out_features, in_features]`, and takes `device=` and `dtype=` arguments for the tensors it makes.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `vocab, emb_sz = encoder.weight.shape`; `decoder = nn.Linear(emb_sz, vocab, bias=bias, device=encoder.weight.device,
# dtype=encoder.weight.dtype)`; `decoder.weight = encoder.weight`; zero the bias if there is one. A copy
# (`nn.Parameter(encoder.weight.clone())`) or `decoder.weight.data = encoder.weight.data` (two Parameters on one
# storage) drift apart or count twice.
#
# </details>
#
# Reference: [`ulmfit_ref.models.LinearDecoder`](../docs/API.md#LinearDecoder) (its `__init__`).

# %% nbgrader={"grade": false, "grade_id": "tied_decoder", "locked": false, "schema_version": 3, "solution": true, "task": false}
def tied_decoder(encoder: nn.Embedding, bias: bool = False) -> nn.Linear:
    """An nn.Linear(emb_sz, vocab) whose weight IS the embedding's Parameter."""
    ### BEGIN SOLUTION
    vocab, emb_sz = encoder.weight.shape
    decoder = nn.Linear(emb_sz, vocab, bias=bias, device=encoder.weight.device, dtype=encoder.weight.dtype)
    decoder.weight = encoder.weight
    if bias:
        nn.init.zeros_(decoder.bias)
    return decoder
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "tied_decoder-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("tied_decoder", tied_decoder)
### BEGIN HIDDEN TESTS
check("tied_decoder", tied_decoder, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3: predict the loss of a language model that knows nothing
#
# The reference builds the whole language model with `get_language_model(vocab_size, LMConfig(...))`; untrained, its
# weights are small and random (the embedding, tied to the decoder, uniform in ±0.1). For the lesson's `VOCAB = 100`
# words and sizes `16/32/3`, on a batch of `[12, 4]` random ids: what is its cross-entropy loss (torch's
# `cross_entropy`, the mean over the targets)? Work it out on paper, write it in `predicted_loss`, run its check, then
# run the cell after it. Within 2% passes.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# With small weights, how different are the model's logits from one word to the next, and what probability does it
# then give the right next word?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# The cross-entropy of one target is minus the logarithm (natural, in torch) of the probability given to it; the
# softmax of `V` equal logits gives each word `1 / V`.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "predicted_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
predicted_loss = math.log(100)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "predicted_loss-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("predicted_loss", predicted_loss)

# %%
_ = torch.manual_seed(1)
untrained = get_language_model(VOCAB, LMConfig(emb_sz=EMB_SZ, n_hid=N_HID, n_layers=N_LAYERS)).eval()
ids = torch.randint(0, VOCAB, (12, 4))
with torch.no_grad():
    untrained_logits = untrained(ids)[0]
untrained_loss = nn.functional.cross_entropy(untrained_logits[:-1].reshape(-1, VOCAB), ids[1:].reshape(-1))
print(f"untrained loss {untrained_loss:.3f}; ln {VOCAB} = {math.log(VOCAB):.3f}; its logits spread with standard "
      f"deviation {untrained_logits.std():.4f}: nearly a uniform guess")

# %% [markdown]
# ## A language model, by hand
#
# The encoder's last output through the tied decoder: one logit per word of the vocabulary, at every
# position. One step of training then moves the one shared matrix, seen from both ends.
#
# **Predict, then run.** This model is untrained, its weights random. A model that knows nothing and
# says so, giving every word the same probability, has a cross-entropy of exactly `ln V` (here
# `ln 100 = 4.605`) whatever the next word is. The random model: averaged over every word that could
# come next, is its loss below, at or above `ln V`? Write it down, then run the cell.

# %%
decoder = tied_decoder(embedding)
logits = decoder(encoder_forward(embedding, rnns, x)[-1])
loss = nn.functional.cross_entropy(logits[:-1].reshape(-1, VOCAB), x[1:].reshape(-1))
print(f"logits {tuple(logits.shape)}; loss {loss.item():.3f} (a uniform guess: ln {VOCAB} = {torch.log(torch.tensor(float(VOCAB))):.3f})")
before = embedding.weight.detach().clone()
loss.backward()
with torch.no_grad():
    embedding.weight -= 1.0 * embedding.weight.grad
print("one step moved the embedding:", not torch.equal(before, embedding.weight))
print("and the decoder sees the same matrix:", decoder.weight is embedding.weight)
with torch.no_grad():
    every_word = (logits.logsumexp(-1) - logits.mean(-1)).mean()  # the loss averaged over all V possible targets
print(f"the random model's loss averaged over every possible next word: {every_word:.3f}; its logits spread with "
      f"standard deviation {logits.std():.2f}, where the uniform guess has all of them equal")

# %% [markdown]
# Above `ln V`, always. Averaged over the `V` words that could come next, the loss at a position is
# `logsumexp(z) - mean(z)` for its logits `z`, which is at least `ln V` and equals it only when every
# logit is the same (Jensen's inequality): random weights give unequal logits, guesses more confident
# than the model has any reason to be, and a confident mistake costs more than a confident hit earns.
# The loss of the one batch above is a sample of 44 targets, so it may land a little on either side.
# Training first has to bring the loss down to `ln V`, then below.

# %% [markdown]
# ## Exercise 4: write the test of `LinearDecoder`
#
# The reference's decoder is `LinearDecoder(n_out, n_hid, output_p=0.0, tie_encoder=None, bias=False)`, with this
# contract:
# - its `.decoder` is an `nn.Linear` from `n_hid` features to `n_out` logits; given `tie_encoder` (an `nn.Embedding` of
#   shape `[n_out, n_hid]`) its weight is that embedding's Parameter, and an embedding of another shape raises
#   `ValueError`; a bias, when asked for, starts at zeros;
# - `forward((raw_outputs, outputs))`, the encoder's two lists, applies output dropout (a `LockedDropout(output_p)`,
#   active in training mode only) to the last of `outputs`, and returns `(logits, raw_outputs, outputs)` where the last
#   of `outputs` is replaced by its dropped version, and `logits` are the decoder's output on it.
#
# Write `test_LinearDecoder(LinearDecoder)`: it is given *some* `LinearDecoder` class, and must raise (an `assert` that
# fails) when it breaks this contract, and return quietly when it keeps it. Your test is run on the reference, on a
# version written differently (both must pass) and on several hidden buggy versions; your score is the share of the
# bugs it catches. Copies that look tied are the classic one.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# What tells a tied weight from an equal copy? And what in the output tells that output dropout ran, or did not?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `is` tells one object from two equal ones. With `output_p = 0.5` in training mode some features of the dropped
# output are exactly 0; in eval mode none is. The logits should be the dropped output times the weight, transposed.
# A `try` block whose `except` clause names the error, and whose `else` clause fails, tests that a call raises.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "test_LinearDecoder", "locked": false, "schema_version": 3, "solution": true, "task": false}
def test_LinearDecoder(LinearDecoder) -> None:
    """Raise when `LinearDecoder` breaks its contract; return quietly when it keeps it."""
    ### BEGIN SOLUTION
    emb = nn.Embedding(10, 4)
    h = torch.randn(6, 3, 4)  # [seq_len, bs, n_hid]: the last layer's output
    dec = LinearDecoder(10, 4, tie_encoder=emb, bias=True)
    assert isinstance(dec.decoder, nn.Linear) and dec.decoder.weight is emb.weight, "tied: the embedding's Parameter"
    assert torch.equal(dec.decoder.bias, torch.zeros(10)), "the bias should start at zeros"
    n_params = sum(p.numel() for p in nn.ModuleList([emb, dec]).parameters())
    assert n_params == 10 * 4 + 10, "the word matrix should be counted once"
    logits, raw, outs = dec.eval()(([h], [h]))
    assert logits.shape == (6, 3, 10), "one logit per word at each position"
    assert torch.allclose(logits, h @ emb.weight.t() + dec.decoder.bias), "logits: the decoder on the output"
    dec = LinearDecoder(10, 4, output_p=0.5, tie_encoder=emb).train()
    logits, raw, outs = dec(([h], [h]))
    assert raw[-1] is h and (outs[-1] == 0).any() and not torch.equal(outs[-1], h), "output dropout in training"
    assert torch.allclose(logits, outs[-1] @ emb.weight.t()), "the logits of the dropped output"
    logits, raw, outs = dec.eval()(([h], [h]))
    assert torch.equal(outs[-1], h) and raw[-1] is h, "nothing dropped in eval mode"
    untied = LinearDecoder(10, 4)
    assert untied.decoder.weight.shape == (10, 4) and untied.decoder.bias is None, "nn.Linear(n_hid, n_out)"
    try:
        LinearDecoder(10, 5, tie_encoder=emb)
    except ValueError:
        pass
    else:
        raise AssertionError("tying an embedding of another shape should raise ValueError")
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_LinearDecoder-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("test_LinearDecoder", test_LinearDecoder)

# %% [markdown]
# ## What tying saves
#
# The reference builds the whole model from an `LMConfig`: here the paper's sizes on a 60,000-word
# vocabulary (only built, not trained), with and without tying. Parameters are counted once each, as the
# optimizer sees them.

# %%
def n_params(model: nn.Module) -> int:
    """Parameters of `model`, a shared one counted once."""
    return sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())


paper = LMConfig()
for tie in (True, False):
    lm = get_language_model(60000, LMConfig(tie_weights=tie))
    print(f"paper sizes {paper.emb_sz}/{paper.n_hid}/{paper.n_layers}, 60,000 words, tie_weights={tie}: {n_params(lm):,} parameters")
    del lm

# %% [markdown]
# The reference `RNNEncoder` differs from your `encoder_forward` in three ways: the dropouts of lesson 6
# sit between the pieces (`encoder_dp`, `input_dp`, `WeightDrop`, `hidden_dps`), it returns the outputs
# both before and after dropout (`raw_outputs`, `outputs`), and it is **stateful**: it keeps the last
# hidden state of each layer and starts the next batch from it (lesson 5), until `reset()`.

# %%
model = get_language_model(VOCAB, LMConfig(emb_sz=EMB_SZ, n_hid=N_HID, n_layers=N_LAYERS))
model.eval()
logits, raw_outputs, outputs = model(x)
print(model[0].rnns)
print(f"logits {tuple(logits.shape)}, raw_outputs {[tuple(o.shape) for o in raw_outputs]}")
print("tied:", model[1].decoder.weight is model[0].encoder.weight)
state_after_one = model[0].hidden[0][0].clone()
model(x)
print("the second batch started from the first one's state:", not torch.equal(model[0].hidden[0][0], state_after_one))
model.reset()
print("after reset():", model[0].hidden)

# %% [markdown]
# ## What you built
#
# - `encoder_forward`: embedding, then each LSTM on the previous one's output; every layer's output
#   kept for the regularizers.
# - `tied_decoder`: a decoder whose weight is the embedding's Parameter, so the model has one word
#   matrix, trained from both ends (and 24 million fewer parameters at the paper's size); and a test of the reference's
#   `LinearDecoder` that tells a tied weight from a copy.
# - An untrained language model's loss is about `ln V`: the number training has to bring down.
#
# Next, in lesson 8: a language model pretrained on Wikipedia, loaded into this model for the IMDb
# vocabulary.
