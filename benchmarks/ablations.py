"""The paper's ablations at CPU scale, beside its numbers: pretraining (its Table 4), LM fine-tuning (Table 6) and
classifier fine-tuning (Table 7), as validation error on a held-out tenth of the training documents, as the paper.

From the repository root:

    python -m benchmarks.ablations --imdb ../shared/data/aclImdb_v1_reviews.tar.gz --pretrained runs/wiki \\
        --out runs/ablations [--sizes 1000 all]

A tenth of each class of the training documents is held out (seeded) and every row is scored on it; each row's
classifier trains on N of the rest (classes in proportion, seeded; --seeds samples where N <= --seeds-up-to, `all`:
every one of them). Rows that differ in their LM share one prepared data set and vocabulary:
  Table 4  without pretraining: the LM trained from scratch on every text (the preset's from-scratch training)
  Table 6  the LM fine-tuned from the pretrained one by 'none' (kept as it is), 'full', 'full+discr' or 'ulmfit'
  Table 7  the classifier by each recipe on the 'ulmfit' LM; 'from scratch' is the same classifier from random weights
The rows that are ULMFiT itself (with pretraining; full + discr + stlr; freez + discr + stlr) are one classifier.
The paper used 3-layer 400/1150 LMs on WikiText-103 and the whole train set; here the preset's sizes on the
pretrained LM given. Each run is kept in OUT (a rerun skips what is done), and RESULTS/ablations.{json,md} are
rewritten after each.
"""

import argparse
import time

from benchmarks.experiment import conditions, data_arguments, held_out, open_run, percent, pretraining, sample, spread
from ulmfit_ref import api
from ulmfit_ref.files import read_json, write_json

ULMFIT = {"lm": "lm", "recipe": "ulmfit"}  # the row that is ULMFiT itself: the run's LM, the preset's recipe
# Every table as in the paper: (row, how its classifier is made, the paper's validation error % on IMDb, TREC-6, AG).
TABLES = {
    "Table 4: pretraining": [
        ("Without pretraining", {"lm": "from-scratch", "recipe": "ulmfit"}, (5.63, 10.67, 5.52)),
        ("With pretraining", ULMFIT, (5.00, 5.69, 5.38)),
    ],
    "Table 6: LM fine-tuning": [
        ("No LM fine-tuning", {"lm": "none", "recipe": "ulmfit"}, (6.99, 6.38, 6.09)),
        ("Full", {"lm": "full", "recipe": "ulmfit"}, (5.86, 6.54, 5.61)),
        ("Full + discr", {"lm": "full+discr", "recipe": "ulmfit"}, (5.55, 6.36, 5.47)),
        ("Full + discr + stlr", ULMFIT, (5.00, 5.69, 5.38)),
    ],
    "Table 7: classifier fine-tuning": [
        ("From scratch", {"lm": None, "recipe": "ulmfit"}, (9.93, 13.36, 6.81)),
        ("Full", {"lm": "lm", "recipe": "full"}, (6.87, 6.86, 5.81)),
        ("Full + discr", {"lm": "lm", "recipe": "full+discr"}, (5.57, 6.21, 5.62)),
        ("Last", {"lm": "lm", "recipe": "last"}, (6.49, 16.09, 8.38)),
        ("Chain-thaw", {"lm": "lm", "recipe": "chain"}, (5.39, 6.71, 5.90)),
        ("Freez", {"lm": "lm", "recipe": "freez"}, (6.37, 6.86, 5.81)),
        ("Freez + discr", {"lm": "lm", "recipe": "freez+discr"}, (5.39, 5.86, 6.04)),
        ("Freez + stlr", {"lm": "lm", "recipe": "freez+stlr"}, (5.04, 6.02, 5.35)),
        ("Freez + cos", {"lm": "lm", "recipe": "freez+cos"}, (5.70, 6.38, 5.29)),
        ("Freez + discr + stlr", ULMFIT, (5.00, 5.69, 5.38)),
    ],
}
PAPER = "Howard & Ruder (2018), arXiv:1801.06146v5, Tables 4, 6 and 7: validation error (%) on 10% of each train set"
LMS = {"from-scratch": {"pretrained": None}, "none": {"recipe": "none"}, "full": {"recipe": "full"},
       "full+discr": {"recipe": "full+discr"}}  # the LMs besides the run's own, by fine_tune_lm's arguments


def row_name(how: dict) -> str:
    """The classifier's name for a way of making it: its LM and recipe."""
    return f"{how['lm'] or 'random'}~{how['recipe']}"


def classifier(run: api.Run, how: dict, n: int, seed: int, idx, held) -> dict:
    """The classifier of one row on the documents `idx`, scored on the held-out ones (made now, or read back)."""
    lm = how["lm"]
    if lm not in ("lm", None):
        api.fine_tune_lm(run, lm, **LMS[lm])
    r = api.train_classifier(run, f"{row_name(how)}-n{n}-s{seed}", idx, how["recipe"], seed, lm=lm, test_indices=held)
    return {"error": r["error"], "accuracy": r["accuracy"], "seconds": r["seconds"], "stage_epochs": r["stage_epochs"]}


def lm_record(run: api.Run, name: str) -> dict:
    """Perplexity on the held-out text, tokens and minutes of one of the LMs."""
    r = read_json((run.folder("lm") if name == "lm" else run.out / "lms" / name) / "result.json")
    return {"perplexity": r["perplexity"], "train_tokens": r["train_tokens"], "minutes": r["seconds"] / 60}


def markdown(tables: dict, sizes: list[str]) -> str:
    """Each table with our validation error per size (mean ± std over seeds) beside the paper's, in percent."""
    lines = []
    for title, rows in tables.items():
        lines += [f"### {title}", "", "| | " + " | ".join(f"ours, N={s}" for s in sizes) +
                  " | paper IMDb | paper TREC-6 | paper AG |", "|" + " --- |" * (len(sizes) + 4)]
        for row in rows:
            ours = [percent(row["ours"][s]) if s in row["ours"] else "" for s in sizes]
            lines.append(f"| {row['row']} | " + " | ".join(ours) + " | " + " | ".join(f"{p:.2f}" for p in row["paper"])
                         + " |")
        lines.append("")
    return "\n".join(lines)


def report(args, run: api.Run, runs: list[dict], sizes: list[str], n_held: int) -> dict:
    """Write RESULTS/ablations.{json,md} from the runs done so far; returns the JSON's contents."""
    by_row = {}
    for r in runs:
        by_row.setdefault(r["classifier"], {}).setdefault(r["size"], []).append(r["error"])
    tables = {title: [{"row": label, "classifier": row_name(how), "paper": list(paper),
                       "ours": {s: spread(e) for s, e in by_row.get(row_name(how), {}).items()}}
                      for label, how, paper in rows] for title, rows in TABLES.items()}
    lms = ["lm"] + [name for name in LMS if (run.out / "lms" / name / "result.json").exists()]
    seconds = sum(r["seconds"] for r in runs) + sum(lm_record(run, n)["minutes"] * 60 for n in lms)
    out = {"data": args.imdb or args.data, "preset": run.preset.name, "paper": PAPER,
           "scored_on": f"{n_held:,} training documents held out (a tenth of each class)", "held_out": n_held,
           "sizes": sizes,
           "tables": tables, "lms": {n: lm_record(run, n) for n in lms}, "minutes": seconds / 60,
           "pretraining": pretraining(run), "conditions": conditions(), "runs": runs}
    args.results.mkdir(parents=True, exist_ok=True)
    write_json(args.results / "ablations.json", out)
    (args.results / "ablations.md").write_text(markdown(tables, sizes), encoding="utf-8")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_arguments(parser)
    parser.add_argument("--sizes", nargs="+", default=["1000", "all"], help="labelled documents per row ('all': all "
                                                                            "but the held-out tenth)")
    parser.add_argument("--seeds", type=int, default=3, help="samples per N where N <= --seeds-up-to")
    parser.add_argument("--seeds-up-to", type=int, default=1000)
    args = parser.parse_args(argv)

    if args.pretrained is None:
        parser.error("--pretrained is needed: the tables compare LMs fine-tuned from a pretrained one")
    began = time.perf_counter()
    run = open_run(args)
    labels = api.train_labels(run)
    pool, held = held_out(labels, 0.1, run.preset.prepare.seed)
    sizes = [s if s == "all" else f"{int(s):,}" for s in args.sizes]
    hows = {row_name(how): how for rows in TABLES.values() for _, how, _ in rows}.values()
    hows = sorted(hows, key=lambda how: (how != ULMFIT, how["lm"] not in ("lm", None)))  # ULMFiT, then no new LM
    runs = []
    for size in sizes:
        n = len(pool) if size == "all" else int(size.replace(",", ""))
        for seed in range(1, 1 + (args.seeds if n <= args.seeds_up_to else 1)):
            idx = sample(labels, pool, n, seed)
            for how in hows:
                r = classifier(run, how, n, seed, idx, held)
                runs.append({"classifier": row_name(how), "size": size, "n": n, "seed": seed, **r})
                print(f"{row_name(how)} N={n:,} seed {seed}: validation error {r['error']:.4f} "
                      f"({r['seconds'] / 60:.1f} min)")
                report(args, run, runs, sizes, len(held))
    done = report(args, run, runs, sizes, len(held))
    print(f"{done['minutes']:.1f} minutes of runs ({(time.perf_counter() - began) / 60:.1f} in this call); written "
          f"to {args.results / 'ablations.json'}")
    return done


if __name__ == "__main__":
    main()
