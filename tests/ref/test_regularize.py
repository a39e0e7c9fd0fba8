"""Tests for ulmfit_ref.regularize: the AWD-LSTM dropouts and AR/TAR."""

import warnings

import pytest
import torch
from torch import nn

from ulmfit_ref.regularize import EmbeddingDropout, LockedDropout, WeightDrop, activation_reg, temporal_activation_reg


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def test_locked_dropout_shares_one_mask_over_time():
    x = torch.ones(20, 6, 50)
    out = LockedDropout(0.5).train()(x)
    assert torch.equal(out, out[:1].expand_as(out)), "every time step must use the same mask"
    assert set(out.unique().tolist()) == {0.0, 2.0}, "kept values are scaled by 1/(1-p)"
    assert not torch.equal(out[0, 0], out[0, 1]), "each sequence of the batch has its own mask"


def test_locked_dropout_is_identity_in_eval_and_at_p0():
    x = torch.randn(5, 3, 4)
    assert torch.equal(LockedDropout(0.5).eval()(x), x)
    assert torch.equal(LockedDropout(0.0).train()(x), x)


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_probability_out_of_range_is_refused(p):
    with pytest.raises(ValueError, match="must be in"):
        LockedDropout(p)
    with pytest.raises(ValueError, match="embed_p"):
        EmbeddingDropout(nn.Embedding(5, 3), p)
    with pytest.raises(ValueError, match="weight_p"):
        WeightDrop(nn.LSTM(3, 4), p)


def test_embedding_dropout_drops_whole_words():
    embed = nn.Embedding(10, 8)
    words = torch.tensor([[1, 2, 3, 1], [2, 1, 4, 4]] * 5)
    out = EmbeddingDropout(embed, 0.5).train()(words)
    full = embed(words)
    for w in words.unique():
        at = words == w
        rows = out[at]
        dropped = rows.abs().sum(1) == 0
        assert dropped.all() or not dropped.any(), f"word {int(w)} is dropped in some places only"
        if not dropped.any():
            torch.testing.assert_close(rows, full[at] * 2)


def test_embedding_dropout_matches_masking_the_matrix():
    embed = nn.Embedding(30, 4)
    words = torch.randint(0, 30, (7, 3))
    gen_state = torch.get_rng_state()
    out = EmbeddingDropout(embed, 0.3).train()(words)
    torch.set_rng_state(gen_state)
    mask = embed.weight.new_empty(30, 1).bernoulli_(0.7) / 0.7
    torch.testing.assert_close(out, (embed.weight * mask)[words])


def test_embedding_dropout_eval_is_the_embedding_and_ids_stay_integer_under_autocast():
    embed = nn.Embedding(10, 4)
    words = torch.randint(0, 10, (5, 2))
    edp = EmbeddingDropout(embed, 0.5)
    assert torch.equal(edp.eval()(words), embed(words))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = edp.train()(words)
    assert words.dtype == torch.long and out.shape == (5, 2, 4)
    with pytest.raises(ValueError, match="integers"):
        edp(words.float())


def _lstm_and_copy(n_in=4, n_hid=6, weight_p=0.5):
    plain = nn.LSTM(n_in, n_hid)
    wrapped = nn.LSTM(n_in, n_hid)
    wrapped.load_state_dict(plain.state_dict())
    return plain, WeightDrop(wrapped, weight_p)


def _zeros(bs=3, n_hid=6):
    return torch.zeros(1, bs, n_hid), torch.zeros(1, bs, n_hid)


def test_weight_drop_in_eval_and_at_p0_is_the_plain_lstm():
    plain, wd = _lstm_and_copy()
    x = torch.randn(7, 3, 4)
    expected, (h, c) = plain(x, _zeros())
    out, (h2, c2) = wd.eval()(x, _zeros())
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close((h2, c2), (h, c))
    wd.weight_p = 0.0
    torch.testing.assert_close(wd.train()(x, _zeros())[0], expected)


def test_weight_drop_gradient_reaches_the_raw_weight_and_masks_it():
    _, wd = _lstm_and_copy(n_hid=16)
    assert [k for k, _ in wd.named_parameters()] == [
        "weight_hh_l0_raw", "module.weight_ih_l0", "module.bias_ih_l0", "module.bias_hh_l0"]
    x = torch.randn(9, 3, 4)
    wd.train()(x, _zeros(n_hid=16))[0].pow(2).sum().backward()
    grad = wd.weight_hh_l0_raw.grad
    assert grad is not None and grad.abs().sum() > 0
    assert (grad == 0).float().mean() > 0.3, "dropped weights get no gradient"
    wd.zero_grad()
    wd.eval()(x, _zeros(n_hid=16))[0].pow(2).sum().backward()
    assert (wd.weight_hh_l0_raw.grad == 0).float().mean() < 0.05


def test_weight_drop_draws_a_new_mask_each_forward_and_none_in_eval():
    _, wd = _lstm_and_copy()
    x = torch.randn(5, 3, 4)
    wd.train()
    assert not torch.equal(wd(x, _zeros())[0], wd(x, _zeros())[0])
    wd.eval()
    assert torch.equal(wd(x, _zeros())[0], wd(x, _zeros())[0])


def test_weight_drop_gives_no_warning_and_survives_dtype_moves():
    _, wd = _lstm_and_copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for mode in (True, False):
            wd.train(mode)
            wd(torch.randn(5, 3, 4), _zeros())[0].sum().backward()
        wd.double()
        out, _ = wd(torch.randn(5, 3, 4, dtype=torch.float64), tuple(h.double() for h in _zeros()))
    assert out.dtype == torch.float64 and wd.weight_hh_l0_raw.dtype == torch.float64


@pytest.mark.parametrize("module", [nn.LSTM(3, 4, num_layers=2), nn.LSTM(3, 4, bidirectional=True), nn.GRU(3, 4),
                                    nn.LSTM(3, 4, batch_first=True)])
def test_weight_drop_refuses_other_rnns(module):
    with pytest.raises(ValueError):
        WeightDrop(module, 0.5)


def test_activation_regularization_values():
    dropped = torch.tensor([[[1.0, -2.0]], [[3.0, 0.0]]])
    assert activation_reg(dropped, alpha=2.0).item() == pytest.approx(2.0 * (1 + 4 + 9 + 0) / 4)
    raw = torch.tensor([[[1.0, 1.0]], [[2.0, 3.0]], [[2.0, 0.0]]])
    assert temporal_activation_reg(raw, beta=1.0).item() == pytest.approx((1 + 4 + 0 + 9) / 4)
    assert temporal_activation_reg(raw[:1]).item() == 0.0


def test_ar_tar_skip_the_positions_a_mask_leaves_out():
    # Two documents of lengths 3 and 1, padded to 3: the padding states (99) must count nowhere.
    h = torch.tensor([[[1.0], [2.0]], [[3.0], [99.0]], [[2.0], [99.0]]])  # [seq=3, bs=2, n=1]
    mask = torch.tensor([[True, True], [True, False], [True, False]])
    assert activation_reg(h, alpha=1.0, mask=mask).item() == pytest.approx((1 + 9 + 4 + 4) / 4)
    assert temporal_activation_reg(h, beta=1.0, mask=mask).item() == pytest.approx((4 + 1) / 2)
    assert temporal_activation_reg(h[:, 1:], mask=mask[:, 1:]).item() == 0.0  # one token: no neighbours
    with pytest.raises(ValueError, match="mask must be"):
        activation_reg(h, mask=mask[:2])
