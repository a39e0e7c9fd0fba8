"""The exercise checks: `pytest tests/exercises --notebook lessons/03_tokenize.ipynb` checks a learner's notebook
(or every lesson notebook of a folder); without --notebook, the solutions are checked, along with the proofs that
the checks work (untouched lessons fail, every mutant is caught) and the autograder's tests."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the grader is not installed (it is not part of the learner's install)

from grading import program  # noqa: E402

LEARNER_TESTS = ("test_self_check.py",)


def pytest_addoption(parser):
    parser.addoption(
        "--notebook", action="append", default=[], type=Path,
        help="a learner's lesson notebook (NN_name.ipynb), or a folder of them, to check instead of the solutions",
    )


def notebooks(config) -> list[Path]:
    """The notebooks to check: those given with --notebook, else the solutions."""
    given = config.getoption("notebook")
    if not given:
        return sorted((ROOT / "solutions").glob("[0-9][0-9]_*.py"))
    found = []
    for path in given:
        found += sorted(path.glob("[0-9][0-9]_*.ipynb")) if path.is_dir() else [path]
    missing = [str(p) for p in found if not p.exists()]
    if missing or not found:
        raise pytest.UsageError(f"--notebook: no lesson notebook at {', '.join(missing or map(str, given))}")
    return found


def lesson_of(path: Path) -> Path:
    """The solution script of the lesson a notebook belongs to (by its name: 03_tokenize*.ipynb -> solutions/03_tokenize.py)."""
    for src in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.py")):
        if path.stem.startswith(src.stem):
            return src
    raise pytest.UsageError(f"{path}: no lesson of this course is named like it (solutions/NN_name.py)")


def pytest_collection_modifyitems(config, items):
    """With --notebook, only the learner's self-check runs: the proofs and the autograder's tests are the course's own."""
    if config.getoption("notebook"):
        skip = pytest.mark.skip(reason="checks the course itself; run without --notebook")
        for item in items:
            if item.path.name not in LEARNER_TESTS and item.path.is_relative_to(Path(__file__).parent):
                item.add_marker(skip)


CATCHES = {}  # lesson -> [caught, total], filled by the mutant tests


def pytest_terminal_summary(terminalreporter):
    if CATCHES:
        terminalreporter.section("mutants caught by the hidden checks, per lesson")
        for lesson, (caught, total) in sorted(CATCHES.items()):
            terminalreporter.write_line(f"{lesson}: {caught}/{total} ({caught / total:.0%})")


@pytest.fixture(scope="session")
def read():
    """A notebook by path, read once."""
    cache = {}

    def read(path):
        if path not in cache:
            cache[path] = program.read_notebook(path)
        return cache[path]

    return read
