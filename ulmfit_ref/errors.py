"""The errors a user can fix: each message names the file, line or option at fault and what to do.

`ulmfit` prints them as one line (the whole chain with `--debug`); any other exception is a bug and keeps its
traceback.
"""


class UlmfitError(Exception):
    """An error in the input or the use of the package, not in its code."""


class DataError(UlmfitError, ValueError):
    """Input data that cannot be read as asked, with the file (and line) at fault."""


class StageError(UlmfitError):
    """A stage of a run that cannot run as asked; the message says what to do."""
