"""nbgrader's configuration of the course; grading/ is its course directory (`python -m grading build` writes source/).

The hidden test cells call `course.exercises.check(name, answer, full=True)`: the grader's inputs, run in the kernel.
A plain `nbgrader autograde` therefore runs the learner's code with the grader's rights; `python -m grading autograde`
runs it in the sandbox.
"""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions, GetGrades

from course.build import clear_solutions

c = get_config()  # noqa: F821 - nbgrader's config loader provides get_config

c.CourseDirectory.course_id = "ulmfit-course"
c.Execute.timeout = 120  # seconds per cell: a lesson's longest cell takes about 20 s on 2 busy cores
c.OverwriteCells.add_missing_cells = True  # a deleted check cell comes back (and fails), so it is graded, not skipped
c.GenerateFeedback.preprocessors = [
    GetGrades,
    ClearHiddenTests,
    CSSHTMLHeaderPreprocessor,
]  # feedback without hidden tests
c.GenerateAssignment.preprocessors = [
    clear_solutions() if p is ClearSolutions else p
    for p in GenerateAssignment.class_traits()["preprocessors"].default()
]  # a find-and-fix exercise is released with its given code, a prediction as `name = ...`
