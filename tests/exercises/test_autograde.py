"""`python -m grading autograde` on a generated class, with a real nbgrader gradebook: each fault scores zero where due,
with its reason, one edited or linked notebook costs only its own student's grade, and the rest of the class is graded
normally; a learner's test that catches some of the bugs earns that share of the points, and an answer that is the
reference's own code is noted, at no cost."""

import csv
import json
import os
import sqlite3
import time

import nbformat
import pytest

from course.build import release
from course.exercises import EXERCISES
from grading import likeness, program, source
from grading.autograde import GRADER_PROBLEM, autograde
from grading.source import answered

LESSON = "03_tokenize"
FULL = float(len(program.exercise_names(source.notebook(LESSON))))  # one point an exercise


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _is_exercise(cell):
    return cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code"


def _with(grade_id, code):
    nb = answered(LESSON)
    _cell(nb, grade_id).source = code
    return nb


def _without(grade_id):
    nb = answered(LESSON)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return nb


def _edited(edit):
    """An answered notebook with one nbgrader metadata edit (the six edits that stopped nbgrader for a whole lesson)."""
    nb = answered(LESSON)
    edit(nb)
    return nb


def _schema_4(nb):
    _cell(nb, "mark_fields").metadata["nbgrader"]["schema_version"] = 4


def _grade_flag_on_an_exercise(nb):
    _cell(nb, "replace_rep").metadata["nbgrader"]["grade"] = True


def _duplicated_cell(nb):  # what copy and paste in Jupyter makes: an honest student can do it
    i = nb.cells.index(_cell(nb, "replace_wrep"))
    nb.cells.insert(i + 1, nbformat.from_dict(json.loads(json.dumps(nb.cells[i]))))
    nb.cells[i + 1]["id"] = "copy-of-replace-wrep"


def _copied_then_answered(nb):  # the copy answered, the first left as it was released: the copy is what runs last
    _duplicated_cell(nb)
    _cell(nb, "replace_wrep").source = "def replace_wrep(t):\n    raise NotImplementedError()"


def _extra_grade_cell(nb):
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "assert True",
            metadata={
                "nbgrader": {
                    "grade": True,
                    "grade_id": "my-extra",
                    "locked": False,
                    "points": 5,
                    "schema_version": 3,
                    "solution": False,
                    "task": False,
                }
            },
        )
    )


def _many_foreign_cells(nb):  # each makes a note: what a submission writes into its feedback is bounded
    for i in range(300):
        nb.cells.append(
            nbformat.v4.new_code_cell("pass", metadata={"nbgrader": {"grade_id": f"mine-{i}", "solution": True}})
        )


def _grade_false_on_a_check(nb):
    _cell(nb, "partition_by_cores-check").metadata["nbgrader"]["grade"] = False


def _metadata_as_a_list(nb):
    _cell(nb, "replace_all_caps").metadata = ["not", "a", "mapping"]


REFERENCE_COPIED = """import re
TK_REP = "tk_rep"
_re_rep = re.compile(r"(\\S)(\\1{3,})")


def replace_rep(text):
    \"\"\"Copied from the reference, renamed.\"\"\"
    return _re_rep.sub(lambda found: f" {TK_REP} {len(found.group(2)) + 1} {found.group(1)} ", text)"""

DETACHED = """import subprocess
def replace_rep(t):
    subprocess.Popen(["sh", "-c", "sleep 3; echo 0 > grades.csv"], start_new_session=True)
    return t"""

# student -> (notebook, or the bytes of a file that is not one; the exercise that scores zero; words of the reason)
CLASS = {
    "ada": (answered(LESSON), None, None),
    "ben": (release(source.notebook(LESSON)), "*", "not implemented yet"),
    "cy": (
        _with("replace_rep", "def replace_rep(t):\n    while True:\n        pass"),
        "replace_rep",
        "did not finish within",
    ),
    "dee": (_with("mark_fields", "import os\ndef mark_fields(fields):\n    os.abort()"), "mark_fields", "crashed"),
    "eve": (_without("replace_all_caps-check"), "replace_all_caps", "was deleted"),
    "fay": (
        _with(
            "partition_by_cores",
            "def partition_by_cores(items, n):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))",
        ),
        "partition_by_cores",
        "",  # its reason is a race with the 3 s limit on a loaded machine: test_sandbox checks it with time to spare
    ),
    "gus": (
        _with("replace_wrep", "def replace_wrep(t):\n    return open('/etc/hostname').read() and t"),
        "replace_wrep",
        "reading /etc/hostname",
    ),
    "hal": (b'{"cells": [', "*", "not valid JSON"),
    "ivy": (_with("replace_rep", "from ulmfit_ref.text import replace_rep"), "replace_rep", "is refused"),
    "kim": (_with("replace_rep", DETACHED), "replace_rep", "was refused"),
    "m1": (_edited(_schema_4), None, None),
    "m2": (_edited(_grade_flag_on_an_exercise), None, None),
    "m3": (_edited(_duplicated_cell), None, None),
    "m4": (_edited(_extra_grade_cell), None, None),
    "m5": (_edited(_grade_false_on_a_check), None, None),
    "m6": (_edited(_metadata_as_a_list), None, None),
    "m7": (_edited(_copied_then_answered), None, None),
    "m8": (_edited(_many_foreign_cells), None, None),
    "zoe": (_with("replace_rep", REFERENCE_COPIED), None, None),
}
TESTED = "05_loader"  # pat's lesson: a test of get_batch that catches some of the hidden bugs
WEAK_TEST = """def test_get_batch(get_batch):
    x, y = get_batch(torch.arange(30).view(3, 10).t(), 0, 4)
    assert torch.equal(y - x, torch.ones_like(x))"""
LINKED = {"lee": ("ada", "is a symbolic link"), "max": ("the grader's source", "is a symbolic link")}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded once: (output folder, submitted folder, grades.csv rows)."""
    submitted, out = tmp_path_factory.mktemp("submitted"), tmp_path_factory.mktemp("course")
    for student, (nb, _, _) in CLASS.items():
        path = submitted / student / LESSON / f"{LESSON}.ipynb"
        path.parent.mkdir(parents=True)
        if isinstance(nb, bytes):
            path.write_bytes(nb)
        else:
            path.write_text(json.dumps(nb), encoding="utf-8")  # as written, even where nbformat would refuse it
    edited = answered(LESSON)
    _cell(edited, "mark_fields-check").source = "pass  # the learner's edit"
    (submitted / "jo" / LESSON).mkdir(parents=True)
    nbformat.write(edited, submitted / "jo" / LESSON / f"{LESSON}.ipynb")
    (submitted / "lee" / LESSON).mkdir(parents=True)  # a link to a classmate's notebook scored 5/5
    os.symlink(submitted / "ada" / LESSON / f"{LESSON}.ipynb", submitted / "lee" / LESSON / f"{LESSON}.ipynb")
    (submitted / "max").mkdir()  # a link to the grader's own source scored 1/1
    os.symlink(source.COURSE.parent / "solutions", submitted / "max" / LESSON)
    (submitted / "ola" / LESSON).mkdir(parents=True)  # a FIFO as the notebook kept the grader waiting for ever
    os.mkfifo(submitted / "ola" / LESSON / f"{LESSON}.ipynb")
    (submitted / "pia" / LESSON).mkdir(parents=True)  # a timestamp.txt nbgrader cannot read stopped the class
    nbformat.write(answered(LESSON), submitted / "pia" / LESSON / f"{LESSON}.ipynb")
    (submitted / "pia" / LESSON / "timestamp.txt").write_text("yesterday", encoding="utf-8")
    weak = answered(TESTED)
    _cell(weak, "test_get_batch").source = WEAK_TEST
    (submitted / "pat" / TESTED).mkdir(parents=True)
    nbformat.write(weak, submitted / "pat" / TESTED / f"{TESTED}.ipynb")
    rows = autograde(
        submitted, out, jobs=2, call_timeout=3, exercise_budget=20, memory_mb=600, max_examples=20, log=lambda _: None
    )
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        assert list(csv.DictReader(f)) == [{k: str(v) for k, v in r.items()} for r in rows]
    return out, submitted, rows


def _scores(rows, student) -> dict:
    return {r["exercise"]: (float(r["score"]), r["reason"]) for r in rows if r["student"] == student}


@pytest.mark.parametrize("student", sorted(CLASS))
def test_each_submission_is_graded_zero_where_due_with_its_reason(graded, student):
    _, _, rows = graded
    _, zero, reason = CLASS[student]
    scores = _scores(rows, student)
    assert len(scores) == FULL
    for exercise, (score, why) in scores.items():
        if zero in ("*", exercise):
            assert score == 0 and reason in why, (exercise, why)
        else:
            assert score == 1, (exercise, why)


@pytest.mark.parametrize("student", sorted(LINKED))
def test_a_submission_through_a_symbolic_link_scores_zero(graded, student):
    _, _, rows = graded
    scores = _scores(rows, student)
    assert len(scores) == FULL, scores
    assert all(score == 0 and LINKED[student][1] in why for score, why in scores.values()), scores


def test_an_edited_metadata_costs_nothing_and_is_noted(graded):
    out, _, _ = graded
    for student, words in (
        ("m1", "was edited"),
        ("m3", "a second cell with the grade_id 'replace_wrep'"),
        ("m4", "is not the lesson's"),
        ("m6", "was not a mapping"),
    ):
        page = (out / "feedback" / student / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")
        assert words in page, (student, words)


def test_an_edited_locked_cell_is_restored_and_noted(graded):
    out, _, rows = graded
    assert sum(score for score, _ in _scores(rows, "jo").values()) == FULL
    assert (
        "the locked cell mark_fields-check was edited"
        in (out / "feedback" / "jo" / LESSON / f"{LESSON}.html").read_text()
    )


def test_feedback_shows_reasons_and_no_hidden_test(graded):
    out, _, _ = graded
    for student in [*CLASS, "jo"]:
        page = (out / "feedback" / student / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")
        assert "full=True" not in page and "HIDDEN TESTS" not in page
    assert "did not finish within" in (out / "feedback" / "cy" / LESSON / f"{LESSON}.html").read_text()
    assert "not valid JSON" in (out / "feedback" / "hal" / LESSON / f"{LESSON}.html").read_text()


def test_the_gradebook_is_sound_agrees_with_the_csv_and_outlives_a_detached_process(graded):
    out, _, rows = graded
    time.sleep(4)  # the detached process of kim, had it been started, would have written by now
    db = sqlite3.connect(out / "gradebook.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    totals = dict(
        db.execute(
            "SELECT student.id, SUM(COALESCE(grade.manual_score, grade.auto_score)) FROM grade "
            "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
            "JOIN student ON submitted_assignment.student_id = student.id GROUP BY student.id"
        ).fetchall()
    )
    students = [*CLASS, *LINKED, "jo", "pat", "ola", "pia"]
    assert totals == pytest.approx({s: sum(score for score, _ in _scores(rows, s).values()) for s in students})
    assert totals["ada"] == FULL and all(totals[f"m{i}"] == FULL for i in range(1, 9))
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == len(rows)
    assert not any(r["reason"].startswith(GRADER_PROBLEM) for r in rows)


def test_each_result_says_the_sandbox_mode_and_the_seed(graded):
    out, _, _ = graded
    result = json.loads((out / "results" / "ada" / f"{LESSON}.json").read_text())
    assert result["sandbox"] and isinstance(result["seed"], int)


def test_the_course_source_keeps_the_hidden_tests(tmp_path):
    (path,) = source.build(tmp_path, names=["02_fixup"], log=lambda _: None)
    nb = nbformat.read(path, as_version=4)
    check = _cell(nb, "fixup-check")
    assert "### BEGIN HIDDEN TESTS" in check.source and 'check("fixup", fixup, full=True)' in check.source
    assert check.metadata["nbgrader"]["points"] == 1


def test_a_test_that_catches_some_bugs_earns_that_share_of_the_point(graded):
    out, _, rows = graded
    (row,) = [r for r in rows if r["student"] == "pat" and r["exercise"] == "test_get_batch"]
    assert 0 < float(row["score"]) < float(row["max_score"]), row
    assert "catches" in row["reason"] and "hidden bug" in row["reason"], row
    others = [r for r in rows if r["student"] == "pat" and r["exercise"] != "test_get_batch"]
    assert others and all(r["score"] == r["max_score"] for r in others), others


def test_an_answer_that_is_the_reference_s_own_code_is_noted_at_no_cost(graded):
    out, _, rows = graded
    notes = {(r["student"], r["exercise"]): r["note"] for r in rows}
    assert notes["zoe", "replace_rep"] == "same as the reference"
    solution = {c.metadata["nbgrader"]["grade_id"]: c.source for c in answered(LESSON).cells if _is_exercise(c)}
    for name, code in solution.items():  # ada submitted the solutions: noted exactly where they are the reference's
        copied = likeness.same_as_reference(code, EXERCISES[name])
        assert notes["ada", name] == ("same as the reference" if copied else ""), name
    assert all(r["score"] == r["max_score"] for r in rows if r["student"] == "zoe")
    page = (out / "feedback" / "zoe" / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")
    assert "the reference&#39;s own code" in page or "the reference's own code" in page


def test_a_fifo_for_a_notebook_scores_zero_and_an_unreadable_timestamp_is_ignored(graded):
    out, _, rows = graded
    fifo = _scores(rows, "ola")
    assert len(fifo) == FULL and all(score == 0 and "not a regular file" in why for score, why in fifo.values()), fifo
    assert all(score == 1 for score, _ in _scores(rows, "pia").values())
    page = (out / "feedback" / "pia" / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")
    assert "timestamp.txt holds no date and time" in page


def test_what_one_submission_writes_into_results_and_feedback_is_bounded(graded):
    out, _, _ = graded
    result = json.loads((out / "results" / "m8" / f"{LESSON}.json").read_text(encoding="utf-8"))
    assert len(result["notes"]) == 41 and result["notes"][-1] == "... and 260 more notes"
    assert (out / "results" / "m8" / f"{LESSON}.json").stat().st_size < 64 << 10


def test_without_namespaces_the_autograde_refuses_unless_asked_and_says_what_it_gives_up(tmp_path, monkeypatch):
    from grading import autograde as module
    from grading.__main__ import main

    monkeypatch.setattr(module.jail, "mode", lambda: (module.jail.AUDIT, "no user namespaces here (test)"))
    (tmp_path / "submitted" / "ada" / LESSON).mkdir(parents=True)
    nbformat.write(answered(LESSON), tmp_path / "submitted" / "ada" / LESSON / f"{LESSON}.ipynb")
    with pytest.raises(module.SandboxRefused, match="native code can read the reference unseen"):
        autograde(tmp_path / "submitted", tmp_path / "out", log=lambda _: None)
    assert main(["autograde", str(tmp_path / "submitted"), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out" / "grades.csv").exists()
