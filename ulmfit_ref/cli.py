"""The `ulmfit` command: prepare, imdb (every stage of the run), pretrain, predict."""

import argparse
import os
import sys
from dataclasses import replace

import torch

from .data import CLASSES, DataError
from .download import DownloadError, download_imdb
from .pipeline import (PRESETS, STAGES, StageError, find_pretrained, load_classifier, make_run, run_imdb,
                       run_pretrain)
from .predict import predict_texts
from .prepare import PrepareConfig, prepare_imdb
from .train import TrainingDiverged, default_device


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


def _setup(preset):
    """Refuse a torchrun launch (the stages write shared files from one process); set the preset's CPU threads."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise StageError("`ulmfit` runs in one process (one GPU); launch it without torchrun")
    if preset.threads is not None:
        torch.set_num_threads(preset.threads)


def cmd_imdb(args):
    """Every stage of the IMDb run, or the one named by --stage; finished stages are skipped."""
    preset = PRESETS[args.preset]
    _setup(preset)
    if args.limit is not None:
        preset = replace(preset, prepare=replace(preset.prepare, limit=args.limit))
    pretrained = find_pretrained(args.pretrained, args.pretrained_vocab) if args.pretrained else None
    if args.pretrained_vocab and not args.pretrained:
        raise StageError("--pretrained-vocab goes with --pretrained (the weights it belongs to)")
    run = make_run(args.out, preset, pretrained, args.seed, args.workers)
    data = None
    if (args.data or args.download) and not (run.prepared / "result.json").exists():
        data = _data_path(args)
    results = run_imdb(run, data, [args.stage] if args.stage else STAGES, args.resume)
    if results["accuracy"] is not None:
        print(f"accuracy {results['accuracy']:.4f}, LM perplexity {results['perplexity']:.2f}, "
              f"{results['minutes']:.1f} minutes; results in {run.out / 'results.json'}")


def cmd_pretrain(args):
    """A general language model from plain text, saved for `ulmfit imdb --pretrained`."""
    preset = PRESETS[args.preset]
    _setup(preset)
    if args.max_words is not None:
        preset = replace(preset, corpus=replace(preset.corpus, max_words=args.max_words))
    run_pretrain(args.corpus, args.out, preset, args.resume, args.seed, args.workers)


def cmd_predict(args):
    """Label and probability of each text given (or of each line of stdin)."""
    texts = args.texts or [line.rstrip("\n") for line in sys.stdin if line.strip()]
    if not texts:
        raise StageError("give the texts to classify as arguments or on stdin, one per line")
    model, vocab, max_tokens = load_classifier(args.model)
    probs = predict_texts(model, vocab, texts, max_tokens, device=default_device())
    for p in probs:
        i = int(p.argmax())
        print(f"{CLASSES[i]}\t{float(p[i]):.4f}")


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

    p = sub.add_parser("imdb", help="the whole ULMFiT run on IMDb: prepare, lm, classifier, evaluate")
    p.add_argument("--data", help="an aclImdb folder, a folder holding one, or aclImdb_v1.tar.gz")
    p.add_argument("--download", action="store_true", help="download the official archive into the user cache")
    p.add_argument("--out", required=True, help="the run's folder")
    p.add_argument("--preset", choices=sorted(PRESETS), default="cpu",
                   help="paper: the paper's sizes and schedule (GPU); cpu: under 45 minutes on 2 cores; tiny: CI")
    p.add_argument("--stage", choices=STAGES, help="run this stage only (the stages before it must be done)")
    p.add_argument("--pretrained", help="a pretrained LM: fastai's fwd_wt103.h5 / lstm_fwd.pth, or the model.pt "
                                        "(or folder) of `ulmfit pretrain`; default: no pretraining")
    p.add_argument("--pretrained-vocab", help="its vocabulary: itos_wt103.pkl, or vocab.json of `ulmfit pretrain`")
    p.add_argument("--resume", action="store_true", help="continue an interrupted stage from its last checkpoint")
    p.add_argument("--limit", type=int, default=None, help="at most N reviews per split and class (small runs)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--workers", type=int, default=None, help="tokenizer processes (default: all cores)")
    p.set_defaults(func=cmd_imdb)

    p = sub.add_parser("pretrain", help="a general language model from plain text (WikiText format, .txt, .tar.gz)")
    p.add_argument("--corpus", required=True, help="a text file, a folder of .txt/.tokens files, or a tar.gz of them")
    p.add_argument("--out", required=True, help="output folder: model.pt and vocab.json for `ulmfit imdb --pretrained`")
    p.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    p.add_argument("--max-words", type=int, default=None, help="read at most N words of training text")
    p.add_argument("--resume", action="store_true", help="continue an interrupted training from its last checkpoint")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--workers", type=int, default=None, help="tokenizer processes (default: all cores)")
    p.set_defaults(func=cmd_pretrain)

    p = sub.add_parser("predict", help="classify reviews with the classifier of a finished run")
    p.add_argument("--model", required=True, help="the folder of a run of `ulmfit imdb`")
    p.add_argument("texts", nargs="*", help="reviews to classify (default: one per line on stdin)")
    p.set_defaults(func=cmd_predict)
    return parser


def main(argv=None) -> int:
    """Run the `ulmfit` command; bad input ends with a one-line error, not a traceback."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except KeyboardInterrupt:
        print(f"ulmfit {args.command}: interrupted; run the same command with --resume to continue from the last "
              f"checkpoint", file=sys.stderr)
        return 130
    except (DataError, DownloadError, StageError, TrainingDiverged, FileNotFoundError, ValueError) as e:
        message = " ".join(str(e).split())
        print(f"ulmfit {args.command}: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
