"""Each exercise of the checked notebooks against the reference, in a sandbox: on failure, the smallest input that
differs, with the expected and the actual result."""

import pytest

from grading import program, verify
from grading.exercises import EXERCISES
from grading.sandbox import Sandbox

from .conftest import lesson_of, notebooks


def pytest_generate_tests(metafunc):
    if "exercise" in metafunc.fixturenames:
        params = []
        for path in notebooks(metafunc.config):
            params += [pytest.param(path, name, id=f"{path.stem}::{name}") for name in program.exercise_names(program.read_notebook(lesson_of(path)))]
        metafunc.parametrize("path, exercise", params)


@pytest.fixture(scope="module")
def sandboxes():
    """One sandbox per notebook, shared by its exercises."""
    opened = {}
    yield opened
    for sandbox in opened.values():
        sandbox.close()


def test_exercise(path, exercise, sandboxes, read):
    if exercise not in EXERCISES:
        pytest.skip(f"{exercise} ({lesson_of(path).name}) has no hidden check yet: test_proof.py lists what grading/exercises.py lacks")
    if path not in sandboxes:
        sandboxes[path] = Sandbox(program.extract(read(path), read(lesson_of(path))), folder=path.parent)
    verdict = verify.check(EXERCISES[exercise], sandboxes[path])
    if not verdict.passed:
        pytest.fail(verdict.message, pytrace=False)
