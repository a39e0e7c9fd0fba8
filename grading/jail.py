"""The operating system's boundary around the learner's process: Linux namespaces, a root of its own, no capabilities.

The parent starts the child under util-linux's `unshare`, in new user, mount, PID, network and IPC namespaces (no
privilege needed where the kernel allows user namespaces, as most do). Before any learner code runs, the child builds
a root on a tmpfs that holds, read-only, only what Python needs (its prefix and library, /usr), the submission's folder
and, writable, a scratch folder on a tmpfs of its own (`SCRATCH_MB`: filling it fills nothing of the grader's), with
the course's own packages covered by empty folders; moves it over "/", and then
gives up every capability, so that nothing inside can mount, chroot or trace its way back out. There is no network,
no other process to see, and when the grader ends the child (the PID namespace's first process), the kernel ends
everything it started: a detached process does not outlive the check. The audit hook (`guard.py`) stays as the line
behind this one.

Where `unshare` or user namespaces are missing (another OS, a kernel or container that forbids them), `mode()` says
so and the sandbox runs with the audit hook alone.
"""

import ctypes
import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

UNSHARE = ("--user", "--map-root-user", "--mount", "--pid", "--net", "--ipc", "--fork", "--kill-child")
NAMESPACES = "namespaces"  # the two modes of the sandbox, as the output and grading/README.md name them
AUDIT = "audit hook only"
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_MOVE, _MS_REC, _MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
_PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS = 24, 38
_DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")
SCRATCH_MB = 256  # the learner's writable space (its temporary folder and home too): a tmpfs, never the grader's disk


@functools.cache
def mode() -> tuple[str, str]:
    """(the mode this machine allows, why): NAMESPACES when a child can build its jail here, else AUDIT."""
    forced = os.environ.get("ULMFIT_SANDBOX")
    if forced == "audit":
        return AUDIT, "ULMFIT_SANDBOX=audit asks for it"
    if sys.platform != "linux":
        return AUDIT, f"no Linux namespaces on {sys.platform}"
    unshare = shutil.which("unshare")
    if unshare is None:
        return AUDIT, "the `unshare` command (util-linux) is not installed"
    scratch = tempfile.mkdtemp(prefix="grading-probe-")
    probe = [
        unshare,
        *UNSHARE,
        sys.executable,
        "-I",
        "-c",
        "import sys; from grading.jail import probe; probe(sys.argv[1])",
        scratch,
    ]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return AUDIT, f"`unshare` could not start a child ({e})"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if done.returncode != 0 or done.stdout.strip() != "jailed":
        why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        if forced == "namespaces":
            raise RuntimeError(f"ULMFIT_SANDBOX=namespaces, but no jail can be built here: {why}")
        return AUDIT, f"no user namespaces here ({why})"
    return NAMESPACES, "user, mount, PID, network and IPC namespaces, a read-only root of its own, no capabilities"


def command(argv: list) -> list:
    """`argv` run in new namespaces, as the child of a shell: the first process of a PID namespace ignores the signals
    it has no handler for (an `abort()` there ends as a segfault), the learner's process should not be that one."""
    return [shutil.which("unshare"), *UNSHARE, "/bin/sh", "-c", '"$@"; exit $?', "sh", *argv]


def python_dirs() -> list[str]:
    """Where Python reads its own modules from: the standard library and site-packages, resolved."""
    paths = sysconfig.get_paths()
    return sorted({os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib")})


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)
    return libc


def _mount(libc, source, target: str, fstype, flags: int, data=None) -> None:
    def enc(s):
        return s.encode() if s is not None else None

    if libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _bind(libc, root: str, path: str, writable: bool = False, recursive: bool = True) -> None:
    """Mount `path` at the same path under `root`, read-only unless `writable`."""
    real = os.path.realpath(path)
    target = root + real
    if os.path.isdir(real):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(libc, real, target, None, _MS_BIND | (_MS_REC if recursive else 0))
    flags = _MS_REMOUNT | _MS_BIND | _MS_NOSUID | (0 if real in _DEVICES else _MS_NODEV)
    _mount(libc, None, target, None, flags if writable else flags | _MS_RDONLY)


def _system_dirs() -> list[str]:
    """/usr and what the dynamic loader finds libraries in."""
    return [d for d in ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin") if os.path.lexists(d)]


def enter(scratch: str, readable: list[str], hidden: list[str]) -> None:
    """Move this process into a root of its own (see the module's docstring) and drop every capability."""
    libc = _libc()
    _mount(libc, None, "/", None, _MS_REC | _MS_PRIVATE)
    root = os.path.join(scratch, ".root")
    os.makedirs(root, exist_ok=True)  # a child started again after a crash finds the folder of the first
    _mount(libc, "tmpfs", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=4m,mode=755")
    for d in _system_dirs():
        if os.path.islink(d):
            os.symlink(os.readlink(d), root + d)
        else:
            _bind(libc, root, d)
    for d in sorted({sys.prefix, sys.base_prefix, sys.exec_prefix, *python_dirs(), *readable}):
        if os.path.exists(d):
            _bind(libc, root, d)
    for f in ("/etc/ld.so.cache", *_DEVICES):
        if os.path.exists(f):
            _bind(libc, root, f, writable=f.startswith("/dev/"))
    os.makedirs(root + scratch, exist_ok=True)  # the scratch folder: a tmpfs of its own, of bounded size
    _mount(libc, "tmpfs", root + scratch, "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={SCRATCH_MB}m,mode=700")
    for d in hidden:  # the course's packages, wherever a bound folder holds them
        target = root + os.path.realpath(d)
        if os.path.isdir(target):
            _mount(libc, "tmpfs", target, "tmpfs", _MS_NOSUID | _MS_NODEV | _MS_RDONLY, "size=4k,mode=555")
    os.makedirs(root + "/proc", exist_ok=True)
    try:
        _mount(libc, "proc", root + "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
    except OSError:
        pass  # a container may forbid a new /proc; nothing in the checks needs one
    os.chdir(root)
    _mount(libc, root, "/", None, _MS_MOVE)
    os.chroot(".")
    _mount(libc, None, "/", None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    os.chdir(scratch)
    _drop_capabilities(libc)


def _drop_capabilities(libc) -> None:
    """No capability left, none to gain by exec (bounding set empty, no new privileges)."""
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    for cap in range(64):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3, this thread; all zero
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def probe(scratch: str) -> None:
    """Build a jail in `scratch` and say "jailed" (run by `mode()` in new namespaces)."""
    enter(scratch, [], [])
    print("jailed")
