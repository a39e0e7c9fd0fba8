"""The exercise checks: `pytest tests/exercises --notebook lessons/03_tokenize.ipynb` checks a learner's notebook (or
every lesson notebook of a folder) in the grader's sandbox; without --notebook, the solutions are checked, with the
proofs that the checks work and the grader's own tests. `--seed N` draws the random inputs of an earlier run again."""

from pathlib import Path

import pytest

from grading import jail

from .answers import SOLUTIONS

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
        found += sorted(path.glob("[0-9][0-9]_*.ipynb")) if path.is_dir() else [path]
    missing = [str(p) for p in found if not p.exists()]
    if missing or not found:
        raise pytest.UsageError(f"--notebook: no lesson notebook at {', '.join(missing or map(str, given))}")
    return found


def lesson_of(path: Path) -> Path:
    """The solution of the lesson of a notebook, by its name (03_tokenize*.ipynb -> solutions/03_tokenize.py)."""
    for src in SOLUTIONS:
        if path.stem.startswith(src.stem):
            return src
    raise pytest.UsageError(f"{path}: no lesson of this course is named like it (solutions/NN_name.py)")


def pytest_collection_modifyitems(config, items):
    """With --notebook, only the learner's self-check runs: the proofs and the grader's tests are the course's own."""
    if config.getoption("notebook"):
        skip = pytest.mark.skip(reason="checks the course itself; run without --notebook")
        for item in items:
            if item.path.name not in LEARNER_TESTS and item.path.is_relative_to(Path(__file__).parent):
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    for path, lessons in sorted(CATCHES.items()):
        terminalreporter.section(f"mutants caught by {path}, per lesson")
        for lesson, (caught, total) in sorted(lessons.items()):
            terminalreporter.write_line(f"{lesson}: {caught}/{total} ({caught / total:.0%})")


@pytest.fixture(scope="session")
def seed(request) -> int | None:
    return request.config.getoption("seed")
