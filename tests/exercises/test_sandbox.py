"""The learner's code runs in a child process that refuses the reference and stray files, and stops on loops, crashes
and memory; only its exercise cells and the imports they use run."""

import copy

import pytest

from grading import program, verify
from grading.exercises import EXERCISES
from grading.sandbox import Sandbox

from .conftest import ROOT

FIXUP = ROOT / "solutions" / "02_fixup.py"
LESSON1 = ROOT / "solutions" / "01_data.py"


def verdict(src, code: str, exercise: str = "fixup", extra_imports: str = "", **limits):
    """The check of `exercise` with `code` in its cell (and `extra_imports` in the notebook's first code cell)."""
    nb = copy.deepcopy(program.read_notebook(src))
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == exercise:
            cell.source = code
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = extra_imports + "\n" + first.source
    with Sandbox(program.extract(nb, program.read_notebook(src)), **{"call_timeout": 3, **limits}) as sandbox:
        return verify.check(EXERCISES[exercise], sandbox, max_examples=10)


def test_only_the_exercise_cells_and_their_imports_run():
    nb = program.read_notebook(LESSON1)
    prog = program.extract(nb, nb)
    assert "from ulmfit_ref.data import Reviews" in prog.imports, "the lesson's own imports, which the exercises use"
    assert "lesson_imdb" not in prog.imports and "checks" not in prog.imports
    assert [c.name for c in prog.cells] == ["read_imdb", "make_splits", "write_csv"]


@pytest.mark.parametrize("code", ["from ulmfit_ref.text import fixup", "import ulmfit_ref.text as t\nfixup = t.fixup", "from course import checks\nfixup = None"])
def test_an_import_of_the_reference_in_an_exercise_cell_is_refused(code):
    v = verdict(FIXUP, code)
    assert not v.passed and "is refused" in v.message, v.message


def test_an_import_of_the_reference_added_to_the_lesson_imports_is_refused():
    v = verdict(FIXUP, "def fixup(x):\n    return ref(x)", extra_imports="from ulmfit_ref.text import fixup as ref")
    assert not v.passed and "refused" in v.message and "ref comes from ulmfit_ref" in v.message, v.message


def test_a_harmless_import_added_by_the_learner_is_kept():
    code = "def fixup(x):\n    return re.sub(' {2,}', ' ', html.unescape(x))"
    v = verdict(FIXUP, code, extra_imports="import re")
    assert not v.passed and "differs from the reference" in v.message, v.message


def test_a_disguised_import_of_the_reference_is_refused_when_it_runs():
    code = "import importlib\ndef fixup(x):\n    return importlib.import_module('ulmfit' + '_ref.text').fixup(x)"
    v = verdict(FIXUP, code)
    assert not v.passed and "ulmfit_ref" in v.message and "was refused" in v.message, v.message


def test_reading_a_file_outside_the_folder_is_refused_even_when_caught():
    code = "def fixup(x):\n    try:\n        open('/etc/hostname').read()\n    except OSError:\n        pass\n    return x"
    v = verdict(FIXUP, code)
    assert not v.passed and "reading /etc/hostname" in v.message, v.message


def test_an_endless_loop_times_out():
    v = verdict(FIXUP, "def fixup(x):\n    while True:\n        pass", call_timeout=1)
    assert not v.passed and "did not finish within 1 s" in v.message and "on the input: fixup(" in v.message, v.message


def test_an_endless_loop_at_the_top_of_a_cell_times_out():
    v = verdict(FIXUP, "while True:\n    pass", call_timeout=1)
    assert not v.passed and "running your fixup cell" in v.message and "did not finish" in v.message, v.message


@pytest.mark.parametrize("code, what", [("import os\ndef fixup(x):\n    os.abort()", "crashed (SIGABRT)"), ("import os\ndef fixup(x):\n    os._exit(1)", "exit code 1")])
def test_a_crash_is_reported(code, what):
    v = verdict(FIXUP, code)
    assert not v.passed and what in v.message, v.message


def test_filling_memory_is_stopped():
    code = "def fixup(x):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))"
    v = verdict(FIXUP, code, memory_mb=600)
    assert not v.passed and "more than the 600 MiB of memory" in v.message, v.message


def test_a_str_whose_eq_is_always_true_does_not_pass():
    code = "class S(str):\n    def __eq__(self, other):\n        return True\n    __hash__ = str.__hash__\ndef fixup(x):\n    return S('')"
    v = verdict(FIXUP, code)
    assert not v.passed and "should be a str" in v.message, v.message


def test_a_deleted_exercise_cell_is_reported():
    nb = copy.deepcopy(program.read_notebook(FIXUP))
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "fixup"]
    with Sandbox(program.extract(nb, program.read_notebook(FIXUP))) as sandbox:
        v = verify.check(EXERCISES["fixup"], sandbox)
    assert not v.passed and "no fixup exercise cell" in v.message
