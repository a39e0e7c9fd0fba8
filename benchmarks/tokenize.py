"""Tokenization speed on 10,000 real IMDb reviews: ours (1 and 2 processes) vs fastai 2.8.12 vs bare spaCy.

fastai is never a dependency of ulmfit_ref; it is imported here only, from a separate venv:

    python3 -m venv /tmp/benchvenv && /tmp/benchvenv/bin/pip install torch==2.13.0
    /tmp/benchvenv/bin/pip install --no-deps -r benchmarks/requirements-fastai.txt
    /tmp/benchvenv/bin/pip install -e .   # this package and its dependencies (spaCy)
    /tmp/benchvenv/bin/python benchmarks/tokenize.py --data ../shared/data/aclImdb_v1_reviews.tar.gz

All three tokenize the same texts (the first 10,000 of train/unsup, fixed up by each one's own rules) and
return token lists to the calling process. Each tokenizer's tokens/s is on its own token count (fastai adds
`xxmaj` before capitalised words, so it counts more tokens per review); `time_ratio_vs_fastai` compares the
wall time on the same reviews. Ours also runs the way `ulmfit prepare` uses it, `tokenize_to_file` with 1 and
2 processes (JSON lines written to disk, no token lists returned): `scaling_2proc_file` is that path's 2-process
speed-up on the same work. Runs are interleaved and the best of `--repeat` is kept. Then `ulmfit prepare`
runs on the full 100k-review corpus in a subprocess and the peak memory of its whole process tree is sampled.
Writes benchmarks/results/tokenize.json.
"""

import sys
from pathlib import Path

# This file's name shadows the standard library's `tokenize`: drop its folder from the import path first.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import spacy  # noqa: E402

from ulmfit_ref.data import CLASSES, read_imdb  # noqa: E402
from ulmfit_ref.text import Tokenizer, mark_fields, partition, proc_all_mp, read_tokens, tokenize_to_file  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "tokenize.json"


def best_time(fn, repeat: int):
    """(best seconds, result) of `repeat` calls of fn."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB, read from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total / 1024


def peak_rss_of(cmd: list[str]) -> tuple[float, float]:
    """(peak MB of the process tree, seconds) of a command, sampled every 0.1 s."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0

    def sample():
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    proc.wait()
    sampler.join()
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return peak, time.perf_counter() - t


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb folder or tar.gz")
    parser.add_argument("--n", type=int, default=10_000, help="reviews from train/unsup")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-full", action="store_true", help="skip the full-corpus memory run")
    args = parser.parse_args()

    from fastai.text.core import tokenize_texts  # the peer; imported here only

    train = read_imdb(args.data)["train"]
    unsup = [t for t, y in zip(train.texts, train.labels) if y == CLASSES.index("unsup")][: args.n]
    ours_texts = [mark_fields([t]) for t in unsup]
    nlp_tok = spacy.blank("en").tokenizer
    tok = Tokenizer()
    tmp = Path(tempfile.mkdtemp()) / "tokens.jsonl"

    runs = {
        "spacy": lambda: [[t.text for t in nlp_tok(s)] for s in unsup],
        "ours_1proc": lambda: tok.proc_all(ours_texts),
        "ours_2proc": lambda: [t for chunk in proc_all_mp(partition(ours_texts, 250), n_workers=2) for t in chunk],
        "ours_1proc_file": lambda: tokenize_to_file(partition(ours_texts, 250), tmp, n_workers=1),
        "ours_2proc_file": lambda: tokenize_to_file(partition(ours_texts, 250), tmp, n_workers=2),
        "fastai_1proc": lambda: list(tokenize_texts(unsup, n_workers=1)),
        "fastai_2proc": lambda: list(tokenize_texts(unsup, n_workers=2)),
    }
    times, tokens = {}, {}
    for fn in runs.values():
        fn()  # warm up caches (spaCy caches token strings) so every run is measured warm
    for _ in range(args.repeat):
        for name, fn in runs.items():
            dt, result = best_time(fn, 1)
            times[name] = min(times.get(name, float("inf")), dt)
            tokens[name] = sum(len(t) for t in (read_tokens(tmp) if name.endswith("_file") else result))
    tps = {name: tokens[name] / times[name] for name in runs}
    for name in runs:
        print(f"{name:<14}{tokens[name]:>11,} tokens {times[name]:>7.2f} s {tps[name]:>11,.0f} tokens/s")

    result = {
        "reviews": len(unsup),
        "tok_per_s_1proc": tps["ours_1proc"],
        "tok_per_s_2proc": tps["ours_2proc"],
        "fastai_tok_per_s_1proc": tps["fastai_1proc"],
        "fastai_tok_per_s_2proc": tps["fastai_2proc"],
        "spacy_tok_per_s": tps["spacy"],
        "ratio_vs_fastai": tps["ours_1proc"] / tps["fastai_1proc"],
        "time_ratio_vs_fastai": times["fastai_1proc"] / times["ours_1proc"],
        "ratio_vs_spacy": tps["ours_1proc"] / tps["spacy"],
        "scaling_2proc": tps["ours_2proc"] / tps["ours_1proc"],
        "tok_per_s_1proc_file": tps["ours_1proc_file"],
        "tok_per_s_2proc_file": tps["ours_2proc_file"],
        "scaling_2proc_file": tps["ours_2proc_file"] / tps["ours_1proc_file"],
        "tokens": tokens,
        "seconds": times,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}",
    }
    print(f"ours / fastai: {result['ratio_vs_fastai']:.2f}x tokens/s ({result['time_ratio_vs_fastai']:.2f}x on time); "
          f"2 processes / 1: {result['scaling_2proc']:.2f}x in memory, {result['scaling_2proc_file']:.2f}x "
          f"to a file as `ulmfit prepare` does; ours / bare spaCy: {result['ratio_vs_spacy']:.2f}")

    if not args.skip_full:
        with tempfile.TemporaryDirectory() as out:
            cmd = [sys.executable, "-m", "ulmfit_ref.cli", "prepare", "--data", args.data, "--out", out,
                   "--workers", "2"]
            peak, seconds = peak_rss_of(cmd)
        result["peak_rss_mb_full_corpus"] = peak
        result["prepare_full_corpus_seconds"] = seconds
        print(f"ulmfit prepare, full corpus: peak {peak:,.0f} MB over its process tree, {seconds / 60:.1f} min")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
