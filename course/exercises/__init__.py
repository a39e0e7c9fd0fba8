"""The exercises of every lesson, one module per lesson, and `check`: what a notebook's check cell calls.

    from course.exercises import check
    check("fixup", fixup)             # the check cell: the fixed inputs and a few random ones, in a few seconds
    check("fixup", fixup, full=True)  # the grader's inputs (fixed, then the grader's random ones), in the kernel

A lesson module names its `LESSON` (the notebook's name), its `EXERCISES` in notebook order, the ulmfit_ref objects it
gives to its exercises (`GIVEN`: tools that hold no exercise's answer), the modules its observations need
(`PRELOAD`) and, if any, what the grader's sandbox runs once before the learner's code (`WARM_UP`). Nothing here
imports ulmfit_ref: each reference is looked up by its public name when it is checked.
"""

import importlib
import inspect
import pkgutil

from ..exercise import CheckFailed, InProcess, code_names, run

LESSON_MODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("lesson_"))
PROTECTED = ("ulmfit_ref", "course", "grading")  # the reference, the course's checks and the grader

_modules = [importlib.import_module(f"{__name__}.{m}") for m in LESSON_MODULES]
LESSONS = {m.LESSON: m for m in _modules}  # "01_data" -> its module
EXERCISES = {e.name: e for m in _modules for e in m.EXERCISES}
LESSON_OF = {e.name: m.LESSON for m in _modules for e in m.EXERCISES}


def lesson_of_notebook(nb, filename: str = "") -> str | None:
    """The lesson a notebook (the dict of its JSON, or an nbformat node) is a copy of, whatever its file is named: its
    metadata's `ulmfit_course.lesson` (written by the build), else the lesson of its exercise cells, else the lesson
    its file name starts with; None when none fits."""
    meta = nb.get("metadata") if isinstance(nb, dict) else None
    named = (meta or {}).get("ulmfit_course", {}) if isinstance(meta, dict) else {}
    if isinstance(named, dict) and named.get("lesson") in LESSONS:
        return named["lesson"]
    ids = [((c.get("metadata") or {}).get("nbgrader") or {}).get("grade_id") for c in nb.get("cells", [])
           if isinstance(c, dict) and isinstance(c.get("metadata"), dict)]
    found = {LESSON_OF[i] for i in ids if isinstance(i, str) and i in LESSON_OF}
    if len(found) == 1:
        return found.pop()
    return next((lesson for lesson in LESSONS if filename.startswith(lesson)), None)


def given_names(lesson: str) -> dict:
    """name -> "module:name" of each tool that lesson `lesson` gives its exercises."""
    return {ref.split(":")[1]: ref for ref in LESSONS[lesson].GIVEN}


def not_given(exercise: str, name: str, module: str, lesson: str) -> str:
    """Why an answer may not use `name`, which the lesson imports from `module` for its other cells."""
    tools = ", ".join(given_names(lesson)) or "none"
    return (
        f"your {exercise} uses {name}, which the lesson imports from {module} for its other cells; an exercise is "
        f"answered without it (the tools given to this lesson's exercises: {tools})"
    )


def _borrowed(name: str, answer, namespace: dict) -> str | None:
    """Why `answer` may not be checked: it is a protected object itself, or uses one that the lesson does not give."""
    lesson = LESSON_OF[name]
    module = getattr(answer, "__module__", "") or ""
    if module.split(".")[0] in PROTECTED:
        return f"your {name} is {module}'s own, imported; write it in the exercise cell instead"
    given = given_names(lesson)
    for used in sorted(code_names(answer)):
        value = namespace.get(used)
        origin = getattr(value, "__module__", None) or getattr(value, "__name__", "") if value is not None else ""
        if str(origin).split(".")[0] in PROTECTED and used not in given:
            return not_given(name, used, origin, lesson)
    return None


def check(name: str, answer, full: bool = False, seed: int = None) -> None:
    """Check the learner's `answer` to exercise `name`; print one line if it passes, else raise `CheckFailed`.

    `full=True` runs the grader's inputs; `seed` draws the random inputs of a failure again."""
    if name not in EXERCISES:
        raise KeyError(f"no exercise is named {name!r}; the exercises are {', '.join(EXERCISES)}")
    exercise = EXERCISES[name]
    namespace = inspect.currentframe().f_back.f_globals
    if answer is not None and (why := _borrowed(name, answer, namespace)):
        raise CheckFailed(f"{name}: {why}")
    verdict = run(exercise, InProcess({name: answer}, namespace), exercise.examples if full else exercise.sample, seed)
    if not verdict.passed:
        raise CheckFailed(verdict.message)
    print(verdict.message)
