"""`ApplyResults`: the nbgrader preprocessor that takes the place of Execute in `python -m grading autograde`.

It reads the verdicts that the sandboxed checks wrote to `results_dir/STUDENT/LESSON.json` and makes them the outputs
of the check cells: a passed check prints its line, a failed one shows an error whose text is the reason (so
nbgrader's own scoring gives 0 or the cell's points), and one that earns part of the points (a learner's test
that catches some of the bugs) prints its line and returns those points, which nbgrader takes as partial credit.
Notes on the notebook itself go in a cell at the top.
"""

import json
from pathlib import Path

from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from course.exercise import CheckFailed

CHECK_SUFFIX = "-check"


def results_path(results_dir, student: str, lesson: str) -> Path:
    return Path(results_dir) / student / f"{lesson}.json"


class ApplyResults(NbGraderPreprocessor):
    """Check cells' outputs from the verdicts of the sandboxed checks (no kernel runs)."""

    results_dir = Unicode(help="the folder of STUDENT/LESSON.json verdicts").tag(config=True)

    def preprocess(self, nb, resources):
        meta = resources["nbgrader"]
        path = results_path(self.results_dir, meta["student"], meta["assignment"])
        result = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.cells:
            info = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not info.get("grade"):
                continue
            grade_id = info["grade_id"]
            verdict = result["exercises"].get(grade_id.removesuffix(CHECK_SUFFIX))
            if verdict is None:
                verdict = {"passed": False, "message": f"{grade_id}: this check was not run (see the notes at the top)"}
            if verdict["passed"]:
                cell.outputs = [new_output("stream", name="stdout", text=verdict["message"] + "\n")]
            elif verdict.get("score"):  # part of the points (a test that catches some of the bugs): nbgrader's partial
                points = round(float(info["points"]) * verdict["score"], 4)
                cell.outputs = [
                    new_output("stream", name="stdout", text=verdict["message"] + "\n"),
                    new_output("execute_result", data={"text/plain": str(points)}, execution_count=1),
                ]
            else:
                cell.outputs = [
                    new_output(
                        "error",
                        ename="CheckFailed",
                        evalue=verdict["message"],
                        traceback=CheckFailed(verdict["message"])._render_traceback_(),
                    )
                ]
        if result["notes"]:
            nb.cells.insert(
                0, new_markdown_cell("**Grading notes**\n\n" + "\n".join(f"- {n}" for n in result["notes"]))
            )
        return nb, resources
