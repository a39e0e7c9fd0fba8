"""course.model_checks (lessons 5-10): the reference passes, typical wrong answers fail with one sentence that says what is wrong."""

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course import model_checks as checks
from ulmfit_ref import predict, regularize, train, transfer
from ulmfit_ref.loaders import LanguageModelLoader
from ulmfit_ref.models import PoolingLinearClassifier
from ulmfit_ref.schedule import STLR


# --- the reference answers, in the exercises' signatures -------------------------------------------------------


def batchify(ids, bs):
    return LanguageModelLoader(ids, bs, 1, seed=0).data


def get_batch(data, i, seq_len):
    seq_len = min(seq_len, len(data) - 1 - i)
    return data[i : i + seq_len], data[i + 1 : i + 1 + seq_len]


def draw_seq_lens(n, bptt, generator):
    return LanguageModelLoader._draw_seq_lens(type("L", (), {"data": torch.zeros(n + 1, 1), "bptt": bptt, "generator": generator})())


def embedding_dropout(embed, words, p, training=True):
    return regularize.EmbeddingDropout(embed, p).train(training)(words)


def drop_connect(weight, p, training):
    return F.dropout(weight, p, training)


def encoder_forward(embedding, rnns, x):
    out, outs = embedding(x), []
    for rnn in rnns:
        out, _ = rnn(out)
        outs.append(out)
    return outs


def tied_decoder(encoder, bias=False):
    from ulmfit_ref.models import LinearDecoder

    return LinearDecoder(encoder.num_embeddings, encoder.embedding_dim, tie_encoder=encoder, bias=bias).decoder


def stlr(step, total, cut_frac=0.1, ratio=32.0):
    return STLR(cut_frac, ratio).lr_mult(step, total)


def freeze_to(groups, n):
    for i, g in enumerate(groups):
        for p in g:
            p.requires_grad_(i >= n % len(groups))


def concat_pool(output, lengths):
    return PoolingLinearClassifier.pool(output, torch.arange(output.size(0)).unsqueeze(1) < lengths)


REFERENCES = [
    (checks.batchify, batchify),
    (checks.get_batch, get_batch),
    (checks.draw_seq_lens, draw_seq_lens),
    (checks.dropout_mask, regularize.dropout_mask),
    (checks.LockedDropout, regularize.LockedDropout),
    (checks.embedding_dropout, embedding_dropout),
    (checks.drop_connect, drop_connect),
    (checks.encoder_forward, encoder_forward),
    (checks.tied_decoder, tied_decoder),
    (checks.rename_key, transfer._rename),
    (checks.convert_weights, transfer.convert_weights),
    (checks.discriminative_lrs, train.discriminative_lrs),
    (checks.stlr, stlr),
    (checks.freeze_to, freeze_to),
    (checks.concat_pool, concat_pool),
    (checks.clip_document, predict.clip_document),
]


def failure(check, fn) -> str:
    with pytest.raises(checks.CheckFailed) as e:
        check(fn)
    message = str(e.value)
    assert "\n" not in message and len(message) < 500, message  # one sentence, not a wall
    return message


@pytest.mark.parametrize("check, reference", REFERENCES, ids=[c.__name__ for c, _ in REFERENCES])
def test_the_reference_passes_visible_and_hidden(check, reference, capsys):
    check(reference)
    check(reference, hidden=True)
    assert capsys.readouterr().out.count("✓") == 2


def test_every_exercise_has_a_hidden_check():
    assert set(checks._CHECKS) == {c.__name__ for c, _ in REFERENCES}


@pytest.mark.parametrize("check", [c for c, _ in REFERENCES], ids=[c.__name__ for c, _ in REFERENCES])
def test_a_stub_is_not_implemented_yet(check):
    def stub(*args, **kwargs):
        raise NotImplementedError()

    assert failure(check, stub).startswith(f"not implemented yet: {check.__name__}. Write its body")


def test_a_locked_dropout_stub_is_named():
    class LockedDropout(nn.Module):
        def __init__(self, p):
            super().__init__()
            self.p = p

        def forward(self, x):
            raise NotImplementedError()

    assert failure(checks.LockedDropout, LockedDropout).startswith("not implemented yet: LockedDropout.")


# --- typical wrong answers ----------------------------------------------------------------------------------


def test_loader_mistakes_are_caught():
    def batchify_rows(ids, bs):  # consecutive tokens side by side
        return ids[: len(ids) // bs * bs].view(-1, bs)

    assert "view(bs, -1).t()" in failure(checks.batchify, batchify_rows)

    def batchify_keeps_rest(ids, bs):
        return torch.cat([ids, ids.new_zeros(-len(ids) % bs)]).view(bs, -1).t()

    assert "should have shape" in failure(checks.batchify, batchify_keeps_rest)

    def not_shifted(data, i, seq_len):  # targets not shifted by one
        x = data[i : i + seq_len]
        return x, x

    assert "the target of each token is the next one" in failure(checks.get_batch, not_shifted)

    def shifted_twice(data, i, seq_len):
        seq_len = min(seq_len, len(data) - 2 - i)
        return data[i : i + seq_len], data[i + 2 : i + 2 + seq_len]

    assert "(y)" in failure(checks.get_batch, shifted_twice)

    def no_clip(data, i, seq_len):
        return data[i : i + seq_len], data[i + 1 : i + 1 + seq_len]

    assert "min(seq_len, len(data) - 1 - i)" in failure(checks.get_batch, no_clip)

    def fixed_bptt(n, bptt, generator):
        return [min(bptt, n - i) for i in range(0, n, bptt)]

    assert failure(checks.draw_seq_lens, fixed_bptt).startswith("draw_seq_lens(200, 70,")

    def last_not_cut(n, bptt, generator):
        i, out = 0, []
        while i < n:
            b = bptt if torch.rand((), generator=generator) < 0.95 else bptt / 2
            out.append(max(5, int(torch.normal(float(b), 5.0, (), generator=generator))))
            i += out[-1]
        return out

    assert "should add up to n" in failure(checks.draw_seq_lens, last_not_cut)


def test_dropout_mistakes_are_caught():
    assert "scaled by 1/(1-p)" in failure(checks.dropout_mask, lambda x, size, p: x.new_empty(size).bernoulli_(1 - p))
    assert "should be about p = 30%" in failure(checks.dropout_mask, lambda x, size, p: x.new_empty(size).bernoulli_(p).div_(1 - p) if p else x.new_ones(size))
    assert "should have x's dtype" in failure(checks.dropout_mask, lambda x, size, p: torch.empty(size, dtype=torch.float64).bernoulli_(1 - p).div_(1 - p))

    class PerStep(regularize.LockedDropout):  # a mask per time step instead of one per sequence
        def forward(self, x):
            return x * regularize.dropout_mask(x, x.shape, self.p) if self.training and self.p else x

    assert "differs from the one at step 0" in failure(checks.LockedDropout, PerStep)

    class AlsoInEval(regularize.LockedDropout):
        def forward(self, x):
            return x * regularize.dropout_mask(x, (1, *x.shape[1:]), self.p) if self.p else x

    assert "in eval mode" in failure(checks.LockedDropout, AlsoInEval)

    def elementwise(embed, words, p, training=True):  # plain dropout on the vectors
        return F.dropout(embed(words), p, training)

    assert "only partly zeroed" in failure(checks.embedding_dropout, elementwise)

    def per_position(embed, words, p, training=True):  # whole vectors, but a new draw at every position
        emb = embed(words)
        return emb * regularize.dropout_mask(emb, (*words.shape, 1), p) if training and p else emb

    assert "dropped at one position and kept at another" in failure(checks.embedding_dropout, per_position)

    def no_gradient(weight, p, training):  # fastai2 PR #427
        return F.dropout(weight.data, p, training)

    assert "no gradient can reach the raw weight" in failure(checks.drop_connect, no_gradient)

    def drops_in_eval(weight, p, training):  # awd-lstm-lm #72
        return F.dropout(weight, p, True)

    assert "in eval mode nothing is dropped" in failure(checks.drop_connect, drops_in_eval)


def test_encoder_and_tying_mistakes_are_caught():
    def last_only(embedding, rnns, x):
        return encoder_forward(embedding, rnns, x)[-1]

    assert "yours gave one tensor" in failure(checks.encoder_forward, last_only)

    def with_state_from_noise(embedding, rnns, x):
        out, outs = embedding(x), []
        for rnn in rnns:
            out, _ = rnn(out, (torch.ones(1, x.size(1), rnn.hidden_size), torch.ones(1, x.size(1), rnn.hidden_size)))
            outs.append(out)
        return outs

    assert "(layer 0's output)" in failure(checks.encoder_forward, with_state_from_noise)

    def copied(encoder, bias=False):  # a tied weight copied instead of shared
        dec = nn.Linear(encoder.embedding_dim, encoder.num_embeddings, bias=bias)
        dec.weight = nn.Parameter(encoder.weight.detach().clone())
        if bias:
            nn.init.zeros_(dec.bias)
        return dec

    assert "holds the same values but is not the embedding's Parameter itself" in failure(checks.tied_decoder, copied)

    def transposed_shape(encoder, bias=False):
        return nn.Linear(encoder.num_embeddings, encoder.embedding_dim, bias=bias)

    assert "should map 4 features to 10 words" in failure(checks.tied_decoder, transposed_shape)


def test_transfer_mistakes_are_caught():
    def zeros_for_new_words(weights, old_itos, new_itos):  # the mean row replaced by zeros
        out = transfer.convert_weights(weights, old_itos, new_itos)
        for key in transfer.VOCAB_KEYS:
            if key in out:
                for i, w in enumerate(new_itos):
                    if w not in old_itos:
                        out[key][i] = 0
        return out

    msg = failure(checks.convert_weights, zeros_for_new_words)
    assert "not in the pretrained vocabulary) should be the mean of the pretrained rows" in msg

    def last_duplicate(weights, old_itos, new_itos):  # a word twice in the old vocabulary: its last row taken
        flipped = {k: v.flip(0) if k in transfer.VOCAB_KEYS else v for k, v in weights.items()}
        return transfer.convert_weights(flipped, old_itos[::-1], new_itos)

    assert "should be the pretrained row" in failure(checks.convert_weights, last_duplicate)

    def only_embedding(weights, old_itos, new_itos):
        out = transfer.convert_weights(weights, old_itos, new_itos)
        out["1.decoder.weight"] = weights["1.decoder.weight"]
        return out

    assert "'1.decoder.weight'" in failure(checks.convert_weights, only_embedding)

    assert "rename_key('0.rnns.0.module.weight_hh_l0_raw')" in failure(
        checks.rename_key, lambda k: re.sub(r"^0\.encoder_dp\.emb\.", "0.encoder_dp.embed.", re.sub(r"^0\.encoder_with_dropout\.embed\.", "0.encoder_dp.embed.", k)))


def test_fine_tuning_mistakes_are_caught():
    assert "discriminative_lrs(0.001, 4)[0]" in failure(checks.discriminative_lrs, lambda lr, n, factor=2.6: [lr / factor ** i for i in range(n)])
    assert "should be a float, yours is a" in failure(checks.discriminative_lrs, lambda lr, n, factor=2.6: [torch.tensor(x) for x in train.discriminative_lrs(lr, n, factor)])

    def no_ratio(step, total, cut_frac=0.1, ratio=32.0):
        cut = max(1, math.floor(total * cut_frac))
        return step / cut if step < cut else max(0.0, 1 - (step - cut) / (cut * (1 / cut_frac - 1)))

    assert failure(checks.stlr, no_ratio).startswith("stlr(0, 100) should be 0.03125, yours gave 0")

    def short_fit_unguarded(step, total, cut_frac=0.1, ratio=32.0):
        cut = math.floor(total * cut_frac)
        p = step / cut if step < cut else 1 - (step - cut) / (cut * (1 / cut_frac - 1))
        return (1 + p * (ratio - 1)) / ratio

    assert "stlr(0, 5) raised ZeroDivisionError" in failure(checks.stlr, short_fit_unguarded)

    def only_group_n(groups, n):
        for i, g in enumerate(groups):
            for p in g:
                p.requires_grad_(i == n % len(groups))

    assert failure(checks.freeze_to, only_group_n).startswith("freeze_to(<4 layer groups>, 0): group 1 should train")

    def negative_wrong(groups, n):
        for i, g in enumerate(groups):
            for p in g:
                p.requires_grad_(i >= n)

    assert failure(checks.freeze_to, negative_wrong).startswith("freeze_to(<4 layer groups>, -1): group 0 should be frozen")


def test_pooling_mistakes_are_caught():
    def padding_included(output, lengths):  # the padding in the max and the mean
        last = output[lengths - 1, torch.arange(output.size(1))]
        return torch.cat([last, output.amax(0), output.mean(0)], 1)

    assert "the max part" in failure(checks.concat_pool, padding_included)

    def mean_with_padding(output, lengths):
        mask = (torch.arange(output.size(0)).unsqueeze(1) < lengths).unsqueeze(2)
        pooled = concat_pool(output, lengths)
        n = output.size(2)
        pooled[:, 2 * n :] = (output * mask).sum(0) / output.size(0)
        return pooled

    assert "the mean part" in failure(checks.concat_pool, mean_with_padding)

    def last_position(output, lengths):
        pooled = concat_pool(output, lengths)
        pooled[:, : output.size(2)] = output[-1]
        return pooled

    assert "the last part" in failure(checks.concat_pool, last_position)

    assert "clip_document(" in failure(checks.clip_document, lambda ids, max_tokens=None: ids if max_tokens is None else ids[:max_tokens])
    assert "should be a ndarray" in failure(checks.clip_document, lambda ids, max_tokens=None: list(predict.clip_document(ids, max_tokens)))


def test_hidden_runs_the_extra_inputs(capsys):
    checks.hidden("stlr", stlr)
    assert "on all 69 inputs" in capsys.readouterr().out
    with pytest.raises(checks.CheckFailed):
        checks.hidden("concat_pool", lambda o, lengths: torch.cat([o[-1], o.amax(0), o.mean(0)], 1))


def test_clip_document_keeps_numpy_dtype():
    ids = np.arange(30, dtype=np.int32)
    assert predict.clip_document(ids, 8).dtype == np.int32
