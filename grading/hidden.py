"""The hidden test cells' check, run from a notebook's kernel (a plain `nbgrader autograde`): the kernel only calls the
learner's object; a checker process started from the kernel draws the inputs, runs the reference and compares.

`check(name, obj)` in the kernel starts `python -m grading.hidden` once per kernel and answers its calls, then prints
the verdict or raises `CheckFailed`. `python -m grading.hidden` is that checker: it reads `{"check": name}` lines,
and for each runs `verify.check` against the kernel, whose answers come back as plain data.

In this mode the learner's code shares the kernel with the grader's side of the pipe, so the limits of `Sandbox`
(imports, files, memory) do not apply: `python -m grading autograde` grades in the sandbox and trusts no kernel.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from course.checks import CheckFailed

from . import probes

ROOT = Path(__file__).resolve().parents[1]
_checker = []  # the checker process of this kernel, started on the first check


def _process() -> subprocess.Popen:
    if not _checker or _checker[0].poll() is not None:
        _checker[:] = [subprocess.Popen(
            [sys.executable, "-m", "grading.hidden"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
        )]
    return _checker[0]


def check(name: str, obj) -> None:
    """Check the learner's `obj` (exercise `name`) against the reference, in a process of its own; `CheckFailed` if it differs."""
    proc = _process()
    proc.stdin.write(json.dumps({"check": name}) + "\n")
    proc.stdin.flush()
    with tempfile.TemporaryDirectory(prefix="grading-kernel-") as workdir:
        while True:
            line = proc.stdout.readline()
            if not line:
                raise CheckFailed(f"{name}: the checker process ended before its verdict (exit code {proc.wait()})")
            message = json.loads(line)
            if "verdict" in message:
                break
            output = probes.observe(message["call"], obj, message["input"], workdir)
            proc.stdin.write(json.dumps({"output": output}) + "\n")
            proc.stdin.flush()
    verdict = message["verdict"]
    if not verdict["passed"]:
        raise CheckFailed(verdict["message"])
    print(verdict["message"])


class _Kernel:
    """The learner, as seen from the checker process: calls go to the kernel over stdout, answers come on stdin."""

    def __init__(self, out):
        self.out = out

    def problem(self, exercise: str) -> None:
        return None

    def call(self, exercise: str, tree) -> list:
        self.out.write(json.dumps({"call": exercise, "input": tree}) + "\n")
        self.out.flush()
        return json.loads(sys.stdin.readline())["output"]


def main() -> None:
    """The checker: one verdict per `{"check": name}` line on stdin."""
    from .exercises import EXERCISES
    from .verify import check as verify_check

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the kernel's interrupts are not ours: the checker ends with its stdin
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout = sys.stderr  # only the protocol goes to the kernel
    for line in sys.stdin:
        name = json.loads(line)["check"]
        verdict = verify_check(EXERCISES[name], _Kernel(out))
        out.write(json.dumps({"verdict": {"passed": verdict.passed, "message": verdict.message}}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
