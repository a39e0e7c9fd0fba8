"""`python -m grading autograde SUBMITTED --out DIR`: grade a class's submissions, in parallel, into an nbgrader gradebook.

1. Each submission (`SUBMITTED/STUDENT/LESSON/*.ipynb`) is checked in a worker process, one per core: its exercise cells
   run in a `Sandbox` and `verify.check` compares them with the reference. No kernel runs the notebook, so no lesson
   demo, data loading or learner code outside the exercises costs time or can touch the grader.
2. nbgrader's own Autograde then runs over the class in this process, alone on the gradebook, with its Execute step
   replaced by `ApplyResults`, which writes each check's verdict as the check cell's output: nbgrader's sanitizing
   (locked cells restored, deleted check cells added back), scoring and database writes are its own.
3. nbgrader's GenerateFeedback writes one HTML page per student and lesson, hidden tests removed; `grades.csv` is
   read back from the gradebook.

A submission that cannot be read (not JSON, not a notebook) is replaced by the lesson as released, so that it scores
zero through the same path; every reason for a zero is written in the feedback and in `grades.csv`.
"""

import csv
import json
import os
import shutil
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import nbformat
from traitlets.config import Config

from course.build import release

from . import program, source, verify
from .apply import CHECK_SUFFIX, ApplyResults, results_path
from .exercises import EXERCISES
from .sandbox import Sandbox



def _release_cells(lesson: str) -> dict:
    """grade_id -> released cell, for the locked cells of a lesson."""
    nb = release(source.notebook(lesson))
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if c.metadata.get("nbgrader", {}).get("locked")}


def grade_one(path: str, lesson: str, settings: dict) -> dict:
    """The verdict of each exercise of one submitted notebook, and notes on what was wrong with the notebook itself."""
    began = time.monotonic()
    lesson_nb = source.notebook(lesson)
    names = program.exercise_names(lesson_nb)
    notes, forced = [], {}
    try:
        nb = program.read_notebook(path)
    except program.NotebookError as e:
        reason = f"your notebook could not be read: {e}; it was graded as the lesson with no answer"
        return {"unreadable": True, "notes": [reason], "exercises": {n: {"passed": False, "message": f"{n}: {reason}"} for n in names}}
    submitted = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if isinstance(c.get("metadata", {}).get("nbgrader", {}).get("grade_id"), str)}
    for grade_id, cell in _release_cells(lesson).items():
        if grade_id not in submitted:
            exercise = grade_id.removesuffix(CHECK_SUFFIX)
            notes.append(f"the locked cell {grade_id} was deleted: it was put back, and scores zero")
            forced[exercise] = f"{exercise}: its check cell {grade_id} was deleted from your notebook, so it scores zero"
        elif submitted[grade_id].source.strip() != cell.source.strip():
            notes.append(f"the locked cell {grade_id} was edited: the grader used its original")
    results = {}
    with Sandbox(program.extract(nb, lesson_nb), folder=Path(path).parent, **settings["sandbox"]) as sandbox:
        for name in names:
            if name in forced:
                results[name] = {"passed": False, "message": forced[name]}
                continue
            v = verify.check(EXERCISES[name], sandbox, max_examples=settings["max_examples"])
            results[name] = {"passed": v.passed, "message": v.message}
        notes += [f"an import of your notebook failed: {e}" for e in sandbox.import_errors]
    return {"unreadable": False, "notes": notes, "exercises": results, "seconds": time.monotonic() - began}


def _grade_job(job):
    student, lesson, path, settings = job
    try:
        return student, lesson, grade_one(path, lesson, settings)
    except Exception as e:  # noqa: BLE001 - a grader bug on one submission must not stop the class
        return student, lesson, {"unreadable": False, "notes": [f"the grader failed on this notebook ({type(e).__name__}: {e}); ask your teacher"], "exercises": {}}


def _submissions(submitted: Path, known: list[str]) -> tuple[list, list]:
    """((student, lesson, notebook path)...) found, and warnings about folders and files that are not submissions."""
    found, warnings = [], []
    for student in sorted(p for p in submitted.iterdir() if p.is_dir()):
        for folder in sorted(p for p in student.iterdir() if p.is_dir()):
            if folder.name not in known:
                warnings.append(f"{folder}: not a lesson of this course ({', '.join(known)}); skipped")
                continue
            expected = folder / f"{folder.name}.ipynb"
            notebooks = sorted(folder.glob("*.ipynb"))
            if expected.exists():
                found.append((student.name, folder.name, expected))
            elif len(notebooks) == 1:
                warnings.append(f"{notebooks[0]}: graded as {expected.name}")
                found.append((student.name, folder.name, notebooks[0]))
            else:
                warnings.append(f"{folder}: no {expected.name}; this lesson scores zero for {student.name}")
    return found, warnings


def _config(out: Path, results_dir: Path) -> Config:
    """nbgrader's configuration for this run: the course's own, with ApplyResults in place of Execute."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, GetGrades, IgnorePattern, LimitOutput, SaveAutoGrades

    c = Config()
    c.CourseDirectory.root = str(out)
    c.CourseDirectory.course_id = "ulmfit-course"
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.autograde_preprocessors = [
        ApplyResults, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
    ]
    c.ApplyResults.results_dir = str(results_dir)
    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
    c.BaseConverter.force = True
    return c


def _nbgrader(converter, config: Config, lesson: str, student: str = "*") -> None:
    """Run one nbgrader converter over `lesson` for `student` (all by default), quietly."""
    import logging

    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = lesson, student
    conv = converter(coursedir=coursedir, config=config)
    conv.log.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy and nbformat warnings, not the grader's business
        conv.start()


def autograde(submitted, out, jobs: int = None, call_timeout: float = 10.0, exercise_budget: float = 60.0, memory_mb: int = 2048, max_examples: int = verify.MAX_EXAMPLES, log=print) -> list[dict]:
    """Grade every submission under `submitted` into the nbgrader course `out`; returns the rows of grades.csv."""
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback

    began = time.monotonic()
    submitted, out = Path(submitted).resolve(), Path(out).resolve()
    found, warnings = _submissions(submitted, source.lessons())
    for w in warnings:
        log(f"warning: {w}")
    unchecked = {lesson: [n for n in program.exercise_names(source.notebook(lesson)) if n not in EXERCISES] for _, lesson, _ in found}
    for lesson, names in sorted(unchecked.items()):
        if names:
            log(f"warning: {lesson} is not graded: grading/exercises.py has no check for {', '.join(names)}")
    found = [f for f in found if not unchecked[f[1]]]
    lessons = sorted({lesson for _, lesson, _ in found})
    for name in {n for lesson in lessons for n in program.exercise_names(source.notebook(lesson))}:
        EXERCISES[name].reference_object()  # imported once here, shared by the forked workers
    settings = {"sandbox": {"call_timeout": call_timeout, "exercise_budget": exercise_budget, "memory_mb": memory_mb}, "max_examples": max_examples}
    jobs = jobs or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
        graded = list(pool.map(_grade_job, [(s, lesson, str(p), settings) for s, lesson, p in found]))
    log(f"checked {len(graded)} submissions on {jobs} cores in {time.monotonic() - began:.1f} s")

    results_dir = out / "results"
    for student, lesson, result in graded:
        results_path(results_dir, student, lesson).parent.mkdir(parents=True, exist_ok=True)
        results_path(results_dir, student, lesson).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    for student, lesson, path in found:
        dest = out / "submitted" / student / lesson
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        if (path.parent / "timestamp.txt").exists():
            shutil.copy(path.parent / "timestamp.txt", dest / "timestamp.txt")
        result = next(r for s, les, r in graded if (s, les) == (student, lesson))
        if result["unreadable"]:
            nbformat.write(release(source.notebook(lesson)), dest / f"{lesson}.ipynb")
        else:
            shutil.copy(path, dest / f"{lesson}.ipynb")
    config = _config(out, results_dir)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # nbgrader runs `alembic` on a new gradebook
    source.build(out, names=lessons, log=lambda _: None)
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", "ulmfit-course") as gb:
        have = {a.name for a in gb.assignments}
    for lesson in lessons:
        if lesson not in have:
            _nbgrader(GenerateAssignment, config, lesson, student=".")
        _nbgrader(Autograde, config, lesson)
        _nbgrader(GenerateFeedback, config, lesson)
    rows = grades(out, graded)
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["student", "lesson", "exercise", "score", "max_score", "reason"])
        writer.writeheader()
        writer.writerows(rows)
    log(f"graded {len(found)} submissions in {time.monotonic() - began:.1f} s: {out / 'grades.csv'}, feedback in {out / 'feedback'}")
    return rows


def grades(out: Path, graded: list) -> list[dict]:
    """One row per student, lesson and check cell, read from the gradebook, with the reason for a score below the maximum."""
    from nbgrader.api import Gradebook

    verdicts = {(s, lesson): r for s, lesson, r in graded}
    rows = []
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", "ulmfit-course") as gb:
        for student, lesson in sorted(verdicts):
            notebook = gb.find_submission_notebook(lesson, lesson, student)
            for grade in sorted(notebook.grades, key=lambda g: g.cell.name):
                exercise = grade.cell.name.removesuffix(CHECK_SUFFIX)
                verdict = verdicts[student, lesson]["exercises"].get(exercise, {})
                reason = "" if grade.score == grade.max_score else verdict.get("message", "not graded").split("\n")[0]
                rows.append({"student": student, "lesson": lesson, "exercise": exercise, "score": grade.score, "max_score": grade.max_score, "reason": reason})
    return rows
