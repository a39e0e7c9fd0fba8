"""Lesson 10, the classifier: `concat_pool`, `clip_document`."""

from .. import wire
from ..exercise import TOL_FLOAT32, Exercise, composite

LESSON = "10_classifier"
GIVEN = ()
PRELOAD = ("torch", "numpy")


def _pool_inputs(draw, st):
    sl, bs, n = draw(st.integers(1, 8)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return (sl, bs, n), [draw(st.integers(1, sl)) for _ in range(bs)], draw(st.integers(0, 1000))


def _padded_output(shape, lengths, seed: int):
    """A seeded [seq_len, bs, n] output whose padding (after each length) holds 5.0, more than any real state."""
    import torch

    output = torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) - 2.0
    output[~(torch.arange(shape[0]).unsqueeze(1) < torch.tensor(lengths))] = 5.0
    return output


def _observe_pool(fn, inp, workdir):
    """`fn(output, lengths)` on a seeded output with padding after each length."""
    import torch

    shape, lengths, seed = inp
    return fn(_padded_output(shape, lengths, seed), torch.tensor(lengths))


def _pool_reference(pool):
    """PoolingLinearClassifier.pool, the padding after each length masked."""
    import torch

    return lambda output, lengths: pool(output, torch.arange(output.size(0)).unsqueeze(1) < lengths)


def _which_part(inp, expected, actual) -> str | None:
    n = inp[0][2]
    if wire.kind(actual) != "tensor" or actual.shape != expected.shape:
        return None
    for part, name, hint in (
        (0, "last", "the state at position length-1 of each document, not output[-1]"),
        (1, "max", "the maximum over the real tokens only: set the padding to -inf first"),
        (2, "mean", "the sum over the real tokens divided by the length, not by seq_len"),
    ):
        cols = slice(part * n, (part + 1) * n)
        if wire.difference(expected[:, cols], actual[:, cols], tol=TOL_FLOAT32):
            return f"the {name} part (columns {part * n} to {(part + 1) * n - 1}) differs; it should be {hint}"
    return None


def _observe_clip(fn, inp, workdir):
    """`fn(ids, max_tokens)` with ids an int32 array."""
    import numpy as np

    ids, max_tokens = inp
    return fn(np.array(ids, dtype=np.int32), max_tokens)


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
        ),
        inputs=composite(_pool_inputs),
        observe=_observe_pool,
        adapt=_pool_reference,
        tolerance=TOL_FLOAT32,
        hints=(_which_part,),
        show=lambda inp: (
            f"concat_pool(<output of shape {tuple(inp[0])!r} from seed {inp[2]}, 5.0 after each length>, "
            f"torch.tensor({inp[1]!r}))"
        ),
        sample=8,
        examples=60,
    ),
    Exercise(
        "clip_document",
        "ulmfit_ref.predict:clip_document",
        fixed=(
            (list(range(20)), 8),
            (list(range(8)), 8),
            (list(range(5)), 100),
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
    ),
)
