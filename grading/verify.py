"""One exercise checked: the learner's answers against the reference's on random inputs (shrunk to the smallest that
differs) and on fixed ones, compared as plain data with exact types.

`learner` is anything with `call(exercise, encoded input) -> encoded result` and `problem(exercise) -> str | None`:
a `Sandbox` (the self-check and the autograder) or the pipe back to a notebook's kernel (`grading.hidden`).
"""

import dataclasses
import tempfile

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Flaky

from course.checks import not_implemented

from . import probes, wire
from .exercises import Exercise

MAX_EXAMPLES = 100


class Stop(BaseException):
    """A check that cannot go on (timeout, crash, refusal, stub): not an `Exception`, so hypothesis does not shrink on it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Mismatch(Exception):
    """The learner's result differs from the reference's on `input`."""

    def __init__(self, input, expected, actual, detail: str):
        super().__init__(detail)
        self.input, self.expected, self.actual, self.detail = input, expected, actual, detail


@dataclasses.dataclass
class Verdict:
    """The outcome of one exercise's check: passed or not, and the message the learner reads."""

    exercise: str
    passed: bool
    message: str


def _stub(tree, where: str = "") -> str | None:
    """Where in an encoded result a NotImplementedError was raised ('' for the result itself), else None."""
    if tree[0] == "raised" and tree[1] == "NotImplementedError":
        return where
    if tree[0] == "dict":
        return next((w for k, v in tree[2] if (w := _stub(v, f"{where}[{wire.show(k)}]")) is not None), None)
    return None


def check(exercise: Exercise, learner, max_examples: int = MAX_EXAMPLES) -> Verdict:
    """Compare the learner's `exercise` with the reference on random inputs, then on the fixed ones."""
    name = exercise.name
    reference = exercise.reference_object()
    tried, phase = [], ["random"]

    def compare(inp, workdir):
        tried.append(inp)
        tree = wire.encode(inp)
        expected = probes.observe(name, reference, tree, workdir)
        try:
            actual = learner.call(name, tree)
        except Stop as stop:
            raise Stop(f"{stop.reason}\n  on the input: {exercise.shown(inp)}") from None
        if (where := _stub(actual)) is not None:
            raise Stop(not_implemented(name) + (f" ({name}{where} raised NotImplementedError)" if where else ""))
        if detail := wire.difference(expected, actual):
            raise Mismatch(inp, expected, actual, detail)

    with tempfile.TemporaryDirectory(prefix="grading-reference-") as workdir:
        try:
            if problem := learner.problem(name):
                return Verdict(name, False, f"{name}: {problem}")

            @settings(
                max_examples=max_examples, derandomize=True, database=None, deadline=None, report_multiple_bugs=False,
                suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate, Phase.shrink),
                verbosity=Verbosity.quiet, print_blob=False,
            )
            @given(exercise.inputs)
            def random_inputs(inp):
                compare(inp, workdir)

            random_inputs()
            n_random, phase[0] = len(tried), "fixed"
            for inp in sorted(exercise.fixed, key=lambda x: len(wire.dumps(wire.encode(x)))):
                compare(inp, workdir)
        except Mismatch as m:
            return Verdict(name, False, _mismatch_message(exercise, m, phase[0], len(tried)))
        except Flaky:
            return Verdict(name, False, f"{name}: your answers change from one call to the next on the same input; they should not (no randomness, no state kept between calls)")
        except Stop as stop:
            return Verdict(name, False, f"{name}: {stop.reason}")
    return Verdict(name, True, f"✓ {name}: same as {exercise.reference} on {n_random} random and {len(exercise.fixed)} fixed inputs")


def _mismatch_message(exercise: Exercise, m: Mismatch, phase: str, n_tried: int) -> str:
    source = f"the smallest of {n_tried} random inputs tried" if phase == "random" else "one of the fixed inputs (the lesson's examples and real reviews)"
    return "\n".join(
        [
            f"{exercise.name} differs from the reference ({exercise.reference}) on this input, {source}:",
            f"  call:     {exercise.shown(m.input)}",
            f"  expected: {wire.show(m.expected)}",
            f"  yours:    {wire.show(m.actual)}",
            f"  the result {m.detail}",
        ]
    )
