"""Files written whole or not at all: every file this package writes goes through `atomic_write`.

A reader (a rerun, a second process, `ulmfit predict`) sees the old file or the complete new one, never a part.
"""

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_write(path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; moved onto `path` when the block ends, removed if it fails."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path, obj) -> None:
    """Write `obj` as indented JSON atomically (paths and other objects as their str)."""
    write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def read_json(path):
    """The JSON value in `path`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
