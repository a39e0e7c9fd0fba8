"""Lesson 9, fine-tuning: `discriminative_lrs`, `stlr`, `freeze_to`."""

import importlib

from ..exercise import TOL_FLOAT64, Exercise, composite

LESSON = "09_finetune"
GIVEN = ()
PRELOAD = ("torch",)


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
    groups = [[nn.Parameter(torch.zeros(2), requires_grad=on) for _ in range(k)] for k, on in zip(sizes, start)]
    returned = fn(groups, n)
    return {
        "what it returns": returned,
        "requires_grad of each group's parameters": [[p.requires_grad for p in g] for g in groups],
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
        inputs=lambda st: st.tuples(
            st.sampled_from((1e-3, 0.01, 0.5, 2e-2, 1.0)),
            st.integers(1, 6),
            st.one_of(st.none(), st.sampled_from((2.6, 2.0, 1.0, 3.0, 1.5))),
        ).map(lambda t: ((t[0], t[1]), {} if t[2] is None else {"factor": t[2]})),
        tolerance=TOL_FLOAT64,
        sample=20,
    ),
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
        ),
        inputs=composite(_stlr_inputs),
        tolerance=TOL_FLOAT64,
        sample=20,
        adapt=lambda STLR: lambda step, total, cut_frac=0.1, ratio=32.0: STLR(cut_frac, ratio).lr_mult(step, total),
    ),
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
