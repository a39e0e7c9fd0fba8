"""Lesson 6, the AWD-LSTM's dropouts: `dropout_mask`, `LockedDropout`, `embedding_dropout`, a prediction of the
zeros two dropouts leave, `drop_connect`, and a `WeightDrop` to fix (its mask drawn once, for every batch).

The reference draws random masks, so a learner's mask is not compared value by value: the learner's process only
returns what the calls gave (masks, outputs, the inputs after the calls), and the judges, in the checker's process,
rebuild the inputs from their seeds and test what a mask must be: the shape and dtype asked, values 0 or 1/(1-p), about
p of them dropped, the structure each dropout shares (a time step, a word, a batch), a new draw at each call, the
gradient that training needs (to the input, to the embedding, to the raw weight), the device of the input (torch's
`meta` device, which holds no data, stands for a GPU) and the inputs left as they were.
"""

from .. import wire
from ..exercise import TOL_FLOAT32, Exercise, Judgement, attempt, unchanged
from ..kinds import prediction
from .tensors import (
    count_zeros,
    fraction_problem,
    independence_problem,
    mask_values_problem,
    nonzero,
    pooled_rate_problem,
    seed_torch,
    warm_meta,
)

LESSON = "06_dropouts"
GIVEN = ()
PRELOAD = ("torch",)
WARM_UP = warm_meta  # the meta device's first use, paid before the learner's code runs
_P = (0.0, 0.1, 0.3, 0.5, 0.7)
BIG = 1000  # draws from which a fraction is tested against p
POOLED = 200  # draws of the small inputs, in all, from which their pooled rate is said to be tested


def _first(expected, actual) -> str | None:
    """What is wrong before any mask can be tested: a call that raised, an observation of another shape."""
    if not isinstance(actual, dict) or set(actual) != set(expected):
        return wire.difference(expected, actual)
    return None


def _tensor_problem(t, what: str, shape, dtype: str) -> str | None:
    """None when `t` is a tensor of `shape` and `dtype`, else what it is instead."""
    if isinstance(t, wire.Raised):
        return f"{what}: the call raised {t.type}: {t.message}{t.where}"
    if wire.kind(t) != "tensor":
        return f"{what} should be a tensor, yours is " + (
            "None (a missing `return`?)" if t is None else f"a {wire.kind(t)}"
        )
    if tuple(t.shape) != tuple(shape):
        return f"{what} should have shape {tuple(shape)}, yours has {tuple(t.shape)}"
    if str(t.dtype).removeprefix("torch.") != dtype:
        return f"{what} should have dtype {dtype}, yours has {str(t.dtype).removeprefix('torch.')}"
    return None


def _device_problem(device, what: str) -> str | None:
    """None when `device` (observed on an input on the meta device) is "meta", else what is wrong."""
    if isinstance(device, wire.Raised):
        return (
            f"{what}, on an input on torch's meta device (a stand-in for a GPU), raised {device.type}: {device.message}"
        )
    if device != "meta":
        return (
            f"{what} is on the {device} device for an input on torch's meta device (a stand-in for a GPU): make "
            "every new tensor on the input's device (x.new_empty, torch.rand_like, or device=x.device)"
        )
    return None


def _grad_of(out, leaf):
    """The gradient of `out.sum()` with respect to `leaf`, or None when `out` carries none."""
    import torch

    if not torch.is_tensor(out) or not out.requires_grad:
        return None
    out.sum().backward()
    return leaf.grad


def _close(a, b):
    import torch

    return torch.allclose(a, b, rtol=1e-4, atol=1e-5)


def _gradient_problem(grad, expected, what: str, why: str, should: str = "the mask (0 or 1/(1-p) per entry)"):
    """None when `grad` is the tensor `expected`, else what is wrong (`why`: what is lost without it; `should`: what it
    should be, in words)."""
    if grad is None:
        return (
            f"no gradient reaches {what} through yours: {why}; compute the result from it with autograd on (not "
            "under torch.no_grad(), not from .data or .detach())"
        )
    if isinstance(grad, wire.Raised):
        return f"the gradient of your output's sum with respect to {what} raised {grad.type}: {grad.message}"
    if wire.kind(grad) != "tensor" or grad.shape != expected.shape or not _close(grad, expected):
        return f"the gradient of your output's sum that reaches {what} should be {should}; yours is not"
    return None


def _judged(problems, checked) -> Judgement:
    problem = next((p for p in problems if p), None)
    return Judgement(problem, () if problem else tuple(checked), show_values=False)


# --- dropout_mask ---------------------------------------------------------------------------------------------------


def _observe_mask(fn, inp, workdir):
    """Two calls `fn(x, size, p)` after seeding torch: the two masks, and x after them; the device of a third's mask,
    for an x on the meta device."""
    import torch

    size, p, dtype, seed = inp
    x = nonzero((5, 3), seed, dtype)
    seed_torch(seed)
    first = fn(x, tuple(size), p)
    seen = {"mask": first, "the mask of a second call": attempt(lambda: fn(x, tuple(size), p)), "x after the calls": x}
    meta = torch.empty(5, 3, dtype=x.dtype, device="meta")
    seen["the device of the mask of an x on the meta device"] = attempt(lambda: str(fn(meta, tuple(size), p).device))
    return seen


def _judge_mask(inp, expected, actual) -> Judgement:
    size, p, dtype, seed = inp
    if problem := _first(expected, actual):
        return Judgement(problem)
    mask, second, x = actual["mask"], actual["the mask of a second call"], actual["x after the calls"]
    if problem := _tensor_problem(mask, "the mask", size, dtype):
        if "shape" in problem:
            problem += " (the `size` given, not x's)"
        if "dtype" in problem:
            problem += " (make it with x.new_empty(size), in x's dtype)"
        return Judgement(problem, show_values=False)
    checked = ["a tensor of the size and dtype asked"]
    problems = []
    if wire.difference(expected["x after the calls"], x):
        problems.append("dropout_mask changed x; the mask is a new tensor, x only gives its dtype and device")
    checked.append("x unchanged")
    problems.append(_device_problem(actual["the device of the mask of an x on the meta device"], "your mask"))
    checked.append("on x's device")
    problems.append(
        mask_values_problem(mask, p, "a kept value")
        if p
        else (None if bool((mask == 1).all()) else "with p = 0 nothing is dropped: every value should be 1")
    )
    checked.append("every value 0 or 1/(1-p)")
    if p and mask.numel() >= BIG:
        problems.append(fraction_problem(float((mask == 0).float().mean()), p, mask.numel(), "values"))
        checked.append("about p of them 0")
        problems.append(
            _tensor_problem(second, "the mask of a second call", size, dtype)
            or independence_problem(mask == 0, second == 0, p)
        )
        checked.append("a new random mask at each call")
    return _judged(problems, checked)


def _show_mask(inp) -> str:
    size, p, dtype, seed = inp
    return f"dropout_mask(<x: a [5, 3] tensor of {dtype}>, {tuple(size)!r}, {p!r}), twice, torch seeded with {seed}"


# --- LockedDropout --------------------------------------------------------------------------------------------------


def _observe_locked(cls, inp, workdir):
    """`cls(p)` on a [seq, bs, n] input: twice in training mode (the first with x's gradient), once on the meta device,
    once in eval mode."""
    import torch
    from torch import nn

    p, shape, seed = inp
    module = cls(p)
    seen = {"its classes": [wire.qualname(c) for c in type(module).__mro__]}
    if not isinstance(module, nn.Module):
        return seen
    x = nonzero(shape, seed)
    module.train()
    seed_torch(seed)
    given = x.clone().requires_grad_()
    out = unchanged(module, given)  # a stub's NotImplementedError goes up: "not implemented yet"
    seen["output in training mode"] = out
    seen["the gradient of output.sum() with respect to x"] = attempt(lambda: _grad_of(out, given))
    seen["output of a second call in training mode"] = attempt(lambda: unchanged(module, x.clone()))
    seen["the device of the output for an x on the meta device"] = attempt(
        lambda: str(module(torch.empty(tuple(shape), device="meta")).device)
    )
    module.eval()
    seen["output in eval mode"] = attempt(lambda: unchanged(module, x.clone()))
    return seen


def _identical_masks_unlikely(p: float, n: int, bs: int) -> bool:
    """Whether bs independent masks of n features, each kept with 1-p, are all equal with a chance under 1e-9."""
    return 0 < p < 1 and bs >= 2 and (p * p + (1 - p) ** 2) ** (n * (bs - 1)) < 1e-9


def _judge_locked(inp, expected, actual) -> Judgement:
    p, shape, seed = inp
    if not isinstance(actual, dict) or "torch.nn.modules.module.Module" not in actual.get("its classes", []):
        if isinstance(actual, dict):
            return Judgement(
                f"LockedDropout({p}) should be an nn.Module (class LockedDropout(nn.Module)), yours is a "
                f"{actual['its classes'][0]}",
                show_values=False,
            )
        return Judgement(wire.difference(expected, actual))
    if problem := _first(expected, actual):
        return Judgement(problem)
    x = nonzero(shape, seed)
    out = actual["output in training mode"]
    if problem := _tensor_problem(out, "the output in training mode", shape, "float32"):
        return Judgement(problem + " (x's shape)" if "shape" in problem else problem, show_values=False)
    checked, problems = ["x's shape and dtype"], []
    problems.append(_device_problem(actual["the device of the output for an x on the meta device"], "your output"))
    checked.append("on x's device")
    grad = actual["the gradient of output.sum() with respect to x"]
    if p == 0:
        problems.append(wire.difference(x, out, "the output in training mode with p = 0", TOL_FLOAT32))
        problems.append(_gradient_problem(grad, out / x, "x", "the layers below would never learn"))
    else:
        ratio = out / x
        problems.append(mask_values_problem(ratio, p, "a kept feature"))
        checked.append("every value of out / x 0 or 1/(1-p)")
        problems.append(_gradient_problem(grad, ratio, "x", "the layers below would never learn"))
        checked.append("the mask as x's gradient")
        same = _same_over_time(ratio)
        problems.append(
            None
            if same is None
            else f"the mask at time step {same} differs from the one at step 0; locked dropout draws one mask of "
            "shape (1, bs, n) per batch and applies it at every time step"
        )
        checked.append("the mask of step 0 at every time step")
        if shape[0] and _identical_masks_unlikely(p, shape[2], shape[1]):
            all_same = bool((ratio[0] == ratio[0, :1]).all())
            problems.append(
                "every sequence of the batch got the same mask; locked dropout draws one mask per sequence "
                "and feature: shape (1, bs, n), not (1, 1, n)"
                if all_same
                else None
            )
            checked.append("one mask per sequence")
        if shape[0] and ratio[0].numel() >= BIG:
            problems.append(fraction_problem(float((ratio[0] == 0).float().mean()), p, ratio[0].numel(), "features"))
            checked.append("about p of the features dropped")
            second = actual["output of a second call in training mode"]
            problems.append(
                _tensor_problem(second, "the output of a second call", shape, "float32")
                or independence_problem(ratio[0] == 0, (second / x)[0] == 0, p)
            )
            checked.append("a new mask at each call")
    eval_out = actual["output in eval mode"]
    d = wire.difference(x, eval_out, "the output in eval mode", TOL_FLOAT32)
    problems.append(None if d is None else d + " (in eval mode, self.training is False: x comes back unchanged)")
    checked.append("x unchanged in eval mode")
    return _judged(problems, checked)


def _same_over_time(ratio) -> int | None:
    """The first time step whose mask differs from step 0's, else None."""
    import torch

    differs = (~torch.isclose(ratio, ratio[:1].expand_as(ratio))).flatten(1).any(1)
    return int(differs.nonzero()[0]) if bool(differs.any()) else None


def _show_locked(inp) -> str:
    p, shape, seed = inp
    return (
        f"LockedDropout({p!r}) on x of shape {tuple(shape)!r}, twice in training mode and once in eval mode, "
        f"torch's generator seeded with {seed}"
    )


# --- embedding_dropout ----------------------------------------------------------------------------------------------


def _embedding_inputs(vocab: int, emb_sz: int, shape, seed: int):
    """The embedding's weight and the word ids of an input, rebuilt from its seed."""
    import torch

    words = torch.randint(0, vocab, tuple(shape), generator=torch.Generator().manual_seed(seed + 1))
    return nonzero((vocab, emb_sz), seed), words


def _observe_embedding(fn, inp, workdir):
    """Two calls `fn(embed, words, p, training)` after seeding torch, the first with the embedding's gradient; the
    embedding and the words after them; the device of a third call's output on the meta device."""
    import torch
    from torch import nn

    vocab, emb_sz, shape, p, training, seed = inp
    weight, words = _embedding_inputs(vocab, emb_sz, shape, seed)
    embed = nn.Embedding(vocab, emb_sz)
    with torch.no_grad():
        embed.weight.copy_(weight)
    seed_torch(seed)
    out = fn(embed, words, p, training)
    meta = nn.Embedding(vocab, emb_sz, device="meta")
    return {
        "output": out,
        "the embedding's gradient of output.sum()": attempt(lambda: _grad_of(out, embed.weight)),
        "output of a second call": attempt(lambda: fn(embed, words, p, training)),
        "the embedding's weight after the calls": embed.weight,
        "the word ids after the calls": words,
        "the device of the output on the meta device": attempt(
            lambda: str(fn(meta, words.to("meta"), p, training).device)
        ),
    }


def _judge_embedding(inp, expected, actual) -> Judgement:
    import torch

    vocab, emb_sz, shape, p, training, seed = inp
    if problem := _first(expected, actual):
        return Judgement(problem)
    weight, words = _embedding_inputs(vocab, emb_sz, shape, seed)
    emb = weight[words]  # (*shape, emb_sz)
    out = actual["output"]
    problems, checked = [], []
    d = wire.difference(
        weight, actual["the embedding's weight after the calls"], "the embedding's weight after the calls"
    )
    problems.append(None if d is None else d + ": mask the looked-up vectors, never the embedding's matrix itself")
    checked.append("the embedding unchanged")
    d = wire.difference(words, actual["the word ids after the calls"], "the word ids after the calls")
    problems.append(None if d is None else d + ": the word ids are read, never changed")
    checked.append("the words unchanged")
    problems.append(_device_problem(actual["the device of the output on the meta device"], "your output"))
    checked.append("on the embedding's device")
    counts = torch.bincount(words.reshape(-1), minlength=vocab).float().unsqueeze(1)  # (vocab, 1): each word's uses
    grad = actual["the embedding's gradient of output.sum()"]
    why = "the embedding would never learn"
    if not training or p == 0:
        d = wire.difference(emb, out, "the output", TOL_FLOAT32)
        problems.append(None if d is None else d + " (when not training, or with p = 0, nothing is dropped)")
        checked.append("embed(words) when nothing is dropped")
        uses = "each word's number of uses (nothing dropped)"
        problems.append(_gradient_problem(grad, counts.expand(vocab, emb_sz), "the embedding's weight", why, uses))
        checked.append("a gradient to the embedding")
        return _judged(problems, checked)
    if problem := _tensor_problem(out, "the output", emb.shape, "float32"):
        return Judgement(problem, show_values=False)
    ratio = out / emb
    if not ratio.numel():
        return _judged(problems, checked)
    problems.append(mask_values_problem(ratio, p, "a kept word vector"))
    checked.append("every value of out / embed(words) 0 or 1/(1-p)")
    whole = torch.isclose(ratio, ratio[..., :1].expand_as(ratio)).all(-1)
    problems.append(
        None
        if bool(whole.all())
        else "some word vectors are only partly zeroed; embedding dropout drops a word's whole vector (its row of "
        "the embedding matrix) or keeps it whole, scaled by 1/(1-p)"
    )
    checked.append("whole word vectors dropped or kept")
    kept, flat = ratio[..., 0].reshape(-1), words.reshape(-1)
    per_word = torch.zeros(vocab)
    per_word[flat] = kept  # one of each word's values, compared below with all of them
    differs = per_word[flat] != kept
    problems.append(
        None
        if not bool(differs.any())
        else f"word {int(flat[differs.nonzero()[0]])} is dropped at one position and kept at another; draw one mask "
        "row per word of the vocabulary (size (vocab, 1)) and look it up like the embedding"
    )
    checked.append("each word dropped everywhere or nowhere")
    uses = "each word's number of uses times its mask value (0 or 1/(1-p))"
    problems.append(
        _gradient_problem(grad, (counts * per_word[:, None]).expand(vocab, emb_sz), "the embedding's weight", why, uses)
    )
    checked.append("the mask times each word's uses as the embedding's gradient")
    present = torch.unique(flat)
    if len(present) >= BIG // 2:
        problems.append(fraction_problem(float((per_word[present] == 0).float().mean()), p, len(present), "words"))
        checked.append("about p of the words dropped")
        second = actual["output of a second call"]
        if not (problem := _tensor_problem(second, "the output of a second call", emb.shape, "float32")):
            again = torch.zeros(vocab)
            again[flat] = (second / emb)[..., 0].reshape(-1)
            problem = independence_problem(per_word[present] == 0, again[present] == 0, p)
        problems.append(problem)
        checked.append("a new draw at each call")
    return _judged(problems, checked)


def _show_embedding(inp) -> str:
    vocab, emb_sz, shape, p, training, seed = inp
    return (
        f"embedding_dropout(nn.Embedding({vocab}, {emb_sz}), <random words of shape {tuple(shape)!r}>, {p!r}, "
        f"training={training!r}), twice, torch's generator seeded with {seed}"
    )


# --- drop_connect ---------------------------------------------------------------------------------------------------


def _observe_drop_connect(fn, inp, workdir):
    """Two calls `fn(raw, p, training)` on a Parameter after seeding torch; whether the first output carries a gradient
    and, if it does, the raw weight's gradient of its sum."""
    import torch
    from torch import nn

    shape, p, training, seed = inp
    raw = nn.Parameter(nonzero(shape, seed))
    seed_torch(seed)
    out = fn(raw, p, training)
    seen = {"output": out, "output of a second call": attempt(lambda: fn(raw, p, training))}
    seen["the output carries a gradient"] = torch.is_tensor(out) and out.requires_grad
    seen["the raw weight's gradient of output.sum()"] = None
    if seen["the output carries a gradient"]:
        seen["the raw weight's gradient of output.sum()"] = attempt(lambda: (out.sum().backward(), raw.grad)[1])
    seen["the raw weight after the calls"] = raw.detach()
    meta = nn.Parameter(torch.empty(tuple(shape), device="meta"))
    seen["the device of the output for a weight on the meta device"] = attempt(
        lambda: str(fn(meta, p, training).device)
    )
    return seen


def _judge_drop_connect(inp, expected, actual) -> Judgement:
    shape, p, training, seed = inp
    if problem := _first(expected, actual):
        return Judgement(problem)
    raw = nonzero(shape, seed)
    out = actual["output"]
    problems, checked = [], []
    d = wire.difference(raw, actual["the raw weight after the calls"], "the raw weight after the calls")
    problems.append(None if d is None else d + ": the raw weight is read, never changed")
    checked.append("the raw weight unchanged")
    problems.append(_device_problem(actual["the device of the output for a weight on the meta device"], "your output"))
    checked.append("on the weight's device")
    if problem := _tensor_problem(out, "the output", shape, "float32"):
        return Judgement(
            problems[0] or problem + (" (the weight's shape)" if "shape" in problem else ""), show_values=False
        )
    if not training or p == 0:
        d = wire.difference(raw, out, "the output", TOL_FLOAT32)
        why = (
            " (in eval mode nothing is dropped, awd-lstm-lm #72: pass training to the dropout)" if not training else ""
        )
        return _judged(
            [*problems, None if d is None else d + why], [*checked, "the weight itself when nothing is dropped"]
        )
    ratio = out / raw
    problems.append(mask_values_problem(ratio, p, "a kept entry"))
    checked.append("every entry of out / weight 0 or 1/(1-p)")
    if ratio.numel() >= BIG:
        problems.append(fraction_problem(float((ratio == 0).float().mean()), p, ratio.numel(), "entries"))
        checked.append("about p of them 0")
        second = actual["output of a second call"]
        problems.append(
            _tensor_problem(second, "the output of a second call", shape, "float32")
            or independence_problem(ratio == 0, (second / raw) == 0, p)
        )
        checked.append("a new mask at each forward")
    if not actual["the output carries a gradient"]:
        problems.append(
            "no gradient can reach the raw weight from yours (fastai2 PR #427); compute it from the "
            "Parameter itself, not from weight.data or weight.detach()"
        )
    else:
        grad = actual["the raw weight's gradient of output.sum()"]
        ok = wire.kind(grad) == "tensor" and grad.shape == ratio.shape and bool(_close(grad, ratio))
        problems.append(
            None if ok else "the gradient that reaches the raw weight should be the mask itself (0 or 1/(1-p))"
        )
    checked.append("the mask as the raw weight's gradient")
    return _judged(problems, checked)


def _show_drop_connect(inp) -> str:
    shape, p, training, seed = inp
    return (
        f"drop_connect(<a Parameter of shape {tuple(shape)!r}>, {p!r}, training={training!r}), twice, torch's "
        f"generator seeded with {seed}"
    )


# --- the zeros of two dropouts (a prediction) -----------------------------------------------------------------------


def _share_of_zeros() -> float:
    """The share of zeros in the first LSTM's input: the reference's input dropout (p = 0.3) after its embedding
    dropout (p = 0.1), on [70, 200] word ids of a 10,000-word vocabulary, seeded."""
    import importlib

    import torch
    from torch import nn

    regularize = importlib.import_module("ulmfit_ref.regularize")
    before = torch.get_rng_state()
    try:
        seed_torch(0)
        embed = nn.Embedding(10_000, 100)
        words = torch.randint(0, 10_000, (70, 200), generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            out = regularize.LockedDropout(0.3).train()(regularize.EmbeddingDropout(embed, 0.1).train()(words))
    finally:
        torch.set_rng_state(before)
    return float((out == 0).float().mean())


def _added_not_composed(inp, expected, actual) -> str | None:
    if isinstance(actual, (int, float)) and abs(actual - 0.4) < 0.005:
        return "0.1 + 0.3 counts twice the entries that both dropouts zero; think of what survives both instead"
    return None


# --- WeightDrop (find and fix) --------------------------------------------------------------------------------------


def _weight_drop_inputs(seq: int, bs: int, n_in: int, n_hid: int, seed: int):
    """The LSTM (seeded weights), the input and the starting state of a WeightDrop input, rebuilt from its seed."""
    from torch import nn

    seed_torch(seed)
    lstm = nn.LSTM(n_in, n_hid)
    x = nonzero((seq, bs, n_in), seed)
    hidden = (nonzero((1, bs, n_hid), seed + 1) * 0.5, nonzero((1, bs, n_hid), seed + 2) * 0.5)
    return lstm, x, hidden


def _observe_weight_drop(cls, inp, workdir):
    """`cls(lstm, p)`: two forwards in training mode, each with the raw weight's gradient of its output's sum, then a
    forward in eval mode; the input, the state and the raw weight after them."""
    import torch
    from torch import nn

    seq, bs, n_in, n_hid, p, seed = inp
    lstm, x, hidden = _weight_drop_inputs(seq, bs, n_in, n_hid, seed)
    module = cls(lstm, p)
    seen = {"its classes": [wire.qualname(c) for c in type(module).__mro__]}
    if not isinstance(module, nn.Module):
        return seen
    raw = getattr(module, "weight_hh_l0_raw", None)
    seen["weight_hh_l0_raw is one of its parameters"] = any(q is raw for q in module.parameters())
    if not seen["weight_hh_l0_raw is one of its parameters"]:
        return seen
    module.train()
    seed_torch(seed + 3)
    for call in ("first", "second"):
        raw.grad = None
        out = attempt(lambda: unchanged(module, x, hidden)[0])
        seen[f"output of the {call} forward in training mode"] = out
        seen[f"the raw weight's gradient after the {call}"] = attempt(lambda: _grad_of(out, raw))  # noqa: B023 - called at once
    module.eval()
    with torch.no_grad():
        seen["output in eval mode"] = attempt(lambda: unchanged(module, x, hidden)[0])
    seen["the raw weight after the calls"] = raw.detach()
    return seen


def _lstm_output(lstm, w_hh, x, hidden):
    """The output of `lstm` on `x` from `hidden` with `w_hh` for its hidden-to-hidden weight."""
    import torch

    with torch.no_grad():
        lstm.weight_hh_l0.copy_(w_hh)
        return lstm(x, hidden)[0]


def _judge_weight_drop(inp, expected, actual) -> Judgement:
    seq, bs, n_in, n_hid, p, seed = inp
    if isinstance(actual, dict) and "torch.nn.modules.module.Module" not in actual.get("its classes", []):
        return Judgement(f"WeightDrop should be an nn.Module; yours is a {actual['its classes'][0]}", show_values=False)
    if isinstance(actual, dict) and actual.get("weight_hh_l0_raw is one of its parameters") is False:
        return Judgement(
            "weight_hh_l0_raw should be one of the module's Parameters: it is the weight that trains", show_values=False
        )
    if problem := _first(expected, actual):
        return Judgement(problem)
    lstm, x, hidden = _weight_drop_inputs(seq, bs, n_in, n_hid, seed)
    raw = lstm.weight_hh_l0.detach().clone()
    plain = _lstm_output(lstm, raw, x, hidden)
    shape = tuple(plain.shape)
    problems, checked = [], []
    d = wire.difference(raw, actual["the raw weight after the calls"], "the raw weight after the calls")
    problems.append(None if d is None else d + ": the forward reads the raw weight, never changes it")
    checked.append("the raw weight unchanged")
    out = actual["output in eval mode"]
    d = _tensor_problem(out, "the output in eval mode", shape, "float32") or wire.difference(
        plain, out, "the output in eval mode", TOL_FLOAT32
    )
    problems.append(
        None if d is None else d + ": in eval mode nothing is dropped, the LSTM runs with the raw weight itself"
    )
    checked.append("the plain LSTM in eval mode")
    keeps = []
    for call in ("first", "second"):
        out = actual[f"output of the {call} forward in training mode"]
        if problem := _tensor_problem(out, f"the output of the {call} forward in training mode", shape, "float32"):
            return _judged([*problems, problem], checked)
        grad = actual[f"the raw weight's gradient after the {call}"]
        if grad is None or isinstance(grad, wire.Raised) or wire.kind(grad) != "tensor" or grad.shape != raw.shape:
            return _judged(
                [*problems, _gradient_problem(grad, raw, "the raw weight", "the recurrence would never learn")],
                checked,
            )
        keep = grad != 0
        keeps.append(keep)
        w_hh = raw * keep / (1 - p)
        d = wire.difference(_lstm_output(lstm, w_hh, x, hidden), out, f"the output of the {call} forward", TOL_FLOAT32)
        problems.append(
            None
            if d is None
            else d + " (the LSTM with the raw weight's entries that got no gradient dropped and the others scaled by "
            "1/(1-p))"
        )
    checked += ["a gradient to the raw weight", "the kept entries scaled by 1/(1-p)"]
    if p == 0:
        problems.append(None if bool(keeps[0].all()) else "with p = 0 nothing is dropped: every entry should train")
    else:
        n = raw.numel()
        problems.append(fraction_problem(float((~keeps[0]).float().mean()), p, n, "hidden-to-hidden entries"))
        checked.append("about p of the entries dropped")
        if n >= BIG:
            problems.append(independence_problem(~keeps[0], ~keeps[1], p))
            checked.append("a new mask at each forward")
    return _judged(problems, checked)


def _show_weight_drop(inp) -> str:
    seq, bs, n_in, n_hid, p, seed = inp
    return (
        f"WeightDrop(nn.LSTM({n_in}, {n_hid}), {p!r}) on x of shape {(seq, bs, n_in)!r}: two forwards in training mode "
        f"(each with output.sum().backward()), one in eval mode, torch's generator seeded with {seed}"
    )


def _pooled(counts: dict, what: str) -> Judgement:
    problem = pooled_rate_problem(counts, what)
    told = sum(n for _, n in counts.values()) >= POOLED  # too few draws in all tell nothing: say nothing of them
    said = ("the rate of the small inputs, pooled over all the calls",)
    return Judgement(problem, said if told and not problem else ())


def _pool_mask(pairs) -> Judgement:
    """The share of zeros of the masks too small to be tested alone, over every call, per p."""
    counts = {}
    for (_, p, _, _), actual in pairs:
        count_zeros(counts, p, (actual["mask"], actual["the mask of a second call"]), BIG)
    return _pooled(counts, "mask values")


def _pool_locked(pairs) -> Judgement:
    """The share of zeros of the first time step of every output in training mode (the mask is shared over time)."""
    counts = {}
    for (p, _, _), actual in pairs:
        out = actual.get("output in training mode")
        count_zeros(counts, p, (out[0],) if wire.kind(out) == "tensor" and out.dim() == 3 and len(out) else (), BIG)
    return _pooled(counts, "features of the first time step")


def _pool_drop_connect(pairs) -> Judgement:
    """The share of zeros of every output in training mode (the raw weight has none)."""
    counts = {}
    for (_, p, training, _), actual in pairs:
        if training:
            count_zeros(counts, p, (actual["output"], actual["output of a second call"]), BIG)
    return _pooled(counts, "weights")


EXERCISES = (
    Exercise(
        "dropout_mask",
        "ulmfit_ref.regularize:dropout_mask",
        pool=_pool_mask,
        fixed=(
            ((1, 200, 50), 0.3, "float32", 0),
            ((4000, 25), 0.5, "float32", 1),
            ((10, 1), 0.0, "float32", 2),
            ((3, 100, 100), 0.1, "float64", 3),
            ((1, 500, 40), 0.7, "float32", 4),
            ((200, 200), 0.02, "float64", 5),
            ((0, 3), 0.5, "float32", 6),
            ((1,), 0.3, "float64", 7),
            ((), 0.5, "float32", 8),
            ((30, 30), 0.3, "float32", 9),  # small ones, whose rate is tested pooled: a rate right only when tested
            ((7, 11), 0.5, "float64", 10),
        ),
        inputs=lambda st: st.tuples(
            st.sampled_from(((3,), (2, 4), (1, 3, 5), (40, 40))),
            st.sampled_from(_P),
            st.sampled_from(("float32", "float64")),
            st.integers(0, 1000),
        ),
        observe=_observe_mask,
        judge=_judge_mask,
        show=_show_mask,
        sample=4,
        examples=30,
    ),
    Exercise(
        "LockedDropout",
        "ulmfit_ref.regularize:LockedDropout",
        pool=_pool_locked,
        fixed=(
            (0.5, (20, 8, 30), 0),
            (0.3, (6, 200, 100), 1),
            (0.0, (4, 3, 5), 2),
            (0.1, (50, 40, 50), 3),
            (0.7, (3, 300, 20), 4),
            (0.25, (1, 500, 40), 5),
            (0.5, (0, 3, 5), 6),
            (0.3, (7, 1, 1), 7),
        ),
        inputs=lambda st: st.tuples(
            st.sampled_from(_P), st.sampled_from(((1, 1, 1), (4, 2, 3), (3, 3, 40), (5, 40, 30))), st.integers(0, 1000)
        ),
        observe=_observe_locked,
        judge=_judge_locked,
        show=_show_locked,
        uses=("dropout_mask",),
        sample=4,
        examples=30,
    ),
    Exercise(
        "embedding_dropout",
        "ulmfit_ref.regularize:EmbeddingDropout",
        fixed=(
            (2000, 8, (40, 100), 0.2, True, 0),
            (500, 4, (25, 40), 0.5, True, 1),
            (50, 6, (7, 3), 0.0, True, 2),
            (3000, 3, (60, 100), 0.1, False, 3),
            (3000, 3, (60, 100), 0.3, True, 4),
            (1000, 5, (20, 100), 0.7, True, 5),
            (10, 3, (0, 4), 0.5, True, 6),
            (1, 7, (5, 1), 0.3, True, 7),
        ),
        inputs=lambda st: st.tuples(
            st.sampled_from((3, 20, 1000)),
            st.just(2),
            st.sampled_from(((4, 2), (6, 3), (40, 50))),
            st.sampled_from(_P),
            st.booleans(),
            st.integers(0, 1000),
        ),
        observe=_observe_embedding,
        judge=_judge_embedding,
        show=_show_embedding,
        uses=("dropout_mask",),
        adapt=lambda EmbeddingDropout: (
            lambda embed, words, p, training=True: EmbeddingDropout(embed, p).train(training)(words)
        ),
        sample=4,
        examples=30,
    ),
    prediction("predicted_zeros", _share_of_zeros, atol=0.015, hints=(_added_not_composed,)),
    Exercise(
        "drop_connect",
        "ulmfit_ref.regularize:drop_connect",
        pool=_pool_drop_connect,
        fixed=(
            ((200, 50), 0.5, True, 0),
            ((120, 30), 0.2, True, 1),
            ((4, 4), 0.0, True, 2),
            ((400, 100), 0.1, False, 3),
            ((60, 40), 0.7, True, 4),
            ((400, 100), 0.1, True, 5),
            ((1, 7), 0.3, True, 6),
            ((0, 3), 0.5, True, 7),
        ),
        inputs=lambda st: st.tuples(
            st.sampled_from(((2, 3), (4, 4), (40, 30))), st.sampled_from(_P), st.booleans(), st.integers(0, 1000)
        ),
        observe=_observe_drop_connect,
        judge=_judge_drop_connect,
        show=_show_drop_connect,
        sample=4,
        examples=30,
    ),
    Exercise(
        "WeightDrop",
        "ulmfit_ref.regularize:WeightDrop",
        fixed=(
            (5, 3, 8, 50, 0.5, 0),
            (4, 2, 6, 40, 0.2, 1),
            (3, 1, 4, 30, 0.0, 2),
            (6, 2, 5, 50, 0.7, 3),
            (1, 1, 3, 20, 0.3, 4),
        ),
        inputs=lambda st: st.tuples(
            st.sampled_from((1, 2, 4)),
            st.sampled_from((1, 2)),
            st.sampled_from((2, 3)),
            st.sampled_from((2, 5, 20)),
            st.sampled_from(_P),
            st.integers(0, 1000),
        ),
        observe=_observe_weight_drop,
        judge=_judge_weight_drop,
        show=_show_weight_drop,
        uses=("drop_connect",),
        sample=2,
        examples=20,
        kind="fix",
    ),
)
