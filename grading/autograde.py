"""`python -m grading autograde SUBMITTED --out DIR`: grade a class's submissions, in parallel, into a gradebook.

1. Each submission (`SUBMITTED/STUDENT/LESSON/*.ipynb`, never through a symbolic link) is checked in a worker
   process, one per core, forked from a server process that has run nothing (`_workers`): its exercise cells run in a
   `Sandbox` and `course.exercise.run` compares them with the reference, on random inputs drawn from one seed per class
   (fresh unless `seed` is given, and written in results/ and the log). No kernel runs the notebook, so no lesson demo,
   data loading or learner code outside the exercises costs time or can touch the grader. Its nbgrader metadata is made
   the lesson's again (`repair.py`), so that no notebook stops nbgrader.
2. nbgrader's own Autograde then runs over the class in this process, alone on the gradebook, with its Execute step
   replaced by `ApplyResults`, which writes each check's verdict as the check cell's output: nbgrader's sanitizing
   (locked cells restored, deleted check cells added back), scoring and database writes are its own.
3. nbgrader's GenerateFeedback writes one HTML page per student and lesson, hidden tests removed; `grades.csv` is
   read back from the gradebook.

A submission that cannot be read (not JSON, not a notebook) is replaced by the lesson as released, so that it scores
zero through the same path; every reason for a zero is written in the feedback and in `grades.csv`. A check that could
not run for a reason of the grader's (an import that fails in the grader) is marked "grader problem" there, and the
command ends with an error: grade again once the installation is fixed.
"""

import csv
import functools
import json
import os
import secrets
import shutil
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import nbformat

from course.build import release
from course.exercise import run
from course.exercises import EXERCISES

from . import jail, likeness, program, repair, source
from .apply import CHECK_SUFFIX, ApplyResults, results_path
from .sandbox import Sandbox

GRADER_PROBLEM = "grader problem"  # how grades.csv starts the reason of a check that the grader could not run
MAX_MESSAGE, MAX_NOTE, MAX_NOTES = 4000, 500, 40  # what results, feedback and grades.csv take of one submission
AUDIT_GIVES_UP = (
    "without namespaces, a submission's native code can read the reference unseen, a file it leaves in site-packages "
    "can outlive the grader and its writes share the grader's disk: grade where `unshare` works, or pass "
    "--allow-audit-only to accept that"
)
SAME_AS_REFERENCE = (
    "note: this answer is the reference's own code ({}), names and formatting aside; the score is the check's alone"
)


@functools.cache
def _lesson(lesson: str) -> tuple:
    """(the source notebook, the lesson as released, its exercise names): read once, before the workers fork."""
    nb = source.notebook(lesson)
    return nb, release(nb), program.exercise_names(nb)


class SandboxRefused(RuntimeError):
    """The autograde will not run in the weaker sandbox unless asked to."""


def _capped(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text`, cut to `limit` characters where a submission made it longer, saying so."""
    return text if len(text) <= limit else text[:limit] + f" ... ({len(text) - limit} characters more, cut)"


def _zero(names, reason: str) -> dict:
    return {n: {"passed": False, "message": f"{n}: {reason}", "grader_problem": False} for n in names}


def grade_one(path: str, lesson: str, settings: dict) -> dict:
    """The verdict of each exercise of one submitted notebook, notes on the notebook itself, and the notebook to give
    nbgrader (its metadata repaired)."""
    began = time.monotonic()
    lesson_nb, released, names = _lesson(lesson)
    notes, forced = [], {}
    try:
        nb, repairs, copies = repair.gradable(program.read_notebook(path, notes), released)
    except program.NotebookError as e:
        reason = f"your notebook could not be read: {e}; it was graded as the lesson with no answer"
        return {"unreadable": True, "notes": [reason], "exercises": _zero(names, reason), "notebook": None}
    notes += repairs
    submitted = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata}
    for cell in released.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("locked") and grade_id not in submitted:
            exercise = grade_id.removesuffix(CHECK_SUFFIX)
            notes.append(f"the locked cell {grade_id} was deleted: it was put back, and scores zero")
            forced[exercise] = (
                f"{exercise}: its check cell {grade_id} was deleted from your notebook, so it scores zero"
            )
        elif cell.metadata.get("nbgrader", {}).get("locked"):
            mine = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
            if mine.source.strip() != cell.source.strip():
                notes.append(f"the locked cell {grade_id} was edited: the grader used its original")
    results = {}
    learner = program.extract(repair.with_copies(nb, copies), lesson_nb, lesson)  # every copy runs, the last wins
    with Sandbox(learner, folder=Path(path).parent, **settings["sandbox"]) as sandbox:
        for name in names:
            if name in forced:
                results[name] = {"passed": False, "message": forced[name], "grader_problem": False}
                continue
            v = run(
                EXERCISES[name], sandbox, settings["examples"].get(name, EXERCISES[name].examples), settings["seed"]
            )
            message = f"{GRADER_PROBLEM}: {v.message}" if v.grader_problem else v.message
            cell = sandbox.program.cell(name)
            copied = cell is not None and likeness.same_as_reference(cell.code, EXERCISES[name])
            if copied:
                message += f"\n  {SAME_AS_REFERENCE.format(EXERCISES[name].reference.replace(':', '.'))}"
            results[name] = {
                "passed": v.passed,
                "message": _capped(message),
                "grader_problem": v.grader_problem,
                "score": v.score,
                "same_as_reference": copied,
            }
        notes += [f"an import of your notebook failed: {e}" for e in sandbox.import_errors]
        mode = sandbox.mode
    notes = [_capped(n, MAX_NOTE) for n in notes[:MAX_NOTES]] + (
        [f"... and {len(notes) - MAX_NOTES} more notes"] if len(notes) > MAX_NOTES else []
    )
    return {
        "unreadable": False,
        "notes": notes,
        "exercises": results,
        "seconds": time.monotonic() - began,
        "sandbox": mode,
        "seed": settings["seed"],
        "notebook": nbformat.writes(nb),
    }


def _workers(names):
    """Worker processes forked from a server that imported the grader and the references but ran nothing: a fork of
    this process could inherit a lock held by one of its threads (GNU OpenMP's, after torch ran here: a worker then
    waits for ever in its first parallel torch operation)."""
    context = get_context("forkserver")
    modules = sorted({EXERCISES[n].reference.split(":")[0] for n in names if EXERCISES[n].reference})
    context.set_forkserver_preload(["grading.autograde", *modules])
    return context


def _start_worker(threads: int) -> None:
    """Each worker computes on its share of the cores (the checker's judges and truths run torch here)."""
    import torch

    torch.set_num_threads(threads)


def _grade_job(job):
    student, lesson, path, settings = job
    try:
        return student, lesson, grade_one(path, lesson, settings)
    except Exception as e:  # noqa: BLE001 - a grader bug on one submission must not stop the class
        reason = f"{GRADER_PROBLEM}: the grader failed on this notebook ({type(e).__name__}: {e}); ask your teacher"
        names = _lesson(lesson)[2]
        return (
            student,
            lesson,
            {
                "unreadable": False,
                "notes": [reason],
                "notebook": None,
                "exercises": {n: {"passed": False, "message": reason, "grader_problem": True} for n in names},
            },
        )


def _link(path: Path, top: Path) -> Path | None:
    """The first symbolic link on the way from `top` (excluded) down to `path`, else None."""
    for p in [path, *path.parents]:
        if p == top:
            return None
        if p.is_symlink():
            return p
    return None


def _submissions(submitted: Path, known: list[str]) -> tuple[list, list, list]:
    """((student, lesson, notebook path)...) found, ((student, lesson, why)...) refused, and warnings about folders and
    files that are not submissions. A submission reached through a symbolic link is refused: it could point at a
    classmate's notebook or at the course's sources."""
    found, refused, warnings = [], [], []
    for student in sorted(p for p in submitted.iterdir() if p.is_dir() and not p.is_symlink()):
        for folder in sorted(p for p in student.iterdir() if p.is_dir()):
            if folder.name not in known:
                warnings.append(f"{folder}: not a lesson of this course ({', '.join(known)}); skipped")
                continue
            expected = folder / f"{folder.name}.ipynb"
            notebooks = [] if folder.is_symlink() else sorted(folder.glob("*.ipynb"))
            path = (
                expected
                if expected.is_symlink() or folder.is_symlink() or expected.exists()
                else (notebooks[0] if len(notebooks) == 1 else None)
            )
            if path is None:
                warnings.append(f"{folder}: no {expected.name}; this lesson scores zero for {student.name}")
                continue
            if (link := _link(path, submitted)) is not None:
                why = (
                    f"your submission {link.relative_to(submitted)} is a symbolic link (to {os.readlink(link)}): "
                    "submit the notebook file itself"
                )
                refused.append((student.name, folder.name, why))
                continue
            if path != expected:
                warnings.append(f"{path}: graded as {expected.name}")
            found.append((student.name, folder.name, path))
    return found, refused, warnings


def _timestamp(path: Path) -> str | None:
    """The submission time a student's timestamp.txt states, if nbgrader can read it (else None: it is ignored)."""
    from nbgrader.utils import parse_utc

    try:
        text = program.read_submitted(path, limit=1 << 10).decode("utf-8").strip()
        parse_utc(text)
    except Exception:  # noqa: BLE001 - whatever the file holds, it is the student's, and ignored when unreadable
        return None
    return text


def _config(out: Path, results_dir: Path):
    """nbgrader's configuration for this run: the course's own, with ApplyResults in place of Execute."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        ClearHiddenTests,
        GetGrades,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )
    from traitlets.config import Config

    c = Config()
    c.CourseDirectory.root = str(out)
    c.CourseDirectory.course_id = "ulmfit-course"
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.autograde_preprocessors = [
        ApplyResults,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    c.ApplyResults.results_dir = str(results_dir)
    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
    c.BaseConverter.force = True
    return c


def _nbgrader(converter, config, lesson: str, student: str = "*") -> None:
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


def autograde(
    submitted,
    out,
    jobs: int = None,
    call_timeout: float = 10.0,
    exercise_budget: float = 60.0,
    memory_mb: int = 2048,
    deadline: float = 300.0,
    allow_audit_only: bool = False,
    max_examples: int = None,
    seed: int = None,
    log=print,
) -> list[dict]:
    """Grade every submission under `submitted` into the nbgrader course `out`; returns the rows of grades.csv.

    `max_examples` caps the random inputs of each exercise (default: each exercise's own number); `seed` draws the
    random inputs of a run again (default: a fresh one, logged); `deadline` bounds the wall-clock seconds of all the
    checks of one notebook; without namespaces it refuses to grade (`SandboxRefused`) unless `allow_audit_only`."""
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback

    began = time.monotonic()
    submitted, out = Path(submitted).resolve(), Path(out).resolve()
    found, refused, warnings = _submissions(submitted, source.lessons())
    for w in warnings:
        log(f"warning: {w}")
    lessons = sorted({lesson for _, lesson, _ in found + refused})
    names = {n for lesson in lessons for n in _lesson(lesson)[2]}
    if missing := sorted(n for n in names if n not in EXERCISES):
        raise ValueError(f"course/exercises defines no check for {', '.join(missing)}: add them before grading")
    for name in names:
        EXERCISES[name].reference_object()  # a reference that cannot be imported stops the class here, said once
    seed = secrets.randbelow(10**6) if seed is None else seed
    mode, why = jail.mode()
    if mode != jail.NAMESPACES and not allow_audit_only:
        raise SandboxRefused(f"the sandbox here would have the {mode} ({why}); {AUDIT_GIVES_UP}")
    log(f"sandbox: {mode} ({why}); random inputs from seed {seed}")
    settings = {
        "sandbox": {
            "call_timeout": call_timeout,
            "exercise_budget": exercise_budget,
            "memory_mb": memory_mb,
            "deadline": deadline,
        },
        "examples": {n: min(max_examples, EXERCISES[n].examples) for n in names} if max_examples is not None else {},
        "seed": seed,
    }
    jobs = jobs or os.cpu_count() or 1
    threads = max(1, (os.cpu_count() or 1) // jobs)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_workers(names), initializer=_start_worker,
                             initargs=(threads,)) as pool:
        graded = list(pool.map(_grade_job, [(s, lesson, str(p), settings) for s, lesson, p in found]))
    for student, lesson, why in refused:
        lesson_names = _lesson(lesson)[2]
        graded.append(
            (
                student,
                lesson,
                {"unreadable": True, "notes": [why], "exercises": _zero(lesson_names, why), "notebook": None},
            )
        )
    log(f"checked {len(graded)} submissions on {jobs} cores in {time.monotonic() - began:.1f} s")

    results_dir = out / "results"
    for student, lesson, result in graded:
        dest = out / "submitted" / student / lesson
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        stamp = submitted / student / lesson / "timestamp.txt"
        if stamp.is_file() and not stamp.is_symlink():
            if (when := _timestamp(stamp)) is not None:
                (dest / "timestamp.txt").write_text(when, encoding="utf-8")
            else:
                result["notes"].append("timestamp.txt holds no date and time nbgrader can read; it was ignored")
        notebook = result.pop("notebook")
        if notebook is None:
            nbformat.write(_lesson(lesson)[1], dest / f"{lesson}.ipynb")
        else:
            (dest / f"{lesson}.ipynb").write_text(notebook, encoding="utf-8")
        results_path(results_dir, student, lesson).parent.mkdir(parents=True, exist_ok=True)
        results_path(results_dir, student, lesson).write_text(
            json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8"
        )
    config = _config(out, results_dir)
    os.environ["PATH"] = (
        f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # nbgrader runs `alembic`
    )
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
        writer = csv.DictWriter(f, fieldnames=["student", "lesson", "exercise", "score", "max_score", "reason", "note"])
        writer.writeheader()
        writer.writerows(rows)
    log(
        f"graded {len(graded)} submissions in {time.monotonic() - began:.1f} s: {out / 'grades.csv'}, "
        f"feedback in {out / 'feedback'}"
    )
    if problems := sum(r["reason"].startswith(GRADER_PROBLEM) for r in rows):
        log(
            f"error: {problems} checks could not run for a reason of the grader's ('{GRADER_PROBLEM}' in grades.csv); "
            "fix the installation and grade again"
        )
    return rows


def grades(out: Path, graded: list) -> list[dict]:
    """One row per student, lesson and check cell, from the gradebook, with the reason for a score below the most and
    a note where the answer is the reference's own code."""
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
                rows.append(
                    {
                        "student": student,
                        "lesson": lesson,
                        "exercise": exercise,
                        "score": grade.score,
                        "max_score": grade.max_score,
                        "reason": reason,
                        "note": "same as the reference" if verdict.get("same_as_reference") else "",
                    }
                )
    return rows
