"""Lesson 9, fine-tuning: `discriminative_lrs` and a test of it, `stlr`, find and fix `group_lrs`, a prediction, and
`freeze_to`.

The rates and the schedule are fully determined by their goals, so they are judged value by value (within float
rounding), with messages that say which property fails: the head's rate, the ratio between groups, the length, the
start and the peak of the slant.
"""

import importlib
import math

from .. import wire
from ..exercise import TOL_FLOAT64, Exercise, Judgement, composite, unchanged
from ..kinds import Version, prediction, test_of

LESSON = "09_finetune"
GIVEN = ()
PRELOAD = ("torch",)


def _judge_lrs(inp, expected, actual) -> Judgement:
    """A list of n_groups floats, the last lr, each factor times the one below: value by value within rounding."""
    (lr, n_groups), kwargs = inp
    factor = kwargs.get("factor", 2.6)
    if isinstance(actual, wire.Raised):
        return Judgement(f"the call raised {actual.type}: {actual.message}{actual.where}")
    if type(actual) is not list or not all(type(x) is float for x in actual):
        return Judgement(
            f"the rates should be a list of floats; yours is a {wire.kind(actual)}: {wire.show(actual, 80)}"
        )
    if len(actual) != n_groups:
        return Judgement(f"there should be one rate per group, {n_groups}; yours has {len(actual)}")
    close = lambda a, b: math.isclose(a, b, rel_tol=TOL_FLOAT64[0], abs_tol=TOL_FLOAT64[1])  # noqa: E731
    if n_groups and not close(actual[-1], lr):
        return Judgement(f"the head, the last group, should train at lr = {lr!r}; yours gets {actual[-1]!r}")
    for i in range(n_groups - 1):
        if not close(actual[i] * factor, actual[i + 1]):
            return Judgement(
                f"group {i} should train factor = {factor!r} times slower than group {i + 1}; yours "
                f"{actual[i + 1] / actual[i]:.4g} times" + (" (the factor given?)" if factor != 2.6 else "")
            )
    return Judgement(None, ("a list of n_groups floats", "the head at lr", "each group factor times the one below"))


def _stlr_hint(inp, expected, actual) -> str | None:
    (step, total), kwargs = inp
    if type(actual) is float and step == 0 and not math.isclose(actual, expected):
        return "at step 0 the multiplier is 1/ratio: the rise starts at the bottom of the triangle"
    if type(actual) is float and actual < expected and math.isclose(expected, 1 / kwargs.get("ratio", 32.0)):
        return "the multiplier never goes below 1/ratio, even where the fall would take it lower"
    return None


def multiplier(step: int, total: int) -> float:
    """The multiplier the check gives group_lrs: a different one at each step, refusing a step outside the fit."""
    if not 0 <= step < total:
        raise ValueError(f"step {step} is not a step of a fit of {total} steps: they count from 0 to {total - 1}")
    return (step + 1) / (total + 1)


def _observe_group_lrs(fn, inp, workdir):
    """`fn(lrs, total, multiplier)`, lrs left as it was."""
    lrs, total = inp
    return unchanged(fn, list(lrs), total, multiplier)


def _judge_group_lrs(inp, expected, actual) -> Judgement:
    """`total` lists of len(lrs) floats, step t holding lrs[g] * multiplier(t, total) (steps from 0)."""
    lrs, total = inp
    mult = multiplier
    if isinstance(actual, wire.Raised):
        return Judgement(f"the call raised {actual.type}: {actual.message}{actual.where}")
    if type(actual) is not list or len(actual) != total or not all(type(s) is list for s in actual):
        return Judgement(
            f"the schedule should be a list of {total} lists, one per step; yours is {wire.show(actual, 80)}"
        )
    want = [[lr * mult(t, total) for lr in lrs] for t in range(total)]
    for t, (row, good) in enumerate(zip(actual, want)):
        if len(row) != len(good) or not all(
            type(x) is float and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-15) for x, y in zip(row, good)
        ):
            ahead = total > 1 and all(
                len(r) == len(g) and all(math.isclose(x, y, rel_tol=1e-9) for x, y in zip(r, g))
                for r, g in zip(actual[:-1], want[1:])
            )
            return Judgement(
                f"step {t} should hold {good}, each group's lr times multiplier({t}, {total}); yours holds {row}"
                + (": your schedule is one step ahead (steps count from 0)" if ahead else ""),
                show_values=False,
            )
    return Judgement(None, ("one list per step, from step 0", "each group's lr times the multiplier of its step"))


def _group_lrs_inputs(draw, st):
    lrs = draw(st.lists(st.sampled_from((0.01, 1e-3, 3.8e-3, 0.5, 1.0)), min_size=1, max_size=4))
    return lrs, draw(st.integers(1, 120))


def _group0_lr_at_150() -> float:
    """Group 0's lr at step 150 of 200, 4 groups, lr 0.01 at the head, STLR(0.1, 32), by the reference."""
    train = importlib.import_module("ulmfit_ref.train")
    schedule = importlib.import_module("ulmfit_ref.schedule")
    return train.discriminative_lrs(0.01, 4)[0] * schedule.STLR(0.1, 32.0).lr_mult(150, 200)


_SOURCE = "return [lr / factor ** (n_groups - 1 - i) for i in range(n_groups)]"
_LRS_VERSIONS = (
    Version("a discriminative_lrs in the wrong order (group 0 gets lr)", (("(n_groups - 1 - i)", "i"),)),
    Version("a discriminative_lrs that multiplies by factor", (("lr / factor", "lr * factor"),)),
    Version("a discriminative_lrs whose head gets lr / factor", (("(n_groups - 1 - i)", "(n_groups - i)"),)),
    Version("a discriminative_lrs one power of factor short", (("(n_groups - 1 - i)", "(n_groups - 2 - i)"),)),
    Version("a discriminative_lrs that ignores the factor given", (("lr / factor **", "lr / 2.6 **"),)),
    Version("a discriminative_lrs one group short", (("range(n_groups)", "range(n_groups - 1)"),)),
    Version("a discriminative_lrs one group too many", (("range(n_groups)", "range(n_groups + 1)"),)),
    Version(
        "a discriminative_lrs that returns a tuple",
        ((_SOURCE, "return tuple(lr / factor ** (n_groups - 1 - i) for i in range(n_groups))"),),
    ),
    Version("a discriminative_lrs that divides by factor once too often below", (("factor **", "factor * factor **"),)),
    Version(
        "a discriminative_lrs written with negative powers",
        (("lr / factor ** (n_groups - 1 - i)", "lr * factor ** -(n_groups - 1 - i)"),),
        right=True,
    ),
    Version(
        "a discriminative_lrs built from the head down, one division at a time",
        (
            (
                _SOURCE,
                "lrs = [lr]\n    while len(lrs) < n_groups:\n        lrs.insert(0, lrs[0] / factor)\n    return lrs",
            ),
        ),
        right=True,
    ),
)


def _stlr_inputs(draw, st):
    total = draw(st.integers(1, 300))
    kwargs = {}
    if draw(st.booleans()):
        kwargs["cut_frac"] = draw(st.sampled_from((0.1, 0.25, 1 / 3, 0.5, 0.05, 0.9)))
    if draw(st.booleans()):
        kwargs["ratio"] = draw(st.sampled_from((32.0, 10.0, 2.0, 1.0)))
    return (draw(st.integers(0, total - 1)), total), kwargs


def _freeze_inputs(draw, st):
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=6))
    return sizes, [draw(st.booleans()) for _ in sizes], draw(st.integers(-len(sizes), len(sizes) - 1))


def _observe_freeze(fn, inp, workdir):
    """`fn(groups, n)` on groups of Parameters whose requires_grad starts as `start`: what it returns, and after."""
    import torch
    from torch import nn

    sizes, start, n = inp
    groups = [
        [nn.Parameter(torch.full((2,), float(k)), requires_grad=on) for _ in range(k)] for k, on in zip(sizes, start)
    ]
    params = [list(g) for g in groups]  # the parameters themselves: a copy put in their place is not them
    returned = unchanged(fn, groups, n)
    return {
        "what it returns": returned,
        "requires_grad of each group's parameters": [[p.requires_grad for p in g] for g in params],
    }


def _freeze_reference(freeze_to):
    """Learner.freeze_to on bare layer groups: a Learner made without a model, holding only its param_groups."""
    learner_class = getattr(importlib.import_module(freeze_to.__module__), freeze_to.__qualname__.split(".")[0])

    def reference(groups, n):
        learner = learner_class.__new__(learner_class)
        learner.param_groups = groups
        return freeze_to(learner, n)

    return reference


def _negative_n(inp, expected, actual) -> str | None:
    sizes, start, n = inp
    if n < 0 and isinstance(actual, dict) and actual != expected:
        return f"n may be negative, counted from the end: n % len(groups) = {n % len(sizes)} is the first that trains"
    return None


def _show_group_lrs(inp) -> str:
    lrs, total = inp
    return f"group_lrs({lrs!r}, {total!r}, multiplier) with multiplier(step, total) = (step + 1) / (total + 1)"


def _show_freeze(inp) -> str:
    sizes, start, n = inp
    return f"freeze_to(<layer groups of {sizes!r} Parameters, requires_grad {start!r}>, {n!r})"


EXERCISES = (
    Exercise(
        "discriminative_lrs",
        "ulmfit_ref.train:discriminative_lrs",
        fixed=(
            ((1e-3, 4), {}),
            ((0.01, 3), {"factor": 2.0}),
            ((0.5, 1), {}),
            ((2e-2, 5), {"factor": 1.0}),
            ((1e-2, 6), {"factor": 3.0}),
            ((1e-4, 2), {"factor": 2.6}),
            ((1e-3, 8), {"factor": 1.5}),
        ),
        inputs=lambda st: st.tuples(  # floats: a space no table of answers can cover
            st.floats(1e-6, 1.0),
            st.integers(1, 10),
            st.one_of(st.none(), st.floats(1.0, 4.0)),
        ).map(lambda t: ((t[0], t[1]), {} if t[2] is None else {"factor": t[2]})),
        judge=_judge_lrs,
        sample=20,
    ),
    test_of("test_discriminative_lrs", "ulmfit_ref.train:discriminative_lrs", _LRS_VERSIONS),
    Exercise(
        "stlr",
        "ulmfit_ref.schedule:STLR",
        fixed=tuple(
            ((s, t), {})
            for s, t in ((0, 100), (5, 100), (10, 100), (55, 100), (99, 100), (0, 5), (3, 5), (56, 57), (5, 57), (0, 1))
        )
        + (
            ((20, 200), {"cut_frac": 0.25, "ratio": 10.0}),
            ((7, 9), {"cut_frac": 0.5, "ratio": 2.0}),
            ((13, 40), {"cut_frac": 1 / 3, "ratio": 20.0}),
            ((150, 151), {}),
            ((2, 3), {"cut_frac": 0.9, "ratio": 4.0}),
            ((0, 3), {"ratio": 1.0}),
            ((11, 20), {}),
            ((19, 20), {}),
        ),
        inputs=composite(_stlr_inputs),
        tolerance=TOL_FLOAT64,
        sample=20,
        adapt=lambda STLR: lambda step, total, cut_frac=0.1, ratio=32.0: STLR(cut_frac, ratio).lr_mult(step, total),
        hints=(_stlr_hint,),
    ),
    Exercise(
        "group_lrs",
        None,
        fixed=(
            ([0.01], 20),
            ([1e-3, 2.6e-3, 0.01], 10),
            ([0.01], 1),
            ([0.5, 1.0], 3),
            ([0.01, 0.02, 0.03, 0.04], 57),
            ([], 4),
        ),
        inputs=composite(_group_lrs_inputs),
        observe=_observe_group_lrs,
        judge=_judge_group_lrs,
        show=_show_group_lrs,
        sample=6,
        examples=40,
        kind="fix",
    ),
    prediction("predicted_lr", _group0_lr_at_150, rtol=0.03),
    Exercise(
        "freeze_to",
        "ulmfit_ref.train:Learner.freeze_to",
        fixed=(
            ([1, 2, 1, 2], [True, False, True, False], -1),
            ([1, 2, 1, 2], [True, False, True, False], 0),
            ([1, 2, 1, 2], [False, True, False, True], 2),
            ([1, 2, 1, 2], [True, True, True, True], -3),
            ([2, 1], [False, False], 1),
            ([1], [False], 0),
            ([1, 1, 1, 1, 1, 1], [True] * 6, -6),
        ),
        inputs=composite(_freeze_inputs),
        observe=_observe_freeze,
        adapt=_freeze_reference,
        hints=(_negative_n,),
        show=_show_freeze,
        sample=15,
        examples=60,
    ),
)
