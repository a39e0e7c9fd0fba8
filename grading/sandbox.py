"""The learner's program in a child process, with time and memory limits; results come back as plain data.

`Sandbox(program).call(exercise, input)` returns the encoded result of the learner's exercise on one input. What stops
a check outright (a timeout, a crash, memory filled, a refused import or file access) raises `verify.Stop` with the
reason in words; the child is then started again for the next exercise, without the cell that killed it.
"""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from .program import Program
from .verify import Stop

ROOT = Path(__file__).resolve().parents[1]
MAX_LINE = 32 << 20  # bytes of one message from the child; more is "output too large"
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from grading.child import main; main(int(sys.argv[2]), int(sys.argv[3]))"


class _Lost(Exception):
    """The child ended or went silent; `reason` says how, in words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _python_dirs() -> list[str]:
    """Where Python reads its own modules from: the standard library and site-packages."""
    paths = sysconfig.get_paths()
    return sorted({os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib")})


class Sandbox:
    """One learner program, loaded in a child process on first use; `close()` (or `with`) ends it."""

    def __init__(self, program: Program, folder=None, call_timeout: float = 10.0, exercise_budget: float = 60.0, memory_mb: int = 2048):
        self.program = program
        self.folder = os.path.realpath(folder) if folder else None
        self.call_timeout, self.exercise_budget, self.memory_mb = call_timeout, exercise_budget, memory_mb
        self.problems = {c.name: c.refused for c in program.cells if c.refused}  # exercise -> why it scores zero
        self.cell_errors = {}  # exercise -> the error its cell raised when run (its object may still exist)
        self.import_errors = []
        self.spent = {}  # exercise -> seconds its calls took
        self._proc = None
        self._buffer = b""
        self._scratch = tempfile.mkdtemp(prefix="grading-scratch-")

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
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self._scratch, "TMPDIR": self._scratch, "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
        }
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT, str(ROOT), str(child_in), str(child_out)],
            pass_fds=(child_in, child_out), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=self._scratch, env=env, start_new_session=True,
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
        if code < 0:
            name = signal.Signals(-code).name
            why = {"SIGXCPU": "used up its CPU time", "SIGSEGV": "crashed (a segmentation fault: a recursion too deep?)", "SIGKILL": "was killed"}
            return why.get(name, f"crashed ({name})")
        return f"ended the process (exit code {code})"

    def _receive(self, timeout: float) -> dict:
        """The next message of the child; `_Lost` when it ends or says nothing for `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from], [], [], left)[0]:
                raise _Lost(f"did not finish within {timeout:g} s")
            chunk = os.read(self._from, 1 << 20)
            if not chunk:
                raise _Lost(self._death())
            self._buffer += chunk
            if len(self._buffer) > MAX_LINE:
                raise _Lost(f"sent an output larger than {MAX_LINE >> 20} MiB")
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def _start(self) -> None:
        """Start the child and load every cell that has not already killed one; record what each cell did."""
        while self._proc is None:
            cells = [{"name": c.name, "code": c.code} for c in self.program.cells if c.name not in self.problems]
            self._spawn()
            readable = [self._scratch, *_python_dirs(), *([self.folder] if self.folder else [])]
            start = {
                "scratch": self._scratch, "readable": readable, "memory_mb": self.memory_mb,
                "cpu_s": int(self.exercise_budget * (len(self.program.cells) + 1)) + 30,
                "imports": [line for line in self.program.imports.split("\n") if line], "cells": cells,
            }
            running = None
            try:
                self._send(start)
                while True:
                    m = self._receive(self.call_timeout + 20 if running is None else self.call_timeout)
                    if "violation" in m and running:
                        self.problems.setdefault(running, f"your {running} cell: {m['violation']} was refused")
                    elif "import_error" in m:
                        self.import_errors.append(m["import_error"])
                    elif m.get("started"):
                        running = m["cell"]
                    elif "fatal" in m:
                        raise _Lost(f"used more than the {self.memory_mb} MiB of memory allowed")
                    elif "cell" in m:
                        if m["error"]:
                            self.cell_errors[m["cell"]] = m["error"]
                        running = None
                    elif m.get("ready"):
                        return
            except _Lost as lost:
                self._kill()
                if running is None:
                    raise Stop(f"the grader could not start your code: the process {lost.reason}") from None
                self.problems[running] = f"running your {running} cell, the process {lost.reason}"

    # --- what the checker uses ------------------------------------------------------------------------------

    def problem(self, exercise: str) -> str | None:
        """Why `exercise` cannot be checked at all (its cell is missing, refused, or killed the process), else None."""
        if self.program.cell(exercise) is None:
            return f"your notebook has no {exercise} exercise cell (a cell whose nbgrader grade_id is {exercise!r}); was it deleted or replaced?"
        self._start()
        return self.problems.get(exercise)

    def call(self, exercise: str, tree) -> list:
        """The encoded result of the learner's `exercise` on the encoded input `tree`; `Stop` when the check must stop."""
        if problem := self.problem(exercise):
            raise Stop(problem)
        left = self.exercise_budget - self.spent.get(exercise, 0.0)
        if left <= 0:
            raise Stop(f"your {exercise} used up the {self.exercise_budget:g} s allowed for all its checks")
        began = time.monotonic()
        try:
            self._send({"call": exercise, "input": tree})
            while True:
                m = self._receive(min(self.call_timeout, left))
                if "violation" in m:
                    self.problems.setdefault(exercise, f"your {exercise}: {m['violation']} was refused")
                elif "fatal" in m:
                    raise _Lost(f"used more than the {self.memory_mb} MiB of memory allowed")
                elif m.get("missing"):
                    error = self.cell_errors.get(exercise)
                    raise Stop(f"running your {exercise} cell raised {error}, so {exercise} is not defined" if error else f"your {exercise} cell does not define {exercise}")
                else:
                    break
        except _Lost as lost:
            self._kill()
            self.problems.setdefault(exercise, f"while your {exercise} ran, the process {lost.reason}")
            raise Stop(self.problems[exercise]) from None
        finally:
            self.spent[exercise] = self.spent.get(exercise, 0.0) + time.monotonic() - began
        if exercise in self.problems:
            raise Stop(self.problems[exercise])
        return m["output"]
