"""The catalogues of answers that prove the checks (wrong ones in mutants/, correct ones written differently in
equivalents/), and the two places an answer is checked: the notebook's kernel (in this process, as a check cell
calls it) and the grader's sandbox (one child process per lesson, each answer a variant of the solution's program)."""

import ast
import linecache
import re
from functools import cache
from pathlib import Path

from grading import program

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.py"))
LESSONS = [src.stem for src in SOLUTIONS]
_re_answer = re.compile(r"^# %% (\w+): (.+)$", re.M)


def catalogue(kind: str) -> list[tuple[str, str, str, str]]:
    """(lesson, exercise, what it is, code) of every answer in `kind`/NN_name.py ("mutants" or "equivalents")."""
    out = []
    for path in sorted((Path(__file__).parent / kind).glob("[0-9][0-9]_*.py")):
        parts = _re_answer.split(path.read_text(encoding="utf-8"))
        out += [
            (path.stem, name, why, code.strip() + "\n")
            for name, why, code in zip(parts[1::3], parts[2::3], parts[3::3])
        ]
    return out


def ids(answers) -> list[str]:
    return [f"{lesson}::{name}::{why[:45]}" for lesson, name, why, _ in answers]


@cache
def notebook(path: Path):
    return program.read_notebook(path)


def run_cell(code: str, name: str, namespace: dict) -> None:
    """Run an exercise cell as a kernel does, its lines known to tracebacks."""
    filename = f"<exercise {name}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    exec(compile(code, filename, "exec"), namespace)


def kernel(lesson: str, released: bool = False) -> dict:
    """The namespace of a lesson's kernel after its imports and its exercise cells (the solution's, or the stubs of
    the lesson as released), as the notebook builds it."""
    nb = notebook(ROOT / ("lessons" if released else "solutions") / f"{lesson}.{'ipynb' if released else 'py'}")
    namespace = {"__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            run_cell(cell.source, meta["grade_id"], namespace)
        elif not meta.get("grade"):
            tree = ast.parse("\n".join(line for line in cell.source.split("\n") if not line.startswith(("%", "!"))))
            imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
            exec(compile(ast.Module(imports, []), "<the lesson's imports>", "exec"), namespace)
    return namespace


def check_in_kernel(namespace: dict, name: str, full: bool = False, seed: int = 0) -> str | None:
    """What the check cell of `name` says in `namespace`: None when it passes, else its message."""
    from course.exercise import CheckFailed

    try:
        exec(f"check({name!r}, {name}, full={full}, seed={seed})", namespace)
    except CheckFailed as e:
        return str(e)
    return None
