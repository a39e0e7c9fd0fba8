"""`python -m grading check NOTEBOOK...` checks a learner's lessons as the grader does; `python -m grading build` writes
the nbgrader course's source/; `python -m grading autograde SUBMITTED --out DIR` grades a class."""

import argparse
import sys
from pathlib import Path

from . import source


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="check your lesson notebooks (files of any name, or folders) as the grader does")
    c.add_argument("notebooks", nargs="+", type=Path, help="a lesson notebook, or a folder of them")
    c.add_argument("--seed", type=int, default=None, help="draw the random inputs of an earlier check again")
    b = sub.add_parser("build", help="write COURSE/source/LESSON/LESSON.ipynb from solutions/")
    b.add_argument(
        "--course", type=Path, default=source.COURSE, help="the nbgrader course directory (default: %(default)s)"
    )
    a = sub.add_parser("autograde", help="grade SUBMITTED/STUDENT/LESSON/*.ipynb into the nbgrader course OUT")
    a.add_argument("submitted", type=Path, help="the folder of submissions: STUDENT/LESSON/LESSON.ipynb")
    a.add_argument(
        "--out", type=Path, required=True, help="the course folder to write: gradebook.db, grades.csv, feedback/, ..."
    )
    a.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    a.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds one call of a learner's function may take (default: %(default)s)",
    )
    a.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds all the calls of one exercise may take (default: %(default)s)",
    )
    a.add_argument(
        "--allow-audit-only",
        action="store_true",
        help="grade where Linux namespaces are not available, with the audit hook alone (see what it gives up)",
    )
    a.add_argument(
        "--deadline",
        type=float,
        default=300.0,
        help="wall-clock seconds for all the checks of one submitted notebook (default: %(default)s)",
    )
    a.add_argument(
        "--memory-mb",
        type=int,
        default=2048,
        help="address space a learner's process may add to what the lesson's imports take, MiB (default: %(default)s)",
    )
    a.add_argument(
        "--seed", type=int, default=None, help="the seed of the random inputs (default: a fresh one, logged)"
    )
    args = parser.parse_args(argv)
    if args.command == "check":
        from .check import main as check

        return check(args.notebooks, args.seed)
    if args.command == "build":
        source.build(args.course)
        return 0
    from .autograde import GRADER_PROBLEM, SandboxRefused, autograde

    if not args.submitted.is_dir():
        print(f"error: {args.submitted} is not a folder of submissions (STUDENT/LESSON/LESSON.ipynb)", file=sys.stderr)
        return 2
    try:
        rows = autograde(
            args.submitted,
            args.out,
            jobs=args.jobs,
            call_timeout=args.timeout,
            exercise_budget=args.budget,
            deadline=args.deadline,
            memory_mb=args.memory_mb,
            seed=args.seed,
            allow_audit_only=args.allow_audit_only,
        )
    except SandboxRefused as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 1 if any(r["reason"].startswith(GRADER_PROBLEM) for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
