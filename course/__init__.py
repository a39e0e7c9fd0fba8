"""The course: its lessons (built from solutions/), each exercise's check, the lessons' data and a learner's start."""
