"""docs/API.md: built from ulmfit_ref's docstrings, each exercise's reference naming its lesson, every link found."""

import re
from pathlib import Path

from course import api
from course.build import check
from course.exercises import EXERCISES, LESSON_OF

ROOT = Path(__file__).resolve().parents[2]


def test_every_reference_an_exercise_is_checked_against_names_its_lesson():
    for name, exercise in EXERCISES.items():
        if exercise.reference is None:  # a prediction or a design, judged by what it measures
            continue
        module, attr = exercise.reference.split(":")
        obj = __import__(module, fromlist=["_"])
        for part in attr.split("."):
            obj = getattr(obj, part)
        lesson = int(LESSON_OF[name][:2])
        assert api.lesson_of(obj) == lesson, f"{exercise.reference}'s docstring should say 'Taught in lesson {lesson}'"


def test_the_page_lists_every_public_function_with_its_doc_lesson_and_fastai_name():
    page = (ROOT / api.PAGE).read_text(encoding="utf-8")
    assert page == api.render()
    for module in api.modules():
        for name, _ in api.public(module):
            assert f'<a id="{name}"></a>`{name}`' in page
    row = next(line for line in page.split("\n") if line.startswith('| <a id="partition_by_cores">'))
    cells = [c.strip() for c in row.split(" | ")]
    assert cells[2] == "3" and "fastai 0.7: `partition_by_cores`" in cells[3] and cells[1].startswith("The 2018")
    assert "`get_rnn_classifier`" in page and "`use_clr=(32, 10)`" in page and "`proc_all_mp`" in page


def test_every_link_of_a_lesson_to_the_page_has_its_anchor():
    page = (ROOT / api.PAGE).read_text(encoding="utf-8")
    texts = [src.read_text() for src in (ROOT / "solutions").glob("*.py")]
    links = {m for text in texts for m in re.findall(r"docs/API\.md#([\w.]+)", text)}
    assert links and not {a for a in links if f'<a id="{a}">' not in page}


def test_a_stale_page_is_a_problem_of_course_check(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / api.PAGE).write_text(api.render() + "an edit by hand\n")
    assert any("docs/API.md: differs" in p for p in check(tmp_path))
    (tmp_path / api.PAGE).write_text(api.render())
    assert not any("docs/API.md" in p for p in check(tmp_path))
