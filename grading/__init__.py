"""The course's grader: hidden checks run against the reference in a separate process, the nbgrader course and autograding.

Not part of the learner's install (pyproject's packages are ulmfit_ref and course): it stays with the instructor.
"""
