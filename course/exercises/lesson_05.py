"""Lesson 5, the LanguageModelLoader: `batchify`, `get_batch`, a test of get_batch, `draw_seq_lens`, and a prediction.

`draw_seq_lens` is random: it is judged by what every right answer has (the lengths add up, the first is the longest,
the others follow the two normal draws, everything comes from the generator given), not by the order of its draws.
"""

import math

from ..exercise import Exercise, Judgement, attempt, composite, unchanged
from ..kinds import Version, prediction, test_of

LESSON = "05_loader"
GIVEN = ()
PRELOAD = ("torch",)


def _stream(draw, st):
    bs = draw(st.integers(1, 5))
    n = draw(st.integers(2 * bs, 6 * bs + 4))
    return list(range(100, 100 + n)) if draw(st.booleans()) else [draw(st.integers(0, 9)) for _ in range(n)], bs


def _observe_batchify(fn, inp, workdir):
    """`fn(ids, bs)` with ids a 1-D LongTensor."""
    import torch

    ids, bs = inp
    return unchanged(fn, torch.tensor(ids, dtype=torch.long), bs)


def _rows_not_columns(inp, expected, actual) -> str | None:
    import torch

    ids, bs = inp
    n = len(ids) // bs * bs
    if (
        torch.is_tensor(actual)
        and actual.shape == expected.shape
        and torch.equal(actual, torch.tensor(ids[:n]).view(-1, bs))
    ):
        return (
            "yours puts consecutive tokens side by side in a row (view(-1, bs)); each of the bs columns should be one "
            "consecutive stretch of the stream, read downwards: view(bs, -1).t()"
        )
    return None


def _batched(draw, st):
    rows, bs = draw(st.integers(2, 12)), draw(st.integers(1, 3))
    if draw(st.booleans()):
        data = [[draw(st.integers(0, 20)) for _ in range(bs)] for _ in range(rows)]
    else:
        data = [[r + 100 * c for c in range(bs)] for r in range(rows)]
    return data, draw(st.integers(0, rows - 2)), draw(st.integers(1, 14))


def _arange_batched(n: int, bs: int) -> list:
    """batchify(torch.arange(n), bs), as plain data."""
    return [[r + (n // bs) * c for c in range(bs)] for r in range(n // bs)]


def _observe_get_batch(fn, inp, workdir):
    """`fn(data, i, seq_len)` with data a [rows, bs] LongTensor."""
    import torch

    data, i, seq_len = inp
    return unchanged(fn, torch.tensor(data, dtype=torch.long), i, seq_len)


def _batch_hint(inp, expected, actual) -> str | None:
    import torch

    data, i, seq_len = inp
    if type(actual) is tuple and len(actual) == 2 and all(torch.is_tensor(t) for t in actual):
        x, y = actual
        if x.shape == y.shape and torch.equal(x, y):
            return "your y is x itself; the target of each token is the next one, so y is data[i+1 : i+1+seq_len]"
        if x.shape != y.shape or x.shape != expected[0].shape:
            return (
                f"near the end only len(data) - 1 - i = {len(data) - 1 - i} rows have a next token, so seq_len "
                "becomes min(seq_len, len(data) - 1 - i) there, and x and y have the same shape"
            )
    if type(actual) is list:
        return "return the tuple (x, y)"
    return None


def _observe_seq_lens(fn, inp, workdir):
    """`fn(n, bptt, generator)` three times: seeded, seeded alike with torch's global generator moved, another seed."""
    import torch

    n, bptt, seed = inp
    torch.default_generator.manual_seed(seed + 1)
    first = fn(n, bptt, torch.Generator().manual_seed(seed))
    torch.default_generator.manual_seed(seed + 2)
    return {
        "lengths": first,
        "the same seed again": attempt(lambda: fn(n, bptt, torch.Generator().manual_seed(seed))),
        "another seed": attempt(lambda: fn(n, bptt, torch.Generator().manual_seed(seed + 1000))),
    }


def _lengths_problem(lengths, n: int, bptt: int) -> str | None:
    """What is wrong with the lengths of one epoch, whatever the draws: type, sum, the first, the least."""
    from .. import wire

    if isinstance(lengths, wire.Raised):
        return f"the call raised {lengths.type}: {lengths.message}{lengths.where}"
    if type(lengths) is not list or not all(type(x) is int for x in lengths):
        return f"the lengths should be a list of ints; yours is {wire.show(lengths, 80)}"
    if sum(lengths) != n:
        return f"the lengths add up to {sum(lengths)}; they should add up to n = {n} (the last takes what is left)"
    if lengths[0] != min(bptt + 25, n):
        return f"the first length is {lengths[0]}; it should be bptt + 25 = {bptt + 25} (or n, if n is smaller)"
    if any(x < 5 for x in lengths[1:-1]):
        return f"a length is {min(lengths[1:-1])}; none but the last may be below 5"
    return None


def _distribution_problem(lengths: list, bptt: int) -> str | None:
    """On a long epoch: about 5% of the draws around bptt/2, the others around bptt with a spread of about 5.

    Draws around bptt and bptt/2 are told apart at 3/4 bptt (3.5 standard deviations from each, at bptt = 70); each
    bound is 5 standard errors wide, so that a right answer fails less than once in a million checks."""
    drawn = lengths[1:-1]
    k = len(drawn)
    half = [x for x in drawn if x < 0.75 * bptt]
    full = [x for x in drawn if x >= 0.75 * bptt]
    share = len(half) / k
    if abs(share - 0.05) > 5 * math.sqrt(0.05 * 0.95 / k):
        return f"{share:.1%} of your {k} drawn lengths are near bptt/2; about 5% should be (bptt/2 5% of the time)"
    mean = sum(full) / len(full)
    sd = math.sqrt(sum((x - mean) ** 2 for x in full) / (len(full) - 1))
    if abs(mean - (bptt - 0.5)) > 5 * 5 / math.sqrt(len(full)) + 0.5:
        return (
            f"your lengths near bptt average {mean:.2f}; a normal draw around bptt = {bptt}, made an int, averages "
            f"about {bptt - 0.5}"
        )
    if not 4.0 < sd < 6.0:
        return f"your lengths near bptt spread with a standard deviation of {sd:.2f}; it should be about 5"
    return None


def _judge_seq_lens(inp, expected, actual) -> Judgement:
    n, bptt, seed = inp
    if not isinstance(actual, dict) or set(actual) != set(expected):
        from .. import wire

        return Judgement(wire.difference(expected, actual))
    lengths = actual["lengths"]
    checked = ["the lengths add up to n", "the first is bptt + 25", "none but the last below 5"]
    problem = _lengths_problem(lengths, n, bptt)
    if not problem and actual["the same seed again"] != lengths:
        problem = (
            "the same seed gave other lengths: draw every random number from `generator` (and from nothing else, "
            "such as torch's global generator)"
        )
    if not problem and len(lengths) > 12 and actual["another seed"] == lengths:
        problem = "another seed gave the same lengths: the lengths after the first should be drawn from `generator`"
    checked.append("every draw from the generator")
    if not problem and n > 50_000 and bptt >= 60:  # bptt and bptt/2 apart by 7 standard deviations or more
        problem = _distribution_problem(lengths, bptt)
        checked.append("bptt 95% of the time, else bptt/2, spread 5")
    return Judgement(problem, () if problem else tuple(checked), show_values=False)


_GET_BATCH_BUGS = (
    Version(
        "a get_batch whose y is x (targets not shifted)", (("data[i + 1:i + 1 + seq_len]", "data[i:i + seq_len]"),)
    ),
    Version(
        "a get_batch that does not cut seq_len near the end", (("seq_len = min(seq_len, len(data) - 1 - i)", "pass"),)
    ),
    Version("a get_batch that cuts one row too late", (("len(data) - 1 - i", "len(data) - i"),)),
    Version(
        "a get_batch that returns (y, x)",
        (
            (
                "return data[i:i + seq_len], data[i + 1:i + 1 + seq_len]",
                "return data[i + 1:i + 1 + seq_len], data[i:i + seq_len]",
            ),
        ),
    ),
    Version(
        "a get_batch that reads columns for rows",
        (
            (
                "return data[i:i + seq_len], data[i + 1:i + 1 + seq_len]",
                "return data.t()[i:i + seq_len].t(), data.t()[i + 1:i + 1 + seq_len].t()",
            ),
        ),
    ),
    Version(
        "a get_batch that skips a row between x and y",
        (("data[i + 1:i + 1 + seq_len]", "data[i + 2:i + 2 + seq_len]"),),
    ),
    Version(
        "a get_batch written with narrow",
        (
            (
                "return data[i:i + seq_len], data[i + 1:i + 1 + seq_len]",
                "return data.narrow(0, i, seq_len), data.narrow(0, i + 1, seq_len)",
            ),
        ),
        right=True,
    ),
)


def _batches_of_an_epoch() -> float:
    """How many batches the reference loader gives in one epoch of 100,000 tokens at bs = 10, bptt = 70."""
    import importlib

    import torch

    loader = importlib.import_module("ulmfit_ref.loaders").LanguageModelLoader(torch.arange(100_000), 10, 70, seed=0)
    return len(loader)


EXERCISES = (
    Exercise(
        "batchify",
        "ulmfit_ref.loaders:batchify",
        fixed=(
            (list(range(20)), 4),
            (list(range(23)), 5),
            (list(range(10)), 1),
            ([7, 3, 9, 1, 4, 4, 2, 8], 2),
            (list(range(50, 250)), 7),
        ),
        inputs=composite(_stream),
        observe=_observe_batchify,
        hints=(_rows_not_columns,),
        show=lambda inp: f"batchify(torch.tensor({inp[0]!r}), {inp[1]!r})",
    ),
    Exercise(
        "get_batch",
        "ulmfit_ref.loaders:get_batch",
        fixed=(
            (_arange_batched(30, 3), 0, 4),
            (_arange_batched(30, 3), 3, 2),
            (_arange_batched(30, 3), 6, 5),
            (_arange_batched(30, 3), 8, 5),
            (_arange_batched(200, 4), 40, 12),
        ),
        inputs=composite(_batched),
        observe=_observe_get_batch,
        hints=(_batch_hint,),
        show=lambda inp: f"get_batch(torch.tensor({inp[0]!r}), {inp[1]!r}, {inp[2]!r})",
    ),
    test_of("test_get_batch", "ulmfit_ref.loaders:get_batch", _GET_BATCH_BUGS),
    Exercise(
        "draw_seq_lens",
        "ulmfit_ref.loaders:draw_seq_lens",
        fixed=((200, 70, 0), (9, 70, 2), (95, 70, 7), (500, 10, 3), (2, 70, 14), (200_000, 70, 4), (60_000, 70, 5)),
        inputs=lambda st: st.tuples(st.integers(1, 400), st.sampled_from((10, 20, 35, 70)), st.integers(0, 10**6)),
        observe=_observe_seq_lens,
        judge=_judge_seq_lens,
        show=lambda inp: f"draw_seq_lens({inp[0]!r}, {inp[1]!r}, torch.Generator().manual_seed({inp[2]!r}))",
        sample=8,
        examples=60,
    ),
    prediction("predicted_batches", _batches_of_an_epoch, rtol=0.02),
)
