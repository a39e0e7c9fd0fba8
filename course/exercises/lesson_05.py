"""Lesson 5, the LanguageModelLoader: `batchify`, `get_batch`, `draw_seq_lens`."""

from ..exercise import Exercise, composite

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
    return fn(torch.tensor(ids, dtype=torch.long), bs)


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
    return fn(torch.tensor(data, dtype=torch.long), i, seq_len)


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
    """`fn(n, bptt, torch.Generator().manual_seed(seed))`."""
    import torch

    n, bptt, seed = inp
    return fn(n, bptt, torch.Generator().manual_seed(seed))


def _seq_lens_hint(inp, expected, actual) -> str | None:
    n = inp[0]
    if type(actual) is list and all(type(x) is int for x in actual) and sum(actual) != n:
        return (
            f"your lengths add up to {sum(actual)}; they should add up to n = {n} (the last one is cut to what is left)"
        )
    return None


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
    Exercise(
        "draw_seq_lens",
        "ulmfit_ref.loaders:draw_seq_lens",
        fixed=((200, 70, 0), (1000, 70, 1), (9, 70, 2), (500, 10, 3), (640, 12, 15), (2, 70, 14), (3000, 70, 4)),
        inputs=lambda st: st.tuples(st.integers(1, 120), st.sampled_from((1, 5, 10, 20, 70)), st.integers(0, 5)),
        observe=_observe_seq_lens,
        hints=(_seq_lens_hint,),
        show=lambda inp: f"draw_seq_lens({inp[0]!r}, {inp[1]!r}, torch.Generator().manual_seed({inp[2]!r}))",
    ),
)
