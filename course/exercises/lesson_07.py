"""Lesson 7, the encoder and weight tying: `encoder_forward`, `tied_decoder`."""

import functools

from .. import wire
from ..exercise import TOL_FLOAT32, Exercise, attempt
from .tensors import seed_torch

LESSON = "07_encoder"
GIVEN = ()
PRELOAD = ("torch",)


def _lstms(emb_sz: int, n_hid: int, n_layers: int):
    """A ModuleList of one-layer LSTMs emb_sz -> n_hid ... -> emb_sz, as the lesson builds it."""
    from torch import nn

    sizes = [emb_sz] + [n_hid] * (n_layers - 1) + [emb_sz]
    return nn.ModuleList(nn.LSTM(a, b) for a, b in zip(sizes, sizes[1:]))


def _observe_encoder(fn, inp, workdir):
    """`fn(embedding, rnns, x)` on seeded weights and ids, without gradients: each layer's output."""
    import torch
    from torch import nn

    vocab, emb_sz, n_hid, n_layers, shape, seed = inp
    seed_torch(seed)
    embedding = nn.Embedding(vocab, emb_sz, padding_idx=1)
    rnns = _lstms(emb_sz, n_hid, n_layers)
    x = torch.randint(0, vocab, tuple(shape), generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return fn(embedding, rnns, x)


def _reference_encoder(RNNEncoder, embedding, rnns, x):
    """The raw outputs of a reference RNNEncoder holding the weights of `embedding` and `rnns`, from a zero state."""
    import torch

    n_hid = rnns[0].hidden_size if len(rnns) > 1 else 1
    ref = RNNEncoder(embedding.num_embeddings, embedding.embedding_dim, n_hid, len(rnns)).eval()
    with torch.no_grad():
        ref.encoder.weight.copy_(embedding.weight)
        for wd, lstm in zip(ref.rnns, rnns):
            wd.module.weight_ih_l0.copy_(lstm.weight_ih_l0)
            wd.weight_hh_l0_raw.copy_(lstm.weight_hh_l0)
            wd.module.bias_ih_l0.copy_(lstm.bias_ih_l0)
            wd.module.bias_hh_l0.copy_(lstm.bias_hh_l0)
        raw_outputs, _ = ref(x)
    return raw_outputs


def _one_tensor(inp, expected, actual) -> str | None:
    if wire.kind(actual) == "tensor":
        return f"return the list of every layer's output ({inp[3]} tensors), not the last one alone"
    return None


def _observe_decoder(fn, inp, workdir):
    """`fn(encoder, bias=bias)`: its class, sizes, whether its weight IS the embedding's Parameter, bias, output."""
    import torch
    from torch import nn

    vocab, emb_sz, bias, seed = inp
    seed_torch(seed)
    encoder = nn.Embedding(vocab, emb_sz)
    decoder = fn(encoder, bias=bias)
    seen = {"its class": wire.qualname(type(decoder))}
    if not isinstance(decoder, nn.Linear):
        return seen
    seen["(in_features, out_features)"] = (decoder.in_features, decoder.out_features)
    seen["its weight is the embedding's Parameter"] = decoder.weight is encoder.weight
    seen["the embedding's weight"] = encoder.weight
    seen["its bias"] = decoder.bias
    with torch.no_grad():
        seen["its output on a batch of ones"] = attempt(lambda: decoder(torch.ones(2, emb_sz)))
    return seen


def _not_shared(inp, expected, actual) -> str | None:
    if isinstance(actual, dict) and actual.get("its weight is the embedding's Parameter") is False:
        return (
            "the decoder's weight is not the embedding's Parameter itself, so training one would not train the "
            "other: assign it, decoder.weight = encoder.weight (a copy of the values drifts apart)"
        )
    return None


EXERCISES = (
    Exercise(
        "encoder_forward",
        "ulmfit_ref.models:RNNEncoder",
        fixed=(
            (30, 8, 16, 2, (7, 3), 0),
            (20, 6, 10, 3, (5, 2), 1),
            (12, 4, 6, 1, (9, 1), 2),
            (50, 10, 12, 4, (11, 4), 3),
            (15, 5, 7, 2, (1, 6), 4),
        ),
        inputs=lambda st: st.tuples(
            st.just(12),
            st.sampled_from((2, 4)),
            st.just(3),
            st.sampled_from((1, 2, 3)),
            st.sampled_from(((1, 1), (3, 2))),
            st.integers(0, 1000),
        ),
        observe=_observe_encoder,
        tolerance=TOL_FLOAT32,
        hints=(_one_tensor,),
        sample=4,
        examples=30,
        adapt=lambda RNNEncoder: functools.partial(_reference_encoder, RNNEncoder),
        show=lambda inp: (
            f"encoder_forward(nn.Embedding({inp[0]}, {inp[1]}, padding_idx=1), <{inp[3]} nn.LSTMs: "
            f"{inp[1]} -> {inp[2]} ... -> {inp[1]}>, <random ids of shape {tuple(inp[4])!r}>), "
            f"torch's generator seeded with {inp[5]}"
        ),
    ),
    Exercise(
        "tied_decoder",
        "ulmfit_ref.models:LinearDecoder",
        fixed=((10, 4, False, 0), (25, 8, True, 1), (3, 2, False, 2), (100, 16, True, 3), (7, 1, False, 4)),
        inputs=lambda st: st.tuples(
            st.sampled_from((2, 5)), st.sampled_from((1, 3)), st.booleans(), st.integers(0, 1000)
        ),
        observe=_observe_decoder,
        tolerance=TOL_FLOAT32,
        hints=(_not_shared,),
        sample=4,
        examples=30,
        adapt=lambda LinearDecoder: (
            lambda encoder, bias=False: (
                LinearDecoder(encoder.num_embeddings, encoder.embedding_dim, tie_encoder=encoder, bias=bias).decoder
            )
        ),
        show=lambda inp: (
            f"tied_decoder(nn.Embedding({inp[0]}, {inp[1]}), bias={inp[2]!r}), torch's generator seeded with {inp[3]}"
        ),
    ),
)
