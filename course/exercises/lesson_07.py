"""Lesson 7, the encoder and weight tying: `encoder_forward`, `tied_decoder`, a test of `LinearDecoder`, and the loss of
an untrained language model to predict.

`encoder_forward` is compared with the reference's raw outputs on the same weights, and judged by what training needs:
the gradient of the last layer's output reaches every weight, and the outputs follow the weights' dtype and device
(torch's `meta` device, which holds no data, stands for a GPU). `tied_decoder` is judged by what tying does: one
Parameter for both (stored once, counted once), a gradient from both ends, a change to one seen in the other.
"""

import functools

from .. import wire
from ..exercise import TOL_FLOAT32, Exercise, Judgement, attempt
from ..kinds import Version, prediction, test_of
from .tensors import seed_torch, warm_meta

LESSON = "07_encoder"
GIVEN = ()
PRELOAD = ("torch",)
WARM_UP = warm_meta  # the meta device's first use, paid before the learner's code runs


def _judged(problems, checked) -> Judgement:
    problem = next((p for p in problems if p), None)
    return Judgement(problem, () if problem else tuple(checked), show_values=False)


def _first(expected, actual) -> str | None:
    """What is wrong before any property can be judged: a call that raised, an observation of another shape."""
    if not isinstance(actual, dict) or set(actual) != set(expected):
        return wire.difference(expected, actual)
    return None


# --- encoder_forward ------------------------------------------------------------------------------------------------


def _lstms(emb_sz: int, n_hid: int, n_layers: int):
    """A ModuleList of one-layer LSTMs emb_sz -> n_hid ... -> emb_sz, as the lesson builds it."""
    from torch import nn

    sizes = [emb_sz] + [n_hid] * (n_layers - 1) + [emb_sz]
    return nn.ModuleList(nn.LSTM(a, b) for a, b in zip(sizes, sizes[1:]))


def _encoder_inputs(vocab: int, emb_sz: int, n_hid: int, n_layers: int, shape, seed: int):
    """The embedding, the LSTMs and the ids of an input, rebuilt from its seed."""
    import torch
    from torch import nn

    seed_torch(seed)
    embedding = nn.Embedding(vocab, emb_sz, padding_idx=1)
    rnns = _lstms(emb_sz, n_hid, n_layers)
    x = torch.randint(0, vocab, tuple(shape), generator=torch.Generator().manual_seed(seed))
    return embedding, rnns, x


def _observe_encoder(fn, inp, workdir):
    """`fn(embedding, rnns, x)` on seeded weights and ids: each layer's output, the weights that the last output's
    gradient does not reach, the ids after the call; the dtype and device of a float64 and a meta model's outputs."""
    import torch

    *sizes, devices = inp
    embedding, rnns, x = _encoder_inputs(*sizes)
    given = x.clone()
    outputs = fn(embedding, rnns, given)
    seen = {"outputs": outputs, "the ids after the call": given}

    def missing():
        last = outputs[-1]
        if not torch.is_tensor(last) or not last.requires_grad:
            return "all: the last output carries no gradient"
        last.sum().backward()
        named = [("embedding.weight", embedding.weight)]
        named += [(f"rnns[{i}].{n}", w) for i, rnn in enumerate(rnns) for n, w in rnn.named_parameters()]
        return [n for n, w in named if w.grad is None]

    seen["the weights the last output's gradient does not reach"] = attempt(missing)
    for dtype, device in ((torch.float64, "cpu"), (torch.float32, "meta"))[: 2 if devices else 0]:
        embedding, rnns, x = _encoder_inputs(*sizes)
        embedding, rnns, x = embedding.to(device, dtype), rnns.to(device, dtype), x.to(device)
        seen[f"the outputs of a {dtype} model on the {device} device"] = attempt(
            lambda: [f"{str(o.dtype).removeprefix('torch.')} on {o.device}" for o in fn(embedding, rnns, x)]  # noqa: B023
        )
    return seen


def _reference_encoder(RNNEncoder, embedding, rnns, x):
    """The raw outputs of a reference RNNEncoder made of the Parameters of `embedding` and `rnns`, from a zero state."""
    n_hid = rnns[0].hidden_size if len(rnns) > 1 else 1
    ref = RNNEncoder(embedding.num_embeddings, embedding.embedding_dim, n_hid, len(rnns)).eval()
    ref.encoder.weight = embedding.weight  # the same Parameters: the gradient reaches the given weights
    for wd, lstm in zip(ref.rnns, rnns):
        wd.weight_hh_l0_raw = lstm.weight_hh_l0
        for name in ("weight_ih_l0", "bias_ih_l0", "bias_hh_l0"):
            setattr(wd.module, name, getattr(lstm, name))
    raw_outputs, _ = ref(x)
    return raw_outputs


def _judge_encoder(inp, expected, actual) -> Judgement:
    vocab, emb_sz, n_hid, n_layers, shape, seed, devices = inp
    if isinstance(actual, dict) and wire.kind(actual.get("outputs")) == "tensor":
        return Judgement(
            f"return the list of every layer's output ({n_layers} tensors), not the last one alone", show_values=False
        )
    if problem := _first(expected, actual):
        return Judgement(problem)
    problems, checked = [], []
    problems.append(wire.difference(expected["outputs"], actual["outputs"], "the outputs", TOL_FLOAT32))
    checked.append("each layer's output")
    problems.append(
        wire.difference(expected["the ids after the call"], actual["the ids after the call"], "the ids after the call")
    )
    checked.append("x unchanged")
    missing = actual["the weights the last output's gradient does not reach"]
    if missing:
        what = missing.message if isinstance(missing, wire.Raised) else missing
        problems.append(
            f"the gradient of the last layer's output does not reach {what}; the model could not learn them: keep "
            "every step in autograd's graph (no torch.no_grad(), .detach() or .data)"
        )
    checked.append("a gradient to every weight")
    for key in [k for k in expected if k.startswith("the outputs of a ")]:
        d = wire.difference(expected[key], actual[key], key)
        problems.append(
            None if d is None else d + " (every tensor you make should follow the weights' dtype and device)"
        )
    if devices:
        checked.append("the weights' dtype and device")
    return _judged(problems, checked)


def _show_encoder(inp) -> str:
    vocab, emb_sz, n_hid, n_layers, shape, seed, devices = inp
    return (
        f"encoder_forward(nn.Embedding({vocab}, {emb_sz}, padding_idx=1), <{n_layers} nn.LSTMs: {emb_sz} -> {n_hid} "
        f"... -> {emb_sz}>, <random ids of shape {tuple(shape)!r}>), torch's generator seeded with {seed}"
        + ("; then as a float64 model, and on the meta device" if devices else "")
    )


# --- tied_decoder ---------------------------------------------------------------------------------------------------


def _observe_decoder(fn, inp, workdir):
    """`fn(encoder, bias=bias)`: its class and sizes; what tying does (storage, parameters, gradient, a change seen from
    the other side, an SGD step); its dtype and device for a float64 embedding and a meta one."""
    import torch
    from torch import nn

    vocab, emb_sz, bias, seed = inp
    seed_torch(seed)
    encoder = nn.Embedding(vocab, emb_sz)
    decoder = fn(encoder, bias=bias)
    seen = {"its class": wire.qualname(type(decoder))}
    if not isinstance(decoder, nn.Linear):
        return seen
    both = nn.ModuleList([encoder, decoder])
    seen["(in_features, out_features)"] = (decoder.in_features, decoder.out_features)
    seen["its weight in the embedding's storage"] = decoder.weight.data_ptr() == encoder.weight.data_ptr()
    seen["the numbers in the parameters of embedding and decoder"] = sum(p.numel() for p in both.parameters())
    seen["its bias"] = decoder.bias
    ids = torch.arange(vocab).view(-1, 1)  # every word once

    def gradient():
        decoder(encoder(ids)).pow(2).sum().backward()
        return encoder.weight.grad

    seen["the embedding's gradient of a loss through both"] = attempt(gradient)
    ones = torch.ones(2, emb_sz)
    with torch.no_grad():
        encoder.weight.mul_(2)
        seen["its output after the embedding was doubled in place"] = attempt(lambda: decoder(ones))

    def step():
        optimizer = torch.optim.SGD(both.parameters(), lr=0.1)
        optimizer.zero_grad()
        decoder(encoder(ids)).pow(2).sum().backward()
        optimizer.step()
        with torch.no_grad():
            return decoder(ones)

    seen["its output after an SGD step on both"] = attempt(step)
    for dtype, device in ((torch.float64, "cpu"), (torch.float32, "meta")):
        other = nn.Embedding(vocab, emb_sz, dtype=dtype, device=device)
        seen[f"its tensors for a {dtype} embedding on the {device} device"] = attempt(
            lambda: sorted(
                {f"{str(p.dtype).removeprefix('torch.')} on {p.device}" for p in fn(other, bias=bias).parameters()}  # noqa: B023
            )
        )
    return seen


def _judge_decoder(inp, expected, actual) -> Judgement:
    vocab, emb_sz, bias, seed = inp
    if isinstance(actual, dict) and actual.get("its class") != "torch.nn.modules.linear.Linear":
        return Judgement(f"tied_decoder should return an nn.Linear; yours is a {actual.get('its class')}")
    if problem := _first(expected, actual):
        return Judgement(problem)
    problems, checked = [], []
    d = wire.difference(expected["(in_features, out_features)"], actual["(in_features, out_features)"], "its sizes")
    problems.append(None if d is None else d + " (from emb_sz features to one logit per word)")
    checked.append("emb_sz -> vocab")
    problems.append(wire.difference(expected["its bias"], actual["its bias"], "its bias", TOL_FLOAT32))
    checked.append("a bias of zeros only when asked")
    if not actual["its weight in the embedding's storage"]:
        problems.append("its weight is not stored where the embedding's is: it is a copy, which trains apart")
    checked.append("one storage")
    n = actual["the numbers in the parameters of embedding and decoder"]
    if n != expected["the numbers in the parameters of embedding and decoder"]:
        problems.append(
            f"the embedding and the decoder hold {n:,} numbers in their parameters, {vocab * emb_sz:,} of them the "
            "word matrix: tied, the matrix is one Parameter, counted once (two Parameters, even on one storage, are "
            "two weights to the optimizer)"
        )
    checked.append("the matrix counted once")
    for key, why in (
        ("the embedding's gradient of a loss through both", "the word matrix should get the gradient of both ends"),
        ("its output after the embedding was doubled in place", "a change to the embedding should be the decoder's"),
        ("its output after an SGD step on both", "a training step should move the one matrix, seen from both ends"),
    ):
        d = wire.difference(expected[key], actual[key], key, TOL_FLOAT32)
        problems.append(None if d is None else f"{d}: {why}")
    checked += ["a gradient from both ends", "a change to one seen in the other", "one step moves both"]
    for key in [k for k in expected if k.startswith("its tensors for a ")]:
        want = [f"{'float64' if 'float64' in key else 'float32'} on {'meta' if 'meta' in key else 'cpu'}"]
        d = wire.difference(want, actual[key], key)
        problems.append(None if d is None else d + " (a bias too should be in the embedding's dtype, on its device)")
    checked.append("the embedding's dtype and device")
    return _judged(problems, checked)


def _not_shared(inp, expected, actual) -> str | None:
    if isinstance(actual, dict) and actual.get("its weight in the embedding's storage") is False:
        return (
            "the decoder's weight is not the embedding's Parameter itself, so training one would not train the "
            "other: assign it, decoder.weight = encoder.weight (a copy of the values drifts apart)"
        )
    n = actual.get("the numbers in the parameters of embedding and decoder") if isinstance(actual, dict) else None
    if n is not None and n != expected.get("the numbers in the parameters of embedding and decoder"):
        return "weight.data = ... shares the numbers but leaves two Parameters; tie the Parameter itself"
    return None


# --- test_LinearDecoder ---------------------------------------------------------------------------------------------

_LINEAR_DECODER_BUGS = (
    Version(
        "a LinearDecoder whose tied weight is a copy of the embedding's",
        (
            (
                "self.decoder.weight = tie_encoder.weight",
                "self.decoder.weight = nn.Parameter(tie_encoder.weight.detach().clone())",
            ),
        ),
    ),
    Version(
        "a LinearDecoder that ties through .data (two Parameters on one storage)",
        (("self.decoder.weight = tie_encoder.weight", "self.decoder.weight.data = tie_encoder.weight.data"),),
    ),
    Version("a LinearDecoder whose bias keeps its random start", (("nn.init.zeros_(self.decoder.bias)", "pass"),)),
    Version(
        "a LinearDecoder with no output dropout", (("dropped = self.output_dp(outputs[-1])", "dropped = outputs[-1]"),)
    ),
    Version(
        "a LinearDecoder whose output dropout runs in eval mode too",
        (("dropped = self.output_dp(outputs[-1])", "dropped = self.output_dp.train()(outputs[-1])"),),
    ),
    Version(
        "a LinearDecoder that returns the outputs without their dropped last layer",
        (("outputs[:-1] + [dropped]", "outputs"),),
    ),
    Version(
        "a LinearDecoder that ties an embedding of the wrong shape without a word",
        (("if tie_encoder.weight.shape != self.decoder.weight.shape:", "if False:"),),
    ),
    Version(
        "a LinearDecoder whose layer maps vocabulary to features (sizes swapped)",
        (("nn.Linear(n_hid, n_out, bias=bias)", "nn.Linear(n_out, n_hid, bias=bias)"),),
    ),
    Version(
        "a LinearDecoder tied with register_parameter, its bias zeroed by hand",
        (
            (
                "self.decoder.weight = tie_encoder.weight",
                'self.decoder.register_parameter("weight", tie_encoder.weight)',
            ),
            ("nn.init.zeros_(self.decoder.bias)", "self.decoder.bias.data.zero_()"),
        ),
        right=True,
    ),
)


# --- predicted_loss -------------------------------------------------------------------------------------------------


def _untrained_loss() -> float:
    """The cross-entropy of the reference's untrained language model (100 words, 16/32/3) on seeded random ids."""
    import importlib

    import torch

    models, config = importlib.import_module("ulmfit_ref.models"), importlib.import_module("ulmfit_ref.config")
    before = torch.get_rng_state()
    try:
        seed_torch(0)
        model = models.get_language_model(100, config.LMConfig(emb_sz=16, n_hid=32, n_layers=3)).eval()
        x = torch.randint(0, 100, (12, 4), generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            logits = model(x)[0]
    finally:
        torch.set_rng_state(before)
    return float(torch.nn.functional.cross_entropy(logits[:-1].reshape(-1, 100), x[1:].reshape(-1)))


def _log_base(inp, expected, actual) -> str | None:
    if isinstance(actual, (int, float)) and (abs(actual - 6.644) < 0.05 or abs(actual - 2.0) < 0.01):
        return "cross-entropy, as torch computes it, uses the natural logarithm"
    return None


EXERCISES = (
    Exercise(
        "encoder_forward",
        "ulmfit_ref.models:RNNEncoder",
        fixed=(
            (30, 8, 16, 2, (7, 3), 0, True),
            (20, 6, 10, 3, (5, 2), 1, False),
            (12, 4, 6, 1, (9, 1), 2, True),
            (50, 10, 12, 4, (11, 4), 3, False),
            (15, 5, 7, 2, (1, 6), 4, False),
            (9, 3, 5, 2, (1, 1), 5, False),
        ),
        inputs=lambda st: st.tuples(
            st.just(12),
            st.sampled_from((2, 4)),
            st.just(3),
            st.sampled_from((1, 2, 3)),
            st.sampled_from(((1, 1), (3, 2))),
            st.integers(0, 1000),
            st.just(False),
        ),
        observe=_observe_encoder,
        judge=_judge_encoder,
        sample=4,
        examples=30,
        adapt=lambda RNNEncoder: functools.partial(_reference_encoder, RNNEncoder),
        show=_show_encoder,
    ),
    Exercise(
        "tied_decoder",
        "ulmfit_ref.models:LinearDecoder",
        fixed=(
            (10, 4, False, 0),
            (25, 8, True, 1),
            (3, 2, False, 2),
            (100, 16, True, 3),
            (7, 1, False, 4),
            (1, 3, True, 5),
        ),
        inputs=lambda st: st.tuples(
            st.sampled_from((2, 5)), st.sampled_from((1, 3)), st.booleans(), st.integers(0, 1000)
        ),
        observe=_observe_decoder,
        judge=_judge_decoder,
        hints=(_not_shared,),
        sample=4,
        examples=30,
        adapt=lambda LinearDecoder: (
            lambda encoder, bias=False: (
                LinearDecoder(encoder.num_embeddings, encoder.embedding_dim, tie_encoder=encoder, bias=bias).decoder
            )
        ),
        show=lambda inp: (
            f"tied_decoder(nn.Embedding({inp[0]}, {inp[1]}), bias={inp[2]!r}), torch's generator seeded with {inp[3]}; "
            "then on a float64 embedding and a meta one"
        ),
    ),
    test_of("test_LinearDecoder", "ulmfit_ref.models:LinearDecoder", _LINEAR_DECODER_BUGS),
    prediction("predicted_loss", _untrained_loss, rtol=0.02, hints=(_log_base,)),
)
