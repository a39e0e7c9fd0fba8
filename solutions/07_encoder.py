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
# 2. tie a decoder to an embedding so that they share one Parameter, and prove it;
# 3. count what tying saves, and read the shapes of the language model's outputs.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()`, then
# run the check cell below it.

# %%
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
# Write `encoder_forward(embedding, rnns, x)`: `embedding` an `nn.Embedding`, `rnns` a list (or
# `nn.ModuleList`) of one-layer `nn.LSTM`s, `x` a LongTensor of ids `[seq_len, bs]` (sequence first, as
# everywhere in this course). Look the ids up in the embedding, then run each LSTM on the previous one's
# output, each starting from a zero state (an `nn.LSTM` does when given no state). Return the list of the
# outputs of every layer, `[seq_len, bs, hidden_size]` each, first layer first. No dropout here.
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
# logits, with a bias only when `bias=True` (starting at zeros), such that any change to the
# embedding's weight, by an optimizer step or in place, is the decoder's too, and the other way round;
# and the model's parameters then hold that matrix once. Think first: what must be true of the two
# weights for that, and what do shapes say about `nn.Linear`'s `[out_features, in_features]`?
#
# <details><summary><b>Stuck?</b> (open after you tried)</summary>
#
# The two must be one Parameter object: `decoder.weight = encoder.weight`, which works as it is because
# `nn.Linear` stores `[out_features, in_features]` = `[vocab, emb_sz]`, the embedding's shape.
# `decoder.weight = nn.Parameter(encoder.weight.clone())` or `decoder.weight.data.copy_(encoder.weight.data)`
# copy the values once, and the two drift apart as soon as one trains.
#
# </details>
#
# Reference: [`ulmfit_ref.models.LinearDecoder`](../docs/API.md#LinearDecoder) (its `__init__`).

# %% nbgrader={"grade": false, "grade_id": "tied_decoder", "locked": false, "schema_version": 3, "solution": true, "task": false}
def tied_decoder(encoder: nn.Embedding, bias: bool = False) -> nn.Linear:
    """An nn.Linear(emb_sz, vocab) whose weight IS the embedding's Parameter."""
    ### BEGIN SOLUTION
    vocab, emb_sz = encoder.weight.shape
    decoder = nn.Linear(emb_sz, vocab, bias=bias)
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
#   matrix, trained from both ends (and 24 million fewer parameters at the paper's size).
#
# Next, in lesson 8: a language model pretrained on Wikipedia, loaded into this model for the IMDb
# vocabulary.
