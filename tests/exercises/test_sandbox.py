"""The learner's code runs in a child process, jailed where the machine allows (namespaces, a root of its own, no
capabilities) and guarded by an audit hook in every mode: it refuses the reference and stray files, stops on loops,
crashes and memory, and holds none of the reference, whatever the learner's code reaches for. The dishonest student's
tricks of issue 10 are here, each one a test, in both modes where the mode matters."""

import ast
import copy
import os
import subprocess
import sys
import textwrap
import time

import nbformat
import pytest

from course.exercise import run
from course.exercises import EXERCISES
from grading import jail, program, tools
from grading.sandbox import Sandbox

from .answers import ROOT, notebook

LESSONS = {
    stem: ROOT / "solutions" / f"{stem}.py"
    for stem in ("01_data", "02_fixup", "03_tokenize", "05_loader", "06_dropouts", "08_transfer", "09_finetune")
}
LESSONS_ALL = [p.stem for p in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.py"))]
MODES = [jail.AUDIT] + ([jail.NAMESPACES] if jail.mode()[0] == jail.NAMESPACES else [])


def verdict(
    lesson: str,
    code: str,
    exercise: str,
    extra_imports: str = "",
    mode: str | None = None,
    examples: int = 5,
    seed: int = 1,
    **limits,
):
    """The check of `exercise` with `code` in its cell (and `extra_imports` in the notebook's first code cell)."""
    src = LESSONS[lesson]
    nb = copy.deepcopy(notebook(src))
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == exercise:
            cell.source = code
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = extra_imports + "\n" + first.source
    with Sandbox(program.extract(nb, notebook(src), lesson), mode=mode, **{"call_timeout": 5, **limits}) as sandbox:
        return run(EXERCISES[exercise], sandbox, examples, seed)


def failed(v, *words) -> str:
    assert not v.passed, v.message
    for w in words:
        assert w in v.message, v.message
    return v.message


# --- what runs, and what is refused before anything runs ----------------------------------------------------------


def test_only_the_exercise_cells_their_imports_and_the_given_tools_run():
    nb = notebook(LESSONS["01_data"])
    prog = program.extract(nb, nb, "01_data")
    assert prog.given == [
        "from ulmfit_ref.data import CLASSES",
        "from ulmfit_ref.data import Reviews",
        "from ulmfit_ref.data import Splits",
        "from ulmfit_ref.data import permutation",
    ]
    assert "import csv" in prog.trusted and "from pathlib import Path" in prog.trusted
    assert not any("lesson_imdb" in line or "check" in line for line in prog.trusted + prog.given + prog.learner)
    assert [c.name for c in prog.cells] == ["read_imdb", "kept_share", "make_splits", "test_make_splits", "write_csv"]


FORGED = """import os, sys
os.write(int(sys.argv[2]), b'{"grader_problem": "the grader is broken"}\\n')
def fixup(x):
    return x"""
SPAMMED = """import os, sys
while True:
    os.write(int(sys.argv[2]), b'{"cell": "fixup", "variant": null, "started": true}\\n')"""


def test_a_message_forged_on_the_grader_s_pipe_is_the_submission_s_problem_never_the_grader_s():
    v = verdict("02_fixup", FORGED, "fixup")
    failed(v, "wrote messages of the grader's protocol")
    assert not v.grader_problem


def test_messages_without_end_on_the_pipe_stop_at_the_notebook_s_deadline():
    began = time.monotonic()
    v = verdict("02_fixup", SPAMMED, "fixup", deadline=6)
    failed(v, "allowed for the whole notebook")
    assert not v.grader_problem and time.monotonic() - began < 30


FILLS = """import os, tempfile
def fixup(x):
    try:
        for i in range(8):
            with open(os.path.join(tempfile.gettempdir(), f"f{i}"), "wb") as f:
                f.write(bytes(60 << 20))
    except OSError as e:
        return f"full, errno {e.errno}"
    return "room for 480 MiB"
"""


@pytest.mark.skipif(jail.mode()[0] != jail.NAMESPACES, reason="the scratch's own tmpfs is the jail's")
def test_the_learner_s_scratch_space_is_bounded_and_none_of_the_grader_s_disk():
    failed(verdict("02_fixup", FILLS, "fixup", mode=jail.NAMESPACES), "full, errno 28")


REACHES_THE_CHECKS = """import sys
def fixup(x):
    found = sorted(m for m in sys.modules if m.split(".")[0] in ("course", "grading"))
    return f"reached {found}" if found else x
"""


def test_the_check_modules_cannot_be_reached_by_name_inside_the_sandbox():
    v = verdict("02_fixup", REACHES_THE_CHECKS, "fixup")
    assert "reached" not in v.message, v.message  # it fails as the identity does, never with what it found


def test_magics_and_writefile_cells_whose_lines_look_like_imports_are_never_a_grader_problem():
    nb = copy.deepcopy(notebook(LESSONS["02_fixup"]))
    for text in (
        "%%writefile notes.txt\nfrom the reviews we learn a lot\nimport os",
        "%matplotlib inline\nfrom here on, nothing\nimport json",
    ):
        nb.cells.insert(1, nbformat.v4.new_code_cell(text))
    prog = program.extract(nb, notebook(LESSONS["02_fixup"]), "02_fixup")
    assert "import os" not in prog.trusted + prog.learner  # the body of a cell magic is a file's text, not Python
    assert not any("the reviews" in line or "here on" in line for line in prog.trusted + prog.learner)


@pytest.mark.parametrize(
    "code",
    [
        "from ulmfit_ref.text import fixup",
        "import ulmfit_ref.text as t\nfixup = t.fixup",
        "from course import exercises\nfixup = None",
        "from . import text\nfixup = text.fixup",
    ],
)
def test_an_import_of_the_reference_in_an_exercise_cell_is_refused(code):
    failed(verdict("02_fixup", code, "fixup"), "is refused")


def test_an_import_of_the_reference_added_to_the_lesson_imports_is_refused():
    failed(
        verdict("02_fixup", "def fixup(x):\n    return ref(x)", "fixup", "from ulmfit_ref.text import fixup as ref"),
        "refused",
        "ref comes from ulmfit_ref",
    )


def test_a_harmless_import_added_by_the_learner_is_kept():
    code = "def fixup(x):\n    return re.sub(' {2,}', ' ', html.unescape(x))"
    failed(verdict("02_fixup", code, "fixup", "import re"), "differs from the reference")


@pytest.mark.parametrize(
    "lesson, exercise, code, tool",
    [
        (
            "05_loader",
            "batchify",
            "def batchify(ids, bs):\n    return LanguageModelLoader(ids, bs, 1).data",
            "LanguageModelLoader",
        ),
        (
            "09_finetune",
            "stlr",
            "def stlr(step, total, cut_frac=0.1, ratio=32.0):\n    return STLR(cut_frac, ratio).lr_mult(step, total)",
            "STLR",
        ),
        (
            "03_tokenize",
            "replace_rep",
            "def replace_rep(t):\n    return getattr(fixup, '__glob' + 'als__')['replace_rep'](t)",
            "fixup",
        ),
        (
            "08_transfer",
            "rename_key",
            "def rename_key(k):\n    return getattr(read_lm_weights, '__globals__')['rename_key'](k)",
            "read_lm_weights",
        ),
    ],
)
def test_a_tool_the_lesson_keeps_for_its_other_cells_does_not_reach_an_exercise(lesson, exercise, code, tool):
    # the lesson's own imports handed the reference to the learner: full marks in 7 lessons this way
    failed(verdict(lesson, code, exercise), f"your {exercise} uses {tool}, which the lesson imports from ulmfit_ref")


@pytest.mark.parametrize("mode", MODES)
def test_the_given_tools_hold_no_answer_and_the_process_holds_no_reference(mode):
    # lesson 1 gives Reviews, Splits, CLASSES and permutation: they come without the module that holds the answers
    code = textwrap.dedent("""
        import sys
        def make_splits(reviews, seed=42, lm_valid_frac=0.1, unlabelled=None):
            loaded = sorted(m for m in sys.modules if m.startswith("ulmfit_ref"))
            data = sys.modules["ulmfit_ref.data"]
            found = [getattr(f, "__glob" "als__").get("make_splits") for f in (permutation, Reviews.__len__)]
            raise ValueError(repr((loaded, sorted(n for n in vars(data) if not n.startswith("_")), found)))
    """)
    message = failed(verdict("01_data", code, "make_splits", mode=mode))
    loaded, names, found = eval(message.split("the call raised ValueError: ")[1].split(" (line")[0])  # noqa: S307 - our repr
    assert loaded == ["ulmfit_ref", "ulmfit_ref.data"]
    assert (
        "make_splits" not in names
        and "read_imdb" not in names
        and {"CLASSES", "Reviews", "Splits", "permutation"} <= set(names)
    )
    assert found == [None, None]


def test_the_repository_is_not_on_the_learners_import_path():
    # `from tests.ref... import ...` ran before the guard and brought the reference
    message = failed(
        verdict("02_fixup", "def fixup(x):\n    return answers.ROOT", "fixup", "from tests.exercises import answers")
    )
    assert (
        "an import of your notebook failed" in message
        or "not defined" in message
        or "No module named 'tests'" in message
    )


@pytest.mark.parametrize("lesson", sorted(LESSONS_ALL))
def test_every_lesson_gives_only_tools_that_hold_no_answer(lesson):
    for module, source in tools.sources(lesson).items():
        defined = {n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        answers = {e.reference.split(":")[1].split(".")[0] for e in EXERCISES.values() if e.reference}
        assert not defined & answers, (module, defined)
    with pytest.raises(tools.ToolError, match="answers an exercise"):
        tools.module_source("ulmfit_ref.data", ["Reviews", "make_splits"])


# --- what is refused while the learner's code runs ----------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_disguised_import_of_the_reference_is_refused_when_it_runs(mode):
    code = "import importlib\ndef fixup(x):\n    return importlib.import_module('ulmfit' + '_ref.text').fixup(x)"
    message = failed(verdict("02_fixup", code, "fixup", mode=mode), "ulmfit_ref")
    assert "was refused" in message or (mode == jail.NAMESPACES and "No module named 'ulmfit_ref'" in message), message


@pytest.mark.parametrize("mode", MODES)
def test_reading_a_file_outside_the_folder_is_refused_even_when_caught(mode):
    code = (
        "def fixup(x):\n    try:\n        open('/etc/hostname').read()\n    except OSError:\n        pass\n    return x"
    )
    failed(verdict("02_fixup", code, "fixup", mode=mode), "reading /etc/hostname")


@pytest.mark.parametrize("mode", MODES)
def test_the_reference_source_cannot_be_read_through_a_directory_descriptor(mode):
    # os.open(path, dir_fd=...) was not checked: the reference's source was read
    site = jail.python_dirs()[-1]
    depth = len(site.strip("/").split("/"))
    target = "../" * depth + str(ROOT / "ulmfit_ref" / "text.py").lstrip("/")
    code = textwrap.dedent(f"""
        import os
        def fixup(x):
            fd = os.open({site!r}, os.O_RDONLY)
            source = os.read(os.open({target!r}, os.O_RDONLY, dir_fd=fd), 1 << 20).decode()
            return source
    """)
    failed(verdict("02_fixup", code, "fixup", mode=mode), "was refused")


@pytest.mark.parametrize("mode", MODES)
def test_the_guard_cannot_be_switched_off_from_inside(mode):
    # sys._getframe(1).f_globals reached the grader's module, and the hook's on-switch was in a refusal's traceback
    code = textwrap.dedent("""
        import sys
        def scrub(d):
            for k, v in list(d.items()):
                if isinstance(v, (list, dict, set)) and not k.startswith("__"):
                    try:
                        v.clear()
                    except Exception:
                        pass
                elif isinstance(v, bool):
                    d[k] = False
        def fixup(x):
            frame = sys._getframe(1)
            while frame is not None:
                scrub(frame.f_globals)
                frame = frame.f_back
            try:
                open('/etc/hostname')
            except PermissionError as e:
                tb = e.__traceback__
                while tb is not None:
                    scrub(tb.tb_frame.f_locals)
                    tb = tb.tb_next
            return open('/etc/passwd').read()
    """)
    failed(verdict("02_fixup", code, "fixup", mode=mode), "was refused")


@pytest.mark.parametrize("mode", MODES)
def test_no_process_can_be_started_detached_or_not(mode):
    code = textwrap.dedent("""
        import sys
        def fixup(x):
            fork_exec = getattr(sys.modules.get("subprocess"), "_posixsubprocess", None)
            if fork_exec is None:
                import _posixsubprocess
            return x
    """)
    failed(verdict("02_fixup", code, "fixup", mode=mode), "import _posixsubprocess", "was refused")
    code = (
        "import subprocess\ndef fixup(x):\n    subprocess.Popen(['sleep', '30'], start_new_session=True)\n    return x"
    )
    failed(verdict("02_fixup", code, "fixup", mode=mode), "was refused")


def test_properties_are_judged_in_the_grader_and_a_fixed_pattern_is_no_mask():
    # the dropout properties were computed in the learner's process (monkeypatchable); non-random masks passed them
    pattern = textwrap.dedent("""
        def dropout_mask(x, size, p):
            mask = x.new_ones(size) / (1 - p)
            flat = mask.view(-1)
            flat[: int(round(p * flat.numel()))] = 0
            return mask
    """)
    failed(verdict("06_dropouts", pattern, "dropout_mask"), "each call should draw a new random mask")
    patched = textwrap.dedent("""
        import sys
        def dropout_mask(x, size, p):
            for m in list(sys.modules.values()):
                for name in ("about_p", "mask_values_problem", "fraction_problem", "independence_problem",
                             "_judge_mask"):
                    if hasattr(m, name):
                        setattr(m, name, lambda *a, **k: None)
            return x.new_ones(size)
    """)
    failed(verdict("06_dropouts", patched, "dropout_mask"), "scaled by 1/(1-p)")


def test_an_object_that_calls_itself_a_tensor_does_not_pass():
    code = textwrap.dedent("""
        class Tensor:
            __module__ = "torch"
            def __init__(self, *a): self.shape = (0,)
            def tolist(self): return []
        def batchify(ids, bs):
            return Tensor()
    """)
    failed(verdict("05_loader", code, "batchify"), "should be a tensor")


def test_answers_recorded_for_one_seed_fail_on_a_fresh_one():
    # the random inputs were derandomized, so answers recorded offline for them passed
    from course.exercise import InProcess
    from ulmfit_ref.text import partition_by_cores

    table = {}

    def recorder(items, n):
        table[repr((items, n))] = partition_by_cores(items, n)
        return table[repr((items, n))]

    assert run(EXERCISES["partition_by_cores"], InProcess({"partition_by_cores": recorder}), 100, seed=42).passed
    code = f"TABLE = {table!r}\ndef partition_by_cores(items, n):\n    return TABLE.get(repr((items, n)), [])"
    assert verdict("03_tokenize", code, "partition_by_cores", examples=100, seed=42).passed, "the recorded seed itself"
    again = verdict("03_tokenize", code, "partition_by_cores", examples=100, seed=None)
    message = failed(again, "drawn from seed")
    seed = int(message.split("drawn from seed ")[1].split(":")[0])
    assert verdict("03_tokenize", code, "partition_by_cores", examples=100, seed=seed).message == message, "drawn again"


# --- limits ---------------------------------------------------------------------------------------------------------


def test_an_endless_loop_times_out():
    failed(
        verdict("02_fixup", "def fixup(x):\n    while True:\n        pass", "fixup", call_timeout=1),
        "did not finish within 1 s",
        "on the input: fixup(",
    )


def test_an_endless_loop_at_the_top_of_a_cell_times_out():
    failed(
        verdict("02_fixup", "while True:\n    pass", "fixup", call_timeout=1),
        "running your fixup cell",
        "did not finish",
    )


@pytest.mark.parametrize(
    "code, what",
    [
        ("import os\ndef fixup(x):\n    os.abort()", "crashed (SIGABRT)"),
        ("import os\ndef fixup(x):\n    os._exit(1)", "exit code 1"),
    ],
)
def test_a_crash_is_reported(code, what):
    failed(verdict("02_fixup", code, "fixup"), what)


def test_filling_memory_is_stopped_and_said_so_however_slow_the_machine():
    code = "def fixup(x):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))"
    v = verdict("02_fixup", code, "fixup", memory_mb=300, call_timeout=120, exercise_budget=240)
    failed(v, "more than the 300 MiB of memory")


def test_the_memory_limit_is_sized_after_the_lessons_imports():
    # under a fixed 2048 MB address space a CUDA build of torch failed to load, and the learner was told of a NameError
    src = LESSONS["05_loader"]
    with Sandbox(program.extract(notebook(src), notebook(src), "05_loader"), memory_mb=64) as sandbox:
        v = run(EXERCISES["batchify"], sandbox, 5, 1)
    assert v.passed, v.message


def test_an_import_that_fails_in_the_grader_is_the_graders_problem():
    src = LESSONS["02_fixup"]
    lesson = copy.deepcopy(notebook(src))
    first = next(c for c in lesson.cells if c.cell_type == "code")
    first.source = "import ulmfit_missing_dependency\n" + first.source  # as libtorch failing to load would
    for cell in lesson.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "fixup":
            cell.source = "def fixup(x):\n    return ulmfit_missing_dependency.fixup(x)"
    with Sandbox(program.extract(lesson, lesson, "02_fixup")) as sandbox:
        v = run(EXERCISES["fixup"], sandbox, 5, 1)
    assert v.grader_problem and not v.passed
    assert "the grader could not run the lesson's `import ulmfit_missing_dependency`" in v.message
    assert "your" not in v.message


def test_a_str_whose_eq_is_always_true_does_not_pass():
    code = (
        "class S(str):\n    def __eq__(self, other):\n        return True\n    __hash__ = str.__hash__\n"
        "def fixup(x):\n    return S('')"
    )
    failed(verdict("02_fixup", code, "fixup"), "should be a str")


def test_a_deleted_exercise_cell_is_reported():
    nb = copy.deepcopy(notebook(LESSONS["02_fixup"]))
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "fixup"]
    with Sandbox(program.extract(nb, notebook(LESSONS["02_fixup"]), "02_fixup")) as sandbox:
        failed(run(EXERCISES["fixup"], sandbox, 5), "no fixup exercise cell")


# --- the jail itself --------------------------------------------------------------------------------------------------

_JAILED = textwrap.dedent("""
    import os, socket, subprocess, sys, time
    from grading import jail
    scratch, hidden = sys.argv[1], sys.argv[2]
    jail.enter(scratch, [], [hidden])
    print("course sources visible:", os.path.exists(hidden + "/exercise.py"))
    print("repository visible:", os.path.exists(sys.argv[3]))
    try:
        open("/usr/x", "w")
    except OSError as e:
        print("write outside scratch:", type(e).__name__)
    print("capabilities:", [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")])
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=1)
        print("network: yes")
    except OSError:
        print("network: no")
    child = subprocess.Popen(["sleep", "61.2345"], start_new_session=True)
    print("detached:", child.pid, flush=True)
    time.sleep(60)
""")


@pytest.mark.skipif(jail.mode()[0] != jail.NAMESPACES, reason=f"no namespaces here: {jail.mode()[1]}")
def test_the_jail_holds_no_course_file_no_network_no_capability_and_no_process_outlives_it(tmp_path):
    import course

    argv = jail.command(
        [sys.executable, "-I", "-c", _JAILED, str(tmp_path), os.path.dirname(course.__file__), str(ROOT / "solutions")]
    )
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, start_new_session=True)
    lines = []
    while not lines or not lines[-1].startswith("detached:"):
        lines.append(proc.stdout.readline().strip())
        assert lines[-1] or proc.poll() is None, lines
    assert lines[:5] == [
        "course sources visible: False",
        "repository visible: False",
        "write outside scratch: OSError",
        "capabilities: ['0000000000000000']",
        "network: no",
    ]
    os.killpg(proc.pid, 9)
    proc.wait()
    for _ in range(50):  # the kernel ends the namespace's processes once its first one is gone
        sleepers = subprocess.run(["pgrep", "-f", "^sleep 61.2345$"], capture_output=True, text=True).stdout.split()
        if not sleepers:
            break
        time.sleep(0.1)
    assert not sleepers, "a detached process outlived the jail"
