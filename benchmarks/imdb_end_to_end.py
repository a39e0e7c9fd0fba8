"""The whole `ulmfit imdb --preset cpu` run on IMDb vs TF-IDF + logistic regression trained on the same reviews.

scikit-learn is never a dependency of ulmfit_ref: it is imported here only, so install it first:

    pip install scikit-learn
    ulmfit pretrain --corpus ../shared/data/wiki_general_en.tar.gz --preset cpu --out runs/wiki   # once, ~35 min
    python benchmarks/imdb_end_to_end.py --data ../shared/data/aclImdb_v1_reviews.tar.gz --pretrained runs/wiki

`ulmfit imdb` runs in a subprocess, exactly as a user would start it, into --out (default: a temporary folder),
and its wall time is the `minutes` reported (the preset promises at most 45 on 2 CPU cores). With --pretrained (a
folder made by `ulmfit pretrain`, the stand-in for fastai's wt103 files) the LM is fine-tuned from it; the
pretraining itself is not part of the minutes, as downloading wt103 is not, and its own result is recorded.
The baseline, TF-IDF of 1-2 grams with sublinear tf and a logistic regression whose C is chosen on a held-out 20%
of the train reviews (then refit on all of them), trains on the 25k labelled train reviews; both are scored on the
25k test reviews (ULMFiT's classifier holds 4% of the train reviews out for validation). The load average is
recorded: on a shared machine the minutes depend on it. Writes benchmarks/results/imdb_end_to_end.json.
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
import tempfile  # noqa: E402
import time  # noqa: E402

from ulmfit_ref.data import CLASSES, read_imdb  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "imdb_end_to_end.json"


def run_ulmfit(data: str, out: Path, preset: str, limit: int = None, pretrained: str = None) -> tuple[dict, float]:
    """(results.json of `ulmfit imdb`, wall minutes), run in a subprocess."""
    cmd = [sys.executable, "-m", "ulmfit_ref.cli", "imdb", "--data", data, "--out", str(out), "--preset", preset]
    if limit is not None:
        cmd += ["--limit", str(limit)]
    if pretrained is not None:
        cmd += ["--pretrained", pretrained]
    began = time.perf_counter()
    subprocess.run(cmd, check=True)
    minutes = (time.perf_counter() - began) / 60
    return json.loads((out / "results.json").read_text()), minutes


def run_baseline(data: str, limit: int = None) -> dict:
    """Test accuracy, minutes and C of TF-IDF (1-2 grams, sublinear tf) + logistic regression, C chosen on held-out train."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    began = time.perf_counter()
    reviews = read_imdb(data, limit)
    unsup = CLASSES.index("unsup")
    train = [(t, y) for t, y in zip(reviews["train"].texts, reviews["train"].labels) if y != unsup]
    test = list(zip(reviews["test"].texts, reviews["test"].labels))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    x_train, y_train = vectorizer.fit_transform([t for t, _ in train]), [y for _, y in train]
    x_fit, x_held, y_fit, y_held = train_test_split(x_train, y_train, test_size=0.2, random_state=0, stratify=y_train)
    held_accuracy = {c: LogisticRegression(C=c, max_iter=2000).fit(x_fit, y_fit).score(x_held, y_held)
                     for c in (1, 3, 10, 30, 100)}
    best_c = max(held_accuracy, key=held_accuracy.get)
    model = LogisticRegression(C=best_c, max_iter=2000).fit(x_train, y_train)
    accuracy = model.score(vectorizer.transform([t for t, _ in test]), [y for _, y in test])
    return {"accuracy": float(accuracy), "minutes": (time.perf_counter() - began) / 60, "C": best_c,
            "held_out_accuracy_by_C": held_accuracy}


def _pretraining(folder: str, results: dict) -> dict:
    """What the LM started from: none, or the pretrained folder with its corpus, perplexity and minutes."""
    if folder is None:
        return {"from": "none: the LM trained from scratch on IMDb text"}
    made = json.loads((Path(folder) / "result.json").read_text())
    return {"from": results["pretraining"]["weights"], "corpus": made["corpus"], "perplexity": made["perplexity"],
            "minutes": made["seconds"] / 60, "train_tokens": made["train_tokens"],
            "vocab_coverage": results["pretraining"]["vocab_coverage"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="an aclImdb folder or aclImdb_v1.tar.gz")
    parser.add_argument("--out", help="the run's folder (default: a temporary one, deleted after)")
    parser.add_argument("--preset", default="cpu")
    parser.add_argument("--limit", type=int, help="at most N reviews per split and class (a quick check only)")
    parser.add_argument("--pretrained", help="a folder made by `ulmfit pretrain` to fine-tune from (default: none)")
    parser.add_argument("--results", default=str(RESULTS), help="where to write the JSON")
    args = parser.parse_args()

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "run"
        results, minutes = run_ulmfit(args.data, out, args.preset, args.limit, args.pretrained)
    baseline = run_baseline(args.data, args.limit)
    report = {"preset": args.preset, "accuracy": results["accuracy"], "baseline_accuracy": baseline["accuracy"],
              "minutes": minutes, "baseline_minutes": baseline["minutes"], "baseline_C": baseline["C"],
              "baseline_held_out_accuracy_by_C": baseline["held_out_accuracy_by_C"], "device": results["device"],
              "pretraining": _pretraining(args.pretrained, results), "perplexity": results["perplexity"],
              "stage_minutes": {s: v / 60 for s, v in results["seconds"].items()},
              "limit": args.limit, "load_average_before": load_before, "load_average_after": os.getloadavg(),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"}
    path = Path(args.results)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(f"ULMFiT ({args.preset}) {report['accuracy']:.4f} in {minutes:.1f} min; "
          f"TF-IDF + logistic regression (C={baseline['C']}) {baseline['accuracy']:.4f} in {baseline['minutes']:.1f} min; "
          f"written to {path}")


if __name__ == "__main__":
    main()
