"""Load a pretrained language model onto a new vocabulary, from fastai 0.7, fastai 1/2 or this package's files.

Keys are matched by name (fastai #1294): a file that does not fit raises ValueError listing every
missing, unexpected and mis-shaped key. Weights are read with `torch.load(weights_only=True)`, checked against
their stamp where they have one (provenance.py), and vocabularies with `vocab.load_itos`, whose unpickler builds
nothing but lists and strings.
"""

import re
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import Tensor, nn

from .models import LanguageModel, RNNEncoder
from .provenance import load_checked

# The weights whose rows follow the vocabulary, under this package's names.
VOCAB_KEYS = ("0.encoder.weight", "0.encoder_dp.embed.weight", "1.decoder.weight", "1.decoder.bias")

# Older names -> this package's names.
_RENAMES = (
    (re.compile(r"^0\.encoder_with_dropout\.embed\."), "0.encoder_dp.embed."),  # fastai 0.7
    (re.compile(r"^0\.encoder_dp\.emb\."), "0.encoder_dp.embed."),  # fastai 1 and 2
    (re.compile(r"^0\.rnns\.(\d+)\.module\.weight_hh_l0_raw$"), r"0.rnns.\1.weight_hh_l0_raw"),  # fastai 0.7
)
_DROPPED_HH = re.compile(r"^0\.rnns\.(\d+)\.module\.weight_hh_l0$")
_RNN_HH = re.compile(r"^0\.rnns\.(\d+)\.weight_hh_l0_raw$")  # one per LSTM layer, under this package's names


WEIGHTS_ADVICE = "pass a fastai language model or one saved by this package"


def read_state(path: str | Path, expect: dict = None, vocab_file=None, log=None,
               advice: str = WEIGHTS_ADVICE) -> tuple[dict[str, Tensor], bool | None]:
    """The state dict saved at `path`, its stamp checked against `expect`, and the direction saved with it.

    It is unwrapped from {'model': ..., 'opt': ...} if need be; a stamp, if any, is checked by provenance.load_checked;
    the direction is the file's 'backwards' (None when the file does not say, as fastai's do not).
    """
    state = load_checked(path, "the weights", advice, expect, vocab_file, log)
    backwards = None
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        backwards = state.get("backwards")
        state = state["model"]
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, Tensor) for k, v in state.items()):
        raise ValueError(f"{path} is not a state dict of tensors")
    return dict(state), backwards if isinstance(backwards, bool) else None


def rename_key(key: str) -> str:
    """This package's name for a key of a fastai 0.7 or 1/2 language model.

    Taught in lesson 8;
    fastai 0.7: the keys `0.encoder_with_dropout.embed.weight`, `0.rnns.N.module.weight_hh_l0_raw`."""
    for old, new in _RENAMES:
        key = old.sub(new, key)
    return key


def read_lm(path: str | Path, expect: dict = None, vocab_file=None, log=None,
            advice: str = WEIGHTS_ADVICE) -> tuple[dict[str, Tensor], bool | None]:
    """The language model weights at `path` in any supported format, under this package's names, and their direction.

    As `read_state` reads them: a file stamped by this package is checked against `expect`.
    """
    saved, backwards = read_state(path, expect, vocab_file, log, advice)
    state = {rename_key(k): v for k, v in saved.items()}
    for key in [k for k in state if _DROPPED_HH.match(k)]:
        raw = _DROPPED_HH.sub(r"0.rnns.\1.weight_hh_l0_raw", key)
        value = state.pop(key)  # fastai 1 saved the dropped copy beside the raw weight
        state.setdefault(raw, value)
    if "0.encoder.weight" in state:
        state.setdefault("0.encoder_dp.embed.weight", state["0.encoder.weight"])
    return state, backwards


def read_lm_weights(path: str | Path) -> dict[str, Tensor]:
    """The language model weights at `path` in any supported format, under this package's key names."""
    return read_lm(path)[0]


def convert_weights(weights: dict[str, Tensor], old_itos: Sequence[str], new_itos: Sequence[str]) -> dict[str, Tensor]:
    """`weights` with the rows of the VOCAB_KEYS moved from `old_itos` to `new_itos`; unseen words get the mean row.

    Taught in lesson 8; the 2018 notebook: the `new_w` loop with `row_m = enc_wgts.mean(0)`;
    fastai 1: `convert_weights`."""
    if len(new_itos) == 0:
        raise ValueError("new_itos is empty")
    old_stoi: dict[str, int] = {}
    for i, word in enumerate(old_itos):
        old_stoi.setdefault(word, i)
    rows = torch.tensor([old_stoi.get(word, -1) for word in new_itos])
    known = rows >= 0
    out = dict(weights)
    for key in VOCAB_KEYS:
        if key not in weights:
            continue
        w = weights[key]
        if w.size(0) != len(old_itos):
            raise ValueError(f"{key} has {w.size(0)} rows but the pretrained vocabulary has {len(old_itos)} words")
        new = w.float().mean(0).to(w.dtype).expand(len(new_itos), *w.shape[1:]).clone()
        new[known] = w[rows[known]]
        out[key] = new
    return out


def _check_fits(module: nn.Module, state: dict[str, Tensor], source: str) -> None:
    """Raise ValueError listing the keys of `state` missing from, unexpected in, or mis-shaped for `module`."""
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    misshaped = [f"{k}: {tuple(state[k].shape)} in the file, {tuple(expected[k].shape)} in the model"
                 for k in sorted(set(expected) & set(state)) if state[k].shape != expected[k].shape]
    if missing or unexpected or misshaped:
        problems = [f"{name}: {', '.join(keys)}" for name, keys in
                    (("missing", missing), ("unexpected", unexpected), ("mis-shaped", misshaped)) if keys]
        raise ValueError(f"{source} does not fit the model ({'; '.join(problems)}); "
                         "check emb_sz, n_hid, n_layers and out_bias against the file")


def load_pretrained_lm(model: nn.Module, path: str | Path | dict[str, Tensor], old_itos: Sequence[str],
                       new_itos: Sequence[str]) -> None:
    """Load the LM at `path` (or its `read_lm_weights`), trained on `old_itos`, into `model` built for `new_itos`.

    Taught in lesson 8; the 2018 notebook: `learner.model.load_state_dict(wgts)`."""
    if not isinstance(model, LanguageModel):
        raise ValueError(f"load_pretrained_lm needs a LanguageModel, got {type(model).__name__}")
    state = dict(path) if isinstance(path, dict) else read_lm_weights(path)
    if model[1].decoder.weight is model[0].encoder.weight and "0.encoder.weight" in state:
        state.setdefault("1.decoder.weight", state["0.encoder.weight"])
    state = convert_weights(state, old_itos, new_itos)
    _check_fits(model, state, "the pretrained weights" if isinstance(path, dict) else str(path))
    model.load_state_dict(state)


def lm_sizes(state: dict[str, Tensor]) -> dict:
    """emb_sz, n_hid, n_layers and out_bias of the language model whose weights `read_lm_weights` returned."""
    layers = sorted(int(m.group(1)) for k in state if (m := _RNN_HH.match(k)))
    if "0.encoder.weight" not in state or not layers or layers != list(range(len(layers))):
        raise ValueError("not an AWD-LSTM language model (no 0.encoder.weight or 0.rnns.N weights); pass a fastai "
                         "wt103 model or one made by `ulmfit pretrain`")
    emb_sz = state["0.encoder.weight"].shape[1]
    n_hid = state["0.rnns.0.weight_hh_l0_raw"].shape[1] if len(layers) > 1 else emb_sz
    return {"emb_sz": emb_sz, "n_hid": n_hid, "n_layers": len(layers), "out_bias": "1.decoder.bias" in state}


def _rnn_encoder(model: nn.Module) -> RNNEncoder:
    """The one RNNEncoder inside `model`."""
    encoders = [m for m in model.modules() if isinstance(m, RNNEncoder)]
    if len(encoders) != 1:
        raise ValueError(f"expected one RNNEncoder in the model, found {len(encoders)}")
    return encoders[0]


def save_encoder(model: nn.Module, path: str | Path) -> None:
    """Save the weights of `model`'s RNNEncoder (a language model's or a classifier's) to `path`.

    fastai 0.7: `learner.save_encoder`."""
    torch.save(_rnn_encoder(model).state_dict(), path)


def load_encoder(model: nn.Module, path: str | Path, expect: dict = None, vocab_file=None, log=None,
                 advice: str = WEIGHTS_ADVICE) -> bool | None:
    """Load encoder weights saved by `save_encoder` (or the lm stage) into `model`'s encoder; returns their direction.

    fastai 0.7: `learn.load_encoder`."""
    encoder = _rnn_encoder(model)
    state, backwards = read_state(path, expect, vocab_file, log, advice)
    _check_fits(encoder, state, str(path))
    encoder.load_state_dict(state)
    return backwards
