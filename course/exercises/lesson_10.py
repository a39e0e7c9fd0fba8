"""Lesson 10, the classifier: `concat_pool`, `clip_document` (find and fix), its test, a prediction of the positions
the encoder keeps, and `length_batches` (a design judged by the padding it leaves).

`concat_pool` is judged by what the contract fixes: the pooled values (the same as the reference's), the same values
whatever the padding holds, `output` and `lengths` left as they were, gradients that reach the real positions only, the
dtype and the device of `output` (the `meta` device tells a tensor made on the CPU without a GPU). `length_batches` has
no reference: its batches are measured (every document once, the sizes asked, the padding they leave, the seed).
"""

from .. import wire
from ..exercise import TOL_FLOAT32, ArgumentChanged, Exercise, Judgement, attempt, composite, unchanged
from ..kinds import Version, prediction, test_of
from .tensors import warm_meta

LESSON = "10_classifier"
GIVEN = ()
PRELOAD = ("torch", "numpy")
WARM_UP = warm_meta  # the meta device's first use, paid before the learner's code runs

# --- concat_pool ----------------------------------------------------------------------------------------------------

_PARTS = ("last", "max", "mean")


def _pool_inputs(draw, st):
    sl, bs, n = draw(st.integers(1, 8)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return (sl, bs, n), [draw(st.integers(1, sl)) for _ in range(bs)], draw(st.integers(0, 1000))


def _padded_output(shape, lengths, seed: int, padding: str = "high"):
    """A seeded [seq_len, bs, n] output, mostly negative, whose padding (after each length) holds 5.0 ("high": more
    than any real state) or large random values of both signs ("other")."""
    import torch

    g = torch.Generator().manual_seed(seed)
    output = torch.randn(*shape, generator=g) - 2.0
    pad = ~(torch.arange(shape[0]).unsqueeze(1) < torch.tensor(lengths))
    other = torch.randn(*shape, generator=g) * 100.0
    output[pad] = 5.0 if padding == "high" else other[pad]
    return output


def _weights(bs: int, n: int, seed: int):
    """Seeded weights of the pooled [bs, 3n] values, so that a gradient tells every part apart."""
    import torch

    return torch.rand(bs, 3 * n, generator=torch.Generator().manual_seed(seed + 1)) + 0.5


def _gradient(fn, shape, lengths, seed):
    """The gradient that a weighted sum of `fn`'s pooled values sends back to `output`; a string when none does."""
    import torch

    output = _padded_output(shape, lengths, seed).requires_grad_(True)
    pooled = fn(output, torch.tensor(lengths))
    if not torch.is_tensor(pooled) or not pooled.requires_grad:
        return "no gradient: the pooled values are not connected to output"
    (pooled * _weights(shape[1], shape[2], seed)).sum().backward()
    return "no gradient: the pooled values are not connected to output" if output.grad is None else output.grad


def _on_meta(fn, shape, lengths):
    """(device, shape, dtype) of `fn`'s result on the meta device; 'reads values' when the answer reads the lengths as
    numbers, which the meta device cannot (a right answer may: it works on every real device)."""
    import torch

    try:
        pooled = fn(torch.zeros(*shape, device="meta"), torch.tensor(lengths, device="meta"))
    except Exception as e:  # noqa: BLE001 - an error is an observation (torch's NotImplementedError on meta is no stub)
        if "meta tensor" in str(e) and "expected device" not in str(e):
            return "reads values"
        raise
    if not torch.is_tensor(pooled):
        return wire.kind(pooled)
    return [str(pooled.device), list(pooled.shape), str(pooled.dtype).removeprefix("torch.")]


def _observe_pool(fn, inp, workdir):
    """`fn(output, lengths)`, its arguments after the call; again with other padding, in float64, on the meta device;
    and the gradient it sends back."""
    import torch

    shape, lengths, seed = inp
    seen = {"pooled": unchanged(fn, _padded_output(shape, lengths, seed), torch.tensor(lengths))}
    seen["with other padding"] = attempt(
        lambda: fn(_padded_output(shape, lengths, seed, "other"), torch.tensor(lengths))
    )
    seen["in float64"] = attempt(lambda: fn(_padded_output(shape, lengths, seed).double(), torch.tensor(lengths)))
    seen["gradient"] = attempt(lambda: _gradient(fn, shape, lengths, seed))
    seen["on the meta device"] = attempt(lambda: _on_meta(fn, shape, lengths))
    return seen


def _pool_reference(pool):
    """PoolingLinearClassifier.pool, the padding after each length masked."""
    import torch

    def concat_pool(output, lengths):
        return pool(output, torch.arange(output.size(0), device=output.device).unsqueeze(1) < lengths)

    return concat_pool


def _part_problem(expected, actual, n: int, what: str) -> str | None:
    """Which of last, max and mean of `actual` differs from `expected`, in words."""
    for part, name in enumerate(_PARTS):
        cols = slice(part * n, (part + 1) * n)
        if d := wire.difference(expected[:, cols], actual[:, cols], f"the {name} part", TOL_FLOAT32):
            return f"{what}: {d} (columns {part * n} to {(part + 1) * n - 1} are the {name} part)"
    return None


def _judge_pool(inp, expected, actual) -> Judgement:
    shape, lengths, seed = inp
    n = shape[2]
    if not isinstance(actual, dict) or set(actual) != set(expected):
        return Judgement(wire.difference(expected, actual))
    pooled = actual["pooled"]
    if problem := wire.difference(expected["pooled"], pooled, "the pooled summary", TOL_FLOAT32):
        if wire.kind(pooled) == "tensor" and tuple(pooled.shape) == tuple(expected["pooled"].shape):
            problem = _part_problem(expected["pooled"], pooled, n, "the pooled summary") or problem
        return Judgement(problem)
    checked = ["last, max and mean over the real tokens", "output and lengths unchanged"]
    other = actual["with other padding"]
    if wire.difference(pooled, other, tol=TOL_FLOAT32):
        d = wire.difference(expected["with other padding"], other, "the summary", TOL_FLOAT32)
        if wire.kind(other) == "tensor" and tuple(other.shape) == tuple(pooled.shape):
            d = _part_problem(expected["with other padding"], other, n, "the summary") or d
        return Judgement(
            f"other values in the padding changed your summary ({d}): the padding holds anything, it must never be "
            "read",
            show_values=False,
        )
    checked.append("the padding never read")
    if problem := wire.difference(expected["in float64"], actual["in float64"], "the summary of a float64 output"):
        if "dtype" in problem:
            problem += ": the summary keeps the dtype of output"
        elif problem and wire.kind(actual["in float64"]) == "tensor":
            problem = wire.difference(
                expected["in float64"], actual["in float64"], "the summary of a float64 output", TOL_FLOAT32
            )
        if problem:
            return Judgement(problem, show_values=False)
    checked.append("output's dtype")
    grad = actual["gradient"]
    if isinstance(grad, str):
        return Judgement(
            f"{grad}; the classifier trains through this pooling, so gradients must flow back to the real states "
            "(no .detach(), .data, .numpy() or torch.no_grad())",
            show_values=False,
        )
    if problem := wire.difference(expected["gradient"], grad, "the gradient sent back to output", TOL_FLOAT32):
        if wire.kind(grad) == "tensor" and grad.shape == expected["gradient"].shape:
            import torch

            padded = ~(torch.arange(shape[0]).unsqueeze(1) < torch.tensor(lengths))
            if bool((grad[padded] != 0).any()):
                problem += ": gradient reaches the padding, which no part should read"
        return Judgement(problem, show_values=False)
    checked.append("gradients to the real states only")
    meta = actual["on the meta device"]
    if meta != "reads values" and (problem := wire.difference(expected["on the meta device"], meta)):
        return Judgement(
            f"on the meta device (output and lengths on it): {problem}; make every tensor on output's device "
            "(torch.arange(..., device=output.device)), so that it runs on a GPU too",
            show_values=False,
        )
    checked.append("output's device")
    return Judgement(None, tuple(checked), show_values=False)


def _pool_hint(inp, expected, actual) -> str | None:
    pooled = actual["pooled"]
    if wire.kind(pooled) != "tensor" or pooled.shape != expected["pooled"].shape:
        return None
    n = inp[0][2]
    for part, name, hint in (
        (0, "last", "each document's state at its last real position, not output[-1]"),
        (1, "max", "the maximum over the real positions only: padding may be larger than any real state"),
        (2, "mean", "the sum over the real positions divided by the document's length, not by seq_len"),
    ):
        cols = slice(part * n, (part + 1) * n)
        if wire.difference(expected["pooled"][:, cols], pooled[:, cols], tol=TOL_FLOAT32):
            return f"the {name} part should be {hint}"
    return None


def _show_pool(inp) -> str:
    shape, lengths, seed = inp
    return (
        f"concat_pool(<output of shape {tuple(shape)!r} from seed {seed}, 5.0 after each length>, "
        f"torch.tensor({lengths!r})), then with other padding, in float64, backward and on the meta device"
    )


# --- clip_document --------------------------------------------------------------------------------------------------


def _observe_clip(fn, inp, workdir):
    """`fn(ids, max_tokens)` with ids an int32 array, which must be left as it was."""
    import numpy as np

    ids, max_tokens = inp
    array = np.array(ids, dtype=np.int32)
    clipped = fn(array, max_tokens)
    if not np.array_equal(array, np.array(ids, dtype=np.int32)):  # not `unchanged`: it compares arrays with `==`
        raise ArgumentChanged("the call changed its argument `ids` in place; it should leave it as it was")
    return clipped


_CLIP_BUGS = (
    Version(
        "a clip_document that keeps the start only (the verdict cut)",
        (("return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])", "return ids[:max_tokens]"),),
    ),
    Version(
        "a clip_document that keeps the first half, not the first quarter", (("max_tokens // 4", "max_tokens // 2"),)
    ),
    Version(
        "a clip_document that keeps the end only",
        (
            (
                "return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])",
                "return ids[len(ids) - max_tokens:]",
            ),
        ),
    ),
    Version(
        "a clip_document that takes the end with a negative index (all of it when max_tokens is 0)",
        (("ids[len(ids) - (max_tokens - head):]", "ids[-(max_tokens - head):]"),),
    ),
    Version(
        "a clip_document that takes max_tokens = 0 for no limit", (("max_tokens is None or", "not max_tokens or"),)
    ),
    Version(
        "a clip_document that keeps one id too few at the end",
        (("ids[len(ids) - (max_tokens - head):]", "ids[len(ids) - (max_tokens - head) + 1:]"),),
    ),
    Version(
        "a clip_document that puts the end before the start",
        (("[ids[:head], ids[len(ids) - (max_tokens - head):]]", "[ids[len(ids) - (max_tokens - head):], ids[:head]]"),),
    ),
    Version(
        "a clip_document that returns a list",
        (
            (
                "return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])",
                "return list(ids[:head]) + list(ids[len(ids) - (max_tokens - head):])",
            ),
        ),
    ),
    Version(
        "a clip_document written with an index array",
        (
            (
                "return np.concatenate([ids[:head], ids[len(ids) - (max_tokens - head):]])",
                "return ids[np.r_[0:head, len(ids) - (max_tokens - head):len(ids)]]",
            ),
        ),
        right=True,
    ),
)

# --- kept_positions -------------------------------------------------------------------------------------------------


def _kept_positions() -> int:
    """How many positions of its outputs the reference MultiBatchEncoder keeps for one review of 2,000 tokens, at the
    paper's bptt = 70 and max_len = 1,400 (a tiny encoder: the count does not depend on its size)."""
    import importlib

    import torch

    models = importlib.import_module("ulmfit_ref.models")
    config = models.ClassifierConfig(emb_sz=2, n_hid=2, n_layers=1, bptt=70, max_len=1400, head_sz=2)
    clas = models.get_classifier(10, 2, config).eval()
    with torch.no_grad():
        _, _, mask = clas[0](torch.full((2000, 1), 2), torch.tensor([2000]))
    return len(mask)


# --- length_batches -------------------------------------------------------------------------------------------------

IMDB_LIKE = 1000  # documents in a fixed input of review lengths
GAIN = 0.6  # the least share of the extra padding of random batches (over the sorted cut) that batches must remove
MIXED = 12  # distinct batch lengths from which the order of the batches is tested (a sorted order: 2/12! by chance)


def imdb_lengths(n: int, seed: int) -> list:
    """`n` seeded lengths of reviews in tokens, spread like IMDb's (a median near 200, a long tail to 3,000)."""
    import numpy as np

    drawn = np.exp(np.random.default_rng(seed).normal(5.3, 0.7, n))
    return [int(x) for x in np.clip(np.round(drawn), 10, 3000)]


def _batch_inputs(draw, st):
    if draw(st.booleans()):
        lengths = draw(st.lists(st.integers(1, 60), max_size=40))
    else:
        lengths = imdb_lengths(draw(st.integers(100, 800)), draw(st.integers(0, 10**6)))
    return lengths, draw(st.integers(1, 40)), draw(st.integers(0, 10**6))


def _observe_batches(fn, inp, workdir):
    """`fn(lengths, bs, seed)`, its arguments after the call; the same seed again, and another seed."""
    lengths, bs, seed = inp
    return {
        "batches": unchanged(fn, list(lengths), bs, seed),
        "the same seed again": attempt(lambda: fn(list(lengths), bs, seed)),
        "another seed": attempt(lambda: fn(list(lengths), bs, seed + 1)),
    }


def padding_share(lengths: list, batches: list) -> float:
    """The share of the positions of the padded batches that are padding."""
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    return 1 - sum(lengths) / padded if padded else 0.0


def _sorted_share(lengths: list, bs: int) -> float:
    """The padding share of the sorted lengths cut into batches of bs in order (the worse of the two directions)."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    up = [order[i : i + bs] for i in range(0, len(order), bs)]
    down = [order[::-1][i : i + bs] for i in range(0, len(order), bs)]
    return max(padding_share(lengths, up), padding_share(lengths, down))


def _random_share(lengths: list, bs: int) -> float:
    """The mean padding share of five seeded cuts of the documents at random."""
    import numpy as np

    rng, shares = np.random.default_rng(0), []
    for _ in range(5):
        order = rng.permutation(len(lengths)).tolist()
        shares.append(padding_share(lengths, [order[i : i + bs] for i in range(0, len(order), bs)]))
    return sum(shares) / len(shares)


def _batches_problem(batches, lengths: list, bs: int, what: str) -> str | None:
    """What is wrong with `batches` as a set of batches of `bs` of the documents of `lengths`, else None."""
    if isinstance(batches, wire.Raised):
        return f"{what}: the call raised {batches.type}: {batches.message}{batches.where}"
    if type(batches) is not list or not all(type(b) is list and all(type(i) is int for i in b) for b in batches):
        return f"{what} should be a list of lists of ints (.tolist() turns a tensor into one); yours is " + wire.show(
            batches, 120
        )
    seen = [i for b in batches for i in b]
    if sorted(seen) != list(range(len(lengths))):
        missing = sorted(set(range(len(lengths))) - set(seen))
        twice = sorted({i for i in seen if seen.count(i) > 1}) if len(seen) < 5000 else []
        wrong = sorted(set(seen) - set(range(len(lengths))))
        found = (
            f"index {missing[0]} is in no batch"
            if missing
            else f"index {twice[0]} is in two batches"
            if twice
            else f"index {wrong[0]} is no document's"
            if wrong
            else "an index is in two batches"
        )
        return f"{what}: every index from 0 to {len(lengths) - 1} should be in exactly one batch; {found}"
    if any(not b for b in batches):
        return f"{what}: a batch is empty"
    if any(len(b) > bs for b in batches):
        return f"{what}: a batch holds {max(map(len, batches))} documents, more than bs = {bs}"
    if sum(len(b) < bs for b in batches) > 1:
        return f"{what}: {sum(len(b) < bs for b in batches)} batches hold fewer than bs = {bs}; one at most may"
    return None


def _judge_batches(inp, expected, actual) -> Judgement:
    lengths, bs, seed = inp
    if isinstance(actual, wire.Raised):
        return Judgement(f"the call raised {actual.type}: {actual.message}{actual.where}", show_values=False)
    if not isinstance(actual, dict) or set(actual) != {"batches", "the same seed again", "another seed"}:
        return Judgement(f"the call should return the batches; it gave {wire.show(actual, 120)}", show_values=False)
    batches = actual["batches"]
    if problem := _batches_problem(batches, lengths, bs, "the batches"):
        return Judgement(problem, show_values=False)
    checked = ["every document once", "batches of bs, one short at most", "lengths unchanged"]
    if actual["the same seed again"] != batches:
        return Judgement(
            "the same seed gave other batches: draw every random number from a generator seeded with `seed` (and "
            "from nothing else), so that a seed gives one epoch",
            show_values=False,
        )
    checked.append("one seed, one set of batches")
    if len(lengths) >= 8 * bs:  # eight batches or more: the short one matters little
        share, best, at_random = padding_share(lengths, batches), _sorted_share(lengths, bs), _random_share(lengths, bs)
        if at_random - best > 0.01 and share > best + (1 - GAIN) * (at_random - best):
            return Judgement(
                f"{share:.1%} of the positions of your padded batches are padding; batches cut at random leave "
                f"{at_random:.1%}, the sorted lengths cut in order {best:.1%}, and yours should remove {GAIN:.0%} of "
                f"that difference at least (leave {best + (1 - GAIN) * (at_random - best):.1%} at most): put documents "
                "of similar lengths together",
                show_values=False,
            )
        checked.append(f"{GAIN:.0%} of the padding of random batches removed")
    if len(lengths) >= IMDB_LIKE:
        other = actual["another seed"]
        if problem := _batches_problem(other, lengths, bs, "the batches of another seed"):
            return Judgement(problem, show_values=False)
        if {tuple(sorted(b)) for b in other} == {tuple(sorted(b)) for b in batches}:
            return Judgement(
                "another seed gave the same batches (in another order at most): which documents go together "
                "should change from one epoch to the next too",
                show_values=False,
            )
        checked.append("other batches from another seed")
    maxima = [max(lengths[i] for i in b) for b in batches]
    if len(set(maxima)) >= MIXED:
        if maxima == sorted(maxima) or maxima == sorted(maxima, reverse=True):
            return Judgement(
                "your batches come sorted by length (the first the shortest, or the longest, and so on): shuffle "
                "their order, so that training does not see the lengths in order",
                show_values=False,
            )
        checked.append("batches in a random order")
    return Judgement(None, tuple(checked), show_values=False)


def _show_batches(inp) -> str:
    lengths, bs, seed = inp
    shown = repr(lengths) if len(lengths) <= 12 else f"<{len(lengths)} review lengths, {lengths[:5]!r}...>"
    return f"length_batches({shown}, {bs!r}, {seed!r}), then again with seed {seed} and with seed {seed + 1}"


EXERCISES = (
    Exercise(
        "concat_pool",
        "ulmfit_ref.models:PoolingLinearClassifier.pool",
        fixed=(
            ((5, 3, 4), [5, 2, 3], 0),
            ((6, 2, 3), [6, 6], 1),
            ((4, 4, 2), [1, 4, 2, 3], 2),
            ((1, 1, 5), [1], 3),
            ((9, 5, 6), [3, 9, 1, 7, 2], 4),
            ((7, 1, 1), [4], 5),
            ((3, 2, 1), [2, 3], 6),
        ),
        inputs=composite(_pool_inputs),
        observe=_observe_pool,
        adapt=_pool_reference,
        judge=_judge_pool,
        hints=(_pool_hint,),
        show=_show_pool,
        sample=8,
        examples=60,
    ),
    Exercise(
        "clip_document",
        "ulmfit_ref.predict:clip_document",
        fixed=(
            (list(range(20)), 8),
            (list(range(8)), 8),
            ([], 5),
            (list(range(10)), None),
            (list(range(11)), 3),
            (list(range(40)), 1),
            (list(range(9)), 0),
            (list(range(50, 80)), 10),
        ),
        inputs=lambda st: st.tuples(
            st.lists(st.integers(0, 99), max_size=30), st.one_of(st.none(), st.integers(0, 20))
        ),
        observe=_observe_clip,
        sample=20,
        show=lambda inp: f"clip_document(np.array({inp[0]!r}, dtype=np.int32), {inp[1]!r})",
        kind="fix",
    ),
    test_of("test_clip_document", "ulmfit_ref.predict:clip_document", _CLIP_BUGS),
    prediction("kept_positions", _kept_positions, atol=0.5),
    Exercise(
        "length_batches",
        None,
        fixed=(
            ([], 4, 0),
            ([7], 1, 0),
            ([5, 3, 9], 8, 1),
            ([30, 2, 30, 2, 30, 2, 30, 2, 30], 2, 7),
            (imdb_lengths(IMDB_LIKE, 2), 32, 2),
            (imdb_lengths(IMDB_LIKE + 201, 3), 10, 3),
            ([12] * 50, 7, 4),
            (imdb_lengths(300, 5), 1, 5),
        ),
        inputs=composite(_batch_inputs),
        observe=_observe_batches,
        judge=_judge_batches,
        show=_show_batches,
        sample=4,
        examples=40,
        kind="make",
    ),
)
