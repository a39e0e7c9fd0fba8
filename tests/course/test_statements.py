"""The exercises ask the learner to decide: no statement, and no first or second hint, holds a line of its answer;
hints fade in at most three folds (a question, a nudge, the answer); every lesson has exercises of the new kinds.

How a line of the answer is found: each line between `### BEGIN SOLUTION` and `### END SOLUTION` (not a comment, not a
docstring), and each sub-expression of it of 8 syntax nodes or more (`lr / factor ** (n_groups - 1 - i)`), with its
spaces and backticks taken out, is looked for in the exercise's statement (the markdown cells since the previous
exercise's check) and in its first two hint folds, spaces and backticks taken out too."""

import ast
import re

import pytest

from course.build import read_source, sources
from course.exercises import EXERCISES, LESSON_OF, LESSONS
from grading import program

NOTEBOOKS = {src.stem: read_source(src) for src in sources()}

NEW_KINDS = ("fix", "test", "predict", "make")
MIN_NODES = 8  # a sub-expression this large is a step of the answer, not a name or a shape
_re_fold = re.compile(r"<details>\s*<summary>(.*?)</summary>(.*?)</details>", re.S)
_re_hint = re.compile(r"<b>Hint (\d)</b>")


def _squeeze(text: str) -> str:
    return re.sub(r"[\s`]+", "", text)


def statements(lesson: str) -> dict:
    """exercise -> (its statement less its folds, [(summary, body) of each fold]), from the solution's cells."""
    nb = NOTEBOOKS[lesson]
    out, text = {}, []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown":
            text.append(cell.source)
        elif meta.get("solution") and meta.get("grade_id") in EXERCISES:
            joined = "\n".join(text)
            out[meta["grade_id"]] = (_re_fold.sub("", joined), _re_fold.findall(joined))
        elif meta.get("grade") or meta.get("solution"):
            text = []
    return out


def answer_pieces(lesson: str, name: str) -> set:
    """The lines of the answer to `name`, and its large sub-expressions, squeezed."""
    nb = NOTEBOOKS[lesson]
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name)
    inside, lines = False, []
    for line in cell.source.split("\n"):
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside and line.strip() and not line.strip().startswith(("#", '"""', "'''")):
            lines.append(line.split("  # ")[0].strip())
    pieces = {_squeeze(line) for line in lines if len(_squeeze(line)) >= 10}
    for line in lines:
        try:
            tree = ast.parse(line.removesuffix(":") + (" pass" if line.endswith(":") else ""))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            size = sum(1 for n in ast.walk(node) if isinstance(n, ast.expr))
            if isinstance(node, ast.expr) and size >= MIN_NODES:
                pieces.add(_squeeze(ast.unparse(node)))
    return pieces


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_statement_and_no_first_or_second_hint_holds_a_line_of_the_answer(lesson):
    for name, (statement, folds) in statements(lesson).items():
        shown = _squeeze(statement + "".join(body for _, body in folds[:2]))
        for piece in answer_pieces(lesson, name):
            assert piece not in shown, f"{lesson}: the statement or a first hint of {name} holds its answer: {piece}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_hints_fade_in_at_most_three_folds(lesson):
    for name, (_, folds) in statements(lesson).items():
        assert len(folds) <= 3, f"{lesson}: {name} has {len(folds)} hint folds; at most 3"
        numbers = [int(m.group(1)) for summary, _ in folds if (m := _re_hint.search(summary))]
        assert numbers == list(range(1, len(folds) + 1)), f"{lesson}: {name}'s folds should be Hint 1, 2, 3 in order"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_has_two_exercises_of_the_new_kinds(lesson):
    names = program.exercise_names(NOTEBOOKS[lesson])
    kinds = [EXERCISES[n].kind for n in names]
    assert sum(k in NEW_KINDS for k in kinds) >= 2, f"{lesson}: exercises of kinds {kinds}; two of {NEW_KINDS} at least"


def test_every_new_kind_is_in_three_lessons():
    for kind in NEW_KINDS:
        lessons = {LESSON_OF[e.name] for e in EXERCISES.values() if e.kind == kind}
        assert len(lessons) >= 3, f"exercises of kind {kind!r} are in {sorted(lessons)}; three lessons at least"
