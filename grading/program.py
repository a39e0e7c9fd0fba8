"""The learner's program: the exercise cells of a notebook, and the imports of its other cells that those cells use.

What runs, and what is refused:
- each code cell whose `grade_id` is one of the lesson's exercises is that exercise, and runs as it is (two cells of
  one exercise, as a copy and paste in Jupyter makes, both run, the later one last);
- a name an exercise uses may come from an import in another code cell. The lesson's own imports (the same line in
  `solutions/`) of ordinary modules run before the learner's code (`trusted`); the imports the learner added run after
  the guard is on (`learner`). Nothing else of the other cells runs: no data loading, no demos;
- from ulmfit_ref, course or grading an exercise gets only the tools its lesson gives (`GIVEN`, imported as the
  lesson imports them); any other name from those packages, and any import of them in an exercise cell, is refused,
  with the cell and the line, and that exercise scores zero.
"""

import ast
import dataclasses
import json
import os
import stat
from pathlib import Path

import jupytext
import nbformat

from course.exercises import PROTECTED, given_names, not_given

MAX_NOTEBOOK = 64 << 20  # bytes of a submitted notebook; a lesson with its outputs is well under 5 MiB


class NotebookError(ValueError):
    """A submission that cannot be read as a notebook at all."""


@dataclasses.dataclass
class Cell:
    """One exercise cell: its grade_id, its code, and why it is refused (None when it may run)."""

    name: str
    code: str
    refused: str | None = None


@dataclasses.dataclass
class Program:
    """What the sandbox runs, in this order: `given` and `trusted` imports (before the guard), `learner` imports, the
    exercise cells in notebook order; `variants` are other answers to one exercise, each run on its own."""

    lesson: str
    given: list[str]
    trusted: list[str]
    learner: list[str]
    cells: list[Cell]
    variants: list[Cell] = dataclasses.field(default_factory=list)

    def cell(self, name: str) -> Cell | None:
        """The exercise's cell (the last one, if the notebook holds two: running it top to bottom defines that one)."""
        return next((c for c in reversed(self.cells) if c.name == name), None)

    def uses(self, name: str, other: str, variant: int | None = None) -> bool:
        """Whether the code of exercise `name` refers to the name `other`."""
        cells = [self.variants[variant]] if variant is not None else [c for c in self.cells if c.name == name]
        return any(other in used_names(c.code) for c in cells)


def read_submitted(path: Path, limit: int = MAX_NOTEBOOK) -> bytes:
    """The bytes of a submitted file: a regular file only (never a FIFO, a device or a folder), at most `limit`
    bytes; `NotebookError` with the reason otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens at once, and is refused below
    except OSError as e:
        raise NotebookError(f"{path.name} could not be opened ({e.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError(f"{path.name} is not a regular file (a folder, a FIFO, a device): submit the notebook")
        if info.st_size > limit:
            raise NotebookError(f"{path.name} is {info.st_size >> 20} MiB; a notebook is {limit >> 20} MiB at most")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise NotebookError(f"{path.name} grew past {limit >> 20} MiB while it was read")
    return data


def read_notebook(path, notes: list | None = None) -> nbformat.NotebookNode:
    """A submission or lesson (.ipynb) or a solution script (.py); `NotebookError` with the reason if it is unreadable.
    Metadata that is not a mapping (which stops nbformat itself) is emptied, and said in `notes`."""
    path = Path(path)
    if path.suffix == ".py":
        return jupytext.read(path, fmt="py:percent")
    text = read_submitted(path).decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise NotebookError(f"{path.name} is not valid JSON ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError(f"{path.name} is not a Jupyter notebook (it holds no list of cells)")
    said = mappings(data)
    if notes is not None:
        notes += said
    try:
        return nbformat.reads(json.dumps(data), as_version=4)
    except Exception as e:  # noqa: BLE001 - nbformat raises many kinds; every one means "not a notebook"
        raise NotebookError(f"{path.name} is not a Jupyter notebook ({type(e).__name__}: {e})") from None


def mappings(data: dict) -> list[str]:
    """Empty each metadata of `data` (a notebook's JSON) that is not a mapping; returns what was done, in words."""
    said = []
    if not isinstance(data.get("metadata", {}), dict):
        data["metadata"] = {}
        said.append("the notebook's metadata was not a mapping (it was emptied)")
    for i, cell in enumerate(data["cells"], 1):
        if isinstance(cell, dict) and not isinstance(cell.get("metadata", {}), dict):
            cell["metadata"] = {}
            said.append(f"cell {i}: its metadata was not a mapping (it was emptied)")
        if isinstance(cell, dict) and not isinstance(cell.get("metadata", {}).get("nbgrader", {}), dict):
            del cell["metadata"]["nbgrader"]
            said.append(f"cell {i}: its nbgrader metadata was not a mapping (it was removed)")
    return said


def _nbgrader(cell) -> dict:
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return meta if isinstance(meta, dict) else {}


def is_exercise(cell) -> bool:
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and meta.get("solution") is True and isinstance(meta.get("grade_id"), str)


def exercise_names(nb) -> list[str]:
    """The grade_ids of the exercise (solution) cells, in order, each once."""
    return list(dict.fromkeys(_nbgrader(c)["grade_id"] for c in nb.cells if is_exercise(c)))


def _imports(nb, exercises=()) -> list[tuple[int, ast.stmt]]:
    """(cell number, statement) of each top-level import in the code cells that are not exercise cells."""
    out = []
    for i, cell in enumerate(nb.cells, 1):
        if cell.get("cell_type") != "code" or _nbgrader(cell).get("grade_id") in exercises:
            continue
        if cell.source.lstrip().startswith("%%"):  # a cell magic (%%writefile, %%bash): its body is not Python
            continue
        try:
            body = ast.parse(cell.source).body
        except SyntaxError:  # a cell with IPython line magics: each of its plain import lines that parses still counts
            body = [node for line in cell.source.split("\n") if line.startswith(("import ", "from "))
                    for node in _parsed(line)]
        out += [(i, node) for node in body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return out


def _parsed(line: str) -> list:
    """The statements of one line, or none where it is not Python."""
    try:
        return ast.parse(line).body
    except SyntaxError:
        return []


def _aliases(node) -> list[tuple[str, str, str]]:
    """(name bound, what it is bound to, the import of that name alone) for each name an import statement binds."""
    if isinstance(node, ast.Import):
        return [
            (
                a.asname or a.name.split(".")[0],
                a.name if a.asname else a.name.split(".")[0],
                f"import {a.name}" + (f" as {a.asname}" if a.asname else ""),
            )
            for a in node.names
        ]
    module = "." * node.level + (node.module or "")
    return [
        (
            a.asname or a.name,
            f"{module}.{a.name}",
            f"from {module} import {a.name}" + (f" as {a.asname}" if a.asname else ""),
        )
        for a in node.names
    ]


def _protected(module: str) -> bool:
    return module.lstrip(".").split(".")[0] in PROTECTED or module.startswith(".")


def used_names(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _checked(cell: Cell) -> Cell:
    """`cell` with `refused` set when its code does not parse or imports the reference."""
    try:
        tree = ast.parse(cell.code, filename=f"<exercise {cell.name}>")
    except SyntaxError as e:
        return dataclasses.replace(cell, refused=f"SyntaxError on line {e.lineno} of your {cell.name} cell: {e.msg}")
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for _, target, _ in _aliases(node):
                if _protected(target):
                    where = f"line {node.lineno} of your {cell.name} cell"
                    return dataclasses.replace(
                        cell,
                        refused=f"`{ast.unparse(node)}` ({where}) is refused: an exercise is answered without "
                        f"{target.lstrip('.').split('.')[0] or 'the course'}",
                    )
    return cell


def exercise_cells(nb, names) -> list[Cell]:
    """The code cells of `nb` whose grade_id is one of the exercises `names`, in order (a copy too), each checked."""
    return [
        _checked(Cell(_nbgrader(c)["grade_id"], c.source))
        for c in nb.cells
        if c.get("cell_type") == "code" and _nbgrader(c).get("grade_id") in names
    ]


def extract(nb, lesson_nb, lesson: str, variants: list[Cell] = ()) -> Program:
    """The program of notebook `nb`; `lesson_nb` (the lesson's solution) says which imports are the lesson's own."""
    lesson_lines = {line for _, node in _imports(lesson_nb) for _, _, line in _aliases(node)}
    names = exercise_names(lesson_nb)
    given = given_names(lesson)
    cells = exercise_cells(nb, names)
    variants = [_checked(v) for v in variants]
    used = set().union(*(used_names(c.code) for c in [*cells, *variants]))
    lines, refusals = {}, {}
    for i, node in _imports(nb, names):
        for name, target, line in _aliases(node):
            if name not in used:
                continue
            kind = "learner"
            if _protected(target):
                module = target.lstrip(".").rsplit(".", 1)[0]
                if line not in lesson_lines:
                    refusals[name] = (
                        f"`{line}` (cell {i}) is refused: {name} comes from {module}, which an exercise "
                        "is answered without"
                    )
                    continue
                if given.get(name) != ":".join(target.rsplit(".", 1)):
                    refusals[name] = not_given("{exercise}", name, module, lesson)
                    continue
                kind = "given"
            elif line in lesson_lines:
                kind = "trusted"
            lines[name] = (kind, line)
            refusals.pop(name, None)
    for group in (cells, variants):
        for k, cell in enumerate(group):
            bad = next((refusals[n] for n in sorted(used_names(cell.code)) if n in refusals), None)
            if cell.refused is None and bad:
                group[k] = dataclasses.replace(cell, refused=bad.replace("{exercise}", cell.name))
    kinds = ("given", "trusted", "learner")
    by_kind = {kind: [line for k, line in dict.fromkeys(lines.values()) if k == kind] for kind in kinds}
    return Program(lesson, by_kind["given"], by_kind["trusted"], by_kind["learner"], cells, variants)
