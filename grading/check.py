"""`python -m grading check NOTEBOOK...`: a learner checks lessons as the grader does, from a terminal.

Each notebook (a file of any name, or every notebook of a folder) is known by the lesson its metadata names, and each
of its exercises is checked in the sandbox on the fixed inputs and the full number of random ones. It prints one line
per exercise that passes and the whole message of one that does not, then what to do; nothing else. Exit status 0
when every exercise of every notebook passes, 1 when one does not, 2 when a notebook cannot be checked at all.
"""

import secrets
from pathlib import Path

from course.exercise import run
from course.exercises import EXERCISES, LESSONS, lesson_of_notebook
from course.start import lessons_dir

from . import jail, program
from .sandbox import Sandbox


class CheckError(ValueError):
    """A path that cannot be checked, with the reason in words."""


def notebooks(paths) -> list[Path]:
    """The notebooks named by `paths`: files as given, folders read for their *.ipynb (checkpoints left out)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(p for p in path.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            if not inside:
                raise CheckError(f"{path}: this folder holds no notebook (*.ipynb)")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise CheckError(f"{path}: no such notebook")
    return found


def lesson_of(path: Path, nb) -> str:
    """The lesson `nb` (read from `path`) is a copy of."""
    lesson = lesson_of_notebook(nb, path.name)
    if lesson is None:
        raise CheckError(f"{path}: not a lesson of this course (no lesson in its metadata, no exercise of one; the "
                         f"lessons are {', '.join(LESSONS)})")
    return lesson


def check_notebook(path: Path, seed: int, out=print) -> tuple[int, int, bool]:
    """Check the exercises of one notebook; returns (passed, exercises, whether a random input failed)."""
    try:
        nb = program.read_notebook(path)
    except program.NotebookError as e:
        raise CheckError(str(e)) from None
    lesson = lesson_of(path, nb)
    released = program.read_notebook(lessons_dir() / f"{lesson}.ipynb")
    names = program.exercise_names(released)
    passed, random_failed = 0, False
    with Sandbox(program.extract(nb, released, lesson), folder=path.parent) as sandbox:
        weaker = "" if sandbox.mode == jail.NAMESPACES else f": {sandbox.mode_reason}, weaker than the grader's"
        out(f"{path}: lesson {lesson}, {_plural(len(names), 'exercise')} (sandbox: {sandbox.mode}{weaker})")
        for name in names:
            verdict = run(EXERCISES[name], sandbox, EXERCISES[name].examples, seed)
            if verdict.grader_problem:
                out(f"  GRADER PROBLEM (not yours, tell your instructor): {verdict.message}")
            elif verdict.passed:
                out(f"  {verdict.message}")
            else:
                out("  ✗ " + verdict.message.replace("\n", "\n    "))
                random_failed |= f"drawn from seed {seed}" in verdict.message
            passed += verdict.passed
    return passed, len(names), random_failed


def _plural(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def main(paths, seed: int | None = None, out=print) -> int:
    """The command: check every notebook of `paths`, then say what to do."""
    try:
        found = notebooks(paths)
    except CheckError as e:
        out(f"error: {e}")
        return 2
    seed = secrets.randbelow(10**6) if seed is None else seed
    passed, total, unreadable, random_failed = 0, 0, 0, False
    for path in found:
        try:
            p, n, r = check_notebook(path, seed, out)
        except CheckError as e:
            out(f"{e}")
            unreadable += 1
            continue
        passed, total, random_failed = passed + p, total + n, random_failed or r
    if total:
        out(f"\nPassed: {passed} of {_plural(total, 'exercise')}.")
    if passed < total:
        out("Fix the notebook, save it (Ctrl+S in Jupyter), and run this command again."
            + (f" To draw the same random inputs again, add --seed {seed}." if random_failed else ""))
    return 2 if unreadable else 0 if passed == total else 1
