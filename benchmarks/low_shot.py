"""The paper's Figure 3 at CPU scale: test error against the number of labelled training documents, per method.

scikit-learn (the linear peer) is installed by the `dev` extra; from the repository root:

    python -m benchmarks.low_shot --imdb ../shared/data/aclImdb_v1_reviews.tar.gz --pretrained runs/wiki \\
        --out runs/low-shot
    python -m benchmarks.low_shot --select ...   # first: the classifier's training at small N, on held-out train

Methods, as in the paper's Figure 3, and a linear peer:
  tfidf       TF-IDF of 1-2 grams (sublinear tf, min_df 2) + logistic regression, C by 3-fold cross-validation on the N
  semi        ULMFiT semi-supervised: the LM fine-tuned once on every text of the data set (train, unlabelled and test
              texts, never a label), reused for every N
  scratch     the same classifier from random weights, no LM
  supervised  ULMFiT supervised: the LM fine-tuned from the pretrained one on the N labelled texts only
Every classifier trains by the preset's recipe ('ulmfit') and is scored on the whole test set. The N documents are
drawn classes in proportion (IMDb's are balanced), seeded: --seeds samples where N <= --seeds-up-to, else one.
The pretraining is not counted (the paper downloads wt103); the semi-supervised LM's fine-tuning is.

Each run is kept in OUT (a rerun skips what is done) and RESULTS/low_shot.{json,md,png} are rewritten after each;
--done-only writes them from the runs of the grid that are done, training none (after grids run a part at a time).
--select trains the semi-supervised classifier with each of CANDIDATES on samples of the training documents, scores
it on a held-out tenth of them (never the test set) and writes RESULTS/low_shot_selection.{json,md}.
--lm-tokens asks whether the LM is what holds ULMFiT back at small N: the semi-supervised LM fine-tuned on each of
TOKENS tokens of every text (the preset's number is the run's own LM; 0: none, the probe of random weights alone,
the classifier from scratch being the grid's 'scratch'), each with the classifier on --seeds samples
per N, and a probe of its features (the frozen encoder's concat pooling read by logistic regression, C by 3-fold
cross-validation on the N), scored on the same held-out tenth; RESULTS/low_shot_lm.{json,md}.
"""

import argparse
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure

from benchmarks.experiment import (
    conditions,
    data_arguments,
    documents,
    held_out,
    open_run,
    percent,
    pretraining,
    sample,
    spread,
)
from ulmfit_ref import api
from ulmfit_ref.files import read_json, write_json
from ulmfit_ref.loaders import SortSampler, pad_collate, restore_order
from ulmfit_ref.metrics import classification_report
from ulmfit_ref.models import PoolingLinearClassifier, get_classifier
from ulmfit_ref.pipeline import classifier_data
from ulmfit_ref.plots import save_figure
from ulmfit_ref.runs import as_json
from ulmfit_ref.text import partition
from ulmfit_ref.transfer import load_encoder
from ulmfit_ref.vocab import Vocab

METHODS = ("tfidf", "semi", "scratch", "supervised")  # the order they run in: the headline comparison first
LABELS = {"tfidf": "TF-IDF + logistic regression", "semi": "ULMFiT, semi-supervised",
          "scratch": "from scratch (no LM)", "supervised": "ULMFiT, supervised"}
SIZES = (100, 300, 1000, 3000, 10000, 25000)
C_GRID = (0.1, 0.3, 1, 3, 10, 30, 100)
CANDIDATES = {  # the classifier's training at small N, as changes to the preset's: tried by --select
    "steps0": {"min_steps": 0},
    "steps100": {"min_steps": 100},
    "steps300": {"min_steps": 300},
    "bs16-steps300": {"bs": 16, "min_steps": 300},
    "bs16-steps1000": {"bs": 16, "min_steps": 1000},
}


def tfidf(texts: list[str], labels: np.ndarray, test_texts: list[str], test_labels: np.ndarray, classes,
          seed: int) -> dict:
    """TF-IDF + logistic regression fitted on `texts`, C by 3-fold cross-validation on them, scored on the test set."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline

    began = time.perf_counter()
    model = Pipeline([("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
                      ("lr", LogisticRegression(max_iter=3000))])
    folds = StratifiedKFold(min(3, int(np.bincount(labels).min())), shuffle=True, random_state=seed)
    search = GridSearchCV(model, {"lr__C": C_GRID}, cv=folds, scoring="accuracy").fit(texts, labels)
    report = classification_report(test_labels, search.predict(test_texts), classes)
    return {"accuracy": report["accuracy"], "error": 1 - report["accuracy"], "macro_f1": report["macro_f1"],
            "C": search.best_params_["lr__C"], "test_documents": len(test_labels),
            "seconds": time.perf_counter() - began}


def encoder_features(run: api.Run, lm: str, docs: list[np.ndarray], bs: int = 64) -> np.ndarray:
    """[len(docs), 3 * emb_sz]: the concat pooling (last, max, mean) that the classifier's head reads, from the frozen
    encoder of LM `lm` (the run's 'lm', a fine_tune_lm name, or None: random weights, seeded) over id documents."""
    torch.manual_seed(run.seed)
    model = get_classifier(len(Vocab.load(run.prepared / "vocab.json")), 2, run.classifier)  # its head goes unused
    if lm is not None:
        load_encoder(model, run.folder("lm") / "encoder.pt" if lm == "lm" else run.out / "lms" / lm / "encoder.pt")
    encoder, order, pooled = model[0].eval(), list(SortSampler([len(d) for d in docs])), []
    with torch.no_grad():
        for batch in partition(order, bs):
            x, lengths, _ = pad_collate([(docs[i], 0) for i in batch], run.classifier.pad_idx)  # x [seq, bs]
            _, outputs, mask = encoder(x, lengths)  # outputs[-1] [kept, bs, emb_sz], mask [kept, bs]
            pooled.append(PoolingLinearClassifier.pool(outputs[-1], mask))  # [bs, 3 * emb_sz]
    return restore_order(torch.cat(pooled), order).numpy()


def probe(x: np.ndarray, y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray, seed: int) -> float:
    """Test error of logistic regression on standardized features, C by 3-fold cross-validation on `x`."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    model = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(max_iter=3000))])
    folds = StratifiedKFold(min(3, int(np.bincount(y).min())), shuffle=True, random_state=seed)
    search = GridSearchCV(model, {"lr__C": [c / 100 for c in C_GRID]}, cv=folds, scoring="accuracy").fit(x, y)
    return float((search.predict(test_x) != test_y).mean())


def semi_lm(run: api.Run, tokens: int = None, train: bool = True) -> tuple[str, dict | None]:
    """The semi-supervised LM, fine-tuned on `tokens` tokens of every text (None or the preset's number: the run's own
    lm stage): its name for train_classifier and its result (trained now unless `train` is False: None if not done)."""
    if tokens in (None, run.preset.fine_tune.train_tokens):
        return "lm", read_json(run.folder("lm") / "result.json")
    name = f"every-text-{tokens}"
    if not train:
        done = run.out / "lms" / name / "result.json"
        return name, read_json(done) if done.exists() else None
    return name, api.fine_tune_lm(run, name, fit=replace(run.preset.fine_tune, train_tokens=tokens))


class LowShot:
    """The runs of the benchmark on one prepared data set: every (method, N, seed), each done once.

    semi_tokens: the semi-supervised LM's fine-tuning tokens (None: the preset's, the run's lm stage).
    """

    def __init__(self, run: api.Run, semi_tokens: int = None):
        self.run, self.semi_tokens = run, semi_tokens
        self.labels = api.train_labels(run)
        self.classes = read_json(run.prepared / "summary.json")["classes"]
        self._text = None

    def name(self, method: str, n: int, seed: int) -> str:
        """The folder (or JSON) name of one run: a semi-supervised LM other than the run's own is in it."""
        lm = semi_lm(self.run, self.semi_tokens, train=False)[0] if method == "semi" else "lm"
        return f"{method}-n{n}-s{seed}" if lm == "lm" else f"{method}-{lm}-n{n}-s{seed}"

    def text(self):
        """The training and test documents as text, for the linear peer (read once)."""
        if self._text is None:
            self._text = documents(self.run, "train"), documents(self.run, "test")
        return self._text

    def done(self, method: str, n: int, seed: int) -> bool:
        """Whether the run of `method` on N documents drawn with `seed` is done (its figures are read back)."""
        name = self.name(method, n, seed)
        if method == "tfidf":
            return (self.run.out / "tfidf" / f"{name}.json").exists()
        return (self.run.out / "classifiers" / name / "result.json").exists()

    def result(self, method: str, n: int, seed: int, idx: np.ndarray) -> dict:
        """The figures of `method` trained on the documents `idx` (run now, or read back when done before)."""
        name = self.name(method, n, seed)
        if method == "tfidf":
            path = self.run.out / "tfidf" / f"{name}.json"
            if path.exists() and (done := read_json(path)).pop("indices") == idx.tolist():
                return done
            (texts, labels), (test_texts, test_labels) = self.text()
            result = tfidf([texts[i] for i in idx], labels[idx], test_texts, test_labels, self.classes, seed)
            write_json(path, {**result, "indices": idx.tolist()})
            return result
        lm, extra = {"scratch": None, "supervised": name}.get(method), {}
        if method == "semi":
            lm = semi_lm(self.run, self.semi_tokens)[0]
        if method == "supervised":
            made = api.fine_tune_lm(self.run, name, indices=idx)
            extra = {"lm_seconds": made["seconds"], "lm_perplexity": made["perplexity"]}
        result = api.train_classifier(self.run, name, idx, seed=seed, lm=lm)
        return {k: result[k] for k in ("accuracy", "error", "macro_f1", "test_documents", "seconds",
                                       "stage_epochs")} | extra


def equivalent_n(curve: dict[int, float], error: float) -> dict:
    """Where a method's mean error curve {N: error} reaches `error`: N by log-linear interpolation, or a bound."""
    ns = sorted(curve)
    if curve[ns[0]] <= error:
        return {"n": ns[0], "bound": "at most"}
    for a, b in zip(ns, ns[1:]):
        if curve[b] <= error:
            t = (curve[a] - error) / (curve[a] - curve[b])
            return {"n": float(np.exp(np.log(a) + t * (np.log(b) - np.log(a)))), "bound": "about"}
    return {"n": ns[-1], "bound": "more than"}


def summarize(runs: list[dict]) -> dict:
    """Error spread per method and N, and the paper's comparison: what semi-supervised ULMFiT's smallest N matches."""
    table = {}
    for r in runs:
        table.setdefault(r["method"], {}).setdefault(r["n"], []).append(r["error"])
    table = {m: {n: spread(errors) for n, errors in sorted(by_n.items())} for m, by_n in table.items()}
    claims = {}
    if "semi" in table:
        n0 = min(table["semi"])
        error = table["semi"][n0]["mean"]
        for peer in ("tfidf", "scratch", "supervised"):
            if peer in table:
                eq = equivalent_n({n: s["mean"] for n, s in table[peer].items()}, error)
                claims[peer] = {"semi_n": n0, "semi_error": error, "peer_equivalent_n": eq["n"], "bound": eq["bound"],
                                "times_more_labels": eq["n"] / n0}
        if "tfidf" in table and 10 * n0 in table["tfidf"]:
            claims["beats_tfidf_with_10x_labels"] = error < table["tfidf"][10 * n0]["mean"]
    return {"errors": table, "claims": claims}


def markdown(summary: dict, sizes) -> str:
    """The error table (percent, mean ± std over seeds) with a row per N and a column per method."""
    methods = [m for m in METHODS if m in summary["errors"]]
    rows = ["| N | " + " | ".join(LABELS[m] for m in methods) + " |", "|" + " --- |" * (len(methods) + 1)]
    for n in sizes:
        cells = [percent(summary["errors"][m][n]) if n in summary["errors"][m] else "" for m in methods]
        rows.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def figure(summary: dict, title: str) -> Figure:
    """Test error against labelled documents (log scale), a line per method, bars from the best to the worst seed."""
    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    for m in METHODS:
        if m not in summary["errors"]:
            continue
        ns = sorted(summary["errors"][m])
        s = [summary["errors"][m][n] for n in ns]
        mean = np.array([x["mean"] for x in s]) * 100
        low, high = mean - np.array([x["min"] for x in s]) * 100, np.array([x["max"] for x in s]) * 100 - mean
        ax.errorbar(ns, mean, yerr=[low, high], marker="o", capsize=3, label=LABELS[m])
    ax.set(xscale="log", xlabel="labelled training documents", ylabel="test error (%)", title=title)
    sizes = sorted({n for by_n in summary["errors"].values() for n in by_n})
    ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
    ax.minorticks_off()
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def report(args, run: api.Run, runs: list[dict], began: float, sizes) -> dict:
    """Write RESULTS/low_shot.{json,md,png} from the runs done so far; returns the JSON's contents."""
    summary = summarize(runs)
    name, made = semi_lm(run, args.semi_lm_tokens, train=False)
    seconds = {m: sum(r["seconds"] + r.get("lm_seconds", 0) for r in runs if r["method"] == m) for m in METHODS}
    seconds["semi"] = seconds.get("semi", 0) + (made["seconds"] if made else 0)
    out = {"data": args.imdb or args.data, "preset": run.preset.name, "recipe": run.recipe,
           "classify": as_json(asdict(run.preset.classify)), "sizes": list(sizes), **summary,
           "minutes": {"total": sum(seconds.values()) / 60, **{m: s / 60 for m, s in seconds.items()}},
           "wall_minutes_this_call": (time.perf_counter() - began) / 60,
           "semi_supervised_lm": made and {"lm": name, "perplexity": made["perplexity"],
                                           "train_tokens": made["train_tokens"], "valid_tokens": made["valid_tokens"],
                                           "minutes": made["seconds"] / 60},
           "pretraining": pretraining(run), "conditions": conditions(), "runs": runs}
    args.results.mkdir(parents=True, exist_ok=True)
    write_json(args.results / "low_shot.json", out)
    (args.results / "low_shot.md").write_text(markdown(summary, sizes), encoding="utf-8")
    title = f"{Path(args.imdb or args.data).name}: test error vs labelled documents ({run.preset.name} preset)"
    save_figure(figure(summary, title), args.results / "low_shot.png")
    return out


def select(args, run: api.Run, sizes, seeds: int, candidates) -> None:
    """Each of `candidates` on `seeds` samples per N of the training documents, scored on a held-out tenth of them."""
    labels = api.train_labels(run)
    pool, held = held_out(labels, 0.1, run.preset.prepare.seed)
    rows = []
    for n in sizes:
        for name in candidates:
            fit = replace(run.preset.classify, **CANDIDATES[name])
            for seed in range(101, 101 + seeds):
                idx = sample(labels, pool, n, seed)
                r = api.train_classifier(run, f"select-{name}-n{n}-s{seed}", idx, seed=seed, fit=fit,
                                         test_indices=held)
                rows.append({"candidate": name, "n": n, "seed": seed, "error": r["error"],
                             "stage_epochs": r["stage_epochs"], "seconds": r["seconds"]})
                print(f"select {name} N={n} seed {seed}: held-out error {r['error']:.4f} ({r['seconds'] / 60:.1f} min)")
                selection_report(args, rows, len(held))


def selection_report(args, rows: list[dict], n_held: int) -> None:
    """Write RESULTS/low_shot_selection.{json,md}: each candidate's held-out error per N, from the runs so far."""
    table = {}
    for r in rows:
        table.setdefault(r["candidate"], {}).setdefault(r["n"], []).append(r["error"])
    table = {c: {n: spread(e) for n, e in by_n.items()} for c, by_n in table.items()}
    sizes = sorted({r["n"] for r in rows})
    lines = ["| candidate | " + " | ".join(f"N={n:,}" for n in sizes) + " |", "|" + " --- |" * (len(sizes) + 1)]
    lines += [f"| {c} {CANDIDATES[c]} | " + " | ".join(percent(table[c][n]) if n in table[c] else "" for n in sizes)
              + " |" for c in table]
    args.results.mkdir(parents=True, exist_ok=True)
    write_json(args.results / "low_shot_selection.json",
               {"scored_on": f"{n_held:,} training documents held out (a tenth of each class), never the test set",
                "candidates": {c: CANDIDATES[c] for c in table}, "errors": table,
                "minutes": sum(r["seconds"] for r in rows) / 60, "conditions": conditions(), "runs": rows})
    (args.results / "low_shot_selection.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def lm_study(args, run: api.Run, sizes, seeds: int, budgets) -> None:
    """Semi-supervised ULMFiT from LMs fine-tuned on each of `budgets` tokens, scored on held-out training reviews."""
    labels = api.train_labels(run)
    pool, held = held_out(labels, 0.1, run.preset.prepare.seed)
    samples = {(n, seed): sample(labels, pool, n, seed) for n in sizes for seed in range(101, 101 + seeds)}
    read = np.unique(np.concatenate([held, *samples.values()]))  # the documents the probes read, each once
    row_of = {int(i): j for j, i in enumerate(read)}
    docs = classifier_data(run, "train")[0]
    lms, rows = {}, []
    for tokens in sorted(budgets):
        if tokens == 0:  # no LM: the probe of a random encoder's features (the classifier from scratch: 'scratch')
            name, made = None, {"train_tokens": 0, "perplexity": None, "seconds": 0}
        else:
            name, made = semi_lm(run, tokens)
            short = f" (of {tokens:,} asked: the text has no more)" if made["train_tokens"] < tokens else ""
            print(f"LM fine-tuned on {made['train_tokens']:,} tokens{short}: perplexity {made['perplexity']:.1f} "
                  f"({made['seconds'] / 60:.1f} min)")
        lms[tokens] = {"lm": name, "read_tokens": made["train_tokens"], "perplexity": made["perplexity"],
                       "minutes": made["seconds"] / 60}
        began = time.perf_counter()
        features = encoder_features(run, name, [docs[i] for i in read])  # [len(read), 3 * emb_sz]
        held_x = features[[row_of[int(i)] for i in held]]
        lms[tokens]["feature_seconds"] = time.perf_counter() - began
        for (n, seed), idx in samples.items():
            probed = probe(features[[row_of[int(i)] for i in idx]], labels[idx], held_x, labels[held], seed)
            r = {"error": None, "seconds": 0} if name is None else api.train_classifier(
                run, f"lm{tokens}-n{n}-s{seed}", idx, seed=seed, lm=name, test_indices=held)
            rows.append({"train_tokens": tokens, "n": n, "seed": seed, "error": r["error"], "probe_error": probed,
                         "seconds": r["seconds"]})
            lm_said = "no LM (random weights)" if name is None else f"LM of {tokens:,} tokens"
            told = "" if name is None else f"held-out error {r['error']:.4f}, "
            print(f"{lm_said}, N={n:,} seed {seed}: {told}frozen features + logistic regression {probed:.4f}")
            lm_report(args, lms, rows, len(held))


def lm_report(args, lms: dict, rows: list[dict], n_held: int) -> None:
    """Write RESULTS/low_shot_lm.{json,md}: per LM fine-tuning budget, its perplexity and, per N, the held-out error
    of the classifier and of the probe of its features."""
    spreads = {}
    for kind in ("error", "probe_error"):
        by = {}
        for r in [r for r in rows if r[kind] is not None]:
            by.setdefault(r["train_tokens"], {}).setdefault(r["n"], []).append(r[kind])
        spreads[kind] = {t: {n: spread(e) for n, e in by_n.items()} for t, by_n in by.items()}
    sizes = sorted({r["n"] for r in rows})
    heads = [f"N={n:,} {what}" for n in sizes for what in ("ULMFiT", "frozen + LR")]
    lines = ["| LM fine-tuning tokens (read) | perplexity | minutes | " + " | ".join(heads) + " |",
             "|" + " --- |" * (len(heads) + 3)]
    for t in lms:
        cells = [percent(spreads[k][t][n]) if n in spreads[k].get(t, {}) else "" for n in sizes
                 for k in ("error", "probe_error")]
        ppl = "" if lms[t]["perplexity"] is None else f"{lms[t]['perplexity']:.1f}"
        what = "none: random weights" if t == 0 else f"{t:,} ({lms[t]['read_tokens']:,})"
        lines.append(f"| {what} | {ppl} | {lms[t]['minutes']:.1f} | " + " | ".join(cells) + " |")
    args.results.mkdir(parents=True, exist_ok=True)
    write_json(args.results / "low_shot_lm.json",
               {"scored_on": f"{n_held:,} training documents held out (a tenth of each class), never the test set",
                "probe": "the frozen encoder's concat pooling (last, max, mean), standardized, read by logistic "
                         "regression with C by 3-fold cross-validation on the N",
                "lms": lms, "errors": spreads["error"], "probe_errors": spreads["probe_error"],
                "minutes": (sum(r["seconds"] for r in rows) + sum(m["minutes"] * 60 + m.get("feature_seconds", 0)
                                                                  for m in lms.values())) / 60,
                "conditions": conditions(), "runs": rows})
    (args.results / "low_shot_lm.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_arguments(parser)
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="the numbers of labelled documents")
    parser.add_argument("--seeds", type=int, default=3, help="samples per N where N <= --seeds-up-to")
    parser.add_argument("--seeds-up-to", type=int, default=1000)
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=METHODS)
    parser.add_argument("--done-only", action="store_true", help="report the runs of the grid that are done in "
                                                                   "OUT, train none (after runs of a few at a time)")
    instead = parser.add_mutually_exclusive_group()
    instead.add_argument("--select", action="store_true", help="choose the classifier's training at small N instead")
    instead.add_argument("--lm-tokens", type=int, nargs="+", metavar="TOKENS",
                         help="instead: semi-supervised ULMFiT from LMs fine-tuned on these many tokens (0: no LM, "
                              "random weights)")
    parser.add_argument("--candidates", nargs="+", choices=CANDIDATES, default=list(CANDIDATES), help="with --select")
    parser.add_argument("--semi-lm-tokens", type=int, metavar="TOKENS", help="the semi-supervised LM fine-tuned on "
                        "these many tokens of every text (default: the preset's; the run's lm stage)")
    args = parser.parse_args(argv)
    if min(args.lm_tokens or [0]) < 0:
        parser.error(f"--lm-tokens must be 0 (no LM) or more, got {min(args.lm_tokens)}")
    if args.semi_lm_tokens is not None and args.semi_lm_tokens < 1:
        parser.error(f"--semi-lm-tokens must be positive, got {args.semi_lm_tokens}")

    began = time.perf_counter()
    run = open_run(args)
    sizes = sorted(args.sizes)
    if args.select:
        return select(args, run, sizes, args.seeds, args.candidates)
    if args.lm_tokens:
        return lm_study(args, run, sizes, args.seeds, args.lm_tokens)
    bench = LowShot(run, args.semi_lm_tokens)
    runs = []
    for method in [m for m in METHODS if m in args.methods]:
        for n in sizes:
            for seed in range(1, 1 + (args.seeds if n <= args.seeds_up_to else 1)):
                if args.done_only and not bench.done(method, n, seed):
                    continue
                idx = sample(bench.labels, np.arange(len(bench.labels)), n, seed)
                r = bench.result(method, n, seed, idx)
                runs.append({"method": method, "n": n, "seed": seed, **r})
                print(f"{method} N={n:,} seed {seed}: test error {r['error']:.4f} ({r['seconds'] / 60:.1f} min)")
                report(args, run, runs, began, sizes)
    done = report(args, run, runs, began, sizes)
    for peer, c in done["claims"].items():
        if isinstance(c, dict):
            print(f"ULMFiT semi-supervised with {c['semi_n']} labels ({100 * c['semi_error']:.2f}% error) matches "
                  f"{LABELS[peer]} with {c['bound']} {c['peer_equivalent_n']:,.0f} labels "
                  f"({c['times_more_labels']:.1f}x)")
    print(f"{done['minutes']['total']:.1f} minutes of runs; written to {args.results / 'low_shot.json'}")


if __name__ == "__main__":
    main()
