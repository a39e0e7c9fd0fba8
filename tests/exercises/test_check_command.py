"""`python -m grading check`: a learner's notebook under any name, checked from a terminal; only their results."""

import nbformat

from grading import check, source


def test_a_renamed_copy_is_checked_and_only_the_learners_results_are_printed(tmp_path):
    nb = source.answered("05_loader")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "draw_seq_lens":
            cell.source = "def draw_seq_lens(n, bptt, generator):\n    raise NotImplementedError()\n"
    path = tmp_path / "my loader, try 2.ipynb"
    nbformat.write(nb, path)
    lines = []
    assert check.main([path], seed=7, out=lines.append) == 1
    out = "\n".join(lines)
    assert f"{path}: lesson 05_loader, 5 exercises" in out
    assert "✓ batchify: same as ulmfit_ref.loaders.batchify" in out and "✓ get_batch" in out
    assert "✓ test_get_batch: passes on 2 correct versions of get_batch and catches all 6 hidden bugs" in out
    assert "✓ predicted_batches: within 2% of the measured value" in out
    assert "✗ not implemented yet: draw_seq_lens" in out and "Passed: 4 of 5 exercises." in out
    assert "save it" in out and "cell above" not in out  # words for a terminal
    assert "\x1b[" not in out and "SKIPPED" not in out and "grading-scratch" not in out and "/tmp/ulmfit-" not in out


def test_a_notebook_of_no_lesson_and_a_missing_path_are_errors(tmp_path):
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "notes.ipynb")
    lines = []
    assert check.main([tmp_path / "notes.ipynb"], out=lines.append) == 2
    assert "not a lesson of this course" in lines[0]
    assert check.main([tmp_path / "absent.ipynb"], out=lines.append) == 2 and "no such notebook" in lines[-1]
