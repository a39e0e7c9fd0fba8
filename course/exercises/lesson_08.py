"""Lesson 8, transfer: `rename_key`, find and fix `new_rows`, `convert_weights`, and a prediction.

`new_rows` and `convert_weights` are judged by what the goal says of every row, not compared with the reference: the
judges rebuild the seeded weights the learner's code was given and test that each found word keeps its (first)
pretrained row, each unseen word gets the mean row, the shapes and dtypes, the keys kept, the device kept (on `meta`
weights) and the weights given left as they were.
"""

import importlib

from .. import wire
from ..exercise import TOL_FLOAT32, Exercise, Judgement, attempt, composite, unchanged
from ..kinds import prediction
from .lesson_02 import one, pieces
from .tensors import warm_meta

LESSON = "08_transfer"
GIVEN = ("ulmfit_ref.transfer:VOCAB_KEYS",)
PRELOAD = ("torch",)
WARM_UP = warm_meta  # the meta device's first use, paid before the learner's code runs

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
    "0.rnns.x.module.weight_hh_l0_raw",
    "0.rnns..module.weight_hh_l0_raw",
    "0.encoder_with_dropout.embed.",
    "0.encoder_dp.emb.emb.weight",
    "",
    "0.encoder_with_dropout.embed.weight\r",
    "0.rnns.\u00851.module.weight_hh_l0_raw",
    "0.rnns.1\u2028.module.weight_hh_l0_raw",
    "0.rnns.0.module.weight_hh_l0_raw_raw",
    "0-encoder_dp-emb-weight",
)
# tokens of a vocabulary, line breaks and odd characters included (spaCy keeps "\n" as a token)
_WORDS = ("_unk_", "_pad_", "the", "film", "good", "bad", "great", "zebra", "\n", "\r", "\x85", "The", "")
_OLD_ITOS = ["_unk_", "_pad_", "the", "film", "good", "bad"]
_ALL_KEYS = ("0.encoder.weight", "0.encoder_dp.embed.weight", "1.decoder.weight", "1.decoder.bias")
_LSTM_KEY = "0.rnns.0.weight_hh_l0_raw"


def _vocab_keys() -> tuple:
    return importlib.import_module("ulmfit_ref.transfer").VOCAB_KEYS


# --- the weights given, rebuilt alike on both sides from plain data ---------------------------------------------------


def _weight(n_words: int, emb_sz: int, seed: int, dtype: str = "float32"):
    """Seeded rows of `n_words` words: [n_words, emb_sz], or [n_words] when emb_sz is 0 (a bias)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    shape = (n_words, emb_sz) if emb_sz else (n_words,)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * 2 + 1).to(getattr(torch, dtype))


def _lm_weights(keys, n_words: int, emb_sz: int, seed: int, dtype: str = "float32") -> dict:
    """Seeded weights of a language model of `n_words` words: the vocabulary keys asked and one LSTM weight."""
    out = {
        "0.encoder.weight": _weight(n_words, emb_sz, seed, dtype),
        "0.encoder_dp.embed.weight": _weight(n_words, emb_sz, seed, dtype),
        "1.decoder.weight": _weight(n_words, emb_sz, seed + 1, dtype),
        "1.decoder.bias": _weight(n_words, 0, seed + 2, dtype),
        _LSTM_KEY: _weight(4 * emb_sz, emb_sz, seed + 3, dtype),
    }
    return {k: v for k, v in out.items() if k in keys or k == _LSTM_KEY}


def _on_meta(value):
    """[device, shape] of a tensor, or of each tensor of a dict: what a call on `meta` weights can be judged by."""
    if type(value) is dict:
        return {k: _on_meta(v) for k, v in value.items()}
    return [str(value.device), list(value.shape)] if hasattr(value, "device") else wire.kind(value)


# --- judging rows moved onto a new vocabulary -------------------------------------------------------------------------


def rows_problem(w, old_itos, new_itos, out, what: str) -> str | None:
    """None when `out` holds, for each word of `new_itos`, its first row of `w` or the mean row of `w`; else why not."""
    import torch

    if isinstance(out, wire.Raised):
        return f"{what}: the call raised {out.type}: {out.message}{out.where}"
    if wire.kind(out) != "tensor":
        return f"{what} should be a tensor; yours is {'None (a missing `return`?)' if out is None else wire.kind(out)}"
    shape = (len(new_itos), *w.shape[1:])
    if tuple(out.shape) != shape:
        return f"{what} should have shape {list(shape)} (one row per word of new_itos); yours has {list(out.shape)}"
    if out.dtype != w.dtype:
        return f"{what} should keep the weights' dtype, {w.dtype}; yours is {out.dtype}"
    mean = w.double().mean(0).to(w.dtype)
    rtol, atol = TOL_FLOAT32
    for i, word in enumerate(new_itos):
        if word in old_itos:
            first = old_itos.index(word)
            if not torch.equal(out[i], w[first]):
                again = [j for j, x in enumerate(old_itos) if x == word and torch.equal(out[i], w[j])]
                why = (
                    f"row {again[0]} of the weights, a later one: a word repeated in old_itos keeps its first row"
                    if again
                    else "not that row"
                )
                return (
                    f"{what}: row {i} ({word!r}) should be row {first} of the weights, the word's row; yours is {why}"
                )
        elif not torch.allclose(out[i], mean, rtol=rtol, atol=atol):
            zeros = " (zeros: an unseen word should get the mean row)" if not bool(out[i].any()) else ""
            return (
                f"{what}: row {i} ({word!r}) is a word not in old_itos: it should be the mean of all the rows of the "
                f"weights given; yours is not{zeros}"
            )
    return None


def _inputs_words(draw, st, max_size: int = 6):
    old = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=max_size))
    new = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=max_size))
    return old, new


# --- new_rows -----------------------------------------------------------------------------------------------------


def _new_rows_inputs(draw, st):
    old, new = _inputs_words(draw, st)
    return old, new, draw(st.sampled_from((0, 1, 3))), draw(st.integers(0, 1000)), "float32"


def _observe_new_rows(fn, inp, workdir):
    """`fn(w, old_itos, new_itos)` on seeded rows (w left as it was), and the device and shape of a call on meta."""
    old_itos, new_itos, emb_sz, seed, dtype = inp
    w = _weight(len(old_itos), emb_sz, seed, dtype)
    return {
        "the new rows": unchanged(fn, w, list(old_itos), list(new_itos)),
        "a call on rows on the meta device": attempt(
            lambda: _on_meta(fn(w.to("meta"), list(old_itos), list(new_itos)))
        ),
    }


def _raised(actual) -> str | None:
    """What went wrong when the observation itself is an exception (a call that raised, an argument changed)."""
    if isinstance(actual, wire.Raised):
        return f"the call raised {actual.type}: {actual.message}{actual.where}"
    return None if isinstance(actual, dict) else f"the observation is {wire.show(actual, 80)}"


def _meta_problem(seen, shape, what: str) -> str | None:
    if isinstance(seen, wire.Raised):
        return f"{what} on the meta device (tensors with no values) raised {seen.type}: {seen.message}{seen.where}"
    if seen != ["meta", list(shape)]:
        return f"{what}, given tensors on the meta device, should be on that device; yours is {wire.show(seen, 80)}"
    return None


def _judge_new_rows(inp, expected, actual) -> Judgement:
    old_itos, new_itos, emb_sz, seed, dtype = inp
    if problem := _raised(actual):
        return Judgement(problem, show_values=False)
    w = _weight(len(old_itos), emb_sz, seed, dtype)
    problem = rows_problem(w, old_itos, new_itos, actual["the new rows"], "the new rows")
    problem = problem or _meta_problem(
        actual["a call on rows on the meta device"], (len(new_itos), *w.shape[1:]), "the new rows"
    )
    checked = ("found words keep their first row", "unseen words get the mean row", "shape, dtype and device kept")
    return Judgement(problem, () if problem else checked + ("the rows given unchanged",), show_values=False)


def _show_new_rows(inp) -> str:
    old_itos, new_itos, emb_sz, seed, dtype = inp
    shape = f"[{len(old_itos)}, {emb_sz}]" if emb_sz else f"[{len(old_itos)}]"
    return f"new_rows(<seeded rows ({seed}) of shape {shape}, {dtype}>, {old_itos!r}, {new_itos!r})"


# --- convert_weights ------------------------------------------------------------------------------------------------


def _convert_inputs(draw, st):
    keys = draw(st.sampled_from((("0.encoder.weight",), _ALL_KEYS, ("1.decoder.weight", "1.decoder.bias"))))
    old, new = _inputs_words(draw, st)
    return keys, old, new, draw(st.integers(1, 3)), draw(st.integers(0, 1000)), "float32"


def _observe_convert(fn, inp, workdir):
    """`fn(weights, old_itos, new_itos)` (the weights left as they were), and what a call on meta weights gives."""
    keys, old_itos, new_itos, emb_sz, seed, dtype = inp
    given = _lm_weights(keys, len(old_itos), emb_sz, seed, dtype)
    meta = {k: v.to("meta") for k, v in given.items()}
    return {
        "what it returns": unchanged(fn, given, list(old_itos), list(new_itos)),
        "a call on weights on the meta device": attempt(
            lambda: _on_meta(fn(meta, list(old_itos), list(new_itos)))
        ),
    }


def _judge_convert(inp, expected, actual) -> Judgement:
    import torch

    keys, old_itos, new_itos, emb_sz, seed, dtype = inp
    if problem := _raised(actual):
        return Judgement(problem, show_values=False)
    given = _lm_weights(keys, len(old_itos), emb_sz, seed, dtype)
    out, meta = actual["what it returns"], actual["a call on weights on the meta device"]
    checked = ("the same keys", "each vocabulary key moved to new_itos", "the other keys kept", "the weights unchanged")
    if type(out) is not dict:
        return Judgement(f"convert_weights should return a dict; yours returns {wire.show(out, 80)}", show_values=False)
    if set(out) != set(given):
        missing, extra = sorted(set(given) - set(out)), sorted(set(out) - set(given))
        return Judgement(
            "the dict returned should have the keys of the weights given"
            + (f"; it lacks {missing}" if missing else "")
            + (f"; it has {extra} too" if extra else ""),
            show_values=False,
        )
    for key, w in given.items():
        if key in _vocab_keys():
            problem = rows_problem(w, old_itos, new_itos, out[key], f"the result's {key!r}")
            if not problem and isinstance(meta, dict) and key in meta:
                problem = _meta_problem(meta[key], (len(new_itos), *w.shape[1:]), f"the result's {key!r}")
        elif wire.kind(out[key]) != "tensor" or out[key].shape != w.shape or not torch.equal(out[key], w):
            problem = f"the result's {key!r} has no vocabulary rows: it should be the tensor given, as it was"
        else:
            problem = None
        if problem:
            return Judgement(problem, show_values=False)
    if isinstance(meta, wire.Raised):
        return Judgement(_meta_problem(meta, (), "convert_weights"), show_values=False)
    return Judgement(None, checked)


def _show_convert(inp) -> str:
    keys, old_itos, new_itos, emb_sz, seed, dtype = inp
    return (
        f"convert_weights(<seeded weights ({seed}) of {len(old_itos)} rows and {emb_sz} features, {dtype}, keys "
        f"{list(keys)} and {_LSTM_KEY!r}>, {old_itos!r}, {new_itos!r})"
    )


def _random_mean_row_norm() -> float:
    """The norm of the mean row of a seeded 60,000 x 400 standard normal embedding."""
    import torch

    return float(torch.randn(60_000, 400, generator=torch.Generator().manual_seed(0)).mean(0).norm())


_NEW_ROWS_FIXED = (
    (["_unk_", "the", "film"], ["film", "zebra"], 2, 0, "float32"),
    (_OLD_ITOS, ["_unk_", "_pad_", "film", "the", "great", "bad"], 3, 1, "float32"),
    (_OLD_ITOS, ["zebra"], 0, 2, "float32"),
    (["film", "the", "film", "good"], ["film", "zebra", "the", "film"], 3, 3, "float32"),
    (["the"], ["the"], 1, 4, "float64"),
    (["\n", "\r", "the"], ["\x85", "\r", "\n", "The"], 2, 5, "float64"),
    (_OLD_ITOS, _OLD_ITOS, 4, 6, "float32"),
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
        "new_rows",
        None,
        fixed=_NEW_ROWS_FIXED,
        inputs=composite(_new_rows_inputs),
        observe=_observe_new_rows,
        judge=_judge_new_rows,
        show=_show_new_rows,
        sample=6,
        examples=50,
        kind="fix",
    ),
    Exercise(
        "convert_weights",
        "ulmfit_ref.transfer:convert_weights",
        fixed=(
            (_ALL_KEYS, _OLD_ITOS, ["_unk_", "_pad_", "film", "the", "great", "bad"], 3, 0, "float32"),
            (_ALL_KEYS, _OLD_ITOS, ["_unk_", "_pad_", "zebra"], 2, 1, "float32"),
            (("0.encoder.weight",), _OLD_ITOS + ["film"], ["film", "good"], 4, 2, "float32"),
            (("1.decoder.weight", "1.decoder.bias"), _OLD_ITOS, _OLD_ITOS, 3, 3, "float64"),
            (_ALL_KEYS, ["film", "the", "film", "good"], ["film", "zebra", "the"], 3, 4, "float32"),
            ((), _OLD_ITOS, ["zebra"], 2, 5, "float32"),
            (_ALL_KEYS, ["the"], ["\n", "the", "\r"], 1, 6, "float32"),
            (_ALL_KEYS, ["film", "the", "good", "bad"], ["the", "zebra"], 1, 7, "float32"),
        ),
        inputs=composite(_convert_inputs),
        observe=_observe_convert,
        judge=_judge_convert,
        show=_show_convert,
        uses=("new_rows",),
        sample=6,
        examples=50,
    ),
    prediction("mean_row_norm", _random_mean_row_norm, rtol=0.1),
)
