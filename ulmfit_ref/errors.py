"""The errors a user can fix: each message names the file, line or option at fault and what to do.

`ulmfit` prints them as one line (the whole chain with `--debug`); so it does a failure of the machine (a file that
cannot be read or written, a full disk, a GPU out of memory), as `environment_error` words it. Any other exception
is a bug and keeps its traceback.
"""

import errno
import re


class UlmfitError(Exception):
    """An error in the input or the use of the package, not in its code."""


class DataError(UlmfitError, ValueError):
    """Input data that cannot be read as asked, with the file (and line) at fault."""


class StageError(UlmfitError):
    """A stage of a run that cannot run as asked; the message says what to do."""


class BadFile(UlmfitError, ValueError):
    """A model file or checkpoint that is truncated, corrupt, or made with another vocabulary or preset."""


class DiskFull(UlmfitError, OSError):
    """No space left to write a file: the message names it, and the bytes needed where they are known."""


_ADVICE = {  # what to do about an OSError, by its errno
    errno.EACCES: "check its permissions, or pass another --out",
    errno.EPERM: "check its permissions, or pass another --out",
    errno.EROFS: "the file system is read-only: pass an --out on a writable one",
    errno.ENOTDIR: "a part of this path is a file, not a folder: pass a folder",
    errno.EEXIST: "a file is in the way of a folder: pass another --out, or move the file",
    errno.EISDIR: "this is a folder, a file was expected",
    errno.ELOOP: "a symbolic link points back to itself (a loop): fix or remove the link",
    errno.ENOENT: "no such file or folder",
    errno.ENOSPC: "no space left on the device: free some space, or pass an --out on another disk",
    errno.EDQUOT: "the disk quota is used up: free some space, or pass an --out on another disk",
    errno.ENAMETOOLONG: "the name is too long",
}

_re_symlink_loop = re.compile(r"Symlink loop from '(.*)'")


def out_of_memory_message(e: BaseException, shape: tuple = None, bs: int = None) -> str:
    """The one line for a GPU out of memory: lower --bs, in a new --out that keeps the old run's prepare stage.

    It quotes torch's first words, and names the batch's `shape` and the stage's batch size `bs` where known.
    """
    said = " ".join(str(e).split()) or "CUDA out of memory"
    said = ". ".join(said.split(". ")[:2]).rstrip(".")  # "CUDA out of memory. Tried to allocate 2.00 GiB"
    where = f" on a batch of shape {tuple(shape)}" if shape is not None else ""
    half = max(1, bs // 2) if bs else None
    size = f"this stage's batch size is {bs}; try --bs {half}" if bs else "half the preset's, say"
    return (f"the GPU ran out of memory{where} ({said}): run again with a smaller --bs ({size}) and a new --out, "
            f"copying the old run's prepared/ into it to keep its prepare stage (in Python: "
            f"presets.with_batch_size(preset, {half or 'bs'}))")


def environment_error(e: BaseException) -> str | None:
    """One line for a failure of the machine (an OSError, CUDA out of memory); None for any other exception.

    An OSError names its path and what to do, an out-of-memory error the option to lower; any other exception is a
    bug and keeps its traceback.
    """
    if type(e).__name__ == "OutOfMemoryError" and type(e).__module__.startswith("torch"):
        return out_of_memory_message(e)
    if isinstance(e, RuntimeError) and (loop := _re_symlink_loop.fullmatch(str(e))):  # pathlib's resolve() before 3.13
        return f"{loop.group(1)}: {_ADVICE[errno.ELOOP]}"
    if isinstance(e, DiskFull) or not isinstance(e, OSError):
        return None
    paths = [p for p in (e.filename, e.filename2) if p is not None]
    where = " -> ".join(str(p) for p in paths) + ": " if paths else ""
    advice = _ADVICE.get(e.errno)
    return f"{where}{e.strerror or e}" + (f"; {advice}" if advice and advice != "no such file or folder" else "")
