"""The course's tooling: the build of lessons/ from solutions/, the lessons' data and their check cells."""
