"""The learner notebooks in lessons/, generated from the percent scripts in solutions/ by nbgrader's preprocessors."""

import functools
import json
import re
from pathlib import Path

import jupytext
import nbformat

from .data import ROOT

SOURCE_PATTERN = "[0-9][0-9]_*.py"  # solutions/01_data.py -> lessons/01_data.ipynb
RELEASED = "### RELEASED "  # in a solution region: a line of the given code of a find-and-fix exercise
NBGRADER_KEYS = ("grade", "grade_id", "locked", "schema_version", "solution", "task")
SCHEMA_VERSION = 3
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
_re_grade_id = re.compile(r"^[A-Za-z0-9_-]+$")


class SourceError(ValueError):
    """A solution script that cannot become a lesson, with the file and cell at fault."""


def sources(root=ROOT) -> list[Path]:
    """The solution scripts, in lesson order."""
    return sorted((Path(root) / "solutions").glob(SOURCE_PATTERN))


def lesson_path(src: Path, root=ROOT) -> Path:
    """Where the lesson generated from `src` lives."""
    return Path(root) / "lessons" / (src.stem + ".ipynb")


def _regions(source: str, begin: str, end: str):
    """(inside, outside) lines of `source` for the regions between the `begin` and `end` marker lines."""
    inside, outside, depth = [], [], False
    for line in source.split("\n"):
        if begin in line:
            depth = True
        elif end in line:
            depth = False
        else:
            (inside if depth else outside).append(line)
    return inside, outside


def validate(nb, src) -> None:
    """`SourceError` unless every cell's nbgrader metadata is complete and its markers sit in the right kind of cell."""
    seen = {}
    for i, cell in enumerate(nb.cells, 1):
        where = f"{src}, cell {i}"
        source = cell.source
        counts = {m: sum(m in line for line in source.split("\n")) for m in MARKERS}
        for begin, end in (MARKERS[:2], MARKERS[2:]):
            if counts[begin] != counts[end]:
                raise SourceError(f"{where}: {counts[begin]} '### {begin}' but {counts[end]} '### {end}'")
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            if counts["BEGIN SOLUTION"] or counts["BEGIN HIDDEN TESTS"]:
                raise SourceError(
                    f"{where}: markers in a cell with no nbgrader metadata; add nbgrader={{...}} to its '# %%' line"
                )
            continue
        missing = [k for k in NBGRADER_KEYS if k not in meta]
        if missing:
            raise SourceError(f"{where}: nbgrader metadata lacks {', '.join(missing)}")
        if meta["schema_version"] != SCHEMA_VERSION:
            raise SourceError(
                f"{where}: nbgrader schema_version should be {SCHEMA_VERSION}, got {meta['schema_version']}"
            )
        gid = meta["grade_id"]
        if not isinstance(gid, str) or not _re_grade_id.match(gid):
            raise SourceError(f"{where}: grade_id {gid!r} should be letters, digits, '-' and '_' only")
        if gid in seen:
            raise SourceError(f"{where}: grade_id {gid!r} is already used by cell {seen[gid]}")
        seen[gid] = i
        if (meta["grade"] or meta["task"]) and not isinstance(meta.get("points"), (int, float)):
            raise SourceError(f"{where}: a grade or task cell needs points")
        if counts["BEGIN SOLUTION"] and not meta["solution"]:
            raise SourceError(f"{where}: a solution region in a cell not marked solution: true")
        if any(RELEASED.strip() in line for line in _regions(source, *MARKERS[:2])[1]):
            raise SourceError(f"{where}: a '{RELEASED.strip()}' line outside a solution region is never released")
        if counts["BEGIN HIDDEN TESTS"] and not meta["grade"]:
            raise SourceError(f"{where}: hidden tests in a cell not marked grade: true")
        if meta["solution"] and cell.cell_type == "code" and not counts["BEGIN SOLUTION"]:
            raise SourceError(f"{where}: a solution cell with no '### BEGIN SOLUTION' region would become a bare stub")
    for i, cell in enumerate(nb.cells, 1):
        if cell.get("outputs") or cell.get("execution_count"):
            raise SourceError(f"{src}, cell {i}: stores outputs; the solutions hold none")


def read_source(src) -> nbformat.NotebookNode:
    """The notebook of a solution script, validated."""
    nb = jupytext.read(src, fmt="py:percent")
    validate(nb, src)
    nb.metadata["ulmfit_course"] = {"lesson": Path(src).stem}  # a copy under any name is still this lesson
    return nb


def released_region(lines: list[str]) -> list[str] | None:
    """The given code of a solution region (its `### RELEASED ` lines, uncommented), or None when it holds none."""
    given = [line.replace(RELEASED, "", 1) for line in lines if line.lstrip().startswith(RELEASED)]
    return given or None


@functools.cache
def clear_solutions():
    """nbgrader's ClearSolutions, where a region with `### RELEASED ` lines becomes those lines (the code a find-and-fix
    exercise gives, bug included) and a prediction's cell becomes `name = ...` (a value, not code, is asked for)."""
    from nbgrader.preprocessors import ClearSolutions

    from .exercises import EXERCISES

    class ClearSolutionsOfCourse(ClearSolutions):
        def _replace_solution_region(self, cell, language):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.cell_type == "code" and grade_id in EXERCISES and EXERCISES[grade_id].value:
                cell.source = f"{grade_id} = ...  # your prediction: a number"
                return True
            lines, out, region = cell.source.split("\n"), [], None
            for line in lines:
                if self.begin_solution_delimeter in line:
                    region = []
                elif self.end_solution_delimeter in line and region is not None:
                    given = released_region(region)
                    if given is None:
                        return super()._replace_solution_region(cell, language)
                    out += given
                    region = None
                elif region is not None:
                    region.append(line)
                else:
                    out.append(line)
            if lines == out or not any(RELEASED in line for line in lines):
                return super()._replace_solution_region(cell, language)
            cell.source = "\n".join(out)
            return True

    return ClearSolutionsOfCourse


def _preprocessors():
    """nbgrader's GenerateAssignment preprocessors, in its order, less SaveCells (which fills a gradebook database),
    with the course's ClearSolutions."""
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearMarkScheme,
        ClearOutput,
        ComputeChecksums,
        IncludeHeaderFooter,
        InstantiateTests,
        LockCells,
    )

    return [
        IncludeHeaderFooter,
        InstantiateTests,
        LockCells,
        clear_solutions(),
        ClearOutput,
        CheckCellMetadata,
        ComputeChecksums,
        ClearHiddenTests,
        ClearMarkScheme,
        ComputeChecksums,
        CheckCellMetadata,
    ]


def release(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner's version of a solution notebook: solutions stubbed, hidden tests removed, stable cell ids."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    resources = {}
    for preprocessor in _preprocessors():
        nb, resources = preprocessor().preprocess(nb, resources)
    nb.metadata.pop("jupytext", None)
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("lines_to_next_cell", None)
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell["id"] = grade_id or f"cell-{i:03d}"
    nbformat.validate(nb)
    return nb


def render(src) -> str:
    """The text of the lesson notebook built from `src`."""
    return nbformat.writes(release(read_source(src))) + "\n"


def build(root=ROOT, log=print, lessons=None) -> list[Path]:
    """Write lessons/NN_*.ipynb from solutions/NN_*.py (those named in `lessons`, else all), remove lessons whose source
    is gone, write docs/API.md from ulmfit_ref's docstrings; returns the lessons."""
    root = Path(root)
    out = []
    if lessons:
        unknown = set(lessons) - {src.stem for src in sources(root)}
        if unknown:
            names = ", ".join(s.stem for s in sources(root))
            raise SourceError(f"no solutions/{sorted(unknown)[0]}.py; the lessons are {names}")
        for src in sources(root):
            if src.stem in lessons:
                lesson_path(src, root).write_text(render(src), encoding="utf-8")
                log(f"{lesson_path(src, root).relative_to(root)}: written")
        return [lesson_path(root / "solutions" / f"{name}.py", root) for name in lessons]
    for src in sources(root):
        path = lesson_path(src, root)
        text = render(src)
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        log(f"{path.relative_to(root)}: {'unchanged' if old == text else 'written'}")
        out.append(path)
    for stale in sorted((root / "lessons").glob("[0-9][0-9]_*.ipynb")):
        if stale not in out:
            stale.unlink()
            log(f"{stale.relative_to(root)}: removed (no solutions/{stale.stem}.py)")
    from . import api

    page, text = root / api.PAGE, api.render()
    old = page.read_text(encoding="utf-8") if page.exists() else None
    if old != text:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
    log(f"{api.PAGE}: {'unchanged' if old == text else 'written'} (from ulmfit_ref's docstrings)")
    return out


def _first_difference(built: str, committed: str) -> str:
    """Which cell of two notebook texts differs first, in words."""
    try:
        a, b = json.loads(built), json.loads(committed)
    except json.JSONDecodeError:
        return "it is not valid JSON"
    for i, (ca, cb) in enumerate(zip(a["cells"], b["cells"]), 1):
        if ca != cb:
            return f"cell {i} differs"
    if len(a["cells"]) != len(b["cells"]):
        return f"it has {len(b['cells'])} cells, the build {len(a['cells'])}"
    return "its metadata or formatting differs"


def check(root=ROOT) -> list[str]:
    """Every way lessons/ and solutions/ disagree with the rules; an empty list when all is well."""
    root = Path(root)
    problems = []
    for nb_path in sorted((root / "solutions").glob("*.ipynb")):
        problems.append(
            f"{nb_path.relative_to(root)}: solutions are kept as percent scripts (no outputs by construction); "
            f"convert it with `jupytext --to py:percent` and remove the notebook"
        )
    srcs = sources(root)
    for src in srcs:
        path = lesson_path(src, root)
        rel = path.relative_to(root)
        try:
            built = render(src)
        except SourceError as e:
            problems.append(str(e))
            continue
        if not path.exists():
            problems.append(f"{rel}: missing; run `python -m course build`")
            continue
        committed = path.read_text(encoding="utf-8")
        if committed != built:
            problems.append(
                f"{rel}: differs from what solutions/{src.name} builds ({_first_difference(built, committed)}); "
                "lessons are never edited by hand: edit the solution and run `python -m course build`"
            )
        problems += _leaks(src, committed, rel)
    from . import api

    page = root / api.PAGE
    if not page.exists() or page.read_text(encoding="utf-8") != api.render():
        why = "missing" if not page.exists() else "differs from what ulmfit_ref's docstrings say"
        problems.append(f"{api.PAGE}: {why}; run `python -m course build`")
    for lesson in sorted((root / "lessons").glob("[0-9][0-9]_*.ipynb")):
        if lesson.stem not in {s.stem for s in srcs}:
            problems.append(
                f"{lesson.relative_to(root)}: no solutions/{lesson.stem}.py builds it; "
                "remove it or run `python -m course build`"
            )
    return problems


def _leaks(src: Path, committed: str, rel) -> list[str]:
    """Solution code, hidden tests, markers or outputs found in a committed lesson."""
    try:
        nb = nbformat.reads(committed, as_version=4)
    except Exception as e:  # noqa: BLE001 - any unreadable notebook is reported, not raised
        return [f"{rel}: not a readable notebook ({e})"]
    problems = []
    lesson_lines = {line.strip() for cell in nb.cells for line in cell.source.split("\n")}
    source_nb = jupytext.read(src, fmt="py:percent")
    for begin, end, what in ((*MARKERS[:2], "solution"), (*MARKERS[2:], "hidden test")):
        inside, outside = [], []
        for cell in source_nb.cells:
            a, b = _regions(cell.source, begin, end)
            inside += a
            outside += b + (released_region(a) or [])  # a find-and-fix's given code is released on purpose
        everywhere_else = {line.strip() for line in outside}
        secret = {line.strip() for line in inside} - everywhere_else
        secret = {line for line in secret if line and not line.startswith("#")}
        leaked = sorted(secret & lesson_lines)
        if leaked:
            problems.append(f"{rel}: holds {what} code from solutions/{src.name}, e.g. {leaked[0]!r}")
    for i, cell in enumerate(nb.cells, 1):
        for marker in MARKERS:
            if marker in cell.source:
                problems.append(f"{rel}, cell {i}: holds the marker '{marker}'")
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"{rel}, cell {i}: stores outputs; lessons are shipped clean")
    return problems
