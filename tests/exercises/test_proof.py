"""Proof that the checks work: every exercise has a check, the untouched lessons fail every one, and each typical
wrong answer in mutants/ (at least three per exercise) is caught."""

import copy
import re
from pathlib import Path

import pytest

from grading import program, verify
from grading.exercises import EXERCISES
from grading.sandbox import Sandbox

from .conftest import CATCHES, ROOT

SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.py"))
MUTANTS = Path(__file__).parent / "mutants"
_re_mutant = re.compile(r"^# %% (\w+): (.+)$", re.M)
MAX_EXAMPLES = 25  # a mutant is caught within a few inputs; the solutions run the full number in test_self_check


def mutants() -> list:
    """(lesson, exercise, what is wrong, code) of every mutant in mutants/NN_name.py."""
    out = []
    for path in sorted(MUTANTS.glob("[0-9][0-9]_*.py")):
        parts = _re_mutant.split(path.read_text(encoding="utf-8"))
        out += [(path.stem, name, why, code.strip() + "\n") for name, why, code in zip(parts[1::3], parts[2::3], parts[3::3])]
    return out


def with_cell(nb, exercise: str, code: str):
    """A copy of notebook `nb` whose exercise cell `exercise` holds `code`."""
    nb = copy.deepcopy(nb)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == exercise]
    cell.source = code
    return nb


@pytest.mark.parametrize("src", SOLUTIONS, ids=lambda p: p.stem)
def test_every_exercise_has_a_check_and_three_mutants(src):
    names = program.exercise_names(program.read_notebook(src))
    assert names, f"{src.name} has no exercise"
    missing = [n for n in names if n not in EXERCISES]
    assert not missing, f"{src.name}: no check in grading/exercises.py for {missing}"
    counts = {n: sum(1 for lesson, e, _, _ in mutants() if (lesson, e) == (src.stem, n)) for n in names}
    assert all(c >= 3 for c in counts.values()), f"mutants/{src.stem}.py needs 3 wrong answers per exercise, has {counts}"


@pytest.mark.parametrize("src", SOLUTIONS, ids=lambda p: p.stem)
def test_the_untouched_lesson_fails_every_exercise(src, read):
    lesson = read(src)
    with Sandbox(program.extract(read(ROOT / "lessons" / f"{src.stem}.ipynb"), lesson)) as sandbox:
        for name in [n for n in program.exercise_names(lesson) if n in EXERCISES]:
            verdict = verify.check(EXERCISES[name], sandbox, max_examples=5)
            assert not verdict.passed and "not implemented yet" in verdict.message, verdict.message


@pytest.mark.parametrize("lesson, exercise, why, code", mutants(), ids=[f"{m[0]}::{m[1]}::{m[2][:40]}" for m in mutants()])
def test_the_mutant_is_caught(lesson, exercise, why, code, read):
    src = ROOT / "solutions" / f"{lesson}.py"
    nb = with_cell(read(src), exercise, code)
    with Sandbox(program.extract(nb, read(src))) as sandbox:
        verdict = verify.check(EXERCISES[exercise], sandbox, max_examples=MAX_EXAMPLES)
    caught = CATCHES.setdefault(lesson, [0, 0])
    caught[0] += not verdict.passed
    caught[1] += 1
    assert not verdict.passed, f"not caught: {why}"
    assert "not implemented" not in verdict.message and "refused" not in verdict.message, verdict.message
