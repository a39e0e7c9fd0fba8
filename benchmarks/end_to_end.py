"""`ulmfit train` on a data set in the standard CSV vs TF-IDF + logistic regression on the same documents, same run.

scikit-learn is never a dependency of ulmfit_ref: it is imported here only, so install it first:

    pip install scikit-learn
    ulmfit pretrain --corpus ../shared/data/wiki_general_en.tar.gz --preset cpu --out runs/wiki      # once, ~35 min
    python benchmarks/end_to_end.py --imdb ../shared/data/aclImdb_v1_reviews.tar.gz --task sentiment \\
        --pretrained runs/wiki --out runs/bench-imdb
    python benchmarks/end_to_end.py --imdb ../shared/data/aclImdb_v1_reviews.tar.gz --task ratings \\
        --pretrained runs/wiki --out runs/bench-ratings
    python benchmarks/end_to_end.py --data FOLDER --pretrained runs/wiki --out runs/bench-mine   # any data set
    ulmfit pretrain --corpus ../shared/data/wiki_general_en.tar.gz --preset cpu --out runs/wiki-bwd --backwards
    python benchmarks/end_to_end.py --imdb ../shared/data/aclImdb_v1_reviews.tar.gz --task sentiment \\
        --pretrained runs/wiki --pretrained-backwards runs/wiki-bwd --out runs/bench-imdb-bi \\
        --name imdb_sentiment_bidirectional      # and --task ratings ... --name imdb_ratings_bidirectional

With --imdb, the reviews are first written as a standard CSV folder (`write_imdb_csv`, the lesson's step: train.csv,
test.csv, unlabelled.csv with the 50k unsup reviews, classes.txt): `sentiment` is neg/pos, `ratings` the 8 star
ratings of ID_N.txt (1-4 and 7-10). Then `ulmfit train FOLDER` runs in a subprocess, exactly as a user would start
it, and its wall time is the `minutes` reported; with --pretrained (a folder made by `ulmfit pretrain`, the
stand-in for fastai's wt103 files) the LM is fine-tuned from it, and the pretraining is not part of the minutes.
With --pretrained-backwards (or --bidirectional, from scratch) the run is `ulmfit train --bidirectional`: the
figures are the average's, and forward, backward and ensemble are reported side by side with each one's minutes.
The baseline reads the same folder with the same reader and scores on the same test documents (test.csv, or the
part of train.csv that `ulmfit train` holds out): TF-IDF of 1-2 grams (sublinear tf, min_df 2; a document's fields
joined by a space) and a logistic regression whose C is chosen by accuracy on a stratified 20% of train (then refit
on all of it). Both are scored by `ulmfit_ref.metrics`. The load average is recorded: the minutes depend on it.
Writes RESULTS/end_to_end_<name>.json (--results, default benchmarks/results).
"""

import sys
from pathlib import Path

# benchmarks/tokenize.py shadows the standard library's `tokenize`: drop this folder from the import path first.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

from ulmfit_ref.dataset import hold_out_test, read_dataset  # noqa: E402
from ulmfit_ref.metrics import classification_report  # noqa: E402
from ulmfit_ref.prepare import imdb_csv  # noqa: E402
from ulmfit_ref.presets import PRESETS  # noqa: E402

RESULTS = Path(__file__).parent / "results"
C_GRID = (1, 3, 10, 30, 100)


def run_ulmfit(data: Path, out: Path, preset: str, limit: int = None, pretrained: str = None,
               bidirectional: bool = False, pretrained_backwards: str = None) -> tuple[dict, float]:
    """(results.json of `ulmfit train`, wall minutes), run in a subprocess."""
    cmd = [sys.executable, "-m", "ulmfit_ref.cli", "train", str(data), "--out", str(out), "--preset", preset]
    if limit is not None:
        cmd += ["--limit", str(limit)]
    if pretrained is not None:
        cmd += ["--pretrained", pretrained]
    if bidirectional:
        cmd += ["--bidirectional"] + (["--pretrained-backwards", pretrained_backwards] if pretrained_backwards else [])
    began = time.perf_counter()
    subprocess.run(cmd, check=True)
    minutes = (time.perf_counter() - began) / 60
    return json.loads((out / "results.json").read_text()), minutes


def run_baseline(data: Path, preset: str, limit: int = None) -> dict:
    """Test figures, minutes and C of TF-IDF (1-2 grams, sublinear tf) + logistic regression, C chosen on held-out
    train, on the documents `ulmfit train` reads."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    began = time.perf_counter()
    prepare = PRESETS[preset].prepare
    dataset = read_dataset(data, limit if limit is not None else prepare.limit)
    if dataset.test is None:
        dataset = hold_out_test(dataset, prepare.test_frac, prepare.seed)
    train, test = ([" ".join(fields) for fields in r.texts] for r in (dataset.train, dataset.test))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    x_train, y_train = vectorizer.fit_transform(train), dataset.train.labels
    x_fit, x_held, y_fit, y_held = train_test_split(x_train, y_train, test_size=0.2, random_state=0, stratify=y_train)
    held_out = {}
    for c in C_GRID:
        held = LogisticRegression(C=c, max_iter=3000).fit(x_fit, y_fit).predict(x_held)
        report = classification_report(y_held, held, dataset.classes)
        held_out[c] = {"accuracy": report["accuracy"], "macro_f1": report["macro_f1"]}
    best_c = max(C_GRID, key=lambda c: held_out[c]["accuracy"])
    model = LogisticRegression(C=best_c, max_iter=3000).fit(x_train, y_train)
    report = classification_report(dataset.test.labels, model.predict(vectorizer.transform(test)), dataset.classes)
    return {**report, "minutes": (time.perf_counter() - began) / 60, "C": best_c, "held_out_by_C": held_out}


def _pretraining(folder: str, results: dict) -> dict:
    """What the LM started from: none, or the pretrained folder with its corpus, perplexity and minutes."""
    if folder is None:
        return {"from": "none: the LM trained from scratch on the task's text"}
    made = json.loads((Path(folder) / "result.json").read_text())
    return {"from": results["pretraining"]["weights"], "corpus": made["corpus"], "perplexity": made["perplexity"],
            "minutes": made["seconds"] / 60, "train_tokens": made["train_tokens"],
            "vocab_coverage": results["pretraining"]["vocab_coverage"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="a standard CSV folder")
    source.add_argument("--imdb", help="IMDb (an aclImdb folder or aclImdb_v1.tar.gz), written to the standard CSV")
    parser.add_argument("--task", choices=("sentiment", "ratings"), default="sentiment", help="with --imdb")
    parser.add_argument("--out", required=True, help="the run's folder (the IMDb CSV goes to OUT-data)")
    parser.add_argument("--preset", default="cpu")
    parser.add_argument("--limit", type=int, help="at most N documents per class (a quick check only)")
    parser.add_argument("--pretrained", help="a folder made by `ulmfit pretrain` to fine-tune from (default: none)")
    parser.add_argument("--pretrained-backwards", help="a folder of `ulmfit pretrain --backwards`: a bidirectional run")
    parser.add_argument("--bidirectional", action="store_true", help="a bidirectional run (from scratch without "
                                                                     "--pretrained-backwards)")
    parser.add_argument("--name", help="the results' name (default: imdb_<task>, or the data folder's name)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes (default: %(default)s)")
    args = parser.parse_args()

    out = Path(args.out)
    load_before = os.getloadavg()
    csv_minutes = None
    if args.imdb:
        began = time.perf_counter()
        data = imdb_csv(args.imdb, out.with_name(out.name + "-data"), args.task, args.limit)
        csv_minutes = (time.perf_counter() - began) / 60
    else:
        data = Path(args.data)
    name = args.name or (f"imdb_{args.task}" if args.imdb else data.resolve().name)
    bidirectional = args.bidirectional or args.pretrained_backwards is not None
    results, minutes = run_ulmfit(data, out, args.preset, args.limit, args.pretrained, bidirectional,
                                  args.pretrained_backwards)
    baseline = run_baseline(data, args.preset, args.limit)
    ulmfit = {k: results[k] for k in ("accuracy", "macro_f1", "per_class", "confusion_matrix", "perplexity")}
    if bidirectional:  # each direction's figures and minutes, the shared prepare stage apart
        ulmfit.update({name: results[name] for name in ("forward", "backward", "ensemble", "directions")})
        stage_minutes = {"prepare": results["prepare_minutes"], **{name: results[name]["minutes"]
                                                                   for name in ("forward", "backward")}}
        pretraining = {name: _pretraining(folder, results[name])
                       for name, folder in (("forward", args.pretrained), ("backward", args.pretrained_backwards))}
    else:
        stage_minutes = {s: v / 60 for s, v in results["seconds"].items()}
        pretraining = _pretraining(args.pretrained, results)
    report = {
        "data": str(args.imdb or data), "task": args.task if args.imdb else None, "classes": results["classes"],
        "test_documents": results["test_documents"], "preset": args.preset, "recipe": results["recipe"],
        "ulmfit": {**ulmfit, "minutes": minutes, "stage_minutes": stage_minutes, "bidirectional": bidirectional},
        "baseline": {"name": "TF-IDF 1-2 grams + logistic regression, C chosen on held-out train", **baseline},
        "error_ratio": (1 - results["accuracy"]) / max(1e-9, 1 - baseline["accuracy"]),
        "macro_f1_difference": results["macro_f1"] - baseline["macro_f1"],
        "imdb_to_csv_minutes": csv_minutes, "device": results["device"],
        "pretraining": pretraining, "limit": args.limit,
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"}
    path = args.results / f"end_to_end_{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(f"ULMFiT ({args.preset}) accuracy {results['accuracy']:.4f}, macro-F1 {results['macro_f1']:.4f} in "
          f"{minutes:.1f} min; TF-IDF + logistic regression (C={baseline['C']}) accuracy {baseline['accuracy']:.4f}, "
          f"macro-F1 {baseline['macro_f1']:.4f} in {baseline['minutes']:.1f} min; error ratio ULMFiT / baseline "
          f"{report['error_ratio']:.3f}; written to {path}")


if __name__ == "__main__":
    main()
