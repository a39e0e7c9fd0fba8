"""Autograding speed: `python -m grading autograde` vs a plain `nbgrader autograde` of the same 30 submissions.

The class is one lesson (default 02_fixup): 10 submissions answered by the solution, 10 untouched lessons and 10
with a wrong answer. Both graders run in the same run on the same machine, one after the other, each on its own copy
of the course: ours with one worker per core (its whole command: checks, nbgrader's gradebook, feedback pages,
grades.csv), its sandbox in the mode the machine allows; nbgrader's plain `autograde` runs every notebook top to
bottom in a kernel, whose hidden test cells run the same checks on the same number of inputs, in the kernel.
Writes benchmarks/results/autograde.json.

    .venv/bin/python benchmarks/autograde.py [--lesson 02_fixup] [--n 30]
"""

import sys
from pathlib import Path

# benchmarks/tokenize.py shadows the standard library's `tokenize`: drop this folder from the import path first.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import nbformat  # noqa: E402

from course.build import release  # noqa: E402
from grading import jail, program, source  # noqa: E402
from grading.autograde import autograde  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "autograde.json"


def write_class(folder: Path, lesson: str, n: int) -> None:
    """`n` submissions: a third answered, a third untouched, a third with the first exercise answered wrongly."""
    first = program.exercise_names(source.notebook(lesson))[0]
    for i in range(n):
        kind = ("answered", "untouched", "wrong")[i % 3]
        nb = release(source.notebook(lesson)) if kind == "untouched" else source.answered(lesson)
        if kind == "wrong":
            cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == first)
            cell.source = f"def {first}(*args, **kwargs):\n    return args[0]"
        path = folder / f"student{i:02d}" / lesson / f"{lesson}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)


def plain_nbgrader(course: Path, submitted: Path, lesson: str) -> float:
    """Seconds of `nbgrader autograde LESSON` over the class, in a course folder of its own (setup not timed)."""
    source.build(course, names=[lesson], log=lambda _: None)
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(submitted, course / "submitted")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    nbgrader = [sys.executable, "-m", "nbgrader"]
    generate = [*nbgrader, "generate_assignment", lesson, "--force"]
    subprocess.run(generate, cwd=course, env=env, check=True, capture_output=True)
    began = time.perf_counter()
    subprocess.run([*nbgrader, "autograde", lesson, "--force"], cwd=course, env=env, check=True, capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lesson", default="02_fixup")
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        tmp = Path(tmp)
        write_class(tmp / "submitted", args.lesson, args.n)
        began = time.perf_counter()
        rows = autograde(tmp / "submitted", tmp / "ours", log=lambda _: None)
        ours = time.perf_counter() - began
        theirs = plain_nbgrader(tmp / "plain", tmp / "submitted", args.lesson)
    result = {
        "lesson": args.lesson,
        "submissions": args.n,
        "cores": os.cpu_count(),
        "load_average_before": round(load, 2),
        "seconds": round(ours, 2),
        "nbgrader_seconds": round(theirs, 2),
        "seconds_per_submission": round(ours / args.n, 3),
        "nbgrader_seconds_per_submission": round(theirs / args.n, 3),
        "ratio": round(ours / theirs, 3),
        "full_marks": sum(1 for r in rows if r["score"] == r["max_score"]),
        "sandbox": jail.mode()[0],
        "machine": platform.platform(),
        "python": platform.python_version(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
