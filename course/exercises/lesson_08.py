"""Lesson 8, transfer: `rename_key`, `convert_weights`."""

from .. import wire
from ..exercise import TOL_FLOAT32, Exercise, composite
from .lesson_02 import one, pieces

LESSON = "08_transfer"
GIVEN = ("ulmfit_ref.transfer:VOCAB_KEYS",)
PRELOAD = ("torch",)

_KEY_PIECES = (
    "0.",
    "1.",
    "x",
    "encoder_with_dropout.",
    "encoder_dp.",
    "emb.",
    "embed.",
    "encoder.",
    "rnns.",
    "0.",
    "2.",
    "11.",
    "module.",
    "weight_hh_l0_raw",
    "weight_hh_l0",
    "weight_ih_l0",
    "weight",
    "decoder.",
    "bias",
    "_raw",
)
_KEYS = (
    "0.encoder_with_dropout.embed.weight",
    "0.encoder_dp.emb.weight",
    "0.rnns.0.module.weight_hh_l0_raw",
    "0.rnns.2.module.weight_hh_l0_raw",
    "0.rnns.1.module.weight_ih_l0",
    "0.encoder.weight",
    "1.decoder.weight",
    "1.decoder.bias",
    "0.rnns.0.weight_hh_l0_raw",
    "0.rnns.11.module.weight_hh_l0_raw",
    "0.rnns.1.module.bias_hh_l0",
    "0.encoder_dp.embed.weight",
    "x0.encoder_with_dropout.embed.weight",
    "0.rnns.0.module.weight_hh_l0",
    "0.rnns.3.module.weight_hh_l0_raw.x",
    "1.encoder_dp.emb.weight",
)
_WORDS = ("_unk_", "_pad_", "the", "film", "good", "bad", "great", "zebra")
_OLD_ITOS = ["_unk_", "_pad_", "the", "film", "good", "bad"]
_ALL_KEYS = ("0.encoder.weight", "0.encoder_dp.embed.weight", "1.decoder.weight", "1.decoder.bias")


def _convert_inputs(draw, st):
    keys = draw(st.sampled_from((("0.encoder.weight",), _ALL_KEYS)))
    old = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6))
    new = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6))
    return keys, old, new, draw(st.integers(1, 3)), draw(st.integers(0, 1000))


def _lm_weights(keys, n_words: int, emb_sz: int, seed: int) -> dict:
    """Seeded weights of a language model of `n_words` words: the vocabulary keys asked and one LSTM weight."""
    import torch

    g = torch.Generator().manual_seed(seed)
    emb = torch.randn(n_words, emb_sz, generator=g)
    out = {
        "0.encoder.weight": emb,
        "0.encoder_dp.embed.weight": emb.clone(),
        "1.decoder.weight": emb.clone() * 2,
        "1.decoder.bias": torch.randn(n_words, generator=g),
        "0.rnns.0.weight_hh_l0_raw": torch.randn(4 * emb_sz, emb_sz, generator=g),
    }
    return {k: v for k, v in out.items() if k in keys or k.startswith("0.rnns")}


def _observe_convert(fn, inp, workdir):
    """`fn(weights, old_itos, new_itos)`: what it returns, and the weights given, after the call."""
    keys, old_itos, new_itos, emb_sz, seed = inp
    given = _lm_weights(keys, len(old_itos), emb_sz, seed)
    out = fn(given, list(old_itos), list(new_itos))
    return {"what it returns": out, "the weights given, after the call": given}


def _changed_input(inp, expected, actual) -> str | None:
    key = "the weights given, after the call"
    if wire.difference(expected[key], actual[key], tol=TOL_FLOAT32):
        return "convert_weights changed the weights it was given: build a new dict (and new tensors) and return it"
    return None


def _unseen_rows(inp, expected, actual) -> str | None:
    keys, old_itos, new_itos = inp[:3]
    out, want = actual["what it returns"], expected["what it returns"]
    for key in ("0.encoder.weight",):
        for row, word in enumerate(new_itos):
            if word not in old_itos and wire.difference(want[key][row], out[key][row], tol=TOL_FLOAT32):
                return (
                    f"row {row} ({word!r}) is not in the pretrained vocabulary: it gets the mean of all the pretrained "
                    "rows, w.mean(0)"
                )
            if (
                word in old_itos
                and old_itos.count(word) > 1
                and wire.difference(want[key][row], out[key][row], tol=TOL_FLOAT32)
            ):
                return f"{word!r} appears twice in old_itos: its first row is the one taken"
    return None


def _show_convert(inp) -> str:
    keys, old_itos, new_itos, emb_sz, seed = inp
    return (
        f"convert_weights(<seeded weights ({seed}) of {len(old_itos)} rows and {emb_sz} features, keys {list(keys)} "
        f"and '0.rnns.0.weight_hh_l0_raw'>, {old_itos!r}, {new_itos!r})"
    )


EXERCISES = (
    Exercise(
        "rename_key",
        "ulmfit_ref.transfer:rename_key",
        fixed=tuple(one(k) for k in _KEYS),
        inputs=lambda st: pieces(st, _KEY_PIECES, max_size=6).map(one),
        sample=20,
    ),
    Exercise(
        "convert_weights",
        "ulmfit_ref.transfer:convert_weights",
        fixed=(
            (_ALL_KEYS, _OLD_ITOS, ["_unk_", "_pad_", "film", "the", "great", "bad"], 3, 0),
            (_ALL_KEYS, _OLD_ITOS, ["_unk_", "_pad_", "zebra"], 2, 1),
            (("0.encoder.weight",), _OLD_ITOS + ["film"], ["film", "good"], 4, 2),
            (_ALL_KEYS, _OLD_ITOS, _OLD_ITOS, 3, 3),
            (_ALL_KEYS, ["film", "the", "film", "good"], ["film", "zebra", "the"], 3, 4),
        ),
        inputs=composite(_convert_inputs),
        observe=_observe_convert,
        tolerance=TOL_FLOAT32,
        hints=(_changed_input, _unseen_rows),
        show=_show_convert,
        sample=6,
        examples=50,
    ),
)
