"""A submission's nbgrader metadata made the lesson's again, so that one edited notebook cannot stop nbgrader.

nbgrader stops a whole lesson on one notebook whose metadata it does not expect (a schema_version it does not know,
a grade flag on an exercise cell, a cell copied in Jupyter with its grade_id, an extra grade cell, metadata that is not
a mapping, which `program.read_notebook` empties first...). The grader never needed the learner's metadata, only the
code of the exercise cells, so every cell's nbgrader metadata is taken from the released lesson, by grade_id: a known
grade_id gets the release's metadata (once: a second cell with the same grade_id, such as a copy, becomes a plain cell;
a cell whose metadata is lost is known by its id, which the release sets to its grade_id), an unknown grade_id or one
on a cell of another type is removed, and each change is said in a note. The learner's cells, sources and order stay.
"""

import copy

import nbformat


def _meta(cell) -> dict | None:
    return cell.metadata.get("nbgrader")


def gradable(nb, release) -> tuple[nbformat.NotebookNode, list[str], dict]:
    """(a copy of `nb` whose nbgrader metadata is the release's, the notes that say what was changed, and the cells
    kept as plain cells because they are later copies of an exercise cell: index -> grade_id)."""
    nb = copy.deepcopy(nb)
    notes, copies = [], {}
    wanted = {}
    for cell in release.cells:
        if (meta := _meta(cell)) is not None:
            wanted[meta["grade_id"]] = (cell.cell_type, meta)
    seen, ids = set(), set()
    for i, cell in enumerate(nb.cells, 1):
        if _meta(cell) is None and cell.get("id") in wanted and cell.get("id") not in seen:
            cell.metadata["nbgrader"] = {"grade_id": cell["id"]}  # its id says which of the lesson's cells it is
            notes.append(f"cell {i}: its nbgrader metadata was lost; its id {cell['id']!r} names it")
        meta = _meta(cell)
        if meta is not None:
            grade_id = meta.get("grade_id")
            known = wanted.get(grade_id) if isinstance(grade_id, str) else None
            if known is None or known[0] != cell.get("cell_type"):
                del cell.metadata["nbgrader"]
                notes.append(
                    f"cell {i}: its nbgrader metadata ({grade_id!r}) is not the lesson's; it is graded as a plain cell"
                )
            elif grade_id in seen:
                del cell.metadata["nbgrader"]
                copies[i - 1] = grade_id
                notes.append(
                    f"cell {i}: a second cell with the grade_id {grade_id!r} (a copy?) is kept as a plain cell; "
                    "the grader ran the code of both, in order, as running the notebook top to bottom does"
                )
            else:
                seen.add(grade_id)
                if meta != known[1]:
                    notes.append(f"cell {i} ({grade_id}): its nbgrader metadata was edited; the lesson's was used")
                cell.metadata["nbgrader"] = copy.deepcopy(known[1])
        cell_id = cell.get("id")
        if not isinstance(cell_id, str) or cell_id in ids:
            cell["id"] = f"repaired-{i:03d}"
        ids.add(cell["id"])
    return nb, notes, copies


def with_copies(nb, copies: dict) -> nbformat.NotebookNode:
    """`nb` with its later copies of exercise cells exercise cells again, for the program that runs them all."""
    nb = copy.deepcopy(nb)
    for i, grade_id in copies.items():
        nb.cells[i].metadata["nbgrader"] = {"grade_id": grade_id, "solution": True}
    return nb
