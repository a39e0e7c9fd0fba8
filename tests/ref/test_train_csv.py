"""`ulmfit train` and the Python API on a generated 4-class CSV folder: every stage, class names, predictions in input
order, the command's own behaviour (--help, --version, --debug), and the README's example."""

import csv
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from support import TOPICS, assert_one_line_error, document, make_dataset, one_thread, ulmfit  # noqa: F401

from ulmfit_ref import __version__, api
from ulmfit_ref.dataset import stratified_indices

ROOT = Path(__file__).resolve().parents[2]
CLASSES = ["World", "Sports", "Business", "Sci/Tech"]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """4 imbalanced classes (60/40/25/15), labels counted from 1 as in AG News, a title and a body, unlabelled.csv."""
    return make_dataset(tmp_path_factory.mktemp("data") / "news")


@pytest.fixture(scope="module")
def trained(data, tmp_path_factory) -> tuple[Path, str]:
    """A whole `ulmfit train --preset tiny` run: its folder and what it printed."""
    out = tmp_path_factory.mktemp("runs") / "run"
    code, stdout, err = ulmfit("train", data, "--out", out, "--preset", "tiny", "--workers", 1)
    assert code == 0, err
    return out, stdout


def test_every_stage_runs_with_the_class_names_and_figures(trained):
    out, stdout = trained
    results = json.loads((out / "results.json").read_text())
    assert results["classes"] == CLASSES and results["stages_done"] == ["prepare", "lm", "classifier", "evaluate"]
    assert results["accuracy"] > 0.7 and 0 < results["macro_f1"] <= 1, results
    assert set(results["per_class"]) == set(CLASSES)
    assert all(set(v) == {"precision", "recall", "f1", "support"} for v in results["per_class"].values())
    matrix = np.array(results["confusion_matrix"])
    assert matrix.shape == (4, 4) and matrix.sum() == results["test_documents"] == 48
    assert matrix.sum(1).tolist() == [results["per_class"][c]["support"] for c in CLASSES] == [12] * 4
    assert (out / "evaluate" / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    assert "macro-F1" in stdout


def test_documents_in_equal_documents_out(trained):
    summary = json.loads((trained[0] / "prepared" / "summary.json").read_text())
    assert summary["documents_in"] == {"train": 140, "test": 48, "unlabelled": 30}
    assert summary["label_format"] == "class numbers from 1" and summary["n_fields"] == 2
    d = summary["datasets"]
    assert (d["clas/train"]["documents"], d["clas/test"]["documents"]) == (140, 48)
    assert d["lm/train"]["documents"] + d["lm/valid"]["documents"] == 140 + 48 + 30
    classifier = json.loads((trained[0] / "classifier" / "result.json").read_text())
    assert classifier["train_documents"] + classifier["valid_documents"] == 140


def test_evaluation_predictions_follow_the_test_set_with_class_names(trained):
    with open(trained[0] / "evaluate" / "predictions.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    labels = np.load(trained[0] / "prepared" / "clas" / "test.labels.npy")
    assert [r["label"] for r in rows] == [CLASSES[y] for y in labels]
    assert list(rows[0]) == ["label", "predicted"] + [f"p_{c}" for c in CLASSES]
    assert all(abs(sum(float(r[f"p_{c}"]) for c in CLASSES) - 1) < 1e-4 for r in rows)


def test_predict_prints_class_names(trained):
    import random

    rng = random.Random(3)
    texts = [document(rng, "Sports", 25, 30), document(rng, "Business", 25, 30)]
    code, stdout, err = ulmfit("predict", "--model", trained[0], *texts)
    assert code == 0, err
    assert [line.split("\t")[0] for line in stdout.strip().splitlines()] == ["Sports", "Business"]


def test_predict_writes_one_row_per_input_in_input_order(trained, tmp_path):
    import random

    rng = random.Random(4)
    rows = [[c, document(rng, c, 1, 4), document(rng, c, 5, 200)] for c in CLASSES for _ in range(6)]
    rng.shuffle(rows)
    with open(tmp_path / "in.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    code, stdout, err = ulmfit("predict", "--model", trained[0], "--input", tmp_path / "in.csv", "--output",
                               tmp_path / "out.csv")
    assert code == 0, err
    with open(tmp_path / "out.csv", newline="") as f:
        out = list(csv.DictReader(f))
    assert [r["line"] for r in out] == [str(i) for i in range(1, 25)]
    assert [r["label"] for r in out] == [r[0] for r in rows]
    model = api.load(trained[0])
    one_by_one = [model.predict_proba([tuple(r[1:])])[0] for r in rows]
    assert np.allclose([[float(r[f"p_{c}"]) for c in CLASSES] for r in out], one_by_one, atol=1e-5)
    assert sum(r["predicted"] == r["label"] for r in out) >= 18
    with open(tmp_path / "texts.csv", "w", newline="") as f:  # without labels: the text fields only
        csv.writer(f).writerows(r[1:] for r in rows)
    assert ulmfit("predict", "--model", trained[0], "--input", tmp_path / "texts.csv", "--output",
                  tmp_path / "out2.csv")[0] == 0
    with open(tmp_path / "out2.csv", newline="") as f:
        assert [r["predicted"] for r in csv.DictReader(f)] == [r["predicted"] for r in out]


def test_predict_drops_a_header_row_of_its_input_and_says_so(trained, tmp_path):
    (tmp_path / "in.csv").write_text("title,text\nmatch,the striker scored\nmarket,shares fell\n")
    code, stdout, err = ulmfit("predict", "--model", trained[0], "--input", tmp_path / "in.csv")
    assert code == 0, err
    assert len(stdout.strip().splitlines()) == 2 and "line 1: dropped 1 header row (title,text)" in err


@pytest.mark.parametrize("texts, said", [(None, "got NoneType"), (5, "got int"), ("one text", "give a list of one"),
                                         ([b"bytes"], r"texts\[0\].*bytes: decode them"), ([None], r"texts\[0\]"),
                                         ([], "no documents"), ([("a", "b", "c")], "3 text fields, but the")])
def test_predict_proba_refuses_what_is_not_a_list_of_texts(trained, texts, said):
    from ulmfit_ref.errors import DataError

    with pytest.raises(DataError, match=said):
        api.load(trained[0]).predict_proba(texts)


def test_predict_proba_takes_any_iterable_of_texts(trained):
    model = api.load(trained[0])
    assert np.allclose(model.predict_proba(t for t in ["a goal", "a merger"]), model.predict_proba(["a goal",
                                                                                                    "a merger"]))


def test_the_api_refuses_data_it_cannot_read_at_the_boundary(tmp_path):
    from ulmfit_ref.errors import DataError

    with pytest.raises(DataError, match=r"got list; for \(label, text\) pairs: api.from_lists"):
        api.train([("pos", "good"), ("neg", "bad")], tmp_path / "r", preset="tiny")
    with pytest.raises(DataError, match="got generator"):
        api.train((t for t in ["a"]), tmp_path / "r", preset="tiny")
    d = api.from_lists((t for t in ["good", "bad", "fine"]), iter(["pos", "neg", "pos"]))
    assert d.classes == ("neg", "pos") and len(d.train) == 3
    with pytest.raises(DataError, match="texts: expected a list, got int"):
        api.from_lists(5, [1])
    with pytest.raises(DataError, match=r"labels\[1\]: no label \(nan\)"):
        api.from_lists(["a", "b"], [1, float("nan")])


def test_a_rerun_skips_and_other_data_is_refused(trained, data, tmp_path):
    out = trained[0]
    code, stdout, err = ulmfit("train", data, "--out", out, "--preset", "tiny")
    assert code == 0, err
    assert stdout.count("exists, skipping") == 4
    assert ulmfit("train", data / "train.csv", "--out", out, "--preset", "tiny")[0] == 0  # the same data set
    other = make_dataset(tmp_path / "other", seed=5)
    code, _, err = ulmfit("train", other, "--out", out, "--preset", "tiny")
    assert_one_line_error(code, err, "was prepared from", "not", "new --out")


def test_bad_data_and_options_are_one_line_errors(tmp_path, data):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "train.csv").write_text("label\ttext\n1\tgood\n2\tbad\n")
    code, _, err = ulmfit("train", tmp_path / "bad", "--out", tmp_path / "r1", "--preset", "tiny")
    assert_one_line_error(code, err, "train.csv: its rows are separated by tabs", "comma-separated")
    code, _, err = ulmfit("train", tmp_path / "a.tar.gz", "--out", tmp_path / "r2")
    assert_one_line_error(code, err, "ulmfit imdb --data")
    code, _, err = ulmfit("train", data, "--out", tmp_path / "r3", "--recipe", "thaw")
    assert_one_line_error(code, err, "--recipe", "unknown recipe")
    code, _, err = ulmfit("train", data, "--out", tmp_path / "r4", "--stage", "fit")
    assert_one_line_error(code, err, "unknown stage 'fit'", "prepare, lm, classifier, evaluate")


def test_debug_shows_the_traceback_of_an_error(tmp_path):
    code, _, err = ulmfit("train", tmp_path / "nowhere", "--out", tmp_path / "r")
    assert_one_line_error(code, err, "no such folder")
    from ulmfit_ref.errors import DataError

    with pytest.raises(DataError, match="no such folder"):
        ulmfit("train", tmp_path / "nowhere", "--out", tmp_path / "r", "--debug")
    with pytest.raises(DataError, match="no such folder"):
        ulmfit("--debug", "train", tmp_path / "nowhere", "--out", tmp_path / "r")


def test_help_imports_no_torch_spacy_or_matplotlib_and_version_prints():
    code = ("import sys\nfrom ulmfit_ref.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'spacy', 'matplotlib') if m in sys.modules]\nprint('heavy:', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "heavy: []" in out and "train" in out and "predict" in out
    version = subprocess.run([sys.executable, "-m", "ulmfit_ref.cli", "--version"], capture_output=True, text=True)
    assert version.stdout.strip() == f"ulmfit {__version__}"


def test_the_help_of_stage_names_every_stage():
    from ulmfit_ref.cli import STAGE_HELP
    from ulmfit_ref.pipeline import STAGES

    assert re.findall(r"\b(prepare|lm|classifier|evaluate)\b", STAGE_HELP) == list(STAGES)


def test_classifiers_on_samples_reuse_the_fine_tuned_lm(trained, data):
    run = api.make(data, trained[0], preset="tiny", log=lambda m: None)
    labels = api.train_labels(run)
    idx = stratified_indices(labels, 40, seed=1)
    before = (trained[0] / "lm" / "encoder.pt").stat().st_mtime_ns
    result = api.train_classifier(run, "n40-full", idx, recipe="full+discr", seed=1)
    assert result["train_documents"] + result["valid_documents"] == 40 and result["recipe"] == "full+discr"
    assert len(result["epochs"]) == sum(run.preset.classify.epochs)  # one fit of every layer, as long as ulmfit's
    assert 0 <= result["accuracy"] <= 1 and result["test_documents"] == 48
    assert (trained[0] / "lm" / "encoder.pt").stat().st_mtime_ns == before
    assert api.train_classifier(run, "n40-full", idx, recipe="full+discr", seed=1) == result  # done once
    with pytest.raises(api.StageError, match="trained otherwise"):
        api.train_classifier(run, "n40-full", idx[:20], recipe="full+discr", seed=1)
    assert api.load(trained[0], "n40-full").predict([("a title", " ".join(TOPICS["Sports"]))])[0] in CLASSES


def test_other_lms_of_one_run_feed_classifiers_and_held_out_training_documents_score_them(trained, data):
    run = api.make(data, trained[0], preset="tiny", log=lambda m: None)
    labels = api.train_labels(run)
    idx = stratified_indices(labels, 40, seed=2)
    held = np.setdiff1d(np.arange(len(labels)), idx)[:30]
    lm = api.fine_tune_lm(run, "sup-n40", indices=idx)
    assert lm["indices"] == idx.tolist() and lm["train_tokens"] + lm["valid_tokens"] < 40 * 50
    assert lm["pretraining"] is None and len(lm["epochs"]) == 2  # no pretrained LM: from scratch, 2 epochs (tiny)
    assert api.fine_tune_lm(run, "sup-n40", indices=idx) == lm  # done once
    with pytest.raises(api.StageError, match="trained otherwise"):
        api.fine_tune_lm(run, "sup-n40", indices=idx[:20])
    with pytest.raises(api.StageError, match="'none' keeps a pretrained LM as it is, and there is none"):
        api.fine_tune_lm(run, "none", recipe="none")
    result = api.train_classifier(run, "sup-n40", idx, seed=1, lm="sup-n40", test_indices=held)
    assert result["test_documents"] == 30 and result["lm"] == "sup-n40" and result["test_indices"] == held.tolist()
    scratch = api.train_classifier(run, "scratch-n40", idx, recipe="chain", seed=1, lm=None)
    assert scratch["test_documents"] == 48 and scratch["recipe"] == "chain"
    assert len(scratch["epochs"]) == sum(run.preset.classify.epochs)  # chain-thaw: as long as gradual unfreezing
    with pytest.raises(api.StageError, match="fine_tune_lm\\(run, 'other'\\) first"):
        api.train_classifier(run, "other", idx, lm="other")
    with pytest.raises(api.StageError, match="test_indices holds 1 of the training documents"):
        api.train_classifier(run, "overlap", idx, test_indices=[int(idx[0])] + held.tolist())


def test_a_small_sample_trains_longer_to_the_recipe_s_minimum_of_steps(trained, data):
    run = api.make(data, trained[0], preset="tiny", log=lambda m: None)
    idx = stratified_indices(api.train_labels(run), 20, seed=3)
    fit = replace(run.preset.classify, min_steps=40)  # 18 training documents in batches of 8: 3 steps an epoch
    result = api.train_classifier(run, "n20-long", idx, seed=1, fit=fit)
    assert result["stage_epochs"] == [2, 2, 16] and len(result["epochs"]) == 20 and result["fit"]["min_steps"] == 40
    assert api.train_classifier(run, "n20-long", idx, seed=1, fit=fit) == result
    with pytest.raises(api.StageError, match="trained otherwise"):
        api.train_classifier(run, "n20-long", idx, seed=1)


def test_the_readme_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) <= 14
    monkeypatch.chdir(tmp_path)
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert printed.returncode == 0, printed.stderr[-3000:]
    assert "['music', 'food']" in printed.stdout


def test_rerunning_the_lm_removes_every_classifier_made_from_it(trained, tmp_path):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(trained[0], out)
    (out / "classifiers" / "old").mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "lm")
    code, stdout, err = ulmfit("train", "--out", out, "--preset", "tiny", "--stage", "lm")
    assert code == 0, err
    assert not (out / "classifier").exists() and not (out / "evaluate").exists()
    assert not (out / "classifiers").exists() and "made from an earlier lm stage" in stdout
