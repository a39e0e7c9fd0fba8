"""Every solution runs top to bottom; every untouched lesson runs to its first exercise; its checks say what is missing.

The eight notebooks run two at a time (one kernel per core) in one fixture; each test reads its notebook's result.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from course.build import lesson_path, sources
from course.data import sample_imdb

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
def executed(tmp_path_factory):
    """(kind, lesson name) -> the executed notebook, or the exception its run raised."""
    # Solutions read real reviews when ../shared/data has them: sampled once here from the archive, then
    # passed as an aclImdb folder; untouched lessons read the tiny made-up set (DATA = None).
    data = sample_imdb(SHARED_IMDB, tmp_path_factory.mktemp("imdb"), 60) if SHARED_IMDB.exists() else None
    jobs = {}
    for src in SOURCES:
        params = {"DATA": data and str(data), **({"N_SPEEDUP": 200} if "N_SPEEDUP" in src.read_text() else {})}
        jobs["solution", src.stem] = (lambda src=src: jupytext.read(src), src.parent, False, params)
        path = lesson_path(src, ROOT)
        read_lesson = lambda path=path: nbformat.read(path, as_version=4)  # noqa: E731 - one job's reader
        jobs["lesson", src.stem] = (read_lesson, path.parent, True, {"DATA": None})

    def run(job):
        read, folder, allow_errors, params = job
        try:
            return execute(read(), folder, allow_errors, params)
        except Exception as e:  # noqa: BLE001 - handed to the test of that notebook
            return e

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(jobs, pool.map(run, jobs.values())))


def errors(cell) -> list:
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def _result(executed, kind, name):
    nb = executed[kind, name]
    if isinstance(nb, Exception):
        raise nb
    return nb


@pytest.mark.parametrize("name", [s.stem for s in SOURCES])
def test_solution_runs_top_to_bottom(executed, name):
    nb = _result(executed, "solution", name)
    checked = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert checked, f"{name} has no check cell"
    for cell in checked:
        assert "✓" in "".join(o.get("text", "") for o in cell.outputs), cell.source


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
        assert re.match(rf"not implemented yet: {re.escape(name)}(\.\w+)?\. Write its body", error.evalue), error.evalue
        assert len(error.traceback) == 1, "the learner sees the message, not a traceback"
