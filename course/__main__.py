"""`python -m course build` writes lessons/ from solutions/; `python -m course check` fails when they disagree."""

import argparse
import sys
from pathlib import Path

from .build import ROOT, SourceError, build, check


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    parser.add_argument(
        "command", choices=("build", "check"), help="build: write lessons/; check: compare them with solutions/"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the project folder (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.command == "build":
        try:
            build(args.root)
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
    print(f"lessons/ matches solutions/ ({len(list((args.root / 'solutions').glob('[0-9][0-9]_*.py')))} lessons)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
