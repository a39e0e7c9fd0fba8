"""The `ulmfit` command."""

import argparse
import sys

from .data import DataError
from .download import DownloadError, download_imdb
from .prepare import PrepareConfig, prepare_imdb


def _data_path(args):
    if args.download:
        return download_imdb()
    if args.data is None:
        raise DataError("give --data PATH (an aclImdb folder or aclImdb_v1.tar.gz) or --download")
    return args.data


def cmd_prepare(args):
    """IMDb reviews to token ids on disk."""
    config = PrepareConfig(max_vocab=args.max_vocab, min_freq=args.min_freq, seed=args.seed, limit=args.limit)
    prepare_imdb(_data_path(args), args.out, config, n_workers=args.workers)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="ulmfit", description="ULMFiT on IMDb: prepare, train, evaluate.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="IMDb reviews to CSVs, tokens, vocab and token ids")
    p.add_argument("--data", help="an aclImdb folder, a folder holding one, or aclImdb_v1.tar.gz")
    p.add_argument("--download", action="store_true", help="download the official archive into the user cache")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--max-vocab", type=int, default=PrepareConfig.max_vocab)
    p.add_argument("--min-freq", type=int, default=PrepareConfig.min_freq)
    p.add_argument("--seed", type=int, default=PrepareConfig.seed)
    p.add_argument("--limit", type=int, default=None, help="at most N reviews per split and class (small runs)")
    p.add_argument("--workers", type=int, default=None, help="tokenizer processes (default: all cores)")
    p.set_defaults(func=cmd_prepare)
    return parser


def main(argv=None) -> int:
    """Run the `ulmfit` command; bad input ends with a one-line error, not a traceback."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (DataError, DownloadError, FileNotFoundError) as e:
        print(f"ulmfit {args.command}: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
