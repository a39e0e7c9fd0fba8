"""The nbgrader course's `source/` folder: one assignment per lesson, its notebook built from solutions/ with the
solutions and hidden tests kept (nbgrader's generate_assignment strips them for the release)."""

import json
from pathlib import Path

import nbformat

from course.build import read_source, sources

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "grading"  # the course directory: nbgrader_config.py, source/, and what nbgrader writes beside them


def lessons(root=ROOT) -> list[str]:
    """The lesson names (`03_tokenize`), which are the assignment and notebook names too."""
    return [src.stem for src in sources(root)]


def notebook(lesson: str, root=ROOT) -> nbformat.NotebookNode:
    """The source notebook of `lesson`: the solution with its hidden tests, no outputs, cell ids as in lessons/."""
    nb = read_source(Path(root) / "solutions" / f"{lesson}.py")
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata.pop("jupytext", None)
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("lines_to_next_cell", None)
        cell["id"] = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell-{i:03d}"
    nbformat.validate(nb)
    return nb


def answered(lesson: str, root=ROOT) -> nbformat.NotebookNode:
    """The lesson as released, with every exercise answered by the solution: a submission with full marks."""
    from course.build import release

    nb, solution = release(notebook(lesson, root)), notebook(lesson, root)
    answers = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in solution.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            lines = answers[cell.metadata["nbgrader"]["grade_id"]].split("\n")
            cell.source = "\n".join(
                line for line in lines if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
            )
    return nb


def build(course=COURSE, root=ROOT, names=None, log=print) -> list[Path]:
    """Write `course/source/LESSON/LESSON.ipynb` for each lesson (or those in `names`); returns the paths."""
    out = []
    for lesson in names or lessons(root):
        path = Path(course) / "source" / lesson / f"{lesson}.ipynb"
        text = nbformat.writes(notebook(lesson, root)) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        log(f"{path}: built from solutions/{lesson}.py")
        out.append(path)
    return out
