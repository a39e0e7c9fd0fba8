"""The check cells of lessons 5-10 (loader, dropouts, encoder, transfer, fine-tuning, classifier).

Same contract as `course.checks`: each check is named after its exercise, prints one line when the learner's
function agrees with ulmfit_ref and otherwise raises `CheckFailed` with one sentence. Where the reference draws
random numbers (dropout masks), the check tests what the mask must be (shared over time, 0 or 1/(1-p), whole rows
dropped, about p of it zero) rather than the random values themselves. Lessons import this module as `checks`.
"""

import math
import sys
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from . import checks as _checks
from .checks import CheckFailed, _short, _typename, _where, not_implemented


# --- running the learner's code, comparing tensors -------------------------------------------------------------


def _run(name: str, fn, args: tuple, shown: str, kwargs: dict = None):
    """fn(*args, **kwargs) with its errors as one-sentence `CheckFailed`s; the arguments are not copied (identity matters)."""
    if not callable(fn):
        raise CheckFailed(f"{name} should be a function (or class); yours is a {_typename(fn)}: {_short(fn)}")
    try:
        return fn(*args, **(kwargs or {}))
    except NotImplementedError as e:
        raise CheckFailed(not_implemented(_checks._stub_name(name, e))) from None
    except Exception as e:
        raise CheckFailed(f"{name}({shown}) raised {_typename(e)}: {e}{_where(e)}") from None


def _show(t: Tensor, width: int = 60) -> str:
    """A tensor's values, cut to `width` characters."""
    return _short(t.tolist(), width) if isinstance(t, Tensor) else _short(t, width)


def tensor_difference(expected: Tensor, got, where: str, atol: float = 1e-5) -> str | None:
    """None when `got` is a tensor of the same dtype and shape as `expected` with close values, else what differs."""
    if not isinstance(got, Tensor):
        if got is None:
            return f"{where} should be a tensor, yours gave None (a missing `return`?)"
        return f"{where} should be a tensor, yours gave a {_typename(got)}: {_short(got)}"
    if got.dtype != expected.dtype:
        return f"{where} should have dtype {expected.dtype}, yours has {got.dtype}"
    if got.shape != expected.shape:
        return f"{where} should have shape {tuple(expected.shape)}, yours has {tuple(got.shape)}"
    if expected.is_floating_point():
        close = torch.isclose(got.detach(), expected.detach(), atol=atol, rtol=1e-4)
    else:
        close = got == expected
    if not bool(close.all()):
        i = tuple(int(k) for k in (~close).nonzero()[0])
        return (f"{where}[{', '.join(map(str, i))}] should be {expected[i].item():.6g}, yours gave {got[i].item():.6g} "
                f"(expected {_show(expected)}, yours {_show(got)})")
    return None


def _fail_if(d: str | None) -> None:
    if d:
        raise CheckFailed(d)


def _zero_fraction(t: Tensor) -> float:
    return float((t == 0).float().mean())


def _check_fraction(call: str, dropped: float, p: float, n: int, what: str = "entries") -> None:
    """`CheckFailed` unless the dropped fraction is within 5 standard deviations of p."""
    tol = 5 * math.sqrt(p * (1 - p) / n) + 1e-9
    if abs(dropped - p) > tol:
        raise CheckFailed(f"{call}: {dropped:.1%} of the {what} are dropped, it should be about p = {p:.0%} "
                          "(keep each with probability 1-p)")


def _check_mask_values(call: str, ratio: Tensor, p: float) -> None:
    """`CheckFailed` unless every value of `ratio` is 0 or 1/(1-p)."""
    keep = 1 / (1 - p)
    ok = torch.isclose(ratio, torch.zeros_like(ratio)) | torch.isclose(ratio, torch.full_like(ratio, keep))
    if not bool(ok.all()):
        bad = ratio[~ok][0].item()
        raise CheckFailed(f"{call}: a kept value should be scaled by 1/(1-p) = {keep:.4g} and a dropped one be 0, "
                          f"yours has a factor {bad:.4g}")


def _passed(name: str, what: str) -> None:
    print(f"✓ {name}: {what}")


# --- lesson 5: the LanguageModelLoader -------------------------------------------------------------------------


def batchify(fn, hidden: bool = False):
    """Check `batchify(ids, bs)`: the stream cut into bs columns, one consecutive stretch each; the rest dropped."""
    from ulmfit_ref.loaders import LanguageModelLoader

    cases = [(torch.arange(20), 4), (torch.arange(23), 5), (torch.arange(10), 1), (torch.tensor([7, 3, 9, 1, 4, 4, 2, 8]), 2)]
    if hidden:
        g = torch.Generator().manual_seed(5)
        cases += [(torch.randint(0, 1000, (int(torch.randint(4, 200, (), generator=g)),), generator=g), int(torch.randint(1, 8, (), generator=g)))
                  for _ in range(20)]
        cases = [(ids, bs) for ids, bs in cases if len(ids) // bs >= 2]
    for ids, bs in cases:
        shown = f"{_show(ids, 40)}, bs={bs}"
        expected = LanguageModelLoader(ids, bs, 1, seed=0).data
        got = _run("batchify", fn, (ids.clone(), bs), shown)
        d = tensor_difference(expected, got, f"batchify({shown})")
        if d and isinstance(got, Tensor) and got.shape == expected.shape and torch.equal(got, ids[: len(ids) // bs * bs].view(-1, bs)):
            d = (f"batchify({shown}) puts consecutive tokens side by side in a row (view(-1, bs)); each of the bs columns "
                 "should be one consecutive stretch of the stream, read downwards: view(bs, -1).t()")
        _fail_if(d)
    _passed("batchify", f"same as the reference LanguageModelLoader's data on all {len(cases)} inputs")


def get_batch(fn, hidden: bool = False):
    """Check `get_batch(data, i, seq_len)`: x the rows i..i+seq_len, y the same rows shifted one token on."""
    data = torch.arange(30).view(3, 10).t().contiguous()
    cases = [(data, 0, 4), (data, 3, 2), (data, 6, 5), (data, 8, 5)]
    if hidden:
        g = torch.Generator().manual_seed(6)
        for _ in range(20):
            d = torch.randint(0, 50, (int(torch.randint(3, 40, (), generator=g)), int(torch.randint(1, 5, (), generator=g))), generator=g)
            cases.append((d, int(torch.randint(0, len(d) - 1, (), generator=g)), int(torch.randint(1, 12, (), generator=g))))
    for data, i, seq_len in cases:
        shown = f"data of shape {tuple(data.shape)}, i={i}, seq_len={seq_len}"
        call = f"get_batch({shown})"
        got = _run("get_batch", fn, (data.clone(), i, seq_len), shown)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CheckFailed(f"{call} should return a tuple (x, y), yours gave a {_typename(got)}: {_short(got)}")
        n = min(seq_len, len(data) - 1 - i)
        x, y = data[i : i + n], data[i + 1 : i + 1 + n]
        gx, gy = got
        if isinstance(gy, Tensor) and isinstance(gx, Tensor) and gx.shape == gy.shape and torch.equal(gx, gy):
            raise CheckFailed(f"{call}: your y is x itself; the target of each token is the next one, so y is data[i+1 : i+1+seq_len]")
        for part, want, have in (("[0] (x)", x, gx), ("[1] (y)", y, gy)):
            if isinstance(have, Tensor) and have.shape != want.shape and seq_len > n:
                raise CheckFailed(f"{call}{part} should have shape {tuple(want.shape)}, yours has {tuple(have.shape)}: near the end "
                                  f"only {n} rows have a next token, so seq_len becomes min(seq_len, len(data) - 1 - i)")
        _fail_if(tensor_difference(x, gx, f"{call}[0] (x)"))
        _fail_if(tensor_difference(y, gy, f"{call}[1] (y)"))
    _passed("get_batch", f"x and y as the reference LanguageModelLoader yields them on all {len(cases)} inputs")


def draw_seq_lens(fn, hidden: bool = False):
    """Check `draw_seq_lens(n, bptt, generator)`: the same draws, in the same order, as the reference's epoch."""
    from ulmfit_ref.loaders import LanguageModelLoader

    cases = [(200, 70, 0), (1000, 70, 1), (9, 70, 2), (500, 10, 3)]
    if hidden:
        cases += [(n, b, s) for s, (n, b) in enumerate(zip((50, 77, 333, 1200, 2, 640), (5, 20, 35, 70, 70, 12)), 10)]
    for n, bptt, seed in cases:
        shown = f"{n}, {bptt}, torch.Generator().manual_seed({seed})"
        expected = LanguageModelLoader(torch.zeros(n + 1, dtype=torch.long), 1, bptt, seed=seed).seq_lens
        got = _run("draw_seq_lens", fn, (n, bptt, torch.Generator().manual_seed(seed)), shown)
        call = f"draw_seq_lens({shown})"
        if isinstance(got, list) and all(type(x) is int for x in got) and sum(got) != n:
            raise CheckFailed(f"{call}: your lengths add up to {sum(got)}, they should add up to n = {n} "
                              "(the last one is cut to what is left)")
        _fail_if(_checks.difference(expected, got, call))
    _passed("draw_seq_lens", f"the same lengths as the reference LanguageModelLoader on all {len(cases)} inputs")


# --- lesson 6: the AWD-LSTM dropouts ---------------------------------------------------------------------------


def dropout_mask(fn, hidden: bool = False):
    """Check `dropout_mask(x, size, p)`: a tensor of `size` in x's dtype, each value 0 (probability p) or 1/(1-p)."""
    cases = [((1, 2000, 50), 0.3, torch.float32), ((4000, 25), 0.5, torch.float32), ((10, 1), 0.0, torch.float32), ((3, 100, 100), 0.1, torch.float64)]
    if hidden:
        cases += [((1, 500, 40), 0.7, torch.float32), ((200, 200), 0.02, torch.float64), ((2, 3, 4000), 0.25, torch.float32)]
    torch.manual_seed(0)
    for size, p, dtype in cases:
        x = torch.randn(5, 3, dtype=dtype)
        before = x.clone()
        shown = f"x of dtype {dtype}, size={size}, p={p}"
        call = f"dropout_mask({shown})"
        got = _run("dropout_mask", fn, (x, size, p), shown)
        if not isinstance(got, Tensor):
            raise CheckFailed(f"{call} should be a tensor, yours gave a {_typename(got)}: {_short(got)}")
        if tuple(got.shape) != size:
            raise CheckFailed(f"{call} should have shape {size} (the `size` given, not x's), yours has {tuple(got.shape)}")
        if got.dtype != dtype:
            raise CheckFailed(f"{call} should have x's dtype {dtype}, yours has {got.dtype} (make it with x.new_empty(size))")
        if not torch.equal(x, before):
            raise CheckFailed(f"{call} changed x; the mask is a new tensor, x only gives its dtype and device")
        _check_mask_values(call, got, p)
        _check_fraction(call, _zero_fraction(got), p, got.numel())
    _passed("dropout_mask", f"the right shape, dtype, values and fraction dropped on all {len(cases)} inputs")


def _sequence_batch(seq: int, bs: int, n: int, seed: int, dtype=torch.float32) -> Tensor:
    """A [seq, bs, n] input with no zero in it, so that out / x shows the mask."""
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(seq, bs, n, generator=g, dtype=dtype) + 0.5) * torch.where(torch.rand(seq, bs, n, generator=g) < 0.5, -1.0, 1.0).to(dtype)


def LockedDropout(cls, hidden: bool = False):
    """Check a `LockedDropout(p)` module: one mask per sequence and feature, the same at every time step; nothing in eval."""
    cases = [(0.5, (20, 8, 30)), (0.3, (6, 200, 100)), (0.0, (4, 3, 5))]
    if hidden:
        cases += [(0.1, (50, 40, 50)), (0.7, (3, 300, 20)), (0.25, (1, 500, 40))]
    torch.manual_seed(1)
    for k, (p, shape) in enumerate(cases):
        module = _run("LockedDropout", cls, (p,), f"p={p}")
        if not isinstance(module, nn.Module):
            raise CheckFailed(f"LockedDropout({p}) should be an nn.Module (class LockedDropout(nn.Module)), yours is a {_typename(module)}")
        x = _sequence_batch(*shape, seed=k)
        shown = f"x of shape {shape}"
        call = f"LockedDropout({p})({shown}) in training mode"
        module.train()
        out = _run("LockedDropout", module, (x.clone(),), shown)
        if not isinstance(out, Tensor) or out.shape != x.shape:
            raise CheckFailed(f"{call} should be a tensor of x's shape {shape}, yours gave {_short(out if not isinstance(out, Tensor) else tuple(out.shape))}")
        ratio = out / x
        _check_mask_values(call, ratio, p)
        if not torch.allclose(ratio, ratio[:1].expand_as(ratio)):
            t = int((~torch.isclose(ratio, ratio[:1].expand_as(ratio))).any(2).any(1).nonzero()[0])
            raise CheckFailed(f"{call}: the mask at time step {t} differs from the one at step 0; locked dropout draws one mask "
                              "of shape (1, bs, n) per batch and applies it at every time step")
        _check_fraction(call, _zero_fraction(ratio[0]), p, ratio[0].numel(), "features of each sequence")
        module.eval()
        out = _run("LockedDropout", module, (x.clone(),), shown)
        _fail_if(tensor_difference(x, out, f"LockedDropout({p})({shown}) in eval mode (self.training False: x unchanged)"))
    _passed("LockedDropout", f"one mask per sequence, shared over time, scaled by 1/(1-p), none in eval, on all {len(cases)} inputs")


def embedding_dropout(fn, hidden: bool = False):
    """Check `embedding_dropout(embed, words, p, training)`: whole words dropped, the same word everywhere in the batch."""
    cases = [(2000, 8, (40, 100), 0.2), (500, 4, (25, 40), 0.5), (50, 6, (7, 3), 0.0)]
    if hidden:
        cases += [(3000, 3, (60, 100), 0.1), (1000, 5, (20, 100), 0.05), (400, 2, (40, 20), 0.7)]
    torch.manual_seed(2)
    for vocab, emb_sz, shape, p in cases:
        embed = nn.Embedding(vocab, emb_sz)
        with torch.no_grad():
            embed.weight.copy_(_sequence_batch(1, vocab, emb_sz, seed=vocab)[0])
        words = torch.arange(shape[0] * shape[1]).remainder(vocab).view(shape)
        words = words.flatten()[torch.randperm(words.numel())].view(shape)
        shown = f"nn.Embedding({vocab}, {emb_sz}), words of shape {shape}, p={p}"
        for training in (True, False):
            call = f"embedding_dropout({shown}, training={training})"
            got = _run("embedding_dropout", fn, (embed, words.clone(), p, training), f"{shown}, training={training}")
            expected = embed(words)
            if not training or p == 0:
                _fail_if(tensor_difference(expected, got, call))
                continue
            if not isinstance(got, Tensor) or got.shape != expected.shape:
                raise CheckFailed(f"{call} should be a tensor of shape {tuple(expected.shape)}, yours gave "
                                  f"{_short(tuple(got.shape) if isinstance(got, Tensor) else got)}")
            ratio = got.detach() / expected.detach()
            _check_mask_values(call, ratio, p)
            whole = torch.isclose(ratio, ratio[..., :1].expand_as(ratio)).all(-1)
            if not bool(whole.all()):
                raise CheckFailed(f"{call}: some word vectors are only partly zeroed; embedding dropout drops a word's whole "
                                  "vector (a row of the embedding matrix) or keeps it whole, scaled by 1/(1-p)")
            kept = ratio[..., 0].flatten()
            per_word = torch.zeros(vocab)
            per_word[words.flatten()] = kept  # one of each word's values, compared below with all of them
            differs = per_word[words.flatten()] != kept
            if bool(differs.any()):
                w = int(words.flatten()[differs.nonzero()[0]])
                raise CheckFailed(f"{call}: word {w} is dropped at one position and kept at another; draw one mask row per word "
                                  "of the vocabulary (size (vocab, 1)) and look it up like the embedding, so a dropped word is dropped everywhere")
            _check_fraction(call, _zero_fraction(per_word), p, vocab, "words of the vocabulary")
    _passed("embedding_dropout", f"whole words dropped, consistently over the batch, none when not training, on all {len(cases)} inputs")


def drop_connect(fn, hidden: bool = False):
    """Check `drop_connect(weight, p, training)`: the weight with entries dropped in training, unchanged in eval, gradients to it."""
    cases = [((200, 50), 0.5), ((120, 30), 0.2), ((4, 4), 0.0)]
    if hidden:
        cases += [((400, 100), 0.1), ((60, 15), 0.7)]
    torch.manual_seed(3)
    for shape, p in cases:
        raw = nn.Parameter(_sequence_batch(1, *shape, seed=shape[0])[0])
        shown = f"a Parameter of shape {shape}, p={p}"
        call = f"drop_connect({shown}, training=False)"
        got = _run("drop_connect", fn, (raw, p, False), f"{shown}, training=False")
        if isinstance(got, Tensor) and got.shape == raw.shape and not torch.allclose(got.detach(), raw.detach()):
            raise CheckFailed(f"{call} changed the weight; in eval mode nothing is dropped (awd-lstm-lm #72): pass training to the dropout")
        _fail_if(tensor_difference(raw.detach(), got, call))
        call = f"drop_connect({shown}, training=True)"
        got = _run("drop_connect", fn, (raw, p, True), f"{shown}, training=True")
        if not isinstance(got, Tensor) or got.shape != raw.shape:
            raise CheckFailed(f"{call} should be a tensor of the weight's shape {shape}, yours gave "
                              f"{_short(tuple(got.shape) if isinstance(got, Tensor) else got)}")
        ratio = got.detach() / raw.detach()
        _check_mask_values(call, ratio, p)
        _check_fraction(call, _zero_fraction(ratio), p, ratio.numel())
        if not got.requires_grad:
            raise CheckFailed(f"{call}: no gradient can reach the raw weight from yours (fastai2 PR #427); compute it from the "
                              "Parameter itself, not from weight.data or weight.detach()")
        raw.grad = None
        got.sum().backward()
        if raw.grad is None or not torch.allclose(raw.grad, ratio):
            raise CheckFailed(f"{call}: the gradient that reaches the raw weight should be the mask itself (0 or 1/(1-p)), "
                              f"yours is {_show(raw.grad if raw.grad is not None else None)}")
    _passed("drop_connect", f"dropped in training, unchanged in eval, gradients reach the raw weight, on all {len(cases)} inputs")


# --- lesson 7: the encoder, the decoder and weight tying -------------------------------------------------------


def _reference_encoder(vocab: int, emb_sz: int, n_hid: int, n_layers: int, seed: int):
    """A RNNEncoder without dropout, and an embedding and plain nn.LSTMs holding the very same weights."""
    from ulmfit_ref.models import RNNEncoder

    torch.manual_seed(seed)
    ref = RNNEncoder(vocab, emb_sz, n_hid, n_layers).eval()
    embedding = nn.Embedding(vocab, emb_sz, padding_idx=1)
    embedding.weight.data.copy_(ref.encoder.weight.data)
    rnns = []
    for wd in ref.rnns:
        lstm = nn.LSTM(wd.module.input_size, wd.module.hidden_size)
        with torch.no_grad():
            lstm.weight_ih_l0.copy_(wd.module.weight_ih_l0)
            lstm.weight_hh_l0.copy_(wd.weight_hh_l0_raw)
            lstm.bias_ih_l0.copy_(wd.module.bias_ih_l0)
            lstm.bias_hh_l0.copy_(wd.module.bias_hh_l0)
        rnns.append(lstm)
    return ref, embedding, nn.ModuleList(rnns)


def encoder_forward(fn, hidden: bool = False):
    """Check `encoder_forward(embedding, rnns, x)`: each layer's output, from a zero state, as RNNEncoder's raw_outputs."""
    cases = [(30, 8, 16, 2, (7, 3)), (20, 6, 10, 3, (5, 2)), (12, 4, 6, 1, (9, 1))]
    if hidden:
        cases += [(50, 10, 12, 4, (11, 4)), (15, 5, 7, 2, (1, 6))]
    for k, (vocab, emb_sz, n_hid, n_layers, shape) in enumerate(cases):
        ref, embedding, rnns = _reference_encoder(vocab, emb_sz, n_hid, n_layers, seed=k)
        x = torch.randint(0, vocab, shape, generator=torch.Generator().manual_seed(k))
        with torch.no_grad():
            expected, _ = ref(x)
        shown = f"nn.Embedding({vocab}, {emb_sz}), {n_layers} LSTMs of sizes {[(r.input_size, r.hidden_size) for r in rnns]}, x of shape {shape}"
        call = f"encoder_forward({shown})"
        with torch.no_grad():
            got = _run("encoder_forward", fn, (embedding, rnns, x.clone()), shown)
        if isinstance(got, Tensor):
            raise CheckFailed(f"{call} should return a list with each layer's output ({n_layers} tensors), yours gave one tensor")
        if not isinstance(got, list):
            raise CheckFailed(f"{call} should return a list of {n_layers} tensors, yours gave a {_typename(got)}: {_short(got)}")
        if len(got) != n_layers:
            raise CheckFailed(f"{call} should return {n_layers} outputs, one per layer, yours gave {len(got)}")
        for i, (e, g) in enumerate(zip(expected, got)):
            _fail_if(tensor_difference(e, g, f"{call}[{i}] (layer {i}'s output)"))
    _passed("encoder_forward", f"the same outputs as the reference RNNEncoder on all {len(cases)} inputs")


def tied_decoder(fn, hidden: bool = False):
    """Check `tied_decoder(encoder, bias=False)`: an nn.Linear(emb_sz, vocab) whose weight IS the embedding's Parameter."""
    cases = [(10, 4, False), (25, 8, True), (3, 2, False)]
    if hidden:
        cases += [(100, 16, True), (7, 1, False)]
    torch.manual_seed(4)
    for vocab, emb_sz, bias in cases:
        encoder = nn.Embedding(vocab, emb_sz)
        shown = f"nn.Embedding({vocab}, {emb_sz}), bias={bias}"
        call = f"tied_decoder({shown})"
        dec = _run("tied_decoder", fn, (encoder,), shown, {"bias": bias})
        if not isinstance(dec, nn.Linear):
            raise CheckFailed(f"{call} should be an nn.Linear, yours is a {_typename(dec)}")
        if (dec.in_features, dec.out_features) != (emb_sz, vocab):
            raise CheckFailed(f"{call} should map {emb_sz} features to {vocab} words: nn.Linear({emb_sz}, {vocab}), "
                              f"yours is nn.Linear({dec.in_features}, {dec.out_features})")
        if dec.weight is not encoder.weight:
            same = dec.weight.shape == encoder.weight.shape and torch.equal(dec.weight.detach(), encoder.weight.detach())
            raise CheckFailed(f"{call}: the decoder's weight {'holds the same values but ' if same else ''}is not the embedding's "
                              "Parameter itself, so training one would not train the other; assign it: decoder.weight = encoder.weight")
        if bias and (dec.bias is None or not torch.equal(dec.bias.detach(), torch.zeros(vocab))):
            raise CheckFailed(f"{call} should have a bias of {vocab} zeros, yours has {_show(dec.bias)}")
        if not bias and dec.bias is not None:
            raise CheckFailed(f"{call} should have no bias (nn.Linear(..., bias=False)), yours has one")
    _passed("tied_decoder", f"its weight is the embedding's Parameter on all {len(cases)} inputs")


# --- lesson 8: transfer --------------------------------------------------------------------------------------


def rename_key(fn, hidden: bool = False):
    """Check `rename_key(key)`: a fastai 0.7 or 1/2 key of a language model under ulmfit_ref's name."""
    from ulmfit_ref import transfer

    keys = ["0.encoder_with_dropout.embed.weight", "0.encoder_dp.emb.weight", "0.rnns.0.module.weight_hh_l0_raw",
            "0.rnns.2.module.weight_hh_l0_raw", "0.rnns.1.module.weight_ih_l0", "0.encoder.weight", "1.decoder.weight",
            "1.decoder.bias", "0.rnns.0.weight_hh_l0_raw"]
    if hidden:
        keys += ["0.rnns.11.module.weight_hh_l0_raw", "0.rnns.1.module.bias_hh_l0", "0.encoder_dp.embed.weight",
                 "x0.encoder_with_dropout.embed.weight", "0.rnns.0.module.weight_hh_l0"]
    _checks.passed("rename_key", _checks.compare("rename_key", fn, transfer._rename, [_checks.Case((k,)) for k in keys]))


def _weights(itos: list, emb_sz: int, seed: int, keys=("0.encoder.weight", "0.encoder_dp.embed.weight", "1.decoder.weight", "1.decoder.bias")) -> dict:
    g = torch.Generator().manual_seed(seed)
    emb = torch.randn(len(itos), emb_sz, generator=g)
    out = {"0.encoder.weight": emb, "0.encoder_dp.embed.weight": emb.clone(), "1.decoder.weight": emb.clone(),
           "1.decoder.bias": torch.randn(len(itos), generator=g), "0.rnns.0.weight_hh_l0_raw": torch.randn(4 * emb_sz, emb_sz, generator=g)}
    return {k: v for k, v in out.items() if k in keys or k.startswith("0.rnns")}


def convert_weights(fn, hidden: bool = False):
    """Check `convert_weights(weights, old_itos, new_itos)`: vocabulary rows moved to the new ids, the mean row for new words."""
    from ulmfit_ref import transfer

    old = ["_unk_", "_pad_", "the", "film", "good", "bad"]
    cases = [(old, ["_unk_", "_pad_", "film", "the", "great", "bad"], 3, 0), (old, ["_unk_", "_pad_", "zebra"], 2, 1),
             (old + ["film"], ["film", "good"], 4, 2), (old, old, 3, 3)]
    if hidden:
        words = [f"w{i}" for i in range(30)]
        g = torch.Generator().manual_seed(8)
        for s in range(6):
            o = [words[i] for i in torch.randperm(30, generator=g)[:20].tolist()]
            n = [words[i] for i in torch.randperm(30, generator=g)[: int(torch.randint(1, 30, (), generator=g))].tolist()]
            cases.append((o, n, 5, 10 + s))
    for k, (old_itos, new_itos, emb_sz, seed) in enumerate(cases):
        keys = ("0.encoder.weight",) if k == 2 else ("0.encoder.weight", "0.encoder_dp.embed.weight", "1.decoder.weight", "1.decoder.bias")
        weights = _weights(old_itos, emb_sz, seed, keys)
        expected = transfer.convert_weights({k2: v.clone() for k2, v in weights.items()}, old_itos, new_itos)
        shown = f"<weights {sorted(weights)}>, {_short(old_itos, 50)}, {_short(new_itos, 50)}"
        call = f"convert_weights({shown})"
        got = _run("convert_weights", fn, ({k2: v.clone() for k2, v in weights.items()}, list(old_itos), list(new_itos)), shown)
        if not isinstance(got, dict):
            raise CheckFailed(f"{call} should be a dict of tensors, yours gave a {_typename(got)}: {_short(got)}")
        missing = [key for key in expected if key not in got]
        if missing:
            raise CheckFailed(f"{call} should hold every key of the weights, yours lacks {missing[0]!r} (keys without vocabulary rows are kept as they are)")
        extra = [key for key in got if key not in expected]
        if extra:
            raise CheckFailed(f"{call} should not hold the key {extra[0]!r}: only the keys of the weights given")
        for key, e in expected.items():
            g_ = got[key]
            if isinstance(g_, Tensor) and g_.shape == e.shape and e.dim() >= 1 and key in transfer.VOCAB_KEYS:
                for row, word in enumerate(new_itos):
                    if not torch.allclose(g_[row], e[row], atol=1e-6):
                        if word not in old_itos:
                            raise CheckFailed(f"{call}[{key!r}] row {row} ({word!r}, not in the pretrained vocabulary) should be the mean "
                                              f"of the pretrained rows {_show(e[row], 50)}, yours is {_show(g_[row], 50)}")
                        raise CheckFailed(f"{call}[{key!r}] row {row} ({word!r}) should be the pretrained row {old_itos.index(word)} of "
                                          f"that word {_show(e[row], 50)}, yours is {_show(g_[row], 50)}")
            _fail_if(tensor_difference(e, g_, f"{call}[{key!r}]", atol=1e-6))
    _passed("convert_weights", f"same as ulmfit_ref's convert_weights on all {len(cases)} inputs")


# --- lesson 9: fine-tuning -----------------------------------------------------------------------------------


def _floats_difference(expected, got, call: str) -> str | None:
    if type(got) is not type(expected):
        return f"{call} should be a {_typename(expected)}, yours gave a {_typename(got)}: {_short(got)}"
    if isinstance(expected, list):
        if len(got) != len(expected):
            return f"{call} should have {len(expected)} items, yours has {len(got)}: {_short(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            if type(g) is not float:
                return f"{call}[{i}] should be a float, yours is a {_typename(g)}: {_short(g)}"
            if not math.isclose(e, g, rel_tol=1e-9, abs_tol=1e-15):
                return f"{call}[{i}] should be {e:.6g}, yours gave {g:.6g} (expected {[float(f'{x:.4g}') for x in expected]})"
        return None
    return None if math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-12) else f"{call} should be {expected:.6g}, yours gave {got:.6g}"


def discriminative_lrs(fn, hidden: bool = False):
    """Check `discriminative_lrs(lr, n_groups, factor=2.6)`: the head gets lr, each group below lr / factor more."""
    from ulmfit_ref import train

    cases = [((1e-3, 4), {}), ((0.01, 3), {"factor": 2.0}), ((0.5, 1), {}), ((2e-2, 5), {"factor": 1.0})]
    if hidden:
        cases += [((10.0 ** -k, n), {"factor": f}) for k, n, f in ((2, 6, 3.0), (4, 2, 2.6), (3, 8, 1.5))]
    for args, kwargs in cases:
        case = _checks.Case(args, kwargs)
        got = _run("discriminative_lrs", fn, args, case.call("discriminative_lrs")[len("discriminative_lrs("):-1], kwargs)
        _fail_if(_floats_difference(train.discriminative_lrs(*args, **kwargs), got, case.call("discriminative_lrs")))
    _passed("discriminative_lrs", f"same as ulmfit_ref's discriminative_lrs on all {len(cases)} inputs")


def stlr(fn, hidden: bool = False):
    """Check `stlr(step, total, cut_frac=0.1, ratio=32)`: the multiplier of eq. 3 of the paper, as ulmfit_ref's STLR."""
    from ulmfit_ref.schedule import STLR

    cases = [((0, 100), {}), ((5, 100), {}), ((10, 100), {}), ((55, 100), {}), ((99, 100), {}), ((0, 5), {}), ((3, 5), {}),
             ((20, 200), {"cut_frac": 0.25, "ratio": 10.0})]
    if hidden:
        cases += [((s, t), {"cut_frac": c, "ratio": r}) for s, t, c, r in ((0, 1, 0.1, 32.0), (7, 9, 0.5, 2.0), (150, 151, 0.1, 32.0), (13, 40, 1 / 3, 20.0))]
        cases += [((s, 57), {}) for s in range(57)]
    for args, kwargs in cases:
        case = _checks.Case(args, kwargs)
        call = case.call("stlr")
        got = _run("stlr", fn, args, call[len("stlr("):-1], kwargs)
        if type(got) is not float:
            raise CheckFailed(f"{call} should be a float, yours gave a {_typename(got)}: {_short(got)}")
        _fail_if(_floats_difference(STLR(**kwargs).lr_mult(*args), got, call))
    _passed("stlr", f"same as ulmfit_ref's STLR.lr_mult on all {len(cases)} inputs")


def freeze_to(fn, hidden: bool = False):
    """Check `freeze_to(groups, n)`: the groups from index n on train (requires_grad), those before do not."""
    cases = [(4, -1), (4, 0), (4, 2), (4, -3), (2, 1), (1, 0)]
    if hidden:
        cases += [(6, n) for n in range(-6, 6)]
    for n_groups, n in cases:
        groups = [[nn.Parameter(torch.zeros(2)) for _ in range(1 + i % 2)] for i in range(n_groups)]
        for i, g in enumerate(groups):  # start from a muddle, so that both directions are checked
            for p in g:
                p.requires_grad_(i % 2 == 0)
        shown = f"<{n_groups} layer groups>, {n}"
        got = _run("freeze_to", fn, (groups, n), shown)
        expected = [i >= n % n_groups for i in range(n_groups)]
        yours = [[p.requires_grad for p in g] for g in groups]
        for i, (e, g) in enumerate(zip(expected, yours)):
            if any(x != e for x in g):
                raise CheckFailed(f"freeze_to({shown}): group {i} should {'train' if e else 'be frozen'} (requires_grad {e}); "
                                  f"the pattern should be {expected}, yours is {[all(x) if len(set(x)) == 1 else x for x in yours]}")
        if got is not None:
            raise CheckFailed(f"freeze_to({shown}) should change the parameters in place and return None, yours returned {_short(got)}")
    _passed("freeze_to", f"the same groups frozen as ulmfit_ref's Learner.freeze_to on all {len(cases)} inputs")


# --- lesson 10: the classifier -------------------------------------------------------------------------------


def concat_pool(fn, hidden: bool = False):
    """Check `concat_pool(output, lengths)`: [last real state, max, mean over the real tokens], padding at the end ignored."""
    from ulmfit_ref.models import PoolingLinearClassifier

    cases = [((5, 3, 4), [5, 2, 3]), ((6, 2, 3), [6, 6]), ((4, 4, 2), [1, 4, 2, 3]), ((1, 1, 5), [1])]
    if hidden:
        g = torch.Generator().manual_seed(9)
        for _ in range(10):
            sl, bs, n = (int(torch.randint(1, 12, (), generator=g)), int(torch.randint(1, 6, (), generator=g)), int(torch.randint(1, 7, (), generator=g)))
            cases.append(((sl, bs, n), torch.randint(1, sl + 1, (bs,), generator=g).tolist()))
    for k, (shape, lengths) in enumerate(cases):
        output = torch.randn(*shape, generator=torch.Generator().manual_seed(k)) - 2.0
        lengths_t = torch.tensor(lengths)
        pad = ~(torch.arange(shape[0]).unsqueeze(1) < lengths_t)
        output[pad] = 5.0  # what an LSTM gives after the padding tokens: not zero, and larger than the real states here
        mask = ~pad
        expected = PoolingLinearClassifier.pool(output, mask)
        shown = f"output of shape {shape}, lengths={lengths}"
        call = f"concat_pool({shown})"
        got = _run("concat_pool", fn, (output.clone(), lengths_t.clone()), shown)
        d = tensor_difference(expected, got, call)
        if d and isinstance(got, Tensor) and got.shape == expected.shape:
            n = shape[2]
            for part, name, hint in ((0, "last", "the state at position length-1 of each document, not output[-1]"),
                                     (1, "max", "the maximum over the real tokens only: set the padding to -inf first"),
                                     (2, "mean", "the sum over the real tokens divided by the length, not by seq_len")):
                if not torch.allclose(got[:, part * n:(part + 1) * n], expected[:, part * n:(part + 1) * n], atol=1e-5):
                    d = (f"{call}: the {name} part (columns {part * n} to {(part + 1) * n - 1}) differs; it should be {hint} "
                         f"({_show(expected[:, part * n:(part + 1) * n], 40)}, yours {_show(got[:, part * n:(part + 1) * n], 40)})")
                    break
        _fail_if(d)
    _passed("concat_pool", f"same as ulmfit_ref's PoolingLinearClassifier.pool on all {len(cases)} inputs")


def clip_document(fn, hidden: bool = False):
    """Check `clip_document(ids, max_tokens)`: a long review keeps its first quarter of max_tokens and its end."""
    from ulmfit_ref import predict

    cases = [(np.arange(20, dtype=np.int32), 8), (np.arange(8, dtype=np.int32), 8), (np.arange(5, dtype=np.int32), 100),
             (np.arange(10, dtype=np.int32), None), (np.arange(11, dtype=np.int32), 3)]
    if hidden:
        rng = np.random.default_rng(11)
        cases += [(rng.integers(0, 100, rng.integers(1, 60)).astype(np.int32), int(rng.integers(1, 40))) for _ in range(20)]
    _checks.passed("clip_document", _checks.compare("clip_document", fn, predict.clip_document, [_checks.Case(c) for c in cases]))


# --- the hidden test cells ---------------------------------------------------------------------------------------

_CHECKS = {f.__name__: f for f in (batchify, get_batch, draw_seq_lens, dropout_mask, LockedDropout, embedding_dropout,
                                   drop_connect, encoder_forward, tied_decoder, rename_key, convert_weights,
                                   discriminative_lrs, stlr, freeze_to, concat_pool, clip_document)}


def _grading_exercises() -> dict:
    """The exercises the grader's `grading` package (beside `course` in the repository) knows; {} when it is absent."""
    import importlib.util

    folder = Path(__file__).resolve().parents[1] / "grading"
    if "grading" not in sys.modules:
        spec = importlib.util.spec_from_file_location("grading", folder / "__init__.py", submodule_search_locations=[str(folder)])
        if spec is None or not (folder / "__init__.py").exists():
            return {}
        sys.modules["grading"] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    from grading.exercises import EXERCISES

    return EXERCISES


def hidden(name: str, obj):
    """The hidden test of exercise `name`: this module's checks on more inputs, then the grader's own when it has them."""
    _CHECKS[name](obj, hidden=True)
    if name in _grading_exercises():
        _checks.hidden(name, obj)
