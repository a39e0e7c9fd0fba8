"""The course's grader: the learner's code run in a sandbox (jailed where the machine allows), the self-check and the
nbgrader course with its autograding. It ships with the package; the autograding needs the `teach` extra (nbgrader)."""
