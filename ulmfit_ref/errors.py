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


def environment_error(e: BaseException, bs_option: str = "--bs") -> str | None:
    """One line for a failure of the machine (an OSError, CUDA out of memory); None for any other exception.

    An OSError names its path and what to do, an out-of-memory error the option to lower; any other exception is a
    bug and keeps its traceback.
    """
    if type(e).__name__ == "OutOfMemoryError" and type(e).__module__.startswith("torch"):
        first = str(e).strip().splitlines()[0] if str(e).strip() else "CUDA out of memory"
        return (f"the GPU ran out of memory ({first}): run again with a smaller {bs_option} (half the preset's, say) "
                f"and a new --out, as a run's folder keeps the options it was made with")
    if isinstance(e, RuntimeError) and (loop := _re_symlink_loop.fullmatch(str(e))):  # pathlib's resolve() before 3.13
        return f"{loop.group(1)}: {_ADVICE[errno.ELOOP]}"
    if isinstance(e, DiskFull) or not isinstance(e, OSError):
        return None
    paths = [p for p in (e.filename, e.filename2) if p is not None]
    where = " -> ".join(str(p) for p in paths) + ": " if paths else ""
    advice = _ADVICE.get(e.errno)
    return f"{where}{e.strerror or e}" + (f"; {advice}" if advice and advice != "no such file or folder" else "")
