"""The sandbox's child process: limits, a guard on what learner code may touch, the learner's cells, then calls.

Started by `grading.sandbox.Sandbox` with two pipe descriptors: it reads one JSON message per line from the first,
writes one per line on the second. The guard is an audit hook (it cannot be removed once added) that, from the moment
learner code runs, refuses and reports: opening a file outside the scratch folder and the submission's folder (reading
Python's own library stays allowed), writing outside the scratch folder, importing ulmfit_ref, course or grading,
starting processes, sockets, ctypes, signals to other processes and the gc's object walks. Each refusal is written to
the parent at once, so that code which catches the PermissionError still has it on record.

This is a guard for a classroom grader, not a security boundary against a determined attacker: run it in a
container or a throwaway user account when the submissions are not trusted at all.
"""

import json
import os
import resource
import signal
import sys
import traceback

from . import probes

PROTECTED = ("ulmfit_ref", "course", "grading")  # the reference, the course's checks, the grader: refused to learner code

_PROCESS_EVENTS = {"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "pty.spawn", "os.startfile"}
_WRITE_EVENTS = {"os.mkdir", "os.rmdir", "os.remove", "os.rename", "os.symlink", "os.link", "os.chmod", "os.chown", "os.truncate", "os.utime"}
_GC_EVENTS = {"gc.get_objects", "gc.get_referrers", "gc.get_referents"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_DEVICES = ("/dev/null", "/dev/urandom", "/dev/random", "/dev/zero")
LEARNER_MODE = "grading.learner"  # the audit event that switches the guard on, for good


def send(fd: int, message: dict) -> None:
    """One JSON line to the parent."""
    os.write(fd, (json.dumps(message, ensure_ascii=True) + "\n").encode())


def _under(path: str, roots) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def install_guard(out_fd: int, scratch: str, readable: list[str]) -> None:
    """Add the audit hook; it stays inert until the `LEARNER_MODE` event, then refuses and reports."""
    learner = []  # empty until LEARNER_MODE: reachable from the hook alone (and the gc walks are refused)
    me = os.getpid()
    read_roots = [scratch, *readable]

    def refuse(what: str):
        send(out_fd, {"violation": what[:1000]})
        raise PermissionError(f"{what}: not allowed while grading")

    def real(path) -> str:
        return os.path.realpath(os.fsdecode(path))

    def hook(event, args):
        if not learner:
            if event == LEARNER_MODE:
                learner.append(True)
            return
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            p = real(path)
            writes = (mode is not None and any(c in mode for c in "wax+")) or (mode is None and (flags or 0) & _WRITE_FLAGS)
            if writes and not _under(p, [scratch]):
                refuse(f"writing {p} (outside the scratch folder)")
            if not writes and not (_under(p, read_roots) or p in _DEVICES):
                refuse(f"reading {p} (outside the submission's folder)")
        elif event in _WRITE_EVENTS:
            for a in args:
                if isinstance(a, (str, bytes, os.PathLike)) and not _under(real(a), [scratch]):
                    refuse(f"{event} on {real(a)} (outside the scratch folder)")
        elif event in ("os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
            if not _under(real(args[0]), read_roots):
                refuse(f"listing {real(args[0])} (outside the submission's folder)")
        elif event == "import" and args[0].split(".")[0] in PROTECTED:
            refuse(f"import {args[0]} (exercises are answered without {args[0].split('.')[0]})")
        elif event in _PROCESS_EVENTS or event.startswith(("subprocess.", "socket.", "ctypes.")):
            refuse(f"{event} (no processes, sockets or ctypes while grading)")
        elif event in ("os.kill", "os.killpg") and args[0] not in (0, me):
            refuse(f"{event} of process {args[0]}")
        elif event in _GC_EVENTS:
            refuse(event)

    sys.addaudithook(hook)


def _error(e: BaseException, cell: str, code: str) -> str:
    """'TypeError: ... (line 3 of your fixup cell: return x + 1)' from an exception raised by learner code."""
    lines = code.split("\n")
    where = ""
    for frame, lineno in traceback.walk_tb(e.__traceback__):
        if frame.f_code.co_filename == f"<exercise {cell}>" and 0 < lineno <= len(lines):
            where = f" (line {lineno} of your {cell} cell: {lines[lineno - 1].strip()})"
    return f"{type(e).__name__}: {e}"[:500] + where


def _limit(memory_mb: int, cpu_s: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(in_fd: int, out_fd: int) -> None:
    """Run one learner program: read the start message, load the cells, then answer calls until the pipe closes."""
    reader = os.fdopen(in_fd, "r", encoding="utf-8")
    start = json.loads(reader.readline())
    _limit(start["memory_mb"], start["cpu_s"])
    os.chdir(start["scratch"])
    sys.dont_write_bytecode = True
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    namespace = {"__name__": "__learner__"}
    for line in start["imports"]:
        try:
            exec(compile(line, "<lesson imports>", "exec"), namespace)
        except Exception as e:  # noqa: BLE001 - a missing module is reported; the cells that need it fail by name
            send(out_fd, {"import_error": f"{line}: {type(e).__name__}: {e}"})
    for name in [m for m in sys.modules if m.split(".")[0] in PROTECTED]:
        del sys.modules[name]  # a later `import ulmfit_ref...` must load it again, which the guard refuses
    install_guard(out_fd, start["scratch"], start["readable"])
    sys.audit(LEARNER_MODE)
    for cell in start["cells"]:
        send(out_fd, {"cell": cell["name"], "started": True})
        try:
            exec(compile(cell["code"], f"<exercise {cell['name']}>", "exec"), namespace)
            send(out_fd, {"cell": cell["name"], "error": None})
        except MemoryError:
            send(out_fd, {"cell": cell["name"], "fatal": "memory"})
            os._exit(3)
        except BaseException as e:  # noqa: BLE001 - SystemExit from a cell is the learner's error, not ours
            send(out_fd, {"cell": cell["name"], "error": _error(e, cell["name"], cell["code"])})
    send(out_fd, {"ready": True})
    for line in reader:
        request = json.loads(line)
        name = request["call"]
        if name not in namespace:
            send(out_fd, {"missing": True})
            continue
        try:
            send(out_fd, {"output": probes.observe(name, namespace[name], request["input"], start["scratch"])})
        except MemoryError:
            send(out_fd, {"fatal": "memory"})
            os._exit(3)
