"""How each exercise is called and what of it is observed, run alike on the learner's object and on the reference.

A probe takes the exercise's object (a function or a class), one input (plain data) and a scratch folder, and returns
what the call shows: a value, or a dict of values for an exercise with several steps. Both sides encode the result
with `wire.encode`, and the checker compares the two encodings. This module runs in the learner's process, so it
imports nothing of the reference but the lesson's own data classes.
"""

import copy
import csv
import itertools
import json
from collections import Counter
from pathlib import Path

from ulmfit_ref.data import Reviews

from . import wire

_fresh = itertools.count()


def _folder(workdir: Path, name: str) -> Path:
    """A new folder under `workdir`, one per call, so that no call sees the files of another."""
    path = Path(workdir) / f"{name}{next(_fresh)}"
    path.mkdir(parents=True)
    return path


def _attempt(step):
    """The value of `step()`, or the exception it raised, as a value."""
    try:
        return step()
    except Exception as e:  # noqa: BLE001 - the learner's errors are results to compare
        return wire.Raised(e)


def call(fn, inp, workdir):
    """`fn(*args, **kwargs)` for an input `(args, kwargs)`."""
    args, kwargs = inp
    return fn(*args, **kwargs)


def read_imdb(fn, inp, workdir):
    """`fn(folder, **kwargs)` on an aclImdb folder written from `files` (relative path -> bytes); str or Path as asked."""
    files, as_str, kwargs = inp
    root = _folder(workdir, "imdb") / "aclImdb"
    for name, data in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return fn(str(root) if as_str else root, **kwargs)


def make_splits(fn, inp, workdir):
    """`fn(reviews, *args, **kwargs)` with reviews given as {split: [texts, labels]}."""
    reviews, args, kwargs = inp
    return fn({split: Reviews(list(texts), list(labels)) for split, (texts, labels) in reviews.items()}, *args, **kwargs)


def write_csv(fn, inp, workdir):
    """What `fn(path, labels, *fields)` returns, and the rows of the file it wrote, read back with `csv`."""
    labels, fields = inp
    path = _folder(workdir, "csv") / "new_folder" / "texts.csv"
    returned = fn(path, labels, *fields)
    rows = None
    if path.exists():
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    return {"returned": returned, "rows": rows}


def count_tokens(fn, docs, workdir):
    """`fn(path)` on a token file (one JSON list per line) of the documents `docs`."""
    path = _folder(workdir, "tok") / "docs.tok.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return fn(path)


def vocab(cls, inp, workdir):
    """`cls.build(counts, **kwargs)`: its itos and stoi, `numericalize`, stoi after it, `textify`; and `cls(itos).stoi`."""
    pairs, kwargs, tokens, itos = inp
    v = cls.build(Counter(dict(pairs)), **kwargs)
    seen = {"itos": copy.copy(v.itos), "stoi": copy.copy(v.stoi)}
    ids = _attempt(lambda: v.numericalize(list(tokens)))
    seen["numericalize"] = ids
    seen["stoi after numericalize"] = _attempt(lambda: copy.copy(v.stoi))
    if not isinstance(ids, wire.Raised):
        seen["textify"] = _attempt(lambda: v.textify(ids))
    seen["textify with sep='|'"] = _attempt(lambda: v.textify(list(range(len(v.itos)))[::-1], sep="|"))
    seen["Vocab(itos).stoi"] = _attempt(lambda: cls(list(itos)).stoi)
    return seen


# --- lessons 5-10: tensors are built here from plain data; torch is imported by the probes that need it -------------

TOL = (1e-4, 1e-5)  # rtol, atol of the float32 computations of lessons 6, 7, 8 and 10
TOL_FLOAT = (1e-9, 1e-15)  # rtol, atol of the float64 arithmetic of lesson 9


def _torch(fn, placeholder):
    """torch, for a probe of a lesson 5-10 exercise. In the learner's sandbox torch is there only if the learner's cells
    imported it (loading it later is refused): without it, `placeholder(fn)` shows a stub's NotImplementedError, or a
    RuntimeError says what is missing. The reference (in the grader's process) imports it freely."""
    import sys

    if "torch" not in sys.modules and not getattr(fn, "__module__", "").startswith(("ulmfit_ref", "grading")):
        try:
            placeholder(fn)
        except NotImplementedError:
            raise
        except Exception:  # noqa: BLE001 - the placeholder call only looks for a stub
            pass
        raise RuntimeError("torch is not imported by your exercise cells: keep the lesson's `import torch` (and use it)")
    import torch

    return torch


def _seed(torch, seed: int) -> None:
    """Seed torch's CPU generator (what the dropouts draw from). Not `torch.manual_seed`: without CUDA it records the
    call's stack for later, which reads the source files of the stack, and the sandbox refuses to read this file."""
    torch.default_generator.manual_seed(seed)


def _approx(x, tol=TOL):
    return wire.Approx(x, *tol)


def _nonzero(torch, shape, seed: int, dtype=None):
    """Values of `shape` in ±[0.5, 1.5): none is zero, so that `out / x` shows a mask."""
    g = torch.Generator().manual_seed(seed)
    dtype = dtype or torch.float32
    magnitude = torch.rand(*shape, generator=g, dtype=dtype) + 0.5
    return magnitude * torch.where(torch.rand(*shape, generator=g) < 0.5, -1.0, 1.0).to(dtype)


def _about_p(dropped: float, p: float, n: int) -> bool:
    """Whether a fraction `dropped` of `n` draws is within 5 standard deviations of p."""
    return abs(dropped - p) <= 5 * (p * (1 - p) / n) ** 0.5 + 1e-9


def _mask_values(torch, ratio, p: float) -> bool:
    """Whether every value of `ratio` is 0 or 1/(1-p)."""
    keep = torch.full_like(ratio, 1 / (1 - p))
    return bool(((ratio == 0) | torch.isclose(ratio, keep, rtol=1e-4, atol=1e-6)).all())


def _tensor_facts(torch, t, shape, dtype=None) -> dict:
    """Whether `t` is a tensor, and its shape (and dtype): the first things a mask must get right."""
    facts = {"is a tensor": isinstance(t, torch.Tensor)}
    if facts["is a tensor"]:
        facts["shape"] = list(t.shape)
        if dtype is not None:
            facts["dtype"] = str(t.dtype)
    return facts


def _tensor_ok(torch, facts: dict, shape, dtype=None) -> bool:
    return facts["is a tensor"] and facts["shape"] == list(shape) and (dtype is None or facts["dtype"] == str(dtype))


def batchify(fn, inp, workdir):
    """`fn(ids, bs)` with ids a 1-D LongTensor."""
    torch = _torch(fn, lambda f: f(None, 1))

    ids, bs = inp
    return fn(torch.tensor(ids, dtype=torch.long), bs)


def get_batch(fn, inp, workdir):
    """`fn(data, i, seq_len)` with data a [rows, bs] LongTensor."""
    torch = _torch(fn, lambda f: f(None, 0, 1))

    data, i, seq_len = inp
    return fn(torch.tensor(data, dtype=torch.long), i, seq_len)


def draw_seq_lens(fn, inp, workdir):
    """`fn(n, bptt, torch.Generator().manual_seed(seed))`."""
    torch = _torch(fn, lambda f: f(1, 1, None))

    n, bptt, seed = inp
    return fn(n, bptt, torch.Generator().manual_seed(seed))


def dropout_mask(fn, inp, workdir):
    """`fn(x, size, p)` after `_seed(torch, seed)`: its shape, dtype, values, fraction dropped, and x unchanged."""
    torch = _torch(fn, lambda f: f(None, (1,), 0.5))

    size, p, dtype, seed = inp
    dtype = getattr(torch, dtype)
    x = _nonzero(torch, (5, 3), seed, dtype)
    before = x.clone()
    _seed(torch, seed)
    mask = fn(x, tuple(size), p)
    seen = _tensor_facts(torch, mask, size, dtype)
    if not _tensor_ok(torch, seen, size, dtype):
        return seen
    seen["x unchanged"] = torch.equal(x, before)
    seen["every value 0 or 1/(1-p)"] = _mask_values(torch, mask, p)
    if mask.numel() >= 1000:
        seen["about p of the values 0"] = _about_p(float((mask == 0).float().mean()), p, mask.numel())
    return seen


def locked_dropout(cls, inp, workdir):
    """`cls(p)` on a [seq, bs, n] input: in training, one mask (0 or 1/(1-p)) per sequence shared by every time step; in
    eval (and with p = 0), the input itself."""
    torch = _torch(cls, lambda c: c(0.5).train()(None))
    from torch import nn

    p, shape, seed = inp
    module = cls(p)
    seen = {"is an nn.Module": isinstance(module, nn.Module)}
    if not seen["is an nn.Module"]:
        return seen
    x = _nonzero(torch, shape, seed)
    module.train()
    _seed(torch, seed)
    out = module(x.clone())  # a stub's NotImplementedError goes up: "not implemented yet"
    train = _tensor_facts(torch, out, shape, torch.float32)
    if _tensor_ok(torch, train, shape, torch.float32):
        ratio = out.detach() / x
        train["every value of out / x 0 or 1/(1-p)"] = _mask_values(torch, ratio, p)
        train["the mask of step 0 at every time step"] = bool(torch.isclose(ratio, ratio[:1].expand_as(ratio)).all())
        if p > 0 and ratio[0].numel() >= 1000:
            train["about p of the features dropped"] = _about_p(float((ratio[0] == 0).float().mean()), p, ratio[0].numel())
        if 0.1 <= p <= 0.9 and shape[1] >= 2 and shape[2] >= 30:
            train["each sequence its own mask"] = not bool((ratio[0] == ratio[0, :1]).all())
        if p == 0:
            train["output"] = _approx(out)
    seen["training"] = train
    module.eval()
    seen["eval"] = _approx(_attempt(lambda: module(x.clone())))
    return seen


def embedding_dropout(fn, inp, workdir):
    """`fn(embed, words, p, training)` after `_seed(torch, seed)`: not training (or p = 0), the embeddings; training,
    whole word vectors dropped (0) or kept (scaled by 1/(1-p)), each word alike wherever it is, about p of the words."""
    torch = _torch(fn, lambda f: f(None, None, 0.5, True))
    from torch import nn

    vocab, emb_sz, shape, p, training, seed = inp
    embed = nn.Embedding(vocab, emb_sz)
    with torch.no_grad():
        embed.weight.copy_(_nonzero(torch, (vocab, emb_sz), seed))
    words = torch.randint(0, vocab, tuple(shape), generator=torch.Generator().manual_seed(seed + 1))
    _seed(torch, seed)
    out = fn(embed, words.clone(), p, training)
    if not training or p == 0:
        return _approx(out)
    want = tuple(shape) + (emb_sz,)
    seen = _tensor_facts(torch, out, want, torch.float32)
    if not _tensor_ok(torch, seen, want, torch.float32):
        return seen
    ratio = out.detach() / embed.weight.detach()[words]
    seen["every value of out / embed(words) 0 or 1/(1-p)"] = _mask_values(torch, ratio, p)
    seen["whole word vectors dropped or kept"] = bool(torch.isclose(ratio, ratio[..., :1].expand_as(ratio)).all())
    kept, flat = ratio[..., 0].reshape(-1), words.reshape(-1)
    per_word = torch.zeros(vocab)
    per_word[flat] = kept
    seen["each word dropped everywhere or nowhere"] = bool((per_word[flat] == kept).all())
    present = torch.unique(flat)
    if len(present) >= 500:
        seen["about p of the words dropped"] = _about_p(float((per_word[present] == 0).float().mean()), p, len(present))
    return seen


def drop_connect(fn, inp, workdir):
    """`fn(weight, p, training)` on a Parameter, after `_seed(torch, seed)`: not training (or p = 0), the weight;
    training, entries 0 or scaled by 1/(1-p), about p of them 0, and the mask as the gradient of the raw weight."""
    torch = _torch(fn, lambda f: f(None, 0.5, True))
    from torch import nn

    shape, p, training, seed = inp
    raw = nn.Parameter(_nonzero(torch, shape, seed))
    _seed(torch, seed)
    out = fn(raw, p, training)
    seen = _tensor_facts(torch, out, shape, torch.float32)
    if not _tensor_ok(torch, seen, shape, torch.float32):
        return seen
    if not training or p == 0:
        seen["output"] = _approx(out)
        return seen
    ratio = out.detach() / raw.detach()
    seen["every value of out / weight 0 or 1/(1-p)"] = _mask_values(torch, ratio, p)
    if ratio.numel() >= 1000:
        seen["about p of the entries 0"] = _about_p(float((ratio == 0).float().mean()), p, ratio.numel())
    seen["a gradient reaches the raw weight"] = bool(out.requires_grad)
    if out.requires_grad:
        out.sum().backward()
        seen["the raw weight's gradient is the mask"] = raw.grad is not None and bool(torch.allclose(raw.grad, ratio, atol=1e-5))
    return seen


def _lstms(nn, emb_sz: int, n_hid: int, n_layers: int):
    sizes = [emb_sz] + [n_hid] * (n_layers - 1) + [emb_sz]
    return nn.ModuleList(nn.LSTM(a, b) for a, b in zip(sizes, sizes[1:]))


def encoder_forward(fn, inp, workdir):
    """`fn(embedding, rnns, x)` on seeded weights and ids, without gradients: each layer's output."""
    torch = _torch(fn, lambda f: f(None, [], None))
    from torch import nn

    vocab, emb_sz, n_hid, n_layers, shape, seed = inp
    _seed(torch, seed)
    embedding = nn.Embedding(vocab, emb_sz, padding_idx=1)
    rnns = _lstms(nn, emb_sz, n_hid, n_layers)
    x = torch.randint(0, vocab, tuple(shape), generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return _approx(fn(embedding, rnns, x))


def tied_decoder(fn, inp, workdir):
    """`fn(encoder, bias=bias)`: its class and sizes, whether its weight IS the embedding's Parameter, its bias, its output."""
    torch = _torch(fn, lambda f: f(None))
    from torch import nn

    vocab, emb_sz, bias, seed = inp
    _seed(torch, seed)
    encoder = nn.Embedding(vocab, emb_sz)
    before = encoder.weight.detach().clone()
    decoder = fn(encoder, bias=bias)
    seen = {"class": wire._qualname(type(decoder))}
    if not isinstance(decoder, nn.Linear):
        return seen
    seen["(in_features, out_features)"] = (decoder.in_features, decoder.out_features)
    seen["its weight is the embedding's Parameter"] = decoder.weight is encoder.weight
    seen["the embedding unchanged"] = torch.equal(encoder.weight.detach(), before)
    seen["bias"] = None if decoder.bias is None else _approx(decoder.bias)
    with torch.no_grad():
        seen["output on a batch of ones"] = _approx(_attempt(lambda: decoder(torch.ones(2, emb_sz))))
    return seen


def _lm_weights(torch, keys, n_words: int, emb_sz: int, seed: int) -> dict:
    g = torch.Generator().manual_seed(seed)
    emb = torch.randn(n_words, emb_sz, generator=g)
    out = {"0.encoder.weight": emb, "0.encoder_dp.embed.weight": emb.clone(), "1.decoder.weight": emb.clone() * 2,
           "1.decoder.bias": torch.randn(n_words, generator=g), "0.rnns.0.weight_hh_l0_raw": torch.randn(4 * emb_sz, emb_sz, generator=g)}
    return {k: v for k, v in out.items() if k in keys or k.startswith("0.rnns")}


def convert_weights(fn, inp, workdir):
    """`fn(weights, old_itos, new_itos)` on seeded weights with the keys given: what it returns, and the weights given unchanged."""
    torch = _torch(fn, lambda f: f({}, [], []))

    keys, old_itos, new_itos, emb_sz, seed = inp
    weights = _lm_weights(torch, keys, len(old_itos), emb_sz, seed)
    given = {k: v.clone() for k, v in weights.items()}
    out = fn(given, list(old_itos), list(new_itos))
    return {"returned": _approx(out), "the weights given unchanged": all(torch.equal(given[k], v) for k, v in weights.items()) and sorted(given) == sorted(weights)}


def approx_call(fn, inp, workdir):
    """`fn(*args, **kwargs)`, its floats compared within TOL_FLOAT."""
    return _approx(call(fn, inp, workdir), TOL_FLOAT)


class Param:
    """A stand-in for an nn.Parameter as freeze_to uses it (`requires_grad`, `requires_grad_`): lesson 9's exercises do not
    import torch, and the sandbox refuses to load it once the learner's code runs."""

    def __init__(self, requires_grad: bool):
        self.requires_grad = requires_grad

    def requires_grad_(self, requires_grad: bool = True):
        self.requires_grad = requires_grad
        return self

    def __repr__(self):
        return f"Parameter(requires_grad={self.requires_grad})"


def freeze_to(fn, inp, workdir):
    """`fn(groups, n)` on groups of parameters whose requires_grad starts as `start`: what it returns, and requires_grad after."""
    sizes, start, n = inp
    groups = [[Param(on) for _ in range(k)] for k, on in zip(sizes, start)]
    returned = fn(groups, n)
    return {"returned": returned, "requires_grad of each group's parameters": [[p.requires_grad for p in params] for params in groups]}


def concat_pool(fn, inp, workdir):
    """`fn(output, lengths)` on a seeded [seq_len, bs, n] output whose padding (after each length) holds 5.0."""
    torch = _torch(fn, lambda f: f(None, None))

    shape, lengths, seed = inp
    output = torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) - 2.0
    lengths = torch.tensor(lengths)
    output[~(torch.arange(shape[0]).unsqueeze(1) < lengths)] = 5.0
    return _approx(fn(output, lengths))


def clip_document(fn, inp, workdir):
    """`fn(ids, max_tokens)` with ids an int32 array."""
    import numpy as np

    ids, max_tokens = inp
    return fn(np.array(ids, dtype=np.int32), max_tokens)


PROBES = {
    "read_imdb": read_imdb, "make_splits": make_splits, "write_csv": write_csv, "count_tokens": count_tokens, "Vocab": vocab,
    "batchify": batchify, "get_batch": get_batch, "draw_seq_lens": draw_seq_lens, "dropout_mask": dropout_mask,
    "LockedDropout": locked_dropout, "embedding_dropout": embedding_dropout, "drop_connect": drop_connect,
    "encoder_forward": encoder_forward, "tied_decoder": tied_decoder, "convert_weights": convert_weights,
    "discriminative_lrs": approx_call, "stlr": approx_call, "freeze_to": freeze_to, "concat_pool": concat_pool,
    "clip_document": clip_document,
}


def observe(exercise: str, obj, tree, workdir) -> list:
    """The encoded result of probing `obj`, the object of `exercise`, on the encoded input `tree`."""
    probe = PROBES.get(exercise, call)
    try:
        value = probe(obj, wire.decode(tree), workdir)
    except MemoryError:
        raise
    except BaseException as e:  # noqa: BLE001 - SystemExit and the like from learner code are results too
        value = wire.Raised(e)
    return wire.encode(value)
