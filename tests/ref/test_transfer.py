"""Tests for ulmfit_ref.transfer: pretrained language models in three formats onto a new vocabulary."""

import pickle

import pytest
import torch

from ulmfit_ref.models import ClassifierConfig, LMConfig, get_classifier, get_language_model
from ulmfit_ref.transfer import convert_weights, load_encoder, load_pretrained_lm, read_lm_weights, save_encoder
from ulmfit_ref.vocab import load_itos

CONFIG = LMConfig(emb_sz=6, n_hid=10, n_layers=2)
OLD_ITOS = ["_unk_", "_pad_", "the", "a", "movie", "film", "good", "bad"]
NEW_ITOS = ["_unk_", "_pad_", "film", "great", "the", "bad", "plot"]


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _pretrained(out_bias: bool):
    lm = get_language_model(len(OLD_ITOS), LMConfig(emb_sz=6, n_hid=10, n_layers=2, out_bias=out_bias))
    if out_bias:
        torch.nn.init.normal_(lm[1].decoder.bias)
    return lm


def _fastai07_state(lm):
    """The keys of a fastai 0.7 language model (fwd_wt103.h5): no decoder bias."""
    sd = lm.state_dict()
    out = {"0.encoder.weight": sd["0.encoder.weight"], "0.encoder_with_dropout.embed.weight": sd["0.encoder.weight"]}
    for n in range(2):
        out[f"0.rnns.{n}.module.weight_ih_l0"] = sd[f"0.rnns.{n}.module.weight_ih_l0"]
        out[f"0.rnns.{n}.module.weight_hh_l0_raw"] = sd[f"0.rnns.{n}.weight_hh_l0_raw"]
        out[f"0.rnns.{n}.module.bias_ih_l0"] = sd[f"0.rnns.{n}.module.bias_ih_l0"]
        out[f"0.rnns.{n}.module.bias_hh_l0"] = sd[f"0.rnns.{n}.module.bias_hh_l0"]
    out["1.decoder.weight"] = sd["1.decoder.weight"]
    return {k: v.clone() for k, v in out.items()}


def _fastai2_state(lm):
    """The keys of a fastai 1/2 language model (lstm_fwd.pth), with fastai 1's dropped copy of weight_hh_l0."""
    sd = lm.state_dict()
    out = {"0.encoder.weight": sd["0.encoder.weight"], "0.encoder_dp.emb.weight": sd["0.encoder.weight"]}
    for n in range(2):
        out[f"0.rnns.{n}.weight_hh_l0_raw"] = sd[f"0.rnns.{n}.weight_hh_l0_raw"]
        out[f"0.rnns.{n}.module.weight_ih_l0"] = sd[f"0.rnns.{n}.module.weight_ih_l0"]
        out[f"0.rnns.{n}.module.weight_hh_l0"] = torch.zeros_like(sd[f"0.rnns.{n}.weight_hh_l0_raw"])
        out[f"0.rnns.{n}.module.bias_ih_l0"] = sd[f"0.rnns.{n}.module.bias_ih_l0"]
        out[f"0.rnns.{n}.module.bias_hh_l0"] = sd[f"0.rnns.{n}.module.bias_hh_l0"]
    out["1.decoder.weight"] = sd["1.decoder.weight"]
    out["1.decoder.bias"] = sd["1.decoder.bias"]
    return {"model": {k: v.clone() for k, v in out.items()}, "opt": {"state": {}, "hypers": [{"lr": 0.01}]}}


def _write(tmp_path, fmt):
    """Write a pretrained LM in format `fmt` and its pickled itos; return (model, weights path)."""
    with open(tmp_path / "itos.pkl", "wb") as f:
        pickle.dump(OLD_ITOS, f)
    if fmt == "fastai07":
        lm = _pretrained(out_bias=False)
        path = tmp_path / "fwd_wt103.h5"
        torch.save(_fastai07_state(lm), path, _use_new_zipfile_serialization=False)
    elif fmt == "fastai2":
        lm = _pretrained(out_bias=True)
        path = tmp_path / "lstm_fwd.pth"
        torch.save(_fastai2_state(lm), path)
    else:
        lm = _pretrained(out_bias=True)
        path = tmp_path / "lm.pth"
        torch.save(lm.state_dict(), path)
    return lm, path


@pytest.mark.parametrize("fmt", ["fastai07", "fastai2", "own"])
def test_transfer_copies_known_rows_and_gives_unknown_words_the_mean(tmp_path, fmt):
    source, path = _write(tmp_path, fmt)
    out_bias = fmt != "fastai07"
    target = get_language_model(len(NEW_ITOS), LMConfig(emb_sz=6, n_hid=10, n_layers=2, out_bias=out_bias))
    with pytest.warns(UserWarning, match="pickled vocab"):
        old_itos = load_itos(tmp_path / "itos.pkl")
    load_pretrained_lm(target, path, old_itos, NEW_ITOS)
    old_w, new_w = source[0].encoder.weight.detach(), target[0].encoder.weight.detach()
    for i, word in enumerate(NEW_ITOS):
        expected = old_w[OLD_ITOS.index(word)] if word in OLD_ITOS else old_w.mean(0)
        torch.testing.assert_close(new_w[i], expected, msg=f"row of {word!r}")
    assert target[1].decoder.weight is target[0].encoder.weight
    assert target[0].encoder_dp.embed.weight is target[0].encoder.weight
    if out_bias:
        old_b, new_b = source[1].decoder.bias.detach(), target[1].decoder.bias.detach()
        for i, word in enumerate(NEW_ITOS):
            expected = old_b[OLD_ITOS.index(word)] if word in OLD_ITOS else old_b.mean()
            torch.testing.assert_close(new_b[i], expected)
    for s, t in zip(source[0].rnns, target[0].rnns):
        torch.testing.assert_close(t.weight_hh_l0_raw, s.weight_hh_l0_raw)
        torch.testing.assert_close(t.module.state_dict(), s.module.state_dict())


def test_untied_decoder_rows_are_mapped_like_the_embedding():
    weights = {"1.decoder.weight": torch.arange(8.0).unsqueeze(1).repeat(1, 3)}
    out = convert_weights(weights, OLD_ITOS, NEW_ITOS)["1.decoder.weight"][:, 0]
    assert out.tolist() == [0.0, 1.0, 5.0, 3.5, 2.0, 7.0, 3.5]


def test_fastai_key_names_are_renamed(tmp_path):
    _, path = _write(tmp_path, "fastai2")
    keys = set(read_lm_weights(path))
    assert "0.encoder_dp.embed.weight" in keys and "0.rnns.0.weight_hh_l0_raw" in keys
    assert not any(".module.weight_hh_l0" in k for k in keys)
    _, path = _write(tmp_path, "fastai07")
    keys = set(read_lm_weights(path))
    assert "0.rnns.1.weight_hh_l0_raw" in keys and not any("encoder_with_dropout" in k for k in keys)


def test_a_missing_key_is_named(tmp_path):
    source = _pretrained(out_bias=False)
    state = source.state_dict()
    del state["0.rnns.1.module.bias_hh_l0"]
    torch.save(state, tmp_path / "lm.pth")
    target = get_language_model(len(NEW_ITOS), CONFIG)
    with pytest.raises(ValueError, match=r"missing: 0\.rnns\.1\.module\.bias_hh_l0"):
        load_pretrained_lm(target, tmp_path / "lm.pth", OLD_ITOS, NEW_ITOS)


def test_mis_shaped_and_unexpected_keys_are_named(tmp_path):
    _, path = _write(tmp_path, "fastai2")
    target = get_language_model(len(NEW_ITOS), LMConfig(emb_sz=6, n_hid=12, n_layers=2))
    with pytest.raises(ValueError) as info:
        load_pretrained_lm(target, path, OLD_ITOS, NEW_ITOS)
    message = str(info.value)
    assert "unexpected: 1.decoder.bias" in message
    assert "mis-shaped: " in message
    assert "0.rnns.0.weight_hh_l0_raw: (40, 10) in the file, (48, 12) in the model" in message
    with pytest.raises(ValueError, match="rows but the pretrained vocabulary has 3 words"):
        load_pretrained_lm(target, path, OLD_ITOS[:3], NEW_ITOS)


def test_weights_holding_objects_are_refused(tmp_path):
    torch.save({"0.encoder.weight": torch.zeros(2, 2), "extra": ValueError("x")}, tmp_path / "bad.pth")
    with pytest.raises(ValueError, match="more than tensors"):
        read_lm_weights(tmp_path / "bad.pth")


def test_encoder_goes_from_language_model_to_classifier(tmp_path):
    lm = get_language_model(20, CONFIG)
    clas = get_classifier(20, 2, ClassifierConfig(emb_sz=6, n_hid=10, n_layers=2))
    save_encoder(lm, tmp_path / "enc.pth")
    load_encoder(clas, tmp_path / "enc.pth")
    torch.testing.assert_close(clas[0].module.state_dict(), lm[0].state_dict())
    other = get_classifier(20, 2, ClassifierConfig(emb_sz=6, n_hid=8, n_layers=2))
    with pytest.raises(ValueError, match="mis-shaped"):
        load_encoder(other, tmp_path / "enc.pth")
    with pytest.raises(ValueError, match="LanguageModel"):
        load_pretrained_lm(clas, tmp_path / "enc.pth", OLD_ITOS, NEW_ITOS)
