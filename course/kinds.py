"""The exercise kinds beyond "write the code": a number to predict, and a test to write that must catch hidden bugs.

A prediction (`prediction`) is a value the learner writes before the cell that shows it; its check measures the true
value in the checker's process (`truth`, which may use the reference) and judges the prediction within a stated
tolerance, saying only whether it is too high or too low.

A test (`test_of`) is a function the learner writes, `test_NAME(NAME)`, that raises (an `assert` that fails) when the
code it is given is wrong. Its check runs it on the reference's own code, on the same code written differently (each
must pass) and on hidden buggy versions (each must fail): `Version`s, each a few text patches of the reference's source,
so that a bug is defined once, against the code it breaks. The code under test crosses to the learner's process as
source text and runs from there, so that no version can be told from another but by what it does. The grade is the
share of the bugs caught.
"""

import ast
import dataclasses
import functools
import inspect
import math
import sys
import textwrap
import types

from . import wire
from .exercise import Exercise, Judgement, Stop, Verdict, _cut, code_names, not_implemented

CODE_UNDER_TEST = "<the code under test>"  # the file name of the code a learner's test is given


# --- predictions ----------------------------------------------------------------------------------------------------


def _observe_value(value, inp, workdir):
    """The learner's prediction itself; `...` (the released stub) is not one yet."""
    if value is Ellipsis:
        raise NotImplementedError("no prediction yet")
    return value


def _judge_prediction(truth, rtol: float, atol: float, inp, expected, actual) -> Judgement:
    within = f"within {rtol:.0%} of the measured value" if rtol else f"within ±{atol:g} of the measured value"
    if type(actual) not in (int, float) or (type(actual) is float and not math.isfinite(actual)):
        return Judgement(
            f"your prediction should be a finite number; yours is a {wire.kind(actual)}: {wire.show(actual, 80)}"
        )
    true = truth()
    if math.isclose(actual, true, rel_tol=rtol, abs_tol=atol):
        return Judgement(None, (within,), show_values=False)
    side = "too high" if actual > true else "too low"
    return Judgement(
        f"your prediction {actual:.4g} is {side} (a pass is {within}); work it out again before you run the next cell",
        show_values=False,
    )


def prediction(name: str, truth, rtol: float = 0.0, atol: float = 0.0, hints: tuple = ()) -> Exercise:
    """A number to predict: it passes within `rtol` (relative) or `atol` (absolute) of `truth()`, measured here."""
    return Exercise(
        name,
        None,
        fixed=((),),
        inputs=lambda st: st.just(()),
        observe=_observe_value,
        judge=functools.partial(_judge_prediction, functools.cache(truth), rtol, atol),
        show=lambda inp: name,
        hints=hints,
        sample=0,
        examples=0,
        kind="predict",
        value=True,
    )


# --- tests the learner writes ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Version:
    """A version of the code under test: the reference's source with `patches` ((old, new) text, each found once)."""

    what: str  # in words, for the learner once the test lets it pass
    patches: tuple
    right: bool = False  # a correct version written differently (the test must pass it), not a bug


class PatchError(ValueError):
    """A version whose patch does not apply to the reference's source (the reference changed)."""


def _needs(obj, seen: set) -> tuple[list, list]:
    """(import lines, sources) that the source of `obj` needs to run alone: its module's imports and constants, and
    the source of the helpers it calls from the course's own packages."""
    from .exercises import PROTECTED

    module = sys.modules[obj.__module__]
    imports, sources = [], []
    tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    annotations = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}  # evaluated where the code is defined
    for name in sorted(code_names(obj) | annotations):
        if name not in vars(module) or name in seen:
            continue
        seen.add(name)
        value = vars(module)[name]
        origin = getattr(value, "__module__", None)
        if isinstance(value, types.ModuleType):
            imports.append(f"import {value.__name__} as {name}")
        elif origin and origin.split(".")[0] in PROTECTED and callable(value):
            more_imports, more_sources = _needs(value, seen)
            imports += more_imports
            sources += more_sources + [textwrap.dedent(inspect.getsource(value))]
        elif origin and "." not in getattr(value, "__qualname__", "."):
            imports.append(f"from {origin} import {value.__qualname__} as {name}")
        elif type(value) in (int, float, str, bool, tuple) and eval(repr(value)) == value:  # noqa: S307 - our constant
            imports.append(f"{name} = {value!r}")
    return imports, sources


def code_under_test(obj, patches: tuple = ()) -> list:
    """[import lines, sources, name]: the source of `obj` with `patches` applied, and what it needs, as plain data."""
    source = textwrap.dedent(inspect.getsource(obj))
    for old, new in patches:
        if source.count(old) != 1:
            raise PatchError(
                f"{old!r} is found {source.count(old)} times in the source of {obj.__qualname__}, not once"
            )
        source = source.replace(old, new)
    imports, sources = _needs(obj, {obj.__name__})
    return [imports, sources + [source], obj.__name__]


def build_code(inp):
    """The object that `code_under_test` describes, made from its source in a namespace of its own."""
    imports, sources, name = inp
    namespace = {"__name__": "code_under_test"}
    for line in imports:
        exec(line, namespace)  # noqa: S102 - the course's own import lines and constants
    for source in sources:
        exec(compile(source, CODE_UNDER_TEST, "exec"), namespace)  # noqa: S102 - the reference's source, patched
    return namespace[name]


def _observe_test(test, inp, workdir):
    """'passed' when the learner's `test(code)` returns, else what it raised."""
    test(build_code(inp))
    return "passed"


def test_of(name: str, subject: str, versions: tuple, hints: tuple = ()) -> Exercise:
    """The exercise of writing `name(fn)`, a test of `subject` ("module:name" of the reference) that must pass on the
    reference and on the right `versions`, and fail on the others."""
    bugs = [v for v in versions if not v.right]
    if not bugs:
        raise ValueError(f"{name}: a test exercise needs a buggy version to catch")
    return Exercise(
        name,
        subject,
        fixed=(),
        inputs=lambda st: st.just(()),
        observe=_observe_test,
        hints=hints,
        sample=0,
        examples=0,
        kind="test",
        bugs=tuple(versions),
    )


def run_test(exercise: Exercise, learner) -> Verdict:
    """Run the learner's test on the right versions (it must pass each) and on the bugs (scored by the share caught)."""
    from .exercise import InProcess, _stub, _stub_name

    name = exercise.name
    subject = exercise.reference_object()
    shown = exercise.reference.split(":")[1]
    right = [Version(f"the correct {shown}", (), right=True), *(v for v in exercise.bugs if v.right)]
    bugs = [v for v in exercise.bugs if not v.right]
    caught, missed = 0, []
    for version in right + bugs:
        tree = wire.encode(code_under_test(subject, version.patches))
        try:
            actual = wire.decode(learner.observe(exercise, tree))
        except Stop as stop:
            raise type(stop)(f"{stop.reason}\n  running your test on {version.what}") from None
        except wire.WireError as e:
            return Verdict(name, False, f"{name}: what your test returned could not be read: it is {e}")
        if _stub(actual) is not None:
            raise Stop(not_implemented(_stub_name(name, actual), isinstance(learner, InProcess)))
        failed = isinstance(actual, wire.Raised)
        if version.right and failed:
            return Verdict(
                name,
                False,
                f"{name} fails on {version.what}, which is right: a test must pass on every correct {shown}\n"
                f"  your test raised {actual.type}: {_cut(actual.message, 200)}{actual.where}",
                score=0.0,
            )
        if not version.right:
            caught += failed
            missed += [] if failed else [version.what]
    if not missed:
        return Verdict(
            name,
            True,
            f"✓ {name}: passes on {_plural(len(right), 'correct version')} of {shown} and catches all "
            f"{_plural(len(bugs), 'hidden bug')}",
            score=1.0,
        )
    hint = next((h(None, None, missed) for h in exercise.hints), None)
    return Verdict(
        name,
        False,
        f"{name} catches {caught} of the {_plural(len(bugs), 'hidden bug')} in versions of {shown} "
        f"(score {caught}/{len(bugs)}); it passes on {_plural(len(missed), 'buggy version')}, such as "
        f"{missed[0]}" + (f"\n  hint: {hint}" if hint else ""),
        score=caught / len(bugs),
    )


def _plural(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"
