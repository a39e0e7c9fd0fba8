"""`python -m course start`: the learner's working copy, its settings, and a lesson known under any file name."""

import json

import nbformat
import pytest

from course.__main__ import main
from course.data import SETTINGS, write_tiny_imdb
from course.exercises import lesson_of_notebook
from course.start import lessons_dir


def test_start_copies_every_lesson_and_writes_the_data_setting(tmp_path, capsys):
    data = write_tiny_imdb(tmp_path / "data")
    assert main(["start", str(tmp_path / "mine"), "--data", str(data)]) == 0
    names = sorted(p.name for p in (tmp_path / "mine").glob("*.ipynb"))
    assert names == sorted(p.name for p in lessons_dir().glob("[0-9][0-9]_*.ipynb")) and len(names) == 10
    assert json.loads((tmp_path / "mine" / SETTINGS).read_text()) == {"data": str(data)}
    out = capsys.readouterr().out
    assert "10 lesson(s) copied" in out and "jupyter lab" in out and "python -m grading check" in out


def test_start_again_keeps_the_learners_work(tmp_path, capsys):
    main(["start", str(tmp_path)])
    lesson = tmp_path / "03_tokenize.ipynb"
    lesson.write_text(lesson.read_text().replace("raise NotImplementedError()", "return 42"))
    mine = lesson.read_text()
    (tmp_path / "05_loader.ipynb").unlink()
    assert main(["start", str(tmp_path)]) == 0
    assert lesson.read_text() == mine and (tmp_path / "05_loader.ipynb").exists()
    assert "1 lesson(s) copied, 9 kept as they were (your work)" in capsys.readouterr().out


@pytest.mark.parametrize("bad, why", [("absent.tar.gz", "no such file"), ("notes.txt", "aclImdb_v1.tar.gz"),
                                      ("empty", "no aclImdb/train")])
def test_start_refuses_data_that_is_not_imdb(tmp_path, capsys, bad, why):
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "empty").mkdir()
    assert main(["start", str(tmp_path / "mine"), "--data", str(tmp_path / bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --data") and why in err


def test_a_lesson_is_known_by_its_metadata_its_exercises_or_its_name():
    nb = nbformat.read(lessons_dir() / "05_loader.ipynb", as_version=4)
    assert lesson_of_notebook(nb, "anything.ipynb") == "05_loader"
    nb.metadata.pop("ulmfit_course")
    assert lesson_of_notebook(nb, "anything.ipynb") == "05_loader"  # by the grade_ids of its exercise cells
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    assert lesson_of_notebook(nb, "05_loader-copy.ipynb") == "05_loader"
    assert lesson_of_notebook(nb, "anything.ipynb") is None
