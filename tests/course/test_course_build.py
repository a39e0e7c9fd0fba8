"""`python -m course build` / `check`: lessons/ is exactly what solutions/ builds, with no solution or hidden test."""

import json
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest

from course import build as course_build
from course.__main__ import main
from course.exercises import EXERCISES

ROOT = Path(__file__).resolve().parents[2]


def test_committed_lessons_match_the_solutions():
    assert course_build.sources(ROOT), "no solutions/NN_*.py found"
    assert course_build.check(ROOT) == []


def test_cli_check_passes_on_the_repo(capsys):
    assert main(["check"]) == 0
    assert "lessons/ matches solutions/" in capsys.readouterr().out


def test_the_preprocessors_are_generate_assignments_less_the_database_with_the_course_s_clear_solutions():
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions, SaveCells

    ours = course_build.clear_solutions()
    theirs = [ours if p is ClearSolutions else p for p in GenerateAssignment().preprocessors if p is not SaveCells]
    assert course_build._preprocessors() == theirs and issubclass(ours, ClearSolutions)


def _exercise_cell(source: str, grade_id: str):
    meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": True, "task": False}
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


def test_a_find_and_fix_cell_is_released_with_its_given_code_and_a_prediction_as_dots():
    fix = _exercise_cell(
        "def pool(x):\n    n = len(x)\n    ### BEGIN SOLUTION\n    ### RELEASED return sum(x) / (n + 1)\n"
        "    return sum(x) / n\n    ### END SOLUTION\n",
        "pool",
    )
    predicted = _exercise_cell("### BEGIN SOLUTION\npredicted_batches = 146\n### END SOLUTION", "predicted_batches")
    plain = _exercise_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n", "f")
    nb = course_build.release(nbformat.v4.new_notebook(cells=[fix, predicted, plain]))
    assert nb.cells[0].source == "def pool(x):\n    n = len(x)\n    return sum(x) / (n + 1)\n"
    assert nb.cells[1].source.startswith("predicted_batches = ...")
    assert "raise NotImplementedError()" in nb.cells[2].source and "return x" not in nb.cells[2].source


def test_nbgrader_s_own_release_uses_the_course_s_clear_solutions():
    config = {}
    exec((ROOT / "grading" / "nbgrader_config.py").read_text(), {"get_config": lambda: _Config(config)})
    assert course_build.clear_solutions() in config["GenerateAssignment"]["preprocessors"]


class _Config(dict):
    """Enough of traitlets' Config for nbgrader_config.py: `c.Section.key = value`."""

    def __init__(self, store):
        super().__init__()
        self.__dict__["store"] = store

    def __getattr__(self, section):
        return _Section(self.store.setdefault(section, {}))


class _Section:
    def __init__(self, store):
        self.__dict__["store"] = store

    def __setattr__(self, key, value):
        self.store[key] = value


@pytest.fixture
def tree(tmp_path):
    """A copy of solutions/, lessons/ and docs/ to break on purpose."""
    for folder in ("solutions", "lessons", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    assert course_build.check(tmp_path) == []
    return tmp_path


def _problems(root) -> str:
    return "\n".join(course_build.check(root))


def test_a_lesson_holds_stubs_and_no_hidden_tests():
    for src in course_build.sources(ROOT):
        lesson = nbformat.read(course_build.lesson_path(src, ROOT), as_version=4)
        solution = jupytext.read(src)
        def markdown(nb):
            return [c.source for c in nb.cells if c.cell_type == "markdown"]

        assert markdown(lesson) == markdown(solution)
        for cell in lesson.cells:
            meta = cell.metadata.get("nbgrader", {})
            assert cell.id == meta.get("grade_id", cell.id)
            kind = EXERCISES[meta["grade_id"]].kind if meta.get("solution") else None
            if kind == "predict":  # a value is asked for, not code
                assert cell.source.startswith(f"{meta['grade_id']} = ...")
            elif kind == "fix":  # the given code, its bug included
                assert "raise NotImplementedError()" not in cell.source and meta["grade_id"] in cell.source
            elif kind:
                assert "raise NotImplementedError()" in cell.source
            if meta.get("grade"):
                assert cell.source.startswith("check(") and "full=True" not in cell.source
                assert meta["checksum"] and cell.metadata["editable"] is False


def test_build_is_deterministic(tree):
    before = {p.name: p.read_text() for p in (tree / "lessons").glob("*.ipynb")}
    course_build.build(tree, log=lambda *a: None)
    assert {p.name: p.read_text() for p in (tree / "lessons").glob("*.ipynb")} == before


def test_drift_is_caught_and_build_repairs_it(tree):
    src = course_build.sources(tree)[0]
    src.write_text(src.read_text().replace("# # Lesson 1", "# # Lesson one"))
    assert "differs from what solutions/01_data.py builds (cell 1 differs)" in _problems(tree)
    course_build.build(tree, log=lambda *a: None)
    assert course_build.check(tree) == []


def test_hand_edits_leaks_and_outputs_are_caught(tree):
    path = tree / "lessons" / "02_fixup.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "fixup")
    solution = next(c for c in jupytext.read(tree / "solutions" / "02_fixup.py").cells if "def fixup" in c.source)
    line = solution.source.split("### BEGIN SOLUTION\n")[1].split("\n")[0]  # the answer's first line
    leaked = f"### BEGIN SOLUTION\n{line}\n    ### END SOLUTION"
    cell.source = cell.source.replace("raise NotImplementedError()", leaked)
    check_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    check_cell.outputs = [nbformat.v4.new_output("stream", text="✓ fixup")]
    nbformat.write(nb, path)
    problems = _problems(tree)
    assert "lessons/02_fixup.ipynb: differs from what solutions/02_fixup.py builds" in problems
    assert "holds solution code from solutions/02_fixup.py" in problems
    assert "holds the marker 'BEGIN SOLUTION'" in problems
    assert "stores outputs" in problems


def test_hidden_tests_in_a_lesson_are_caught(tree):
    path = tree / "lessons" / "01_data.ipynb"
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if c["id"] == "read_imdb-check")
    cell["source"] = ['check("read_imdb", read_imdb)\n', 'check("read_imdb", read_imdb, full=True)']
    path.write_text(json.dumps(nb))
    assert "holds hidden test code from solutions/01_data.py" in _problems(tree)


def test_missing_stale_and_notebook_sources_are_caught(tree):
    (tree / "lessons" / "03_tokenize.ipynb").unlink()
    shutil.copy(tree / "lessons" / "01_data.ipynb", tree / "lessons" / "09_old.ipynb")
    (tree / "solutions" / "05_loader.ipynb").write_text("{}")
    problems = _problems(tree)
    assert "lessons/03_tokenize.ipynb: missing" in problems
    assert "lessons/09_old.ipynb: no solutions/09_old.py builds it" in problems
    assert "solutions/05_loader.ipynb: solutions are kept as percent scripts" in problems
    course_build.build(tree, log=lambda *a: None)
    assert not (tree / "lessons" / "09_old.ipynb").exists()


SOLUTION = ('# %% nbgrader={"grade": false, "grade_id": "f", "locked": false, "schema_version": 3, '
            '"solution": true, "task": false}\n')
CHECK = ('# %% nbgrader={"grade": true, "grade_id": "f-check", "locked": true, "points": 1, "schema_version": 3, '
         '"solution": false, "task": false}\n')
BODY = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"


@pytest.mark.parametrize(
    "text, error",
    [
        ("# %%\n" + BODY, "markers in a cell with no nbgrader metadata"),
        (SOLUTION + BODY + "\n" + SOLUTION + BODY, "grade_id 'f' is already used by cell 1"),
        (SOLUTION + "def f(x):\n    ### BEGIN SOLUTION\n    return x\n",
         "1 '### BEGIN SOLUTION' but 0 '### END SOLUTION'"),
        (SOLUTION.replace('"schema_version": 3, ', "") + BODY, "nbgrader metadata lacks schema_version"),
        (CHECK.replace('"points": 1, ', "") + "f(1)\n", "a grade or task cell needs points"),
        (SOLUTION + BODY + "\n" + SOLUTION.replace('"f"', '"g"')
         + "x = 1\n### BEGIN HIDDEN TESTS\nx\n### END HIDDEN TESTS\n",
         "hidden tests in a cell not marked grade"),
        (SOLUTION + "def f(x):\n    return x\n", "no '### BEGIN SOLUTION' region"),
        (SOLUTION.replace('"f"', '"f g"') + BODY, "grade_id 'f g' should be letters"),
    ],
)
def test_invalid_sources_are_refused_with_the_cell(tmp_path, text, error):
    src = tmp_path / "solutions" / "01_x.py"
    src.parent.mkdir()
    src.write_text(text)
    with pytest.raises(course_build.SourceError, match="cell"):
        course_build.read_source(src)
    assert error in "\n".join(course_build.check(tmp_path))
    assert main(["build", "--root", str(tmp_path)]) == 1


def test_a_released_line_outside_a_solution_region_is_refused(tree):
    src = tree / "solutions" / "05_loader.py"
    text = src.read_text(encoding="utf-8")
    given = "    ### RELEASED n_rows = 0\n    ### BEGIN SOLUTION\n    n_rows"
    src.write_text(text.replace("    ### BEGIN SOLUTION\n    n_rows", given, 1))
    with pytest.raises(course_build.SourceError, match="outside a solution region"):
        course_build.read_source(src)
