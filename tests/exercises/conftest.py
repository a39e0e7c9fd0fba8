"""The exercise checks: `pytest tests/exercises --notebook lessons/03_tokenize.ipynb` checks a learner's notebook (or
every lesson notebook of a folder) in the grader's sandbox; without --notebook, the solutions are checked, with the
proofs that the checks work and the grader's own tests. `--seed N` draws the random inputs of an earlier run again."""

from pathlib import Path

import pytest

from course.exercises import lesson_of_notebook
from grading import jail

from .answers import ROOT, SOLUTIONS, notebook

LEARNER_TESTS = ("test_self_check.py",)
CATCHES = {}  # path -> lesson -> [mutants caught, mutants], filled by the proofs


def pytest_addoption(parser):
    parser.addoption(
        "--notebook",
        action="append",
        default=[],
        type=Path,
        help="a learner's lesson notebook (NN_name.ipynb), or a folder of them, to check instead of the solutions",
    )
    parser.addoption("--seed", type=int, default=None, help="the seed of the random inputs (default: a fresh one)")


def pytest_report_header(config):
    mode, why = jail.mode()
    return f"sandbox: {mode} ({why})"


def notebooks(config) -> list[Path]:
    """The notebooks to check: those given with --notebook, else the solutions."""
    given = config.getoption("notebook")
    if not given:
        return SOLUTIONS
    found = []
    for path in given:
        found += sorted(path.glob("*.ipynb")) if path.is_dir() else [path]
    missing = [str(p) for p in found if not p.exists()]
    if missing or not found:
        raise pytest.UsageError(f"--notebook: no lesson notebook at {', '.join(missing or map(str, given))}")
    return found


def lesson_of(path: Path) -> Path:
    """The solution of the lesson a notebook is a copy of, whatever its name (by its metadata, as `grading check`)."""
    if path.suffix == ".py":
        return path
    lesson = lesson_of_notebook(notebook(path), path.name)
    if lesson is None:
        raise pytest.UsageError(f"{path}: not a lesson notebook of this course")
    return ROOT / "solutions" / f"{lesson}.py"


def pytest_collection_modifyitems(config, items):
    """With --notebook, only the learner's self-check runs: the proofs and the grader's tests are the course's own, and
    are deselected, not skipped, so that the report holds the learner's results alone."""
    if config.getoption("notebook"):
        mine = [i for i in items if i.path.name in LEARNER_TESTS or not i.path.is_relative_to(Path(__file__).parent)]
        config.hook.pytest_deselected(items=[i for i in items if i not in mine])
        items[:] = mine


def pytest_terminal_summary(terminalreporter):
    for path, lessons in sorted(CATCHES.items()):
        terminalreporter.section(f"mutants caught by {path}, per lesson")
        for lesson, (caught, total) in sorted(lessons.items()):
            terminalreporter.write_line(f"{lesson}: {caught}/{total} ({caught / total:.0%})")


@pytest.fixture(scope="session")
def seed(request) -> int | None:
    return request.config.getoption("seed")
