"""Temporary folders of a lesson's kernel: removed when the kernel exits, and, for a kernel that was killed (a restart
in Jupyter, a closed server), by the next one that makes a folder.

Each folder's name holds the id of the process that made it (`ulmfit-lesson-<pid>-...`), so a sweep can tell the
folders of processes that are gone from those of kernels still running.
"""

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

_re_owner = re.compile(r"^(ulmfit-[a-z]+)-(\d+)-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep(prefix: str = "ulmfit-lesson", folder=None) -> list[Path]:
    """Remove the folders `prefix-<pid>-*` in the temporary directory whose process is gone; returns them."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{prefix}-*"):
        m = _re_owner.match(path.name)
        if m and m.group(1) == prefix and path.is_dir() and not _alive(int(m.group(2))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def scratch_dir(prefix: str = "ulmfit-lesson") -> Path:
    """A new temporary folder, removed when this process exits (or by a later sweep, if it is killed)."""
    sweep(prefix)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path
