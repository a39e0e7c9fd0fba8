"""Proof that the checks work, in every path they run in: the notebook's check cell (in the kernel) and the grader's
sandbox (the self-check and the autograde share it). The solutions pass; the untouched lessons fail every exercise;
every typical wrong answer in mutants/ fails in both paths with the same verdict; every correct answer written
differently in equivalents/ passes in both; a find-and-fix exercise fails as released (its bug); each notebook check
takes at most 3 s of CPU."""

import json
import subprocess
import sys
import textwrap

import pytest

from course.exercise import run
from course.exercises import EXERCISES, LESSON_OF
from grading import program
from grading.sandbox import Sandbox

from .answers import LESSONS, ROOT, catalogue, check_in_kernel, ids, kernel, notebook, run_cell
from .conftest import CATCHES

MUTANTS, EQUIVALENTS = catalogue("mutants"), catalogue("equivalents")
SEED = 20260101  # random inputs of the proofs: fixed, so that a failure here can be run again
CHECK_SECONDS = 3.0


@pytest.fixture(scope="module")
def kernels():
    """lesson -> the namespace of its solution's kernel, built once."""
    return {}


def solution_kernel(kernels, lesson: str) -> dict:
    if lesson not in kernels:
        kernels[lesson] = kernel(lesson)
    return kernels[lesson]


@pytest.fixture(scope="module")
def variants():
    """(kind, lesson) -> a sandbox holding the solution's program and every answer of that kind as a variant."""
    opened = {}
    yield opened
    for sandbox, _ in opened.values():
        sandbox.close()


def in_sandbox(variants, kind: str, answers, lesson: str, index: int):
    """The learner of the answer at `index` of `answers` (all of lesson `lesson`), in the sandbox of its kind."""
    if (kind, lesson) not in variants:
        mine = [(i, a) for i, a in enumerate(answers) if a[0] == lesson]
        nb = notebook(ROOT / "solutions" / f"{lesson}.py")
        cells = [program.Cell(name, code) for _, (_, name, _, code) in mine]
        sandbox = Sandbox(program.extract(nb, nb, lesson, variants=cells))
        variants[kind, lesson] = (sandbox, {i: k for k, (i, _) in enumerate(mine)})
    sandbox, position = variants[kind, lesson]
    return sandbox.variant(position[index])


def with_answer(kernels, lesson: str, name: str, code: str) -> dict:
    """The solution's kernel namespace with one exercise cell run again with `code`."""
    namespace = dict(solution_kernel(kernels, lesson))
    run_cell(code, name, namespace)
    return namespace


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_exercise_has_its_check_three_mutants_and_two_equivalents(lesson):
    names = program.exercise_names(notebook(ROOT / "solutions" / f"{lesson}.py"))
    assert names and all(LESSON_OF.get(n) == lesson for n in names), (
        f"course/exercises has no check for some of {names}"
    )
    for kind, least in (("mutants", 3), ("equivalents", 2)):
        counts = {n: sum(1 for les, e, _, _ in catalogue(kind) if (les, e) == (lesson, n)) for n in names}
        assert all(c >= least for c in counts.values()), (
            f"{kind}/{lesson}.py needs {least} answers per exercise, has {counts}"
        )


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_solution_passes_the_notebook_check(lesson, kernels):
    namespace = solution_kernel(kernels, lesson)
    for name in program.exercise_names(notebook(ROOT / "solutions" / f"{lesson}.py")):
        assert check_in_kernel(namespace, name, seed=SEED) is None


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_untouched_lesson_fails_every_exercise_in_every_path(lesson):
    released, solution = notebook(ROOT / "lessons" / f"{lesson}.ipynb"), notebook(ROOT / "solutions" / f"{lesson}.py")
    namespace = kernel(lesson, released=True)
    with Sandbox(program.extract(released, solution, lesson)) as sandbox:
        for name in program.exercise_names(solution):
            in_notebook = check_in_kernel(namespace, name)
            graded = run(EXERCISES[name], sandbox, 5, SEED)
            for message in (in_notebook, graded.message):
                assert message is not None, f"the released {name} passes its check"
                if EXERCISES[name].kind == "fix":  # released with its bug: it fails as a wrong answer does
                    assert "not implemented" not in message and "grader" not in message, message
                else:
                    assert message.startswith(f"not implemented yet: {name}"), message
            assert not graded.passed and not graded.grader_problem


@pytest.mark.parametrize("index", range(len(MUTANTS)), ids=ids(MUTANTS))
def test_the_mutant_fails_in_the_notebook_and_in_the_sandbox_with_the_same_verdict(index, kernels, variants):
    lesson, name, why, code = MUTANTS[index]
    in_notebook = check_in_kernel(with_answer(kernels, lesson, name, code), name, seed=SEED)
    graded = run(
        EXERCISES[name], in_sandbox(variants, "mutants", MUTANTS, lesson, index), EXERCISES[name].examples, SEED
    )
    for path, failed in (
        ("the notebook's check cells", in_notebook is not None),
        ("the self-check and the autograde", not graded.passed),
    ):
        caught = CATCHES.setdefault(path, {}).setdefault(lesson, [0, 0])
        caught[0] += failed
        caught[1] += 1
    assert in_notebook is not None, f"the notebook's check passes a wrong answer: {why}"
    assert not graded.passed, f"the sandbox passes a wrong answer: {why}"
    for message in (in_notebook, graded.message):
        assert "not implemented" not in message and "refused" not in message and "grader" not in message, message
    if "on one of its fixed inputs" in in_notebook:
        assert graded.message == in_notebook, "the two paths disagree on a fixed input"


@pytest.mark.parametrize("index", range(len(EQUIVALENTS)), ids=ids(EQUIVALENTS))
def test_the_equivalent_answer_passes_in_the_notebook_and_in_the_sandbox(index, kernels, variants):
    lesson, name, why, code = EQUIVALENTS[index]
    assert check_in_kernel(with_answer(kernels, lesson, name, code), name, seed=SEED) is None
    graded = run(EXERCISES[name], in_sandbox(variants, "equivalents", EQUIVALENTS, lesson, index), 25, SEED)
    assert graded.passed, graded.message


_TIMING = textwrap.dedent("""
    import json, sys, time
    import torch
    torch.set_num_threads(1)  # as the lessons do
    from tests.exercises.answers import LESSONS, check_in_kernel, kernel
    from grading import program
    from tests.exercises.answers import ROOT, notebook
    seconds = {}
    for lesson in LESSONS:
        namespace = kernel(lesson)
        for name in program.exercise_names(notebook(ROOT / "solutions" / f"{lesson}.py")):
            began, wall = time.process_time(), time.perf_counter()
            assert check_in_kernel(namespace, name) is None
            seconds[name] = [time.process_time() - began, time.perf_counter() - wall]
    print(json.dumps(seconds))
""")


@pytest.mark.slow
def test_each_notebook_check_takes_at_most_3_s():
    """CPU seconds of each check cell on the solution, in a fresh process (the reference's first import counts)."""
    done = subprocess.run([sys.executable, "-c", _TIMING], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    seconds = json.loads(done.stdout.strip().splitlines()[-1])
    print("\nnotebook check of each solution: CPU s, wall s")  # shown with -s
    for name, (cpu, wall) in seconds.items():
        print(f"{name:<20}{cpu:6.2f}{wall:7.2f}")
    slow = {name: round(cpu, 2) for name, (cpu, _) in seconds.items() if cpu > CHECK_SECONDS}
    assert not slow, f"notebook checks over {CHECK_SECONDS} s of CPU: {slow}"
