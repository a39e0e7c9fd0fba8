"""The benchmarks of the paper's claims (benchmarks/low_shot.py, ablations.py, end_to_end.py) on a tiny slice: every
method and table row runs, the JSON, markdown and picture are written, and a rerun trains nothing again."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import make_corpus, make_dataset

ROOT = Path(__file__).resolve().parents[2]


def benchmark(name: str, *args) -> str:
    """Run `python -m benchmarks.NAME ARGS` from the repository root, as a user does; returns what it printed."""
    done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("data") / "news")


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory) -> Path:
    """A tiny general LM (`ulmfit pretrain --preset tiny`) on a corpus of .txt documents."""
    root = tmp_path_factory.mktemp("wiki")
    corpus = make_corpus(root / "corpus", 30)
    done = subprocess.run([sys.executable, "-m", "ulmfit_ref.cli", "pretrain", "--corpus", str(corpus), "--out",
                           str(root / "lm"), "--preset", "tiny", "--workers", "1"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return root / "lm"


def test_low_shot_runs_every_method_and_writes_its_table_and_figure(data, pretrained, tmp_path):
    args = ["--data", data, "--out", tmp_path / "run", "--preset", "tiny", "--pretrained", pretrained, "--sizes", 16,
            32, "--seeds", 2, "--seeds-up-to", 16, "--results", tmp_path / "results"]
    printed = benchmark("low_shot", *args)
    report = json.loads((tmp_path / "results" / "low_shot.json").read_text())
    assert {(r["method"], r["n"], r["seed"]) for r in report["runs"]} == {
        (m, n, s) for m in ("tfidf", "semi", "scratch", "supervised") for n, s in ((16, 1), (16, 2), (32, 1))}
    assert all(0 <= r["error"] <= 1 and r["test_documents"] == 48 for r in report["runs"])
    assert report["errors"]["semi"]["16"]["n"] == 2 and report["errors"]["tfidf"]["32"]["n"] == 1
    assert set(report["claims"]) == {"tfidf", "scratch", "supervised"} and report["minutes"]["semi"] > 0
    assert report["pretraining"]["weights"] == str(pretrained.resolve() / "model.pt")
    assert (tmp_path / "results" / "low_shot.png").read_bytes()[:4] == b"\x89PNG"
    table = (tmp_path / "results" / "low_shot.md").read_text()
    assert table.count("\n") == 4 and "| 16 | " in table and "±" in table
    assert "matches TF-IDF + logistic regression with" in printed
    again = benchmark("low_shot", *args)  # everything is done: read back, nothing trains
    assert "epoch" not in again and json.loads((tmp_path / "results" / "low_shot.json").read_text())["runs"] == \
        report["runs"]
    wider = args[:8] + ["--sizes", 16, 32, 64, "--seeds", 3, "--seeds-up-to", 16] + args[-2:]
    again = benchmark("low_shot", *wider, "--done-only")  # a wider grid, of which only the done runs are reported
    assert "epoch" not in again and json.loads((tmp_path / "results" / "low_shot.json").read_text())["runs"] == \
        report["runs"]


def test_select_scores_each_candidate_on_held_out_training_documents(data, tmp_path):
    benchmark("low_shot", "--data", data, "--out", tmp_path / "run", "--preset", "tiny", "--sizes", 16, "--seeds", 1,
              "--select", "--candidates", "steps0", "bs16-steps300", "--results", tmp_path / "results")
    selection = json.loads((tmp_path / "results" / "low_shot_selection.json").read_text())
    assert set(selection["errors"]) == {"steps0", "bs16-steps300"} and "never the test set" in selection["scored_on"]
    runs = {r["candidate"]: r for r in selection["runs"]}
    assert sum(runs["bs16-steps300"]["stage_epochs"]) >= 300 > sum(runs["steps0"]["stage_epochs"])
    assert not (tmp_path / "results" / "low_shot.json").exists()


def test_lm_tokens_scores_an_lm_per_budget_on_held_out_training_documents(data, pretrained, tmp_path):
    printed = benchmark("low_shot", "--data", data, "--out", tmp_path / "run", "--preset", "tiny", "--pretrained",
                        pretrained, "--sizes", 16, "--seeds", 1, "--lm-tokens", 60000, 3000, 0, "--results",
                        tmp_path / "results")
    study = json.loads((tmp_path / "results" / "low_shot_lm.json").read_text())
    assert {t: m["lm"] for t, m in study["lms"].items()} == {"0": None, "3000": "every-text-3000", "60000": "lm"}
    made = json.loads((tmp_path / "run" / "lms" / "every-text-3000" / "result.json").read_text())
    assert made["train_tokens"] == 3000 and made["fit"]["train_tokens"] == 3000 and made["indices"] is None
    assert 3000 < study["lms"]["60000"]["read_tokens"] < 60000  # the tiny data set's every token, said as such
    assert [(r["train_tokens"], r["n"]) for r in study["runs"]] == [(0, 16), (3000, 16), (60000, 16)]
    assert study["lms"]["0"]["perplexity"] is None and "0" not in study["errors"]  # no LM: the random probe alone
    assert study["probe_errors"]["0"]["16"]["n"] == 1
    assert not (tmp_path / "run" / "classifiers" / "lm0-n16-s101").exists()
    assert all(0 <= r["probe_error"] <= 1 for r in study["runs"]) and study["probe_errors"]["3000"]["16"]["n"] == 1
    assert "never the test set" in study["scored_on"] and "LM fine-tuned on 3,000 tokens: perplexity" in printed
    assert "tokens (of 60,000 asked: the text has no more)" in printed
    table = (tmp_path / "results" / "low_shot_lm.md").read_text()
    assert table.splitlines()[2].startswith("| none: random weights |  | 0.0 |  | ") and "| N=16 frozen + LR |" in table
    assert table.splitlines()[3].startswith("| 3,000 (3,000) | ")
    assert not (tmp_path / "results" / "low_shot.json").exists()


def test_the_grid_takes_a_semi_supervised_lm_of_other_tokens_and_names_its_runs_so(data, pretrained, tmp_path):
    args = ["--data", data, "--out", tmp_path / "run", "--preset", "tiny", "--pretrained", pretrained, "--sizes", 16,
            "--seeds", 1, "--methods", "semi", "scratch", "--results", tmp_path / "results"]
    benchmark("low_shot", *args, "--semi-lm-tokens", 3000)
    report = json.loads((tmp_path / "results" / "low_shot.json").read_text())
    assert {k: report["semi_supervised_lm"][k] for k in ("lm", "train_tokens")} == {"lm": "every-text-3000",
                                                                                     "train_tokens": 3000}
    made = {p.name for p in (tmp_path / "run" / "classifiers").iterdir()}
    assert made == {"semi-every-text-3000-n16-s1", "scratch-n16-s1"}  # random weights: the same run for any LM
    benchmark("low_shot", *args, "--semi-lm-tokens", 4000, "--done-only")  # its LM is not made: nothing trains
    report = json.loads((tmp_path / "results" / "low_shot.json").read_text())
    assert [r["method"] for r in report["runs"]] == ["scratch"] and report["semi_supervised_lm"] is None
    assert not (tmp_path / "run" / "lms" / "every-text-4000").exists()


@pytest.mark.parametrize("flag, value, says", [("--lm-tokens", "-1", "must be 0 (no LM) or more"),
                                               ("--semi-lm-tokens", "0", "must be positive")])
def test_lm_tokens_must_be_tokens(data, tmp_path, flag, value, says):
    done = subprocess.run([sys.executable, "-m", "benchmarks.low_shot", "--data", str(data), "--out",
                           str(tmp_path / "run"), "--results", str(tmp_path / "results"), flag, value], cwd=ROOT,
                          capture_output=True, text=True)  # --results: a wrong answer must not write the repo's
    assert done.returncode == 2 and f"{flag} {says}, got {value}" in done.stderr


def test_ablations_run_every_row_of_the_three_tables_beside_the_paper(data, pretrained, tmp_path):
    printed = benchmark("ablations", "--data", data, "--out", tmp_path / "run", "--preset", "tiny", "--pretrained",
                        pretrained, "--sizes", 24, "--seeds", 1, "--results", tmp_path / "results")
    report = json.loads((tmp_path / "results" / "ablations.json").read_text())
    tables = report["tables"]
    assert [len(rows) for rows in tables.values()] == [2, 4, 10]
    assert all(set(row["ours"]) == {"24"} for rows in tables.values() for row in rows)
    assert tables["Table 7: classifier fine-tuning"][-1]["paper"] == [5.00, 5.69, 5.38]
    assert len({r["classifier"] for r in report["runs"]}) == 14  # ULMFiT's row is one classifier in three tables
    assert {r["n"] for r in report["runs"]} == {24} and report["held_out"] == 14  # a tenth of 140 training documents
    assert set(report["lms"]) == {"lm", "from-scratch", "none", "full", "full+discr"}
    assert report["lms"]["none"]["train_tokens"] > 0 and "held out" in report["scored_on"]
    table = (tmp_path / "results" / "ablations.md").read_text()
    assert "| Chain-thaw | " in table and "| paper IMDb |" in table and "minutes of runs" in printed


def test_ablations_need_a_pretrained_lm(data, tmp_path):
    done = subprocess.run([sys.executable, "-m", "benchmarks.ablations", "--data", str(data), "--out",
                           str(tmp_path / "run"), "--preset", "tiny", "--results", str(tmp_path / "results")], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "--pretrained is needed" in done.stderr


def test_end_to_end_of_a_bidirectional_run_reports_both_directions_beside_the_baseline(data, tmp_path):
    printed = benchmark("end_to_end", "--data", data, "--out", tmp_path / "run", "--preset", "tiny", "--bidirectional",
                        "--name", "news_both", "--results", tmp_path / "results")
    report = json.loads((tmp_path / "results" / "end_to_end_news_both.json").read_text())
    ulmfit = report["ulmfit"]
    assert ulmfit["bidirectional"] is True and ulmfit["directions"] == "one after the other"  # tiny: one thread
    assert set(ulmfit["stage_minutes"]) == {"prepare", "forward", "backward"} and ulmfit["minutes"] > 0
    assert ulmfit["ensemble"]["accuracy"] == ulmfit["accuracy"] and 0 <= ulmfit["forward"]["accuracy"] <= 1
    assert report["baseline"]["accuracy"] > 0 and report["test_documents"] == 48
    assert "error ratio ULMFiT / baseline" in printed
