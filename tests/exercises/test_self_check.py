"""Each exercise of the checked notebooks against the reference, in the grader's sandbox: on failure, the call, the
expected and the actual result, on the smallest input that differs."""

import pytest

from course.exercise import run
from course.exercises import EXERCISES
from grading import program
from grading.sandbox import Sandbox

from .answers import notebook
from .conftest import lesson_of, notebooks


def pytest_generate_tests(metafunc):
    if "exercise" in metafunc.fixturenames:
        params = []
        for path in notebooks(metafunc.config):
            params += [
                pytest.param(path, name, id=f"{path.stem}::{name}")
                for name in program.exercise_names(notebook(lesson_of(path)))
            ]
        metafunc.parametrize("path, exercise", params)


@pytest.fixture(scope="module")
def sandboxes():
    """One sandbox per notebook, shared by its exercises."""
    opened = {}
    yield opened
    for sandbox in opened.values():
        sandbox.close()


def test_exercise(path, exercise, sandboxes, seed):
    if path not in sandboxes:
        lesson = lesson_of(path)
        sandboxes[path] = Sandbox(program.extract(notebook(path), notebook(lesson), lesson.stem), folder=path.parent)
    verdict = run(EXERCISES[exercise], sandboxes[path], EXERCISES[exercise].examples, seed)
    if verdict.grader_problem:
        pytest.fail(f"GRADER PROBLEM (not yours): {verdict.message}", pytrace=False)
    if not verdict.passed:
        pytest.fail(verdict.message, pytrace=False)
