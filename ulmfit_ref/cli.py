"""The `ulmfit` command: train (any data set in the standard CSV), imdb, prepare, pretrain, predict.

`train`, `imdb` and `pretrain` also run under `torchrun --nproc_per_node N -m ulmfit_ref.cli ...` (distributed.py).

Only argparse and the presets are imported to build the parser, so `ulmfit --help` answers at once; each command
imports what it runs. A user's error, or a failure of the machine (errors.environment_error: a file that cannot be
read or written, a full disk, a GPU out of memory), ends in one line on stderr (`--debug`: the whole traceback); a
bug keeps its traceback.
"""

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from . import __version__
from .errors import StageError, UlmfitError, environment_error
from .presets import PRESETS, RECIPE_ALIASES, with_batch_size, with_recipe

STAGE_HELP = "run this stage only: prepare, lm, classifier or evaluate (the stages before it must be done)"
BACKWARDS_HELP = "read every document from its last token to its first (fastai's backwards=True)"
BS_HELP = ("the batch size of every stage (default: the preset's); lower it when a GPU runs out of memory; under "
           "torchrun it is split over the processes")


def _positive(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def _is_main() -> bool:
    """Whether this is the process that prints: rank 0 of a torchrun job, or the only one."""
    return os.environ.get("RANK", "0") == "0"


def _one_process(command: str):
    """Refuse a torchrun launch of a command that has nothing to share between processes."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise StageError(f"`ulmfit {command}` runs in one process; launch it without torchrun (train, imdb and "
                         f"pretrain run under it)")


def _join():
    """Under torchrun, join the job's process group (distributed.py), before anything is read or written."""
    from .distributed import setup_distributed
    from .train import default_device

    setup_distributed(default_device())


def _preset(args, limit: bool = True):
    """The preset that --preset names, with the --limit and --bs given."""
    preset = PRESETS[args.preset]
    if limit and args.limit is not None:
        preset = replace(preset, prepare=replace(preset.prepare, limit=args.limit))
    return with_batch_size(preset, args.bs) if args.bs is not None else preset


def _run(args, data=None):
    """The Run that the options of `ulmfit train` or `ulmfit imdb` describe; with --bidirectional, its forward and
    backward Runs."""
    from .bidirectional import make_bidirectional
    from .distributed import main_log
    from .runs import find_pretrained, make_run

    _join()
    log = main_log(print)
    preset = _preset(args)
    try:
        with_recipe(preset.classify, args.recipe)
    except ValueError as e:
        raise StageError(f"--recipe: {e}") from e
    if args.pretrained_vocab and not args.pretrained:
        raise StageError("--pretrained-vocab goes with --pretrained (the weights it belongs to)")
    if args.pretrained_backwards_vocab and not args.pretrained_backwards:
        raise StageError("--pretrained-backwards-vocab goes with --pretrained-backwards (the weights it belongs to)")
    pretrained = find_pretrained(args.pretrained, args.pretrained_vocab, log) if args.pretrained else None
    if not args.bidirectional:
        if args.one_at_a_time:
            raise StageError("--one-at-a-time goes with --bidirectional (the order of its two directions)")
        if args.pretrained_backwards:
            raise StageError("--pretrained-backwards goes with --bidirectional; a --backwards run takes its backward "
                             "LM as --pretrained")
        return make_run(args.out, preset, pretrained, args.seed, args.workers, data=data, recipe=args.recipe,
                        backwards=args.backwards)
    if args.backwards:
        raise StageError("--bidirectional trains both directions: drop --backwards")
    if args.pretrained and not args.pretrained_backwards:
        raise StageError("--bidirectional with --pretrained (the forward LM) needs --pretrained-backwards, a backward "
                         "LM: fastai's bwd_wt103.h5, or a folder of `ulmfit pretrain --backwards`")
    backward = None
    if args.pretrained_backwards:
        vocab = args.pretrained_backwards_vocab or (None if Path(args.pretrained_backwards).is_dir()
                                                    else args.pretrained_vocab)  # fastai's two share itos_wt103.pkl
        backward = find_pretrained(args.pretrained_backwards, vocab, log)
    return make_bidirectional(args.out, preset, pretrained, backward, args.seed, args.workers, data=data,
                              recipe=args.recipe)


def _run_all(run, stages, resume: bool, command: str, data=None, one_at_a_time: bool = False) -> dict:
    """The stages of `run` (a Run, or the two of a bidirectional run), with IMDb's reviews at `data` for imdb."""
    from .bidirectional import run_bidirectional, run_imdb_bidirectional
    from .pipeline import run_imdb, run_pipeline

    if isinstance(run, tuple):
        side_by_side = False if one_at_a_time else None
        return run_imdb_bidirectional(run, data, stages, resume, side_by_side) if command == "imdb" else \
            run_bidirectional(run, stages, resume, command, side_by_side)
    return run_imdb(run, data, stages, resume) if command == "imdb" else run_pipeline(run, stages, resume, command)


def _stages(args):
    """The stages that --stage names (all by default)."""
    from .pipeline import STAGES

    if args.stage is not None and args.stage not in STAGES:
        raise StageError(f"--stage: unknown stage {args.stage!r}; the stages are {', '.join(STAGES)}")
    return [args.stage] if args.stage else list(STAGES)


def _report(results: dict, out) -> None:
    """One line of the run's figures, once it is evaluated (a bidirectional run's: each direction's, then both)."""
    if results["accuracy"] is None or not _is_main():
        return
    perplexity = f", LM perplexity {results['perplexity']:.2f}" if results["perplexity"] is not None else ""
    directions = "".join(f"{name} {results[name]['accuracy']:.4f} ({results[name]['minutes']:.1f} min), "
                         for name in ("forward", "backward") if results.get("bidirectional"))
    both = "averaged: " if directions else ""
    print(f"{directions}{both}accuracy {results['accuracy']:.4f}, macro-F1 {results['macro_f1']:.4f}{perplexity}, "
          f"{results['minutes']:.1f} minutes; results in {Path(out) / 'results.json'}")


def cmd_train(args):
    """Every stage of a run on the data set in DATA, or the one named by --stage; finished stages are skipped."""
    if args.data is not None and Path(args.data).name.endswith((".tar.gz", ".tgz")):
        raise StageError(f"{args.data}: `ulmfit train` reads a standard CSV folder (train.csv, test.csv, classes.txt, "
                         f"unlabelled.csv); for IMDb's archive use `ulmfit imdb --data {args.data}`")
    stages = _stages(args)
    run = _run(args, args.data)
    _report(_run_all(run, stages, args.resume, "train", one_at_a_time=args.one_at_a_time), args.out)


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
    stages = _stages(args)
    run = _run(args)
    prepared = (run[0] if isinstance(run, tuple) else run).prepared
    data = args.data  # checked against what the run was prepared from, when it was
    if (args.download or "prepare" in stages) and not (prepared / "result.json").exists():
        data = _imdb_path(args)
    _report(_run_all(run, stages, args.resume, "imdb", data, args.one_at_a_time), args.out)


def _is_dataset(path: Path) -> bool:
    """Whether `path` is a standard CSV folder (or a CSV file of one) rather than IMDb's folder or archive."""
    return path.suffix.lower() == ".csv" or (path / "train.csv").is_file()


def cmd_prepare(args):
    """A data set (a standard CSV folder, or IMDb's reviews) to token ids on disk."""
    from .config import PrepareConfig
    from .prepare import prepare_dataset, prepare_imdb

    _one_process("prepare")
    config = PrepareConfig(max_vocab=args.max_vocab, min_freq=args.min_freq, seed=args.seed, limit=args.limit)
    if args.data is not None and _is_dataset(Path(args.data)):
        prepare_dataset(args.data, args.out, config, n_workers=args.workers)
    else:
        prepare_imdb(_imdb_path(args), args.out, config, n_workers=args.workers)


def cmd_pretrain(args):
    """A general language model from plain text, saved for `ulmfit train --pretrained`."""
    from .distributed import main_log
    from .pipeline import run_pretrain

    _join()
    preset = _preset(args, limit=False)
    if args.max_words is not None:
        preset = replace(preset, corpus=replace(preset.corpus, max_words=args.max_words))
    run_pretrain(args.corpus, args.out, preset, args.resume, args.seed, args.workers, main_log(print), args.backwards)


def cmd_predict(args):
    """The class and its probability for each text given, each line of stdin, or each row of --input."""
    from .dataset import read_texts
    from .files import atomic_write
    from .pipeline import load_classifier

    _one_process("predict")
    clf = load_classifier(args.model, log=print)
    labels = None
    if args.input:
        if args.texts:
            raise StageError("give the texts to classify as arguments or with --input, not both")
        docs, labels, lines = read_texts(args.input, clf.n_fields, log=lambda m: print(m, file=sys.stderr))
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
    p.add_argument("--backwards", action="store_true", help=BACKWARDS_HELP + "; --pretrained is then a backward LM")
    p.add_argument("--bidirectional", action="store_true",
                   help="train a forward and a backward run (in OUT/forward and OUT/backward, one prepare stage) and "
                        "average their class probabilities; --pretrained is the forward LM")
    p.add_argument("--pretrained-backwards", help="with --bidirectional: the backward LM, fastai's bwd_wt103.h5 or the "
                                                  "folder of `ulmfit pretrain --backwards`")
    p.add_argument("--pretrained-backwards-vocab", help="its vocabulary (default: --pretrained-vocab for a file)")
    p.add_argument("--one-at-a-time", action="store_true",
                   help="with --bidirectional: train the forward run, then the backward one (default on a CPU of 2+ "
                        "threads: side by side, each on half the threads)")
    p.add_argument("--bs", type=_positive, default=None, help=BS_HELP)
    p.add_argument("--resume", action="store_true", help="continue an interrupted stage from its last checkpoint")
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
    p.add_argument("--backwards", action="store_true", help=BACKWARDS_HELP)
    p.add_argument("--bs", type=_positive, default=None, help=BS_HELP)
    p.add_argument("--resume", action="store_true", help="continue an interrupted training from its last checkpoint")
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
    done = False
    try:
        out = Path(args.out) if getattr(args, "out", None) else None
        if out is not None and out.exists() and not out.is_dir():
            raise StageError(f"--out {out} is a file; pass a folder (a new one, or one this command wrote before)")
        args.func(args)
        done = True
    except KeyboardInterrupt:
        if _is_main():
            again = ("run the same command with --resume to continue from the last checkpoint" if "resume" in args
                     else "run the same command again: it starts over, and what it had written whole is kept or "
                          "redone")
            print(f"ulmfit {args.command}: interrupted; {again}", file=sys.stderr)
        return 130
    except Exception as e:
        message = str(e) if isinstance(e, UlmfitError) else environment_error(e)
        if message is None or args.debug:
            raise
        if _is_main():
            print(f"ulmfit {args.command}: error: {' '.join(message.split())} (--debug shows where)", file=sys.stderr)
        return 2
    finally:
        if "torch.distributed" in sys.modules:
            from .distributed import leave

            leave(wait=done)
    return 0


if __name__ == "__main__":
    sys.exit(main())
