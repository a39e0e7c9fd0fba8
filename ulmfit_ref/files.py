"""Files written whole or not at all: every file this package writes goes through `atomic_write`.

A reader (a rerun, a second process, `ulmfit predict`) sees the old file or the complete new one, never a part.
`identity` tells an input apart from another (or from itself changed) without reading it, for the skip of a rerun.
"""

import contextlib
import errno
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from .errors import BadFile, DiskFull


@contextlib.contextmanager
def atomic_write(path, size: int = None) -> Iterator[Path]:
    """A temporary path beside `path` to write to; moved onto `path` when the block ends, removed if it fails.

    A full disk is a DiskFull naming `path`, the bytes free and the `size` the file needs (when the caller knows it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        if e.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        free = shutil.disk_usage(path.parent).free
        needed = f", {size:,} needed" if size is not None else ""
        raise DiskFull(f"{path}: no space left on the device to write it ({free:,} bytes free{needed}); "
                       f"free some space, or pass an --out on another disk") from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path, text: str) -> None:
    """Write UTF-8 text atomically."""
    data = text.encode("utf-8")
    with atomic_write(path, size=len(data)) as tmp:
        tmp.write_bytes(data)


def write_json(path, obj) -> None:
    """Write `obj` as indented JSON atomically (paths and other objects as their str)."""
    write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str))


REDO = "delete it and run again the command that wrote it"  # what to do about a file this package wrote, damaged


def read_json(path, keys=(), advice: str = REDO):
    """The JSON value in `path`, checked: a file cut short or not JSON, or a dict without one of `keys` (dotted: a key
    written by another version) is a BadFile naming the file and `advice`; a missing file is the OSError it is."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        what = "empty" if not raw.strip() else "cut short" if isinstance(e, json.JSONDecodeError) and \
            e.pos >= len(raw.decode("utf-8", "replace").rstrip()) else "not valid JSON"
        raise BadFile(f"{path}: {what} ({' '.join(str(e).split())}); {advice}") from e
    for key in keys:
        found = value
        for part in key.split("."):
            if not isinstance(found, dict) or part not in found:
                kind = "a JSON object" if isinstance(value, dict) else f"JSON {type(value).__name__}, not an object"
                raise BadFile(f"{path}: {kind} without the key {key!r} (written by another version of ulmfit_ref, "
                              f"or edited); {advice}")
            found = found[part]
    return value


def identity(path) -> dict:
    """An input's path, size and modification time (a folder's: its files' number, total size and latest time).

    It stands for the content without reading it: what a rerun compares to know whether its input changed.
    """
    path = Path(path).resolve()
    if path.is_dir():
        stats = [p.stat() for p in sorted(path.rglob("*")) if p.is_file()]
        return {"path": str(path), "files": len(stats), "bytes": sum(s.st_size for s in stats),
                "mtime_ns": max((s.st_mtime_ns for s in stats), default=0)}
    stat = path.stat()
    return {"path": str(path), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}
