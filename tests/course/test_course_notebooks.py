"""Every solution runs top to bottom on the tiny made-up reviews and on a sample of the real ones (when ../shared/data
has them); every untouched lesson runs to its first exercise; its checks say what is missing.

The thirty notebooks run two at a time (one kernel per core) in one fixture; each test reads its notebook's result,
and the summary prints each run's seconds.
"""

import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from course.build import lesson_path, sources
from course.data import TINY, sample_imdb
from course.exercises import EXERCISES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sources(ROOT)
SHARED_IMDB = ROOT.parent / "shared" / "data" / "aclImdb_v1_reviews.tar.gz"
pytestmark = pytest.mark.slow


def execute(nb, folder: Path, allow_errors: bool, params: dict):
    """Run a notebook in `folder` with `params` set right after its parameters cell (papermill's convention)."""
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in params.items())))
    client = NotebookClient(
        nb, timeout=240, kernel_name="python3", allow_errors=allow_errors, resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory, request):
    """(kind, lesson name) -> the executed notebook, or the exception its run raised; kind is "solution" (on the tiny
    made-up reviews), "solution on real data" (a sample of ../shared/data, when it is there) or "lesson" (untouched,
    on the tiny reviews). Each kind runs in a folder of its own, as a learner's working copy; the runs' scratch
    folders are counted before and after."""
    data = sample_imdb(SHARED_IMDB, tmp_path_factory.mktemp("imdb"), 60) if SHARED_IMDB.exists() else None
    jobs = {}
    kinds = {"solution": TINY, **({"solution on real data": str(data)} if data else {})}
    for src in SOURCES:
        speedup = {"N_SPEEDUP": 200} if "N_SPEEDUP" in src.read_text() else {}
        for kind, source in kinds.items():
            jobs[kind, src.stem] = (lambda src=src: jupytext.read(src), kind, False, {"DATA": source, **speedup})
        path = lesson_path(src, ROOT)
        read_lesson = lambda path=path: nbformat.read(path, as_version=4)  # noqa: E731 - one job's reader
        jobs["lesson", src.stem] = (read_lesson, "lesson", True, {"DATA": TINY})
    folders = {kind: tmp_path_factory.mktemp(kind.replace(" ", "-")) for kind in {job[1] for job in jobs.values()}}

    def run(job):
        read, kind, allow_errors, params = job
        began = time.perf_counter()
        try:
            return execute(read(), folders[kind], allow_errors, params), time.perf_counter() - began
        except Exception as e:  # noqa: BLE001 - handed to the test of that notebook
            return e, time.perf_counter() - began

    before = set(Path(tempfile.gettempdir()).glob("ulmfit-lesson-*"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(jobs, pool.map(run, jobs.values())))
    left = set(Path(tempfile.gettempdir()).glob("ulmfit-lesson-*")) - before
    request.config.lesson_seconds = {key: seconds for key, (_, seconds) in results.items()}  # tests/conftest.py
    return {key: nb for key, (nb, _) in results.items()}, left


def errors(cell) -> list:
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def _result(executed, kind, name):
    nb = executed[0][kind, name]
    if isinstance(nb, Exception):
        raise nb
    return nb


@pytest.mark.parametrize("kind", ["solution", pytest.param("solution on real data", marks=pytest.mark.realdata)])
@pytest.mark.parametrize("name", [s.stem for s in SOURCES])
def test_solution_runs_top_to_bottom(executed, name, kind):
    if kind == "solution on real data" and not SHARED_IMDB.exists():
        pytest.skip(f"{SHARED_IMDB} is absent")
    nb = _result(executed, kind, name)
    for cell in nb.cells:
        assert not errors(cell), f"{name} ({kind}): a cell failed:\n{cell.source}\n{errors(cell)}"
    checked = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert checked, f"{name} has no check cell"
    for cell in checked:
        assert "✓" in "".join(o.get("text", "") for o in cell.outputs), cell.source
    said = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "NO IMDb DATA" not in said, "the data given was not found"
    assert "\x1b[" not in "".join(str(o) for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error")


def test_lesson_runs_leave_no_scratch_folder(executed):
    assert not executed[1], f"left in the temporary directory: {sorted(map(str, executed[1]))}"


@pytest.mark.parametrize("name", [s.stem for s in SOURCES])
def test_untouched_lesson_runs_to_its_first_exercise_and_checks_explain(executed, name):
    nb = _result(executed, "lesson", name)
    first = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    for cell in nb.cells[:first]:
        assert not errors(cell), f"{name}: a cell before the first exercise failed:\n{cell.source}\n{errors(cell)}"
    exercises = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}
    checks = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert {c.metadata["nbgrader"]["grade_id"].removesuffix("-check") for c in checks} == exercises
    for cell in checks:
        name = cell.metadata["nbgrader"]["grade_id"].removesuffix("-check")
        (error,) = errors(cell)
        assert error.ename == "CheckFailed"
        if EXERCISES[name].kind == "fix":  # released with its bug: it fails as a wrong answer does
            assert "not implemented" not in error.evalue and name in error.evalue, error.evalue
        else:
            assert re.match(rf"not implemented yet: {re.escape(name)}(\.\w+)?\. Write (its body|your prediction)",
                            error.evalue), error.evalue
        assert not any("Traceback" in line or 'File "' in line for line in error.traceback), "no traceback"
        assert len(error.traceback) == 1 or EXERCISES[name].kind == "fix", "the learner sees the message alone"
