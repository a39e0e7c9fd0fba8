"""The audit hook of the learner's process: the in-process line behind the operating system's boundary (`jail.py`).

Added just before the learner's code runs, it refuses, and reports to the parent at once (so that code which catches
the PermissionError is on record all the same): opening a file outside the folders allowed (the scratch folder, the
submission's folder, Python's own library) or inside the course's own packages; writing outside the scratch folder;
a relative path that climbs (`..`, which `dir_fd` could aim anywhere); importing ulmfit_ref, course or grading;
processes, sockets, ctypes, sqlite; tracing, profiling, other audit hooks and the gc's object walks; signals to other
processes.

The hook keeps no state and reads no global name: what it uses is bound as a default argument when it is made (C
functions, tuples of strings), so that code which reaches this module's globals, the builtins or a refusal's
traceback finds nothing that switches it off or widens it; and an audit hook cannot be removed. It still cannot see
native code that opens files itself (`numpy.fromfile`, `torch.from_file`): that is what the jail is for.
"""

import os
import pathlib
import posix
import sys

PROTECTED = ("ulmfit_ref", "course", "grading")  # the reference, the course's checks, the grader
REFUSED_MODULES = (
    "ctypes",
    "_ctypes",
    "_posixsubprocess",
    "subprocess",
    "socket",
    "_socket",
    "multiprocessing",
    "sqlite3",
    "_sqlite3",
    "pty",
    "mmap",
    "_xxsubinterpreters",
)
_PROCESS_EVENTS = (
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "pty.spawn",
    "os.startfile",
    "_thread.start_new_thread",
)
_WRITE_EVENTS = (
    "os.mkdir",
    "os.rmdir",
    "os.remove",
    "os.rename",
    "os.symlink",
    "os.link",
    "os.chmod",
    "os.chown",
    "os.truncate",
    "os.utime",
    "os.chflags",
    "os.lchflags",
    "os.mkfifo",
    "os.mknod",
    "shutil.rmtree",
)
_REFUSED_EVENTS = (
    "gc.get_objects",
    "gc.get_referrers",
    "gc.get_referents",
    "sys.settrace",
    "sys.setprofile",
    "sys._current_frames",
    "sys.addaudithook",
    "sqlite3.connect",
    "sys.remote_exec",
    "os.chroot",
)
_REFUSED_PREFIXES = ("subprocess.", "socket.", "ctypes.", "_posixsubprocess.", "sqlite3.", "mmap.")
_DEVICES = ("/dev/null", "/dev/urandom", "/dev/random", "/dev/zero")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def install(out_fd: int, scratch: str, readable, denied) -> None:
    """Add the hook: from now on, writes only under `scratch`, reads only under it or `readable` (never `denied`)."""
    sys.addaudithook(_hook(out_fd, (scratch,), (scratch, *readable), tuple(denied), posix.getpid()))


def _hook(out_fd: int, write_roots: tuple, read_roots: tuple, denied: tuple, me: int):
    """The audit hook, every name it uses bound now (see the module's docstring)."""

    # fmt: off
    def hook(event, args, *, out_fd=out_fd, write_roots=write_roots, read_roots=read_roots, denied=denied, me=me,
             _write=posix.write, _lstat=posix.lstat, _readlink=posix.readlink, _getcwd=posix.getcwd,
             _fspath=posix.fspath, _str=str, _bytes=bytes, _int=int, _type=type, _isinstance=isinstance,
             _Error=PermissionError, _paths=(str, bytes, pathlib.PosixPath, pathlib.PurePosixPath), _devices=_DEVICES,
             _process=_PROCESS_EVENTS, _writes=_WRITE_EVENTS, _refused=_REFUSED_EVENTS, _prefixes=_REFUSED_PREFIXES,
             _protected=PROTECTED, _modules=REFUSED_MODULES, _write_flags=_WRITE_FLAGS):
        # fmt: on

        def refuse(what):
            _write(
                out_fd,
                b'{"violation_hex": "' + _str.encode(what[:1000], "utf-8", "surrogateescape").hex().encode() + b'"}\n',
            )
            raise _Error(what + ": not allowed while grading")

        def real(path):
            """The absolute path with no symlink, '.' or '..' in it; refused if not a plain path or if it climbs."""
            if _type(path) not in _paths:
                refuse(f"a path of type {_type(path).__name__}")
            path = _fspath(path)
            path = _bytes.decode(path, "utf-8", "surrogateescape") if _isinstance(path, _bytes) else _str.__str__(path)
            if not path.startswith("/"):
                if ".." in path.split("/"):
                    refuse(f"the relative path {path!r}")
                path = _getcwd() + "/" + path
            done, todo, hops = "", path.split("/"), 0
            while todo:
                part = todo.pop(0)
                if part in ("", "."):
                    continue
                if part == "..":
                    done = done[: done.rfind("/")]
                    continue
                candidate = done + "/" + part
                try:
                    is_link = (_lstat(candidate).st_mode & 0o170000) == 0o120000
                except OSError:
                    is_link = False
                if is_link and hops < 40:
                    hops += 1
                    target = _readlink(candidate)
                    todo = target.split("/") + todo
                    if target.startswith("/"):
                        done = ""
                    continue
                done = candidate
            return done or "/"

        def under(path, roots):
            for root in roots:
                if path == root or path.startswith(root.rstrip("/") + "/"):
                    return True
            return False

        if event == "open":
            path, mode, flags = args
            if _isinstance(path, _int):
                return
            p = real(path)
            writes = bool((flags or 0) & _write_flags)
            for c in "wax+" if _type(mode) is _str else ():
                writes = writes or c in mode
            if writes and not under(p, write_roots):
                refuse(f"writing {p} (outside the scratch folder)")
            if not writes and p not in _devices and (not under(p, read_roots) or under(p, denied)):
                refuse(f"reading {p} (outside the submission's folder)")
        elif event in _writes:
            for a in args:
                if _type(a) in _paths and not under(real(a), write_roots):
                    refuse(f"{event} on {real(a)} (outside the scratch folder)")
        elif event in ("os.listdir", "os.scandir") and args and _type(args[0]) in _paths:
            p = real(args[0])
            if not under(p, read_roots) or under(p, denied):
                refuse(f"listing {p} (outside the submission's folder)")
        elif event == "import":
            name = _str.__str__(args[0])
            if name.split(".")[0] in _protected or name in _modules:
                refuse(f"import {name} (an exercise is answered without it)")
        elif event in _process or event.startswith(_prefixes):
            refuse(f"{event} (no processes, sockets, ctypes or sqlite while grading)")
        elif event in ("os.kill", "os.killpg") and args[0] not in (0, me):
            refuse(f"{event} of process {args[0]}")
        elif event in _refused:
            refuse(event)

    return hook
