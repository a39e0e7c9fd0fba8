"""`python -m grading autograde` on a generated class, with a real nbgrader gradebook: each fault scores zero where due,
with its reason, and the rest of the class is graded normally."""

import csv
import sqlite3

import nbformat
import pytest

from course.build import release
from grading import hidden, source
from grading.source import answered
from grading.autograde import autograde

LESSON = "03_tokenize"
FULL = 5.0


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _with(grade_id, code):
    nb = answered(LESSON)
    _cell(nb, grade_id).source = code
    return nb


def _without(grade_id):
    nb = answered(LESSON)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return nb


# student -> (notebook, or raw bytes for a file that is not a notebook; the exercise that scores zero; words of the reason)
CLASS = {
    "ada": (answered(LESSON), None, None),
    "ben": (release(source.notebook(LESSON)), "*", "not implemented yet"),
    "cy": (_with("replace_rep", "def replace_rep(t):\n    while True:\n        pass"), "replace_rep", "did not finish within"),
    "dee": (_with("mark_fields", "import os\ndef mark_fields(fields):\n    os.abort()"), "mark_fields", "crashed"),
    "eve": (_without("replace_all_caps-check"), "replace_all_caps", "was deleted"),
    "fay": (_with("partition_by_cores", "def partition_by_cores(items, n):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))"), "partition_by_cores", "MiB of memory"),
    "gus": (_with("replace_wrep", "def replace_wrep(t):\n    return open('/etc/hostname').read() and t"), "replace_wrep", "reading /etc/hostname"),
    "hal": (b'{"cells": [', "*", "not valid JSON"),
    "ivy": (_with("replace_rep", "from ulmfit_ref.text import replace_rep"), "replace_rep", "is refused"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded once: (output folder, grades.csv rows)."""
    submitted, out = tmp_path_factory.mktemp("submitted"), tmp_path_factory.mktemp("course")
    for student, (nb, _, _) in CLASS.items():
        path = submitted / student / LESSON / f"{LESSON}.ipynb"
        path.parent.mkdir(parents=True)
        if isinstance(nb, bytes):
            path.write_bytes(nb)
        else:
            nbformat.write(nb, path)
    edited = answered(LESSON)
    _cell(edited, "mark_fields-check").source = "pass  # the learner's edit"
    (submitted / "jo" / LESSON).mkdir(parents=True)
    nbformat.write(edited, submitted / "jo" / LESSON / f"{LESSON}.ipynb")
    autograde(submitted, out, jobs=2, call_timeout=3, exercise_budget=20, memory_mb=600, max_examples=20, log=lambda _: None)
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return out, list(csv.DictReader(f))


def _scores(rows, student) -> dict:
    return {r["exercise"]: (float(r["score"]), r["reason"]) for r in rows if r["student"] == student}


@pytest.mark.parametrize("student", sorted(CLASS))
def test_each_submission_is_graded_zero_where_due_with_its_reason(graded, student):
    _, rows = graded
    _, zero, reason = CLASS[student]
    scores = _scores(rows, student)
    assert len(scores) == 5
    for exercise, (score, why) in scores.items():
        if zero in ("*", exercise):
            assert score == 0 and reason in why, (exercise, why)
        else:
            assert score == 1, (exercise, why)


def test_an_edited_locked_cell_is_restored_and_noted(graded):
    out, rows = graded
    assert sum(score for score, _ in _scores(rows, "jo").values()) == FULL
    assert "the locked cell mark_fields-check was edited" in (out / "feedback" / "jo" / LESSON / f"{LESSON}.html").read_text()


def test_feedback_shows_reasons_and_no_hidden_test(graded):
    out, _ = graded
    for student in [*CLASS, "jo"]:
        page = (out / "feedback" / student / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")
        assert "checks.hidden" not in page and "HIDDEN TESTS" not in page
    assert "did not finish within" in (out / "feedback" / "cy" / LESSON / f"{LESSON}.html").read_text()
    assert "not valid JSON" in (out / "feedback" / "hal" / LESSON / f"{LESSON}.html").read_text()


def test_the_gradebook_is_sound_and_agrees_with_the_csv(graded):
    out, rows = graded
    db = sqlite3.connect(out / "gradebook.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    totals = dict(db.execute(
        "SELECT student.id, SUM(COALESCE(grade.manual_score, grade.auto_score)) FROM grade "
        "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
        "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
        "JOIN student ON submitted_assignment.student_id = student.id GROUP BY student.id"
    ).fetchall())
    assert totals == {s: sum(score for score, _ in _scores(rows, s).values()) for s in [*CLASS, "jo"]}
    assert totals["ada"] == FULL


def test_the_hidden_cells_check_runs_from_a_kernel_like_process():
    from ulmfit_ref.text import fixup

    hidden.check("fixup", fixup)
    with pytest.raises(AssertionError, match="differs from the reference"):
        hidden.check("fixup", lambda x: x)


def test_the_course_source_keeps_the_hidden_tests(tmp_path):
    (path,) = source.build(tmp_path, names=["02_fixup"], log=lambda _: None)
    nb = nbformat.read(path, as_version=4)
    check = _cell(nb, "fixup-check")
    assert "### BEGIN HIDDEN TESTS" in check.source and 'checks.hidden("fixup", fixup)' in check.source
    assert check.metadata["nbgrader"]["points"] == 1
