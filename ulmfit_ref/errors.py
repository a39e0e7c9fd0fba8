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


def out_of_memory_message(shape: tuple, bs: int) -> str:
    """The one line for a GPU out of memory on a batch of `shape`, in a stage of batch size `bs`: lower --bs."""
    return (f"the GPU ran out of memory on a batch of shape {tuple(shape)}: run again with a smaller --bs (this "
            f"stage's batch size is {bs}; try --bs {max(1, bs // 2)}) and a new --out, copying the old run's prepared/ "
            f"into it to keep its prepare stage (in Python: presets.with_batch_size(preset, {max(1, bs // 2)}))")
