"""The course's commands.

    python -m course start FOLDER [--data PATH]   a learner's working copy of the lessons, and where the data is
    python -m course build [--lesson NN_name]     lessons/ and docs/API.md, from solutions/ and ulmfit_ref
    python -m course check                        fails when lessons/ or docs/API.md differ from what build writes
"""

import argparse
import sys
from pathlib import Path

from .data import ROOT


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{start,build,check}")
    p = commands.add_parser("start", help="make a working copy of the lessons in FOLDER (your work there is kept)")
    p.add_argument("folder", type=Path, help="where the lessons go, e.g. ~/ulmfit-lessons")
    p.add_argument("--data", type=Path, help="aclImdb_v1.tar.gz or an extracted aclImdb folder (default: found)")
    for name, what in (("build", "write lessons/ and docs/API.md"), ("check", "compare them with their sources")):
        p = commands.add_parser(name, help=what)
        p.add_argument("--root", type=Path, default=ROOT, help="the project folder (default: %(default)s)")
    p = commands.choices["build"]
    p.add_argument("--lesson", action="append", help="build only this lesson (05_loader), the others left as they are")
    args = parser.parse_args(argv)
    if args.command == "start":
        from .start import main as start

        return start(args.folder, args.data)
    from .build import SourceError, build, check

    if args.command == "build":
        try:
            build(args.root, lessons=args.lesson)
        except SourceError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        return 0
    problems = check(args.root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    n = len(list((args.root / "solutions").glob("[0-9][0-9]_*.py")))
    print(f"lessons/ matches solutions/ ({n} lessons), docs/API.md matches ulmfit_ref")
    return 0


if __name__ == "__main__":
    sys.exit(main())
