"""Tests for ulmfit_ref.models: the AWD-LSTM encoder, the tied decoder and the classifier."""

import dataclasses
import warnings

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ulmfit_ref.loaders import LanguageModelLoader, pad_collate
from ulmfit_ref.models import (
    ClassifierConfig,
    LMConfig,
    MultiBatchEncoder,
    PoolingLinearClassifier,
    RNNEncoder,
    get_classifier,
    get_language_model,
)
from ulmfit_ref.regularize import activation_reg, temporal_activation_reg

TINY_LM = LMConfig(emb_sz=8, n_hid=12, n_layers=3)
TINY_CLAS = ClassifierConfig(emb_sz=8, n_hid=12, n_layers=2, bptt=5, max_len=10, head_sz=6)
NO_DROP = dict(drop_mult=0.0)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _plain_stack(encoder: RNNEncoder) -> nn.ModuleList:
    """nn.LSTM layers holding the same weights as `encoder`'s WeightDrop layers."""
    layers = nn.ModuleList()
    for rnn in encoder.rnns:
        lstm = nn.LSTM(rnn.module.input_size, rnn.module.hidden_size)
        lstm.load_state_dict({"weight_ih_l0": rnn.module.weight_ih_l0, "weight_hh_l0": rnn.weight_hh_l0_raw,
                              "bias_ih_l0": rnn.module.bias_ih_l0, "bias_hh_l0": rnn.module.bias_hh_l0})
        layers.append(lstm)
    return layers


def test_encoder_without_dropout_is_a_plain_lstm_stack_and_is_stateful():
    encoder = get_language_model(20, dataclasses.replace(TINY_LM, **NO_DROP))[0].train()
    plain = _plain_stack(encoder)
    x = torch.randint(0, 20, (11, 4))
    h = F.embedding(x, encoder.encoder.weight)
    expected = []
    for lstm in plain:
        h, _ = lstm(h)
        expected.append(h)
    raw_outputs, outputs = encoder(x[:6])
    raw_rest, _ = encoder(x[6:])
    for i, exp in enumerate(expected):
        torch.testing.assert_close(torch.cat([raw_outputs[i], raw_rest[i]]), exp)
        torch.testing.assert_close(outputs[i], raw_outputs[i])
    encoder.reset()
    torch.testing.assert_close(encoder(x[:6])[0][-1], expected[-1][:6])


def test_last_layer_size_is_the_embedding_size():
    raw_outputs, outputs = get_language_model(20, TINY_LM)[0](torch.randint(0, 20, (5, 2)))
    assert [o.shape[-1] for o in raw_outputs] == [12, 12, 8]


def test_eval_mode_is_deterministic_and_train_mode_is_not():
    lm = get_language_model(20, dataclasses.replace(TINY_LM, drop_mult=1.0))
    x = torch.randint(0, 20, (7, 3))
    lm.eval()
    first = lm(x)[0]
    lm.reset()
    torch.testing.assert_close(lm(x)[0], first)
    lm.train()
    lm.reset()
    a = lm(x)[0]
    lm.reset()
    assert not torch.equal(a, lm(x)[0])


def test_decoder_output_dropout_is_what_ar_regularizes():
    lm = get_language_model(20, dataclasses.replace(TINY_LM, output_p=0.5, drop_mult=1.0)).train()
    logits, raw_outputs, outputs = lm(torch.randint(0, 20, (6, 3)))
    assert logits.shape == (6, 3, 20)
    dropped = outputs[-1]
    kept = dropped != 0
    torch.testing.assert_close(dropped[kept], raw_outputs[-1][kept] * 2)
    assert not kept.all()
    loss = F.cross_entropy(logits.flatten(0, 1), torch.randint(0, 20, (18,)))
    loss = loss + activation_reg(outputs[-1]) + temporal_activation_reg(raw_outputs[-1])
    loss.backward()


def test_tied_weights_share_storage_and_both_uses_give_gradient():
    tied = get_language_model(20, dataclasses.replace(TINY_LM, **NO_DROP))
    assert tied[1].decoder.weight is tied[0].encoder.weight
    assert tied[1].decoder.weight.data_ptr() == tied[0].encoder.weight.data_ptr()
    untied = get_language_model(20, dataclasses.replace(TINY_LM, tie_weights=False, **NO_DROP))
    untied.load_state_dict(tied.state_dict())
    assert untied[1].decoder.weight is not untied[0].encoder.weight
    x = torch.randint(0, 20, (6, 3))
    tied(x)[0].pow(2).sum().backward()
    untied(x)[0].pow(2).sum().backward()
    expected = untied[0].encoder.weight.grad + untied[1].decoder.weight.grad
    assert untied[0].encoder.weight.grad.abs().sum() > 0 and untied[1].decoder.weight.grad.abs().sum() > 0
    torch.testing.assert_close(tied[0].encoder.weight.grad, expected)


def test_tiny_language_model_overfits_a_tiny_corpus():
    corpus = (torch.randperm(14) + 2).repeat(30)
    lm = get_language_model(16, LMConfig(emb_sz=16, n_hid=32, n_layers=2, drop_mult=0.0))
    opt = torch.optim.Adam(lm.parameters(), lr=3e-2)
    loader = LanguageModelLoader(corpus, bs=4, bptt=10, seed=0)
    for _ in range(12):
        lm.reset()
        for x, y in loader:
            loss = F.cross_entropy(lm(x)[0].flatten(0, 1), y.flatten())
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert loss.item() < 0.2


def test_layer_groups_hold_every_parameter_once():
    lm = get_language_model(20, TINY_LM)
    groups = lm.layer_groups()
    assert len(groups) == 4
    ids = [id(p) for g in groups for p in g]
    assert sorted(ids) == sorted(id(p) for p in lm.parameters())
    assert any(p is lm[0].encoder.weight for p in groups[-1])
    assert all(id(p) in {id(q) for q in lm[0].rnns[i].parameters()} for i in range(3) for p in groups[i])
    clas = get_classifier(20, 3, TINY_CLAS)
    groups = clas.layer_groups()
    assert len(groups) == 4 and groups[0] == [clas[0].module.encoder.weight]
    assert sorted(id(p) for g in groups for p in g) == sorted(id(p) for p in clas.parameters())
    torch.optim.Adam([{"params": g} for g in groups])


def test_configs_keep_the_seed_defaults_and_refuse_bad_values():
    lm = get_language_model(30, LMConfig())
    seed_drops = [p * 0.7 for p in (0.25, 0.1, 0.2, 0.02, 0.15)]  # dropouti, dropout, wdrop, dropoute, dropouth
    enc = lm[0]
    got = [enc.input_dp.p, lm[1].output_dp.p, enc.rnns[0].weight_p, enc.encoder_dp.embed_p, enc.hidden_dps[0].p]
    assert got == pytest.approx(seed_drops)
    assert [r.weight_hh_l0_raw.shape[1] for r in enc.rnns] == [1150, 1150, 400]
    clas = get_classifier(30, 2, ClassifierConfig())
    enc = clas[0].module
    seed_dps = [p * 0.5 for p in (0.4, 0.5, 0.05, 0.3, 0.4)]  # dropouti, wdrop, dropoute, dropouth, drops[0]
    got = [enc.input_dp.p, enc.rnns[0].weight_p, enc.encoder_dp.embed_p, enc.hidden_dps[0].p, clas[1].layers[0][1].p]
    assert got == pytest.approx(seed_dps)
    assert clas[1].layers[1][1].p == 0.1
    assert [b[2].in_features for b in clas[1].layers] + [clas[1].layers[-1][2].out_features] == [1200, 50, 2]
    assert (clas[0].bptt, clas[0].max_len) == (70, 1400)
    for bad in (dict(emb_sz=0), dict(drop_mult=-1), dict(input_p=0.5, drop_mult=2.0), dict(n_layers=0)):
        with pytest.raises(ValueError):
            LMConfig(**bad)
    with pytest.raises(ValueError):
        ClassifierConfig(bptt=0)
    with pytest.raises(ValueError, match="pad_idx"):
        get_language_model(1, TINY_LM)
    with pytest.raises(ValueError, match="n_classes"):
        get_classifier(20, 1, TINY_CLAS)


def test_pooling_reads_only_the_masked_positions():
    output = torch.randn(6, 2, 3)
    mask = torch.tensor([[1, 0], [1, 1], [1, 1], [0, 1], [0, 1], [0, 0]], dtype=torch.bool)
    pooled = PoolingLinearClassifier.pool(output, mask)
    first, second = output[:3, 0], output[1:5, 1]
    torch.testing.assert_close(pooled[0], torch.cat([first[-1], first.amax(0), first.mean(0)]))
    torch.testing.assert_close(pooled[1], torch.cat([second[-1], second.amax(0), second.mean(0)]))


def test_classifier_output_does_not_depend_on_padding_or_batch_mates():
    clas = get_classifier(20, 3, TINY_CLAS)
    clas.train()
    docs = [torch.randint(2, 20, (n,)) for n in (23, 4, 12)]
    x, lengths, y = pad_collate([(d, i) for i, d in enumerate(docs)])
    assert x.shape == (23, 3) and (x[4:, 1] == 1).all()
    logits, _, _, _ = clas(x, lengths)
    F.cross_entropy(logits, y).backward()
    clas.eval()
    batched = clas(x, lengths)[0]
    for j, d in enumerate(docs):
        alone = clas(d.unsqueeze(1), torch.tensor([len(d)]))[0]
        torch.testing.assert_close(batched[j], alone[0])


def test_multibatch_encoder_gives_gradient_to_the_last_max_len_tokens_only():
    encoder = RNNEncoder(40, 4, 6, 2)
    mbe = MultiBatchEncoder(bptt=4, max_len=8, module=encoder)
    doc = torch.arange(2, 22).unsqueeze(1)  # 20 tokens: the window is the last 8, chunks 3 and 4
    raw_outputs, outputs, mask = mbe(doc, torch.tensor([20]))
    assert outputs[-1].shape[0] == 8 and mask.all()
    (outputs[-1] * mask.unsqueeze(2)).sum().backward()
    grad_rows = encoder.encoder.weight.grad.abs().sum(1)
    assert (grad_rows[2:14] == 0).all(), "tokens before the window must get no gradient"
    assert (grad_rows[14:22] > 0).all()
    with pytest.raises(ValueError, match="lengths"):
        mbe(doc, torch.tensor([21]))


def test_models_run_with_no_warning():
    lm = get_language_model(20, TINY_LM)
    clas = get_classifier(20, 3, TINY_CLAS)
    x, lengths, y = pad_collate([(torch.randint(2, 20, (n,)), 0) for n in (9, 3)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lm(torch.randint(0, 20, (5, 2)))[0].sum().backward()
        clas(x, lengths)[0].sum().backward()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_same_code_runs_on_cuda_under_autocast_without_warnings():
    device = torch.device("cuda")
    lm = get_language_model(20, TINY_LM).to(device)
    cpu_lm = get_language_model(20, TINY_LM)
    cpu_lm.load_state_dict(lm.state_dict())
    x = torch.randint(0, 20, (7, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with torch.autocast("cuda", dtype=torch.float16):
            logits, raw_outputs, outputs = lm.train()(x.to(device))
            loss = F.cross_entropy(logits.float().flatten(0, 1), x.to(device).flatten())
        loss.backward()
        assert x.dtype == torch.long
        lm.eval().reset()
        cpu_lm.eval()
        torch.testing.assert_close(lm(x.to(device))[0].cpu(), cpu_lm(x)[0], atol=1e-2, rtol=1e-2)  # cuDNN may use TF32
        clas = get_classifier(20, 3, TINY_CLAS).to(device)
        xb, lengths, y = pad_collate([(torch.randint(2, 20, (n,)), 0) for n in (9, 3)])
        with torch.autocast("cuda", dtype=torch.float16):
            clas(xb.to(device), lengths.to(device))[0].float().sum().backward()
