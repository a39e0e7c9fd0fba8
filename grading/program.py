"""The learner's program: the exercise cells of a notebook, plus the lesson's imports that those cells use.

What is run, and what is refused:
- each cell whose nbgrader metadata says `solution: true` is an exercise, named by its `grade_id`; it runs as is;
- the names these cells use may come from import statements in the notebook's other code cells (`import re` added
  by the learner in the first cell, or `from ulmfit_ref.data import Reviews` given by the lesson): each such import
  runs first, before any learner code. Nothing else of the other cells runs (no data loading, no demos);
- an import of `ulmfit_ref`, `course` or `grading` counts as the lesson's only when the lesson itself (solutions/)
  has the very same import: anything else, and any import of those packages inside an exercise cell, is refused,
  with the cell and the line, and that exercise scores zero.
"""

import ast
import dataclasses
import json
from pathlib import Path

import jupytext
import nbformat

from .child import PROTECTED

_SUSPECT_ATTRIBUTES = ("__globals__", "__builtins__", "__import__", "__subclasses__", "__loader__")


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
    """The imports to run first (trusted: the lesson's own or harmless), then the exercise cells in notebook order."""

    imports: str
    cells: list[Cell]

    def cell(self, name: str) -> Cell | None:
        return next((c for c in self.cells if c.name == name), None)


def read_notebook(path) -> nbformat.NotebookNode:
    """A submission or lesson (.ipynb) or a solution script (.py); `NotebookError` with the reason when it is unreadable."""
    path = Path(path)
    if path.suffix == ".py":
        return jupytext.read(path, fmt="py:percent")
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        raise NotebookError(f"{path.name} is not valid JSON ({e})") from None
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as e:  # noqa: BLE001 - nbformat raises many kinds; every one means "not a notebook"
        raise NotebookError(f"{path.name} is not a Jupyter notebook ({type(e).__name__}: {e})") from None


def exercise_names(nb) -> list[str]:
    """The grade_ids of the exercise (solution) cells, in order."""
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if _is_exercise(c)]


def _is_exercise(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("solution")) and isinstance(meta.get("grade_id"), str)


def _imports(nb, exclude_exercises: bool = True) -> list[tuple[int, ast.stmt, str]]:
    """(cell number, statement, source line) of each top-level import in the code cells."""
    out = []
    for i, cell in enumerate(nb.cells, 1):
        if cell.get("cell_type") != "code" or (exclude_exercises and _is_exercise(cell)):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # a cell with IPython magics: its plain import lines still count
            tree = ast.parse("\n".join(line for line in cell.source.split("\n") if line.startswith(("import ", "from "))))
        out += [(i, node, ast.unparse(node)) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return out


def _aliases(node) -> list[tuple[str, str, str]]:
    """(name bound, what it is bound to, the import of that name alone) for each name an import statement binds."""
    if isinstance(node, ast.Import):
        return [
            (a.asname or a.name.split(".")[0], a.name if a.asname else a.name.split(".")[0], f"import {a.name}" + (f" as {a.asname}" if a.asname else ""))
            for a in node.names
        ]
    module = "." * node.level + (node.module or "")
    return [(a.asname or a.name, f"{module}.{a.name}", f"from {module} import {a.name}" + (f" as {a.asname}" if a.asname else "")) for a in node.names]


def _protected(module: str) -> bool:
    return module.lstrip(".").split(".")[0] in PROTECTED or module.startswith(".")


def _used_names(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _checked(cell: Cell) -> Cell:
    """`cell` with `refused` set when its code does not parse or reaches for the reference."""
    try:
        tree = ast.parse(cell.code, filename=f"<exercise {cell.name}>")
    except SyntaxError as e:
        return dataclasses.replace(cell, refused=f"SyntaxError on line {e.lineno} of your {cell.name} cell: {e.msg}")
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')} of your {cell.name} cell"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for _, target, _ in _aliases(node):
                if _protected(target):
                    return dataclasses.replace(
                        cell, refused=f"`{ast.unparse(node)}` ({where}) is refused: an exercise is answered without {target.split('.')[0]}"
                    )
        if isinstance(node, ast.Attribute) and node.attr in _SUSPECT_ATTRIBUTES:
            return dataclasses.replace(cell, refused=f"`{node.attr}` ({where}) is refused in exercise code")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(p in node.value for p in ("ulmfit_ref", "grading.")):
            return dataclasses.replace(cell, refused=f"the string {node.value!r} ({where}) is refused in exercise code")
        if isinstance(node, ast.Name) and node.id in ("__import__", "__builtins__"):
            return dataclasses.replace(cell, refused=f"`{node.id}` ({where}) is refused in exercise code")
    return cell


def extract(nb, lesson) -> Program:
    """The program of notebook `nb`, with `lesson` (the solution notebook of the same lesson) saying which imports are its own."""
    lesson_bindings = {name: target for _, node, _ in _imports(lesson, exclude_exercises=False) for name, target, _ in _aliases(node)}
    cells = [_checked(Cell(c.metadata["nbgrader"]["grade_id"], c.source)) for c in nb.cells if _is_exercise(c)]
    used = set().union(*(_used_names(c.code) for c in cells))
    lines, refusals = {}, {}
    for i, node, source in _imports(nb):
        for name, target, line in _aliases(node):
            if name not in used:
                continue
            if _protected(target) and lesson_bindings.get(name) != target:
                refusals[name] = f"`{source}` (cell {i}) is refused: {name} comes from {target.lstrip('.').split('.')[0]}, which an exercise must not use"
                lines.pop(name, None)
            else:
                lines[name] = line
                refusals.pop(name, None)
    for k, cell in enumerate(cells):
        bad = next((refusals[n] for n in sorted(_used_names(cell.code)) if n in refusals), None)
        if cell.refused is None and bad:
            cells[k] = dataclasses.replace(cell, refused=bad)
    return Program("\n".join(dict.fromkeys(lines.values())), cells)
