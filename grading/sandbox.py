"""The learner's program in a child process, jailed where the machine allows it, with time and memory limits.

`Sandbox(program)` is a learner for `course.exercise.run`: `observe(exercise, input)` returns the encoded observation
of the learner's answer on one input. What stops a check outright (a timeout, a crash, memory filled, a refused import
or file access) raises `Stop` with the reason in words, and the child is started again for the next exercise, without
the cell that killed it. What stops it for a reason of the grader's (an import of the lesson's own that fails here)
raises `GraderProblem`. `variant(k)` is the same program with the k-th variant cell in place of its exercise's cell.

The mode (`jail.NAMESPACES`, or `jail.AUDIT` where namespaces are not available) is in `mode` and `mode_reason`.
"""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import course
from course.exercise import GraderProblem, Stop
from course.exercises import PROTECTED

from . import jail, tools
from .program import Program

MAX_LINE = 32 << 20  # bytes of one message from the child; more is "output too large"
_BOOT = "import sys; from grading.child import main; main(int(sys.argv[1]), int(sys.argv[2]))"


class _Lost(Exception):
    """The child ended or went silent; `reason` says how, in words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def protected_dirs() -> list[str]:
    """The folders of the course's own packages, and the repository's files that are not Python's or a submission's."""
    import importlib

    dirs = {str(Path(importlib.import_module(p).__file__).resolve().parent) for p in PROTECTED}
    root = Path(course.__file__).resolve().parents[1]
    if (root / "solutions").is_dir():  # a checkout of the course: its sources, solutions and tests
        python = [Path(d) for d in jail.python_dirs()]
        dirs |= {str(p) for p in root.iterdir() if not any(d == p or p in d.parents for d in python)}
    return sorted(dirs)


class Sandbox:
    """One learner program, loaded in a child process on first use; `close()` (or `with`) ends it."""

    def __init__(
        self,
        program: Program,
        folder=None,
        call_timeout: float = 10.0,
        exercise_budget: float = 60.0,
        memory_mb: int = 2048,
        mode: str | None = None,
        deadline: float | None = None,
    ):
        self.program = program
        self.deadline = None if deadline is None else time.monotonic() + deadline  # wall clock for the whole program
        self.deadline_s = deadline
        self.folder = os.path.realpath(folder) if folder else None
        self.call_timeout, self.exercise_budget, self.memory_mb = call_timeout, exercise_budget, memory_mb
        self.mode, self.mode_reason = (mode, "asked for") if mode else jail.mode()
        self.problems = {}  # (variant, exercise) -> why it scores zero (refused, or it killed the process)
        for k, cell in [(None, c) for c in program.cells] + list(enumerate(program.variants)):
            if cell.refused:
                self.problems.setdefault((k, cell.name), cell.refused)
        self.cell_errors = {}  # (variant, exercise) -> the error its cell raised when run (its object may still exist)
        self.import_errors = []
        self.grader_problem = None
        self.spent = {}  # (variant, exercise) -> seconds its calls took
        self._proc = None
        self._buffer = b""
        self._scratch = tempfile.mkdtemp(prefix="grading-scratch-")
        self._tools = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._kill()
        shutil.rmtree(self._scratch, ignore_errors=True)

    # --- the child process -----------------------------------------------------------------------------------

    def _spawn(self) -> None:
        child_in, to_child = os.pipe()
        from_child, child_out = os.pipe()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self._scratch,
            "TMPDIR": self._scratch,
            "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        argv = [sys.executable, "-I", "-c", _BOOT, str(child_in), str(child_out)]
        self._proc = subprocess.Popen(
            jail.command(argv) if self.mode == jail.NAMESPACES else argv,
            pass_fds=(child_in, child_out),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self._scratch,
            env=env,
            start_new_session=True,
        )
        os.close(child_in)
        os.close(child_out)
        self._to, self._from, self._buffer = os.fdopen(to_child, "w", encoding="utf-8"), from_child, b""

    def _kill(self) -> None:
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._proc.wait()
        try:
            self._to.close()
        except OSError:  # a pipe the child closed first: nothing left to flush
            pass
        os.close(self._from)
        self._proc = None

    def _send(self, message: dict) -> None:
        try:
            self._to.write(json.dumps(message) + "\n")
            self._to.flush()
        except (BrokenPipeError, OSError):
            raise _Lost(self._death()) from None

    def _death(self) -> str:
        """How the child ended, in words."""
        try:
            code = self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "stopped answering"
        if code < 0 or code >= 128:  # under `unshare`, the child's death by a signal comes back as 128 + the signal
            name = signal.Signals(-code if code < 0 else code - 128).name
            why = {
                "SIGXCPU": "used up its CPU time",
                "SIGSEGV": "crashed (a segmentation fault: a recursion too deep?)",
                "SIGKILL": "was killed",
            }
            return why.get(name, f"crashed ({name})")
        return f"ended the process (exit code {code})"

    def _receive(self, timeout: float) -> dict:
        """The next message of the child; `_Lost` when it ends or says nothing for `timeout` seconds, or when the
        program's own deadline has passed, however many messages it sends."""
        deadline = time.monotonic() + timeout
        if self.deadline is not None and self.deadline < deadline:
            deadline, timeout = self.deadline, None
        while b"\n" not in self._buffer or timeout is None and time.monotonic() > deadline:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from], [], [], left)[0]:
                if timeout is None:
                    raise _Lost(f"used up the {self.deadline_s:g} s allowed for the whole notebook")
                raise _Lost(f"did not finish within {timeout:g} s")
            chunk = os.read(self._from, 1 << 20)
            if not chunk:
                raise _Lost(self._death())
            self._buffer += chunk
            if len(self._buffer) > MAX_LINE:
                raise _Lost(f"sent an output larger than {MAX_LINE >> 20} MiB")
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError:
            raise _Lost("wrote something that is not the grader's protocol to its pipe") from None
        if not isinstance(message, dict):
            raise _Lost("wrote something that is not the grader's protocol to its pipe")
        if "violation_hex" in message:
            message = {"violation": bytes.fromhex(str(message["violation_hex"])).decode("utf-8", "replace")}
        return message

    def _start_message(self, cells: list, variants: list) -> dict:
        if self._tools is None:
            try:
                self._tools = tools.sources(self.program.lesson)
            except tools.ToolError as e:
                self.grader_problem = f"the lesson gives its exercises a tool it cannot give: {e}"
                raise GraderProblem(self.grader_problem) from None
        readable = [self._scratch, *jail.python_dirs(), *([self.folder] if self.folder else [])]
        return {
            "mode": self.mode,
            "lesson": self.program.lesson,
            "scratch": self._scratch,
            "readable": readable,
            "hidden": [d for d in protected_dirs() if not (self.folder and (self.folder + "/").startswith(d + "/"))],
            "memory_mb": self.memory_mb,
            "tools": self._tools,
            "cpu_s": int(self.exercise_budget * (len(self.program.cells) + len(self.program.variants) + 1)) + 30,
            "trusted": self.program.given + self.program.trusted,
            "learner_imports": self.program.learner,
            "cells": cells,
            "variants": variants,
        }

    def _start(self) -> None:
        """Start the child and load every cell that has not already killed one; record what each cell did."""
        while self._proc is None:
            if self.grader_problem:
                raise GraderProblem(self.grader_problem)
            cells = [
                {"name": c.name, "code": c.code} for c in self.program.cells if (None, c.name) not in self.problems
            ]
            variants = [
                {"name": c.name, "code": c.code if (k, c.name) not in self.problems else ""}
                for k, c in enumerate(self.program.variants)
            ]
            start = self._start_message(cells, variants)
            self._spawn()
            running, guarded = None, False
            try:
                self._send(start)
                while True:
                    m = self._receive(self.call_timeout + 30 if running is None else self.call_timeout)
                    if "violation" in m and running:
                        self.problems.setdefault(running, f"your {running[1]} cell: {m['violation']} was refused")
                    elif "grader_problem" in m and not guarded:
                        self.grader_problem = m["grader_problem"]
                        self._kill()
                        raise GraderProblem(self.grader_problem)
                    elif m.get("guarded"):
                        guarded = True
                    elif "grader_problem" in m or "output" in m:
                        raise _Lost("wrote messages of the grader's protocol on its pipe")
                    elif "import_error" in m:
                        self.import_errors.append(m["import_error"])
                    elif m.get("started"):
                        running = (m["variant"], m["cell"])
                    elif "fatal" in m:
                        raise _Lost(f"used more than the {self.memory_mb} MiB of memory allowed")
                    elif "cell" in m:
                        if m["error"]:
                            self.cell_errors[(m["variant"], m["cell"])] = m["error"]
                        running = None
                    elif m.get("ready"):
                        return
            except _Lost as lost:
                self._kill()
                if running is None:
                    raise Stop(f"the grader could not start your code: the process {lost.reason}") from None
                self.problems[running] = f"running your {running[1]} cell, the process {lost.reason}"

    # --- what the check uses ------------------------------------------------------------------------------------

    def problem(self, exercise: str, variant: int | None = None) -> str | None:
        """Why `exercise` cannot be checked at all (its cell is missing, refused, or killed the process), else None."""
        if variant is None and self.program.cell(exercise) is None:
            return (
                f"your notebook has no {exercise} exercise cell (a cell whose nbgrader grade_id is {exercise!r}); "
                "was it deleted or replaced?"
            )
        self._start()
        return self.problems.get((variant, exercise))

    def observe(self, exercise, tree, variant: int | None = None) -> list:
        """The encoded observation of the learner's answer to `exercise` on the encoded input `tree`."""
        name, key = exercise.name, (variant, exercise.name)
        if problem := self.problem(name, variant):
            raise Stop(problem)
        left = self.exercise_budget - self.spent.get(key, 0.0)
        if left <= 0:
            raise Stop(f"your {name} used up the {self.exercise_budget:g} s allowed for all its checks")
        began = time.monotonic()
        try:
            self._send({"call": name, "input": tree, "variant": variant})
            while True:
                m = self._receive(min(self.call_timeout, left))
                if "violation" in m:
                    self.problems.setdefault(key, f"your {name}: {m['violation']} was refused")
                elif "fatal" in m:
                    raise _Lost(f"used more than the {self.memory_mb} MiB of memory allowed")
                elif m.get("missing"):
                    error = self.cell_errors.get(key)
                    imports = "".join(f"; an import of your notebook failed: {e}" for e in self.import_errors)
                    raise Stop(
                        f"running your {name} cell raised {error}, so {name} is not defined{imports}"
                        if error
                        else f"your {name} cell does not define {name}{imports}"
                    )
                elif "output" in m:
                    break
        except _Lost as lost:
            self._kill()
            self.problems.setdefault(key, f"while your {name} ran, the process {lost.reason}")
            raise Stop(self.problems[key]) from None
        finally:
            self.spent[key] = self.spent.get(key, 0.0) + time.monotonic() - began
        if key in self.problems:
            raise Stop(self.problems[key])
        return m["output"]

    def refers(self, name: str, other: str, variant: int | None = None) -> bool:
        return self.program.uses(name, other, variant)

    def variant(self, k: int) -> "_Variant":
        """The learner whose answer to `program.variants[k].name` is that variant."""
        return _Variant(self, k)


class _Variant:
    """A sandbox seen through one of its variant answers; the other exercises are the program's own."""

    def __init__(self, sandbox: Sandbox, k: int):
        self.sandbox, self.k, self.name = sandbox, k, sandbox.program.variants[k].name

    def _which(self, exercise: str):
        return self.k if exercise == self.name else None

    def problem(self, exercise: str) -> str | None:
        return self.sandbox.problem(exercise, self._which(exercise))

    def observe(self, exercise, tree) -> list:
        return self.sandbox.observe(exercise, tree, self._which(exercise.name))

    def refers(self, name: str, other: str) -> bool:
        return self.sandbox.refers(name, other, self._which(name))
