"""One writer per folder: a lock file that says who holds it (pid, host, command, since).

Every command that writes a run's folder takes its lock first: a second run into it stops with one line saying who
holds it. A lock left by a process that is gone (a crash, a kill) on this host is stale: the next run takes it over
and says so. The same process may take a lock it holds again (a stage inside a command). Under torchrun, rank 0
holds it for the whole job and the other ranks take none: they write only through rank 0 (distributed.on_main), and a
refusal on rank 0 ends the job (torchrun stops the others).
"""

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from .distributed import is_main
from .errors import StageError

LOCK = "ulmfit.lock"
_TRIES = 100  # attempts to take a lock that others keep taking: never a loop without end


def _holder(command: str) -> dict:
    """What this process writes into a lock: pid, host, command, since."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "command": command,
            "since": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def _alive(pid: int) -> bool:
    """Whether a process of this host has the id `pid`."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _read(path: Path) -> dict | None:
    """The holder written in a lock file; None when the file is gone; {} when it holds no holder (empty, cut, other
    text), which no run writes: os.link makes a lock whole."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(holder, dict) or not isinstance(holder.get("pid"), int) or "host" not in holder:
        return {}
    return holder


def _try_take(path: Path, holder: dict) -> bool:
    """Create the lock file holding `holder`, whole or not at all; False when it exists already."""
    tmp = path.with_name(f"{path.name}.{holder['pid']}.tmp")
    tmp.write_text(json.dumps(holder), encoding="utf-8")
    try:
        os.link(tmp, path)  # fails when the lock exists: no moment where it exists empty
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def folder_lock(folder, command: str, log=print) -> Iterator[None]:
    """Hold `folder`'s lock while a block runs; a StageError when another live process holds it.

    Under torchrun, rank 0 alone takes it, for the whole job.
    """
    folder = Path(folder)
    if not is_main():
        yield  # rank 0 of this job holds it
        return
    folder.mkdir(parents=True, exist_ok=True)
    path, me = folder / LOCK, _holder(command)
    held = _read(path)
    if held is not None and held.get("pid") == me["pid"] and held.get("host") == me["host"]:
        yield  # this process holds it already
        return
    for _ in range(_TRIES):
        if _try_take(path, me):
            break
        held = _read(path)
        if held is None:
            continue  # released meanwhile
        if not held:
            log(f"{path}: taking over a damaged lock (empty, or no pid and host in it: not written by ulmfit, or cut "
                f"short by a full disk)")
            path.unlink(missing_ok=True)
            continue
        if held.get("host") != me["host"] or _alive(held["pid"]):
            raise StageError(f"{folder} is in use by `{held.get('command')}` (pid {held.get('pid')} on "
                             f"{held.get('host')}, since {held.get('since')}); wait for it to end, or pass another "
                             f"--out (if that process is gone, delete {path})")
        log(f"{path}: taking over the lock of pid {held.get('pid')} (`{held.get('command')}`, since "
            f"{held.get('since')}), which is gone")
        path.unlink(missing_ok=True)
    else:
        raise StageError(f"{path}: could not take the lock in {_TRIES} tries (other processes take and release it "
                         f"all the time); wait for them to end, or pass another --out")
    try:
        yield
    finally:
        if (_read(path) or {}).get("pid") == me["pid"]:
            path.unlink(missing_ok=True)

