"""The sandbox's child process: the jail, the lesson's tools and imports, limits, the guard, the learner's cells, calls.

Started by `grading.sandbox.Sandbox` with two pipe descriptors: it reads one JSON message per line from the first and
writes one per line on the second. In order, before any learner code runs:
1. the course's exercise definitions are imported (the observations run here; no reference is ever imported here);
2. in the namespaces mode, the process moves into its jail (`jail.enter`) and gives up its capabilities;
3. the tools the lesson gives its exercises are installed as modules holding those tools alone (`tools.py`);
4. the lesson's own imports that the exercises use run (torch...): one that fails is the grader's problem, reported
   as such; then the address space is limited to what those imports took plus the learner's allowance;
5. the guard (`guard.py`) is added, for good, and the course's and the grader's modules are taken out of `sys.modules`
   (the observations keep what they bound; the learner's code cannot reach a check's helpers by name).
Then the imports the learner added, the exercise cells (and the variants: other answers to one exercise, each in a
copy of the namespace), and calls until the pipe closes. A refusal is written to the parent by the guard itself.
"""

import json
import os
import resource
import signal
import sys
import types

from course import wire
from course.exercise import observe
from course.exercises import LESSONS

from . import guard, jail


def send(fd: int, message: dict) -> None:
    """One JSON line to the parent."""
    os.write(fd, (json.dumps(message, ensure_ascii=True) + "\n").encode())


def _register(filename: str, code: str) -> None:
    """Let tracebacks and `linecache` show the learner's lines without reading a file."""
    import linecache

    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)


def _is_learner(filename: str):
    """'your fixup cell' for a frame of the cell `<exercise fixup>` (or a variant's: `<exercise fixup #2>`)."""
    if filename.startswith("<exercise ") and filename.endswith(">"):
        return f"your {filename[len('<exercise ') : -1].split(' #')[0]} cell"
    return None


def _error(e: BaseException) -> str:
    """'TypeError: ... (line 3 of your fixup cell: return x + 1)' from an exception raised by learner code."""
    where, _ = wire.learner_frame(e, _is_learner)
    return f"{type(e).__name__}: {e}"[:500] + where


def _install_tools(tools: dict) -> None:
    """Each given module as a module of that name holding its given tools alone."""
    if not tools:
        return
    package = types.ModuleType("ulmfit_ref")
    package.__path__ = []  # nothing else of the package can be found here
    sys.modules["ulmfit_ref"] = package
    for name, source in tools.items():
        module = types.ModuleType(name)
        sys.modules[name] = module
        setattr(package, name.rsplit(".", 1)[1], module)
        exec(compile(source, f"<the tools of {name}>", "exec"), module.__dict__)


def _address_space(status_fd) -> int | None:
    """Bytes of address space this process holds now (VmSize), from /proc/self/status opened before the jail."""
    if status_fd is None:
        return None
    for line in os.pread(status_fd, 1 << 16, 0).decode().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) << 10
    return None


def _limit(status_fd, memory_mb: int, cpu_s: int) -> None:
    """What the lesson's imports took, plus `memory_mb` for the learner; CPU time, file size, no core dump."""
    taken = _address_space(status_fd)
    if taken is not None:
        limit = taken + (memory_mb << 20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _unhook_spawning() -> None:
    """`_posixsubprocess.fork_exec` starts processes without an audit event: make it unreachable from every module, so
    that reaching it again means an import, which the guard refuses."""
    spawner = sys.modules.pop("_posixsubprocess", None)
    if spawner is None:
        return
    for module in list(sys.modules.values()):
        for name, value in list(getattr(module, "__dict__", {}).items()):
            if value is spawner or value is spawner.fork_exec:
                delattr(module, name)


def _forget_checks() -> None:
    """Take the course's and the grader's modules out of `sys.modules`: what runs here keeps what it bound, and the
    learner's code can no longer reach a check's helpers by name (an import of them is the guard's to refuse)."""
    for name in [m for m in sys.modules if m.split(".")[0] in ("course", "grading")]:
        del sys.modules[name]


def _run_cell(out_fd: int, cell: dict, namespace: dict, variant) -> None:
    send(out_fd, {"cell": cell["name"], "variant": variant, "started": True})
    filename = f"<exercise {cell['name']}>" if variant is None else f"<exercise {cell['name']} #{variant}>"
    _register(filename, cell["code"])
    try:
        exec(compile(cell["code"], filename, "exec"), namespace)
        send(out_fd, {"cell": cell["name"], "variant": variant, "error": None})
    except MemoryError:
        send(out_fd, {"fatal": "memory"})
        os._exit(3)
    except BaseException as e:  # noqa: BLE001 - SystemExit from a cell is the learner's error, not ours
        send(out_fd, {"cell": cell["name"], "variant": variant, "error": _error(e)})


def main(in_fd: int, out_fd: int) -> None:
    """Run one learner program: read the start message, set everything up, then answer calls until the pipe closes."""
    reader = os.fdopen(in_fd, "r", encoding="utf-8")
    start = json.loads(reader.readline())
    scratch, readable = start["scratch"], start["readable"]
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.dont_write_bytecode = True
    status_fd = os.open("/proc/self/status", os.O_RDONLY) if os.path.exists("/proc/self/status") else None
    lesson = LESSONS[start["lesson"]]
    exercises = {e.name: e for e in lesson.EXERCISES}
    try:
        if start["mode"] == jail.NAMESPACES:
            jail.enter(scratch, readable, start["hidden"])
        _install_tools(start["tools"])
    except Exception as e:  # noqa: BLE001 - whatever stops the set-up is the grader's problem
        send(out_fd, {"grader_problem": f"the grader could not set up its sandbox ({type(e).__name__}: {e})"})
        return
    namespace = {"__name__": "__main__"}  # as in a notebook's kernel
    imports = [(f"import {m}", {}) for m in lesson.PRELOAD] + [(line, namespace) for line in start["trusted"]]
    for line, into in imports:  # what the observations need, then the lesson's own imports that the cells use
        try:
            exec(compile(line, "<the lesson's imports>", "exec"), into)
        except BaseException as e:  # noqa: BLE001 - an import of the lesson's that fails here is not the learner's doing
            send(
                out_fd, {"grader_problem": f"the grader could not run the lesson's `{line}` ({type(e).__name__}: {e})"}
            )
            return
    warm_up = getattr(lesson, "WARM_UP", None)  # a first use the lesson's checks make costly (torch's meta device)
    if warm_up is not None:
        warm_up()
    calls = os.path.join(scratch, "calls")
    os.makedirs(calls, exist_ok=True)
    _limit(status_fd, start["memory_mb"], start["cpu_s"])
    if status_fd is not None:
        os.close(status_fd)
    _unhook_spawning()
    guard.install(out_fd, scratch, readable, start["hidden"])
    _forget_checks()
    send(out_fd, {"guarded": True})  # from here on learner code runs: no message can be the grader's problem
    for line in start["learner_imports"]:
        try:
            exec(compile(line, "<your imports>", "exec"), namespace)
        except Exception as e:  # noqa: BLE001 - a missing module is reported; the cells that need it fail by name
            send(out_fd, {"import_error": f"{line}: {type(e).__name__}: {e}"})
    for cell in start["cells"]:
        _run_cell(out_fd, cell, namespace, None)
    namespaces = {None: namespace}
    for k, cell in enumerate(start["variants"]):
        namespaces[k] = dict(namespace)
        _run_cell(out_fd, cell, namespaces[k], k)
    send(out_fd, {"ready": True})
    for line in reader:
        request = json.loads(line)
        name, space = request["call"], namespaces[request.get("variant")]
        if name not in space:
            send(out_fd, {"missing": True})
            continue
        try:
            send(out_fd, {"output": observe(exercises[name], space[name], request["input"], calls, _is_learner)})
        except MemoryError:
            send(out_fd, {"fatal": "memory"})
            os._exit(3)
