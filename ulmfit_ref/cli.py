"""The `ulmfit` command: train (any data set in the standard CSV), imdb, prepare, pretrain, predict.

Only argparse and the presets are imported to build the parser, so `ulmfit --help` answers at once; each command
imports what it runs. A user's error ends in one line on stderr (`--debug`: the whole traceback); a bug keeps its
traceback.
"""

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from . import __version__
from .errors import StageError, UlmfitError, environment_error
from .presets import PRESETS, RECIPE_ALIASES, with_bs, with_recipe

STAGE_HELP = "run this stage only: prepare, lm, classifier or evaluate (the stages before it must be done)"


def _positive(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def _one_process():
    """Refuse a torchrun launch: the stages write shared files from one process."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise StageError("`ulmfit` runs in one process (one GPU); launch it without torchrun")


def _run(args, data=None):
    """The Run that the options of `ulmfit train` or `ulmfit imdb` describe."""
    from .runs import find_pretrained, make_run

    _one_process()
    preset = PRESETS[args.preset]
    if args.limit is not None:
        preset = replace(preset, prepare=replace(preset.prepare, limit=args.limit))
    if args.bs is not None:
        preset = with_bs(preset, args.bs)
    try:
        with_recipe(preset.classify, args.recipe)
    except ValueError as e:
        raise StageError(f"--recipe: {e}") from e
    if args.pretrained_vocab and not args.pretrained:
        raise StageError("--pretrained-vocab goes with --pretrained (the weights it belongs to)")
    pretrained = find_pretrained(args.pretrained, args.pretrained_vocab, print) if args.pretrained else None
    return make_run(args.out, preset, pretrained, args.seed, args.workers, data=data, recipe=args.recipe)


def _stages(args):
    """The stages that --stage names (all by default)."""
    from .pipeline import STAGES

    if args.stage is not None and args.stage not in STAGES:
        raise StageError(f"--stage: unknown stage {args.stage!r}; the stages are {', '.join(STAGES)}")
    return [args.stage] if args.stage else list(STAGES)


def _report(results: dict, out) -> None:
    """One line of the run's figures, once it is evaluated."""
    if results["accuracy"] is None:
        return
    perplexity = f", LM perplexity {results['perplexity']:.2f}" if results["perplexity"] is not None else ""
    print(f"accuracy {results['accuracy']:.4f}, macro-F1 {results['macro_f1']:.4f}{perplexity}, "
          f"{results['minutes']:.1f} minutes; results in {Path(out) / 'results.json'}")


def cmd_train(args):
    """Every stage of a run on the data set in DATA, or the one named by --stage; finished stages are skipped."""
    from .pipeline import run_pipeline

    if args.data is not None and Path(args.data).name.endswith((".tar.gz", ".tgz")):
        raise StageError(f"{args.data}: `ulmfit train` reads a standard CSV folder (train.csv, test.csv, classes.txt, "
                         f"unlabelled.csv); for IMDb's archive use `ulmfit imdb --data {args.data}`")
    stages = _stages(args)
    run = _run(args, args.data)
    _report(run_pipeline(run, stages, args.resume), run.out)


def _imdb_path(args):
    """The IMDb reviews: --data, or the official archive downloaded with --download."""
    from .download import download_imdb

    if args.download:
        return download_imdb()
    if args.data is None:
        raise StageError("give --data PATH (an aclImdb folder or aclImdb_v1.tar.gz) or --download")
    return args.data


def cmd_imdb(args):
    """The IMDb reviews to the standard CSV, then every stage of `ulmfit train` on it."""
    from .pipeline import run_imdb

    stages = _stages(args)
    run = _run(args)
    data = args.data  # checked against what the run was prepared from, when it was
    if (args.download or "prepare" in stages) and not (run.prepared / "result.json").exists():
        data = _imdb_path(args)
    _report(run_imdb(run, data, stages, args.resume), run.out)


def _is_dataset(path: Path) -> bool:
    """Whether `path` is a standard CSV folder (or a CSV file of one) rather than IMDb's folder or archive."""
    return path.suffix.lower() == ".csv" or (path / "train.csv").is_file()


def cmd_prepare(args):
    """A data set (a standard CSV folder, or IMDb's reviews) to token ids on disk."""
    from .config import PrepareConfig
    from .prepare import prepare_dataset, prepare_imdb

    config = PrepareConfig(max_vocab=args.max_vocab, min_freq=args.min_freq, seed=args.seed, limit=args.limit)
    if args.data is not None and _is_dataset(Path(args.data)):
        prepare_dataset(args.data, args.out, config, n_workers=args.workers)
    else:
        prepare_imdb(_imdb_path(args), args.out, config, n_workers=args.workers)


def cmd_pretrain(args):
    """A general language model from plain text, saved for `ulmfit train --pretrained`."""
    from .pipeline import run_pretrain

    _one_process()
    preset = PRESETS[args.preset]
    if args.max_words is not None:
        preset = replace(preset, corpus=replace(preset.corpus, max_words=args.max_words))
    if args.bs is not None:
        preset = with_bs(preset, args.bs)
    run_pretrain(args.corpus, args.out, preset, args.resume, args.seed, args.workers)


def cmd_predict(args):
    """The class and its probability for each text given, each line of stdin, or each row of --input."""
    from .dataset import read_texts
    from .files import atomic_write
    from .pipeline import load_classifier

    clf = load_classifier(args.model, log=print)
    labels = None
    if args.input:
        if args.texts:
            raise StageError("give the texts to classify as arguments or with --input, not both")
        docs, labels, lines = read_texts(args.input, clf.n_fields)
    else:
        docs = [(t,) for t in args.texts] or [(line.rstrip("\r\n"),) for line in sys.stdin if line.strip()]
        lines = list(range(1, len(docs) + 1))
        if not docs:
            raise StageError("give the texts to classify as arguments, on stdin (one per line) or with --input CSV")
        if clf.n_fields > 1:
            docs = [d + ("",) * (clf.n_fields - 1) for d in docs]  # the other fields left empty
    probs = clf.predict_proba(docs, args.workers, progress=sys.stderr.isatty())
    best = probs.argmax(1)
    if args.output is None:
        for i, p in zip(best, probs):
            print(f"{clf.classes[i]}\t{float(p[i]):.4f}")
        return
    import csv

    with atomic_write(args.output) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["line"] + (["label"] if labels is not None else []) + ["predicted"]
                   + [f"p_{c}" for c in clf.classes])
        for k, (line, i, p) in enumerate(zip(lines, best, probs)):
            w.writerow([line] + ([labels[k]] if labels is not None else []) + [clf.classes[i]]
                       + [f"{v:.6f}" for v in p])
    print(f"{len(docs):,} predictions written to {args.output}")


def _run_options(p, data_help: str):
    """The options that `ulmfit train` and `ulmfit imdb` share."""
    p.add_argument("--out", required=True, help="the run's folder")
    p.add_argument("--preset", choices=sorted(PRESETS), default="cpu",
                   help="paper: the paper's sizes and schedule (GPU); cpu: IMDb in under 45 minutes on 2 cores; "
                        "tiny: CI and a first try")
    p.add_argument("--recipe", default="ulmfit",
                   help=f"how the classifier fine-tunes: {', '.join(RECIPE_ALIASES)} (= freez+discr+stlr), or "
                        f"freez|full|last|chain, then +discr (not with chain), then +stlr or +cos (the paper's "
                        f"Table 7); default ulmfit")
    p.add_argument("--stage", help=STAGE_HELP)
    p.add_argument("--pretrained", help="a pretrained LM: the folder (or model.pt) of `ulmfit pretrain`, or fastai's "
                                        "fwd_wt103.h5 / lstm_fwd.pth; default: none, the LM trains from scratch")
    p.add_argument("--pretrained-vocab", help="its vocabulary: itos_wt103.pkl, or vocab.json of `ulmfit pretrain`")
    p.add_argument("--resume", action="store_true", help="continue an interrupted stage from its last checkpoint")
    p.add_argument("--bs", type=_positive, default=None,
                   help="the batch size of every training, instead of the preset's (lower it when the GPU runs out "
                        "of memory)")
    p.add_argument("--limit", type=_positive, default=None, help=data_help)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--workers", type=_positive, default=None, help="tokenizer processes (default: all cores)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    debug = "show the whole traceback of an error"
    common = argparse.ArgumentParser(add_help=False)  # --debug after the command's name too, not undoing one before
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug)
    parser = argparse.ArgumentParser(prog="ulmfit",
                                     description="ULMFiT (Howard & Ruder 2018) on any text classification data set.")
    parser.add_argument("--debug", action="store_true", help=debug)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", parents=[common], help="the whole run on a standard CSV folder: prepare, lm, "
                                                       "classifier, evaluate",
                       description="DATA holds train.csv (no header: the label, then one or more text fields), and "
                                   "optionally test.csv, classes.txt (one class name per line) and unlabelled.csv "
                                   "(text fields only, more text for the language model).")
    p.add_argument("data", nargs="?", help="the data set folder (needed until the prepare stage is done)")
    _run_options(p, "at most N documents per class of train.csv and test.csv, and N unlabelled (small runs)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("imdb", parents=[common], help="IMDb's reviews to the standard CSV, then `ulmfit train`")
    p.add_argument("--data", help="an aclImdb folder, a folder holding one, or aclImdb_v1.tar.gz")
    p.add_argument("--download", action="store_true", help="download the official archive into the user cache")
    _run_options(p, "at most N reviews per split and class (small runs)")
    p.set_defaults(func=cmd_imdb)

    p = sub.add_parser("prepare", parents=[common], help="a data set to CSVs, tokens, vocab and token ids")
    p.add_argument("--data", help="a standard CSV folder, or IMDb: an aclImdb folder or aclImdb_v1.tar.gz")
    p.add_argument("--download", action="store_true", help="download IMDb's official archive into the user cache")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--max-vocab", type=_positive, default=60000)
    p.add_argument("--min-freq", type=_positive, default=3)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--limit", type=_positive, default=None, help="at most N documents per class (small runs)")
    p.add_argument("--workers", type=_positive, default=None, help="tokenizer processes (default: all cores)")
    p.set_defaults(func=cmd_prepare)

    p = sub.add_parser("pretrain", parents=[common],
                       help="a general language model from plain text (WikiText format, .txt, .tar.gz)")
    p.add_argument("--corpus", required=True, help="a text file, a folder of .txt/.tokens files, or a tar.gz of them")
    p.add_argument("--out", required=True, help="output folder: model.pt and vocab.json for `--pretrained`")
    p.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    p.add_argument("--max-words", type=_positive, default=None, help="read at most N words of training text")
    p.add_argument("--resume", action="store_true", help="continue an interrupted training from its last checkpoint")
    p.add_argument("--bs", type=_positive, default=None,
                   help="the batch size of every training, instead of the preset's (lower it when the GPU runs out "
                        "of memory)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--workers", type=_positive, default=None, help="tokenizer processes (default: all cores)")
    p.set_defaults(func=cmd_pretrain)

    p = sub.add_parser("predict", parents=[common], help="classify texts with the classifier of a finished run")
    p.add_argument("--model", required=True, help="the folder of a run of `ulmfit train` or `ulmfit imdb`")
    p.add_argument("texts", nargs="*", help="texts to classify (default: one per line on stdin)")
    p.add_argument("--input", help="a CSV of texts to classify: rows of the text fields, or of a label then them")
    p.add_argument("--output", help="write the predictions there as CSV (line, [label], predicted, p_<class>...) "
                                    "in input order, instead of printing them")
    p.add_argument("--workers", type=_positive, default=None, help="tokenizer processes (default: all cores)")
    p.set_defaults(func=cmd_predict)
    return parser


def main(argv=None) -> int:
    """Run the `ulmfit` command; a user's error or a failure of the machine ends in one line (--debug: a traceback)."""
    args = build_parser().parse_args(argv)
    try:
        out = Path(args.out) if getattr(args, "out", None) else None
        if out is not None and out.exists() and not out.is_dir():
            raise StageError(f"--out {out} is a file; pass a folder (a new one, or one this command wrote before)")
        args.func(args)
    except KeyboardInterrupt:
        again = ("run the same command with --resume to continue from the last checkpoint" if "resume" in args
                 else "run the same command again: it starts over, and what it had written whole is kept or redone")
        print(f"ulmfit {args.command}: interrupted; {again}", file=sys.stderr)
        return 130
    except Exception as e:
        message = str(e) if isinstance(e, UlmfitError) else environment_error(e)
        if message is None or args.debug:
            raise
        print(f"ulmfit {args.command}: error: {' '.join(message.split())} (--debug shows where)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
