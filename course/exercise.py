"""One exercise, defined once, and `run`: the check the notebook's check cell, the self-check and the autograde share.

An `Exercise` names the public `ulmfit_ref` object it is checked against, says how it is called and what of the call
is observed (`observe`, run alike on the learner's answer and on the reference, in the learner's process), lists fixed
inputs (the lesson's examples, real review excerpts) and a strategy of random ones, and says how two observations are
judged (`judge`, in the checker's process, on decoded values only) and what advice fits a typical mistake (`hints`).

`run` compares the learner with the reference on the fixed inputs, in order, then on random inputs drawn from a seed
(fresh unless given, so that answers recorded in advance do not pass, and printed with a failure, so that it can be
drawn again), shrunk by hypothesis to the smallest one that differs. An exercise with no reference (`reference=None`:
a design task, a prediction) is judged by its `judge` alone, and a test the learner writes (`kind="test"`) is run on
the correct code and on hidden buggy versions of it (`course.kinds`). Where the learner's answer is reached does not
matter: in the notebook's kernel (`InProcess`) or in the grader's sandbox, every observation crosses `course.wire`, so
that both give the same verdict on the same inputs.
"""

import copy
import dataclasses
import importlib
import inspect
import itertools
import re
import secrets
import shutil
import sys
import weakref
from collections.abc import Callable
from pathlib import Path

from . import wire
from .scratch import scratch_dir

STUB_MESSAGES = ("", "no prediction yet")  # what a released stub raises: `raise NotImplementedError()`, or `...`
TOL_FLOAT32 = (1e-4, 1e-5)  # rtol, atol of float32 tensor arithmetic
TOL_FLOAT64 = (1e-9, 1e-15)  # rtol, atol of plain float arithmetic written in another order


class CheckFailed(AssertionError):
    """A check that did not pass; a notebook shows its message alone, without a traceback."""

    def _render_traceback_(self):
        """What IPython shows in place of the traceback: plain text, no colour codes, which logs would show raw."""
        return [f"✗ {line}" if i == 0 else line for i, line in enumerate(str(self).split("\n"))]


class Stop(BaseException):
    """A check that cannot go on (a timeout, a crash, a refusal, a stub): a BaseException, which hypothesis lets by."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class GraderProblem(Stop):
    """A check that cannot run for a reason of the grader's, not the learner's (an import that fails in the grader)."""


class _Mismatch(Exception):
    """The learner's observation differs from the reference's on `input`."""

    def __init__(self, input, expected, actual, problem: str, show_values: bool, hint: str | None):
        super().__init__(problem)
        self.input, self.expected, self.actual, self.problem = input, expected, actual, problem
        self.show_values, self.hint = show_values, hint


@dataclasses.dataclass(frozen=True)
class Judgement:
    """What a judge found on one input: the problem (None if none), the properties it checked, whether the two
    observations are worth showing (a mask of 100,000 values is not)."""

    problem: str | None
    checked: tuple = ()
    show_values: bool = True


def composite(draw_input: Callable) -> Callable:
    """The `inputs` of an exercise whose random input is drawn step by step by `draw_input(draw, st)`: hypothesis is
    imported only where inputs are drawn (not in the learner's process, which only observes)."""
    return lambda st: st.composite(lambda draw: draw_input(draw, st))()


class ArgumentChanged(Exception):
    """An answer changed one of the arguments it was given (its contract leaves them as they were)."""


def _snapshot(x):
    """A copy of `x` to compare with after a call (tensors cloned, containers copied all the way down)."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        return x.detach().clone()
    if type(x) in (list, tuple):
        return type(x)(_snapshot(v) for v in x)
    if type(x) is dict:
        return {k: _snapshot(v) for k, v in x.items()}
    return copy.deepcopy(x)


def _same(before, after) -> bool:
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(before, numpy.ndarray):
        return isinstance(after, numpy.ndarray) and numpy.array_equal(before, after, equal_nan=before.dtype.kind == "f")
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(before, torch.Tensor):
        return (
            isinstance(after, torch.Tensor)
            and before.shape == after.shape
            and before.dtype == after.dtype
            and bool(((before == after) | (before != before) & (after != after)).all())
        )
    if type(before) in (list, tuple):
        return type(after) is type(before) and len(after) == len(before) and all(map(_same, before, after))
    if type(before) is dict:
        return type(after) is dict and before.keys() == after.keys() and all(_same(before[k], after[k]) for k in before)
    return before == after or (before != before and after != after)  # NaN is NaN


def unchanged(fn, *args, **kwargs):
    """`fn(*args, **kwargs)`, raising `ArgumentChanged` when the call changed an argument in place."""
    try:
        snapshots = [_snapshot(a) for a in args], {k: _snapshot(v) for k, v in kwargs.items()}
    except Exception:  # noqa: BLE001 - an argument that cannot be copied is not compared
        return fn(*args, **kwargs)
    result = fn(*args, **kwargs)
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    for i, (before, after) in enumerate(zip(snapshots[0], args)):
        if not _same(before, after):
            name = f"`{names[i]}`" if i < len(names) else f"number {i + 1}"
            raise ArgumentChanged(f"the call changed its argument {name} in place; it should leave it as it was")
    for k, before in snapshots[1].items():
        if not _same(before, kwargs[k]):
            raise ArgumentChanged(f"the call changed its argument `{k}` in place; it should leave it as it was")
    return result


def call(fn, inp, workdir):
    """The default observation: `fn(*args, **kwargs)` for an input `(args, kwargs)`, its arguments left as they were."""
    args, kwargs = inp
    return unchanged(fn, *args, **kwargs)


KINDS = {
    "write": "write the code from its contract",
    "fix": "find and fix the bug in the given code",
    "test": "write the test that catches buggy versions",
    "predict": "predict a number before the cell that shows it",
    "make": "design something, judged by what it measurably does",
}


@dataclasses.dataclass(frozen=True)
class Exercise:
    """The check of one exercise (its name is the grade_id of its notebook cell)."""

    name: str
    reference: str | None  # "module:name" of the public ulmfit_ref object that answers it (tested, for a test); None
    fixed: tuple  # inputs always checked, first, in this order
    inputs: Callable  # hypothesis.strategies -> the strategy of random inputs (plain data); see `composite`
    observe: Callable = call  # (answer, input, workdir) -> what is compared; runs in the learner's process
    judge: Callable | None = None  # (input, expected, actual) -> Judgement; default: equal, within `tolerance`
    tolerance: tuple | None = None  # (rtol, atol) for floats and floating tensors
    show: Callable | None = None  # input -> the call in words; default: name(args...)
    hints: tuple = ()  # (input, expected, actual) -> advice for a typical mistake, or None
    uses: tuple = ()  # other exercises whose learner version this one may call (LockedDropout -> dropout_mask)
    adapt: Callable | None = None  # reference object -> a callable with the exercise's signature
    sample: int = 8  # random inputs of the notebook's check cell
    examples: int = 100  # random inputs of the self-check and the autograde
    kind: str = "write"  # one of KINDS
    pool: Callable | None = None  # [(input, actual)] of every input that passed -> Judgement of them together
    bugs: tuple = ()  # of a test exercise: the `course.kinds.Bug`s its test must catch
    value: bool = False  # the answer is a value (a prediction), not a function or a class

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind {self.kind!r} is none of {', '.join(KINDS)}")
        if self.reference is None and self.judge is None:
            raise ValueError(f"{self.name}: an exercise with no reference needs a judge")

    def reference_object(self):
        """The reference, looked up by its public name (and adapted to the exercise's signature); None if none."""
        if self.reference is None:
            return None
        module, attr = self.reference.split(":")
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return self.adapt(obj) if self.adapt else obj

    def shown(self, inp) -> str:
        if self.show:
            return self.show(inp)
        args, kwargs = inp
        return f"{self.name}({', '.join([repr(a) for a in args] + [f'{k}={v!r}' for k, v in kwargs.items()])})"

    def compare(self, inp, expected, actual) -> Judgement:
        if self.judge is not None:
            return self.judge(inp, expected, actual)
        return Judgement(wire.difference(expected, actual, tol=self.tolerance))


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of one exercise's check, and the message the learner reads."""

    exercise: str
    passed: bool
    message: str
    grader_problem: bool = False
    score: float | None = None  # the share of the points earned where a check gives part of them (a test's bugs)


def not_implemented(name: str, in_kernel: bool = True) -> str:
    """The message for an exercise whose stub is still there, in the words of a notebook or of a terminal."""
    from .exercises import EXERCISES

    if name in EXERCISES and EXERCISES[name].value:
        return f"not implemented yet: {name}. Write your prediction in place of `...` in its cell, then run the check."
    if in_kernel:
        return (
            f"not implemented yet: {name}. Write its body in the exercise cell above "
            "(in place of `raise NotImplementedError()`), run that cell, then run this check again."
        )
    return f"not implemented yet: {name}. Write its body in its exercise cell (where `raise NotImplementedError()` is)."


# --- observing, in whichever process holds the answer ---------------------------------------------------------------

_calls = itertools.count()


def fresh_folder(workdir, name: str) -> Path:
    """A new folder under `workdir`, one per call, so that no call sees the files of another."""
    path = Path(workdir) / f"{name}{next(_calls)}"
    path.mkdir(parents=True)
    return path


def attempt(step):
    """The value of `step()`, or the exception it raised as a value (for observations of several steps)."""
    try:
        return step()
    except Exception as e:  # noqa: BLE001 - the learner's errors are results to compare
        return _Caught(e)


class _Caught:
    """An exception caught by `attempt`, encoded as `raised` with the learner's line."""

    def __init__(self, error: BaseException):
        self.error = error


def _encode(value, workdir, is_learner):
    hide = (re.compile(re.escape(str(workdir)) + r"(/[A-Za-z_]+\d+)?/?"),)  # a scratch path says nothing to the learner
    if isinstance(value, _Caught):
        return wire.raised(value.error, *wire.learner_frame(value.error, is_learner), hide=hide)
    if type(value) is dict:
        return ["dict", "dict", [[wire.encode(k), _encode(v, workdir, is_learner)] for k, v in value.items()]]
    return wire.encode(value, hide=hide)


def observe(exercise: Exercise, answer, tree, workdir, is_learner=lambda filename: None) -> list:
    """The encoded observation of `answer` (the learner's or the reference) on the encoded input `tree`."""
    try:
        value = exercise.observe(answer, wire.decode(tree), workdir)
    except MemoryError:
        raise
    except BaseException as e:  # noqa: BLE001 - SystemExit and the like from learner code are results too
        value = _Caught(e)
    return _encode(value, workdir, is_learner)


def _code_objects(obj) -> list:
    """The code objects of a function, or of the methods of a class, nested ones included."""
    found, todo = [], []
    if isinstance(obj, type):
        for v in vars(obj).values():
            todo.append(getattr(v, "__func__", v))
    else:
        todo.append(obj)
    for f in todo:
        code = getattr(f, "__code__", None)
        stack = [code] if code is not None else []
        while stack:
            c = stack.pop()
            found.append(c)
            stack += [k for k in c.co_consts if hasattr(k, "co_names")]
    return found


def code_names(obj) -> set:
    """The global names the code of `obj` reads (not its attributes: `x.data` is no use of a global `data`)."""
    import dis

    return {
        i.argval
        for c in _code_objects(obj)
        for i in dis.get_instructions(c)
        if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")
    }


def _library_dirs() -> tuple:
    """Where code that is not the learner's lives: Python, the installed packages, ulmfit_ref and course."""
    dirs = {sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parent)}
    dirs |= {p for p in sys.path if "-packages" in p}
    dirs |= {
        str(Path(m.__file__).resolve().parent) for m in (sys.modules.get("ulmfit_ref"),) if getattr(m, "__file__", None)
    }
    return tuple(dirs)


class InProcess:
    """Answers held in this process: the reference, or the learner's objects in the notebook's kernel."""

    def __init__(self, answers: dict, namespace: dict | None = None, learner: bool = True):
        self.answers, self.namespace, self.learner = answers, namespace or {}, learner
        self._workdir = str(scratch_dir("ulmfit-observe"))  # one per check; each call makes a folder in it
        weakref.finalize(self, shutil.rmtree, self._workdir, ignore_errors=True)
        from .exercises import EXERCISES

        self._files = {}  # file of a cell -> the exercise it defines
        exercises = {n: v for n, v in self.namespace.items() if n in EXERCISES}
        for name, obj in {**exercises, **answers}.items():
            for c in _code_objects(obj) if learner and callable(obj) else ():
                if not c.co_filename.startswith(_library_dirs()):
                    self._files.setdefault(c.co_filename, name)

    def _answer(self, name):
        return self.answers[name] if name in self.answers else self.namespace.get(name)

    def _is_learner(self, filename: str):
        if not self.learner or filename.startswith(_library_dirs()) or filename.startswith("<frozen"):
            return None
        return f"your {self._files[filename]} cell" if filename in self._files else "your code"

    def problem(self, name: str) -> str | None:
        answer = self._answer(name)
        if answer is None:
            return f"there is no {name} to check: run its exercise cell first"
        from .exercises import EXERCISES

        if name in EXERCISES and EXERCISES[name].value:
            return None
        if not callable(answer):
            shown = wire.show(wire.decode(wire.encode(answer)), 80)
            return f"{name} should be a function (or a class); yours is a {type(answer).__name__}: {shown}"
        return None

    def observe(self, exercise: Exercise, tree) -> list:
        return observe(exercise, self._answer(exercise.name), tree, self._workdir, self._is_learner)

    def refers(self, name: str, other: str) -> bool:
        answer = self._answer(name)
        return answer is not None and other in code_names(answer)


# --- the check ----------------------------------------------------------------------------------------------------


def _stub(value, where: str = "") -> str | None:
    """Where a NotImplementedError was raised in an observation ('' for the observation itself), else None."""
    if isinstance(value, wire.Raised) and value.type == "NotImplementedError" and value.message in STUB_MESSAGES:
        return where  # a library's NotImplementedError (torch on the meta device) says what is missing: not a stub
    if type(value) is dict:
        return next((w for k, v in value.items() if (w := _stub(v, f"{where}[{k!r}]")) is not None), None)
    return None


def _stub_name(name: str, value) -> str:
    """`Vocab.build` may fail in an unwritten `Vocab.__init__`: name the method whose stub raised."""
    raised = next(v for v in _flat(value) if isinstance(v, wire.Raised) and v.type == "NotImplementedError")
    if name[:1].isupper() and raised.function and raised.function not in (name, "<module>"):
        return f"{name}.{raised.function}"
    return name


def _flat(value):
    yield value
    if type(value) is dict:
        for v in value.values():
            yield from _flat(v)


def _hint(exercise: Exercise, inp, expected, actual) -> str | None:
    for hint in exercise.hints:
        try:
            if text := hint(inp, expected, actual):
                return text
        except Exception:  # noqa: BLE001 - a hint that does not fit the answer's shape is no hint
            continue
    return None


def _reference_name(exercise: Exercise) -> str:
    return exercise.reference.replace(":", ".")


def run(exercise: Exercise, learner, examples: int, seed: int | None = None) -> Verdict:
    """Check the learner's `exercise` on its fixed inputs, then on `examples` random ones drawn from `seed`.

    torch's CPU generator is left as it was: the checks seed it, and the learner's next draws are the learner's.
    """
    torch = sys.modules.get("torch")
    before = None if torch is None else torch.get_rng_state()
    try:
        return _run(exercise, learner, examples, seed)
    finally:
        if before is not None:
            torch.set_rng_state(before)


def _run(exercise: Exercise, learner, examples: int, seed: int | None) -> Verdict:
    """The body of run."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings, strategies
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import Flaky

    name = exercise.name
    seed = secrets.randbelow(10**6) if seed is None else seed
    try:
        if problem := learner.problem(name):
            return Verdict(name, False, f"{name}: {problem}")
    except GraderProblem as e:
        return Verdict(name, False, f"{name}: {e.reason}", grader_problem=True)
    except Stop as stop:  # the learner's program could not even start
        return Verdict(name, False, f"{name}: {stop.reason}")
    reference = InProcess({name: exercise.reference_object()}, learner=False) if exercise.reference else None
    checked, counts, passed = [], {"fixed": 0, "random": 0}, []
    state = {"phase": "fixed", "tried": None}  # tried: how many random inputs had run when the first one differed

    def compare(inp):
        if state["phase"] == "random" and state["tried"] is None:
            counts["random"] += 1
        tree = wire.encode(inp)
        expected = None if reference is None else wire.decode(reference.observe(exercise, tree))
        if isinstance(expected, wire.Raised) and expected.type in ("OSError", "MemoryError"):  # the machine's failure
            raise GraderProblem(f"the reference's own observation failed here ({expected.type}: {expected.message})")
        try:
            actual = wire.decode(learner.observe(exercise, tree))
        except Stop as stop:
            raise type(stop)(f"{stop.reason}\n  on the input: {exercise.shown(inp)}") from None
        except wire.WireError as e:
            problem = f"your answer could not be read: it is {e}"
            mismatch = _Mismatch(inp, expected, None, problem, False, None)
        else:
            if _stub(actual) is not None:
                raise Stop(not_implemented(_stub_name(name, actual), isinstance(learner, InProcess)))
            judged = exercise.compare(inp, expected, actual)
            if not judged.problem:
                checked.extend(c for c in judged.checked if c not in checked)
                passed.append((inp, actual))
                if state["phase"] == "fixed":
                    counts["fixed"] += 1
                return
            hint = _hint(exercise, inp, expected, actual)
            mismatch = _Mismatch(inp, expected, actual, judged.problem, judged.show_values, hint)
        if state["phase"] == "random" and state["tried"] is None:
            state["tried"] = counts["random"]
        raise mismatch

    try:
        if exercise.kind == "test":  # the learner's test, on versions of the reference: judged on them all
            from .kinds import run_test

            return run_test(exercise, learner)
        for inp in exercise.fixed:
            compare(inp)
        if examples:
            state["phase"] = "random"

            @settings(
                max_examples=examples,
                database=None,
                deadline=None,
                derandomize=False,
                report_multiple_bugs=False,
                suppress_health_check=list(HealthCheck),
                phases=(Phase.generate, Phase.shrink),
                verbosity=Verbosity.quiet,
                print_blob=False,
            )
            @hypothesis_seed(seed)
            @given(exercise.inputs(strategies))
            def random_inputs(inp):
                compare(inp)

            random_inputs()
    except _Mismatch as m:
        return Verdict(name, False, _mismatch_message(exercise, m, state, seed, learner))
    except Flaky:
        return Verdict(
            name,
            False,
            f"{name}: your answer changes from one call to the next on the same input; it "
            "should not (no randomness it was not asked for, no state kept between calls)",
        )
    except GraderProblem as e:
        return Verdict(name, False, f"{name}: {e.reason}", grader_problem=True)
    except Stop as stop:
        return Verdict(
            name, False, stop.reason if stop.reason.startswith("not implemented yet") else f"{name}: {stop.reason}"
        )
    if exercise.pool is not None and passed:
        together = exercise.pool(passed)
        if together.problem:
            return Verdict(
                name,
                False,
                f"{name} fails its check on all its {len(passed)} inputs together (random ones from seed {seed}), "
                f"each of which it passed alone:\n  {together.problem}",
            )
        checked.extend(c for c in together.checked if c not in checked)
    return Verdict(name, True, _passed_message(exercise, checked, counts))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _count(n: int, what: str) -> str:
    return f"{n} {what} input{'s' if n != 1 else ''}"


def _passed_message(exercise: Exercise, checked: list, counts: dict) -> str:
    inputs = _count(counts["fixed"], "fixed") + (
        f" and {_count(counts['random'], 'random')}" if counts["random"] else ""
    )
    if checked and exercise.value:
        return f"✓ {exercise.name}: {', '.join(checked)}"
    if checked:
        return f"✓ {exercise.name}: {', '.join(checked)}, on {inputs}"
    within = (
        f" (floats within rtol {exercise.tolerance[0]:g}, atol {exercise.tolerance[1]:g})" if exercise.tolerance else ""
    )
    return f"✓ {exercise.name}: same as {_reference_name(exercise)} on {inputs}{within}"


def _mismatch_message(exercise: Exercise, m: _Mismatch, state: dict, seed: int, learner) -> str:
    if state["phase"] == "fixed":
        source = "one of its fixed inputs"
    else:
        source = f"the smallest input that differs, of {_count(state['tried'], 'random')} drawn from seed {seed}"
    if exercise.value:
        return f"{exercise.name}: {m.problem}" + (f"\n  hint: {m.hint}" if m.hint else "")
    what = "fails its check" if exercise.judge else f"differs from the reference ({_reference_name(exercise)})"
    lines = [
        f"{exercise.name} {what} on {source}:",
        f"  call:     {_cut(exercise.shown(m.input), 2 * wire.MAX_SHOWN)}",
    ]
    if m.show_values:
        lines += [f"  expected: {wire.show(m.expected)}", f"  yours:    {wire.show(m.actual)}"]
    lines.append(f"  {m.problem}")
    if m.hint:
        lines.append(f"  hint: {m.hint}")
    lines += _dependency_notes(exercise, learner)
    return "\n".join(lines)


def _dependency_notes(exercise: Exercise, learner) -> list:
    """Say so when the answer calls the learner's version of an earlier exercise that fails its own check."""
    from .exercises import EXERCISES

    notes = []
    for other in exercise.uses:
        if learner.refers(exercise.name, other) and not learner.problem(other):
            verdict = run(EXERCISES[other], learner, examples=0)
            if not verdict.passed:
                notes.append(
                    f"  note: your {exercise.name} calls your {other}, which fails its own check: "
                    f"make {other} pass first ({verdict.message.split(chr(10))[0]})"
                )
    return notes
