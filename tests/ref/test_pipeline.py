"""`ulmfit imdb`, `ulmfit pretrain` and `ulmfit predict` end to end on a generated IMDb, and their faults."""

import csv
import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from support import (  # noqa: F401  (one_thread: a fixture)
    NEG,
    POS,
    assert_one_line_error,
    fastai07_checkpoint,
    make_imdb,
    make_wikitext,
    one_thread,
    review,
    ulmfit,
)

from ulmfit_ref.data import CLASSES
from ulmfit_ref.pipeline import PRESETS, STAGES, StageError, find_pretrained
from ulmfit_ref.runs import first_reader
from ulmfit_ref.train import Learner
from ulmfit_ref.vocab import Vocab

RESULT_KEYS = {"accuracy", "error", "perplexity", "seconds", "config", "device", "pretraining", "preset"}


@pytest.fixture(scope="module")
def imdb(tmp_path_factory) -> Path:
    return make_imdb(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def finished(imdb, tmp_path_factory) -> tuple[Path, str]:
    """A whole `ulmfit imdb --preset tiny` run: its folder and what it printed."""
    out = tmp_path_factory.mktemp("runs") / "run"
    code, stdout, err = ulmfit("imdb", "--data", imdb, "--out", out, "--preset", "tiny", "--workers", 1)
    assert code == 0, err
    return out, stdout


def prepared_copy(finished, tmp_path) -> Path:
    """A new run folder holding a copy of the finished run's prepared data (the prepare stage done)."""
    out = tmp_path / "run"
    shutil.copytree(finished[0] / "prepared", out / "prepared")
    return out


def test_every_stage_runs_and_results_json_has_the_figures(finished):
    out, stdout = finished
    results = json.loads((out / "results.json").read_text())
    assert RESULT_KEYS <= results.keys()
    assert set(results["seconds"]) == set(STAGES) and results["stages_done"] == list(STAGES)
    assert results["accuracy"] > 0.8 and results["error"] == pytest.approx(1 - results["accuracy"])
    assert 1 < results["perplexity"] < Vocab.load(out / "prepared" / "vocab.json").__len__()
    assert results["pretraining"] is None and results["config"]["preset"]["name"] == "tiny"
    assert results["device"].startswith("cpu")
    for path in ("lm/model.pt", "lm/encoder.pt", "lm/lm0.pt", "classifier/model.pt", "classifier/clas2.pt",
                 "evaluate/predictions.csv", "run.json"):
        assert (out / path).exists(), path
    assert not list(out.rglob("*.tmp"))
    assert "test accuracy" in stdout
    assert results["classes"] == ["neg", "pos"] and results["macro_f1"] > 0.8  # IMDb through the standard CSV:
    assert (out / "data" / "classes.txt").read_text().split() == ["neg", "pos"]  # the folder `ulmfit train` reads
    assert json.loads((out / "prepared" / "result.json").read_text())["source"] == str((out / "data").resolve())


def test_predictions_are_in_the_order_of_the_test_reviews(finished):
    out, _ = finished
    with open(out / "evaluate" / "predictions.csv") as f:
        rows = list(csv.DictReader(f))
    labels = np.load(out / "prepared" / "clas" / "test.labels.npy")
    assert [r["label"] for r in rows] == [CLASSES[y] for y in labels]
    accuracy = np.mean([r["label"] == r["predicted"] for r in rows])
    assert accuracy == pytest.approx(json.loads((out / "results.json").read_text())["accuracy"])
    assert all(abs(float(r["p_neg"]) + float(r["p_pos"]) - 1) < 1e-4 for r in rows)


def test_a_rerun_skips_every_stage(finished, imdb):
    out, _ = finished
    before = (out / "classifier" / "model.pt").stat().st_mtime_ns
    code, stdout, err = ulmfit("imdb", "--data", imdb, "--out", out, "--preset", "tiny")
    assert code == 0, err
    assert [s for s in STAGES if f"{s}: " in stdout and "skipping" in stdout.split(f"{s}: ")[1].split("\n")[0]] \
        == list(STAGES)
    assert (out / "classifier" / "model.pt").stat().st_mtime_ns == before


def test_stages_run_alone_and_an_interrupted_stage_resumes_to_the_same_result(finished, imdb, tmp_path,
                                                                               monkeypatch):
    out = tmp_path / "run"
    code, _, err = ulmfit("imdb", "--data", imdb, "--out", out, "--preset", "tiny", "--stage", "prepare",
                          "--workers", 1)
    assert code == 0, err
    assert (out / "prepared" / "result.json").exists() and not (out / "lm").exists()

    save = Learner._save_checkpoint

    def save_then_cut_power(self, name, plan, epoch, *args):
        save(self, name, plan, epoch, *args)
        if epoch == 1:
            raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(Learner, "_save_checkpoint", save_then_cut_power)
        code, _, err = ulmfit("imdb", "--out", out, "--preset", "tiny", "--stage", "lm")
    assert code == 130 and "--resume" in err
    assert (out / "lm" / "lm0.pt").exists() and not (out / "lm" / "result.json").exists()
    code, stdout, err = ulmfit("imdb", "--out", out, "--preset", "tiny", "--stage", "lm", "--resume")
    assert code == 0, err
    assert "resumed from" in stdout
    for stage in ("classifier", "evaluate"):
        assert ulmfit("imdb", "--out", out, "--preset", "tiny", "--stage", stage)[0] == 0
    resumed, straight = (json.loads((d / "lm" / "result.json").read_text()) for d in (out, finished[0]))
    assert resumed["epochs"][0] == {**straight["epochs"][0], "seconds": resumed["epochs"][0]["seconds"]}
    assert resumed["perplexity"] == pytest.approx(straight["perplexity"], rel=1e-6)


def test_predict_prints_a_label_and_a_probability(finished):
    rng = random.Random(5)
    code, stdout, err = ulmfit("predict", "--model", finished[0], review(rng, POS), review(rng, NEG))
    assert code == 0, err
    lines = [line.split("\t") for line in stdout.strip().splitlines()]
    assert [label for label, _ in lines] == ["pos", "neg"]
    assert all(0.5 <= float(p) <= 1 for _, p in lines)


def test_pretrain_on_wikitext_then_imdb_starts_from_that_model(finished, tmp_path):
    corpus, model_dir = make_wikitext(tmp_path / "wiki"), tmp_path / "pretrained"
    code, stdout, err = ulmfit("pretrain", "--corpus", corpus, "--out", model_dir, "--preset", "tiny", "--workers", 1)
    assert code == 0, err
    result = json.loads((model_dir / "result.json").read_text())
    assert result["perplexity"] > 1 and result["train_tokens"] > 0
    assert "skipping" in ulmfit("pretrain", "--corpus", corpus, "--out", model_dir, "--preset", "tiny")[1]
    out = prepared_copy(finished, tmp_path)
    code, stdout, err = ulmfit("imdb", "--out", out, "--preset", "tiny", "--pretrained", model_dir / "model.pt",
                               "--pretrained-vocab", model_dir / "vocab.json")
    assert code == 0, err
    results = json.loads((out / "results.json").read_text())
    assert results["pretraining"]["weights"] == str((model_dir / "model.pt").resolve())
    assert 0.5 < results["pretraining"]["vocab_coverage"] <= 1
    assert len(json.loads((out / "lm" / "result.json").read_text())["epochs"]) == 2  # the head, then every layer
    assert 0 <= results["accuracy"] <= 1


def test_a_fastai_07_checkpoint_loads_through_the_cli_and_is_read_once(finished, tmp_path, monkeypatch):
    itos = ["_unk_", "_pad_", "xbos", "xfld", "1", "the", "film", "great", "awful", "wikipedia"]
    weights, vocab = fastai07_checkpoint(tmp_path, itos)
    out = prepared_copy(finished, tmp_path)
    reads = []
    load = torch.load
    monkeypatch.setattr(torch, "load", lambda f, *a, **k: reads.append(Path(getattr(f, "name", f)).name)
                        or load(f, *a, **k))
    with pytest.warns(UserWarning, match="pickled vocab"):
        code, stdout, err = ulmfit("imdb", "--out", out, "--preset", "tiny", "--stage", "lm", "--pretrained", weights,
                                   "--pretrained-vocab", vocab)
    assert code == 0, err
    assert "10/20/2" in stdout  # the sizes come from the file, not from the preset
    assert reads.count(weights.name) == 1
    lm = json.loads((out / "lm" / "result.json").read_text())
    assert lm["pretraining"]["sizes"] == "10/20/2" and lm["pretraining"]["vocab_size"] == len(itos)
    assert json.loads((out / "run.json").read_text())["lm"]["out_bias"] is False


def test_pretrained_sizes_are_read_from_a_file_or_a_pretrain_folder(finished):
    out = finished[0]
    (out / "lm" / "vocab.json").write_text((out / "prepared" / "vocab.json").read_text())
    p = find_pretrained(out / "lm")
    tiny = PRESETS["tiny"].lm
    assert (p.emb_sz, p.n_hid, p.n_layers, p.out_bias) == (tiny.emb_sz, tiny.n_hid, tiny.n_layers, False)
    with pytest.raises(StageError, match="--pretrained-vocab"):
        find_pretrained(out / "lm" / "model.pt")


@pytest.fixture
def pretrained_lm(finished, tmp_path) -> tuple[Path, Path]:
    """The finished run's LM and vocabulary, copied: a model in this package's own format."""
    weights, vocab = tmp_path / "lm.pt", tmp_path / "vocab.json"
    shutil.copy(finished[0] / "lm" / "model.pt", weights)
    shutil.copy(finished[0] / "prepared" / "vocab.json", vocab)
    return weights, vocab


def test_a_vocabulary_that_does_not_match_the_checkpoint_is_named(finished, pretrained_lm, tmp_path):
    weights, vocab = pretrained_lm
    itos = Vocab.load(vocab).itos
    Vocab(itos + ["extra"]).save(vocab)
    code, _, err = ulmfit("imdb", "--out", prepared_copy(finished, tmp_path), "--preset", "tiny", "--stage", "lm",
                          "--pretrained", weights, "--pretrained-vocab", vocab)
    assert_one_line_error(code, err, f"vocabulary of {len(itos)} words", f"{vocab} ({len(itos) + 1} words)",
                          "--pretrained-vocab")
    assert "corrupt" not in err
    Vocab(itos[:2] + [itos[3], itos[2]] + itos[4:]).save(vocab)  # the same words, two swapped: the same size
    code, _, err = ulmfit("imdb", "--out", prepared_copy(finished, tmp_path / "b"), "--preset", "tiny", "--stage",
                          "lm", "--pretrained", weights, "--pretrained-vocab", vocab)
    assert_one_line_error(code, err, "another vocabulary of the same size", str(vocab))
    legacy = torch.load(weights, weights_only=True)["model"]  # a file without a stamp is checked by its size
    torch.save(legacy, weights)
    Vocab(itos + ["extra"]).save(vocab)
    code, _, err = ulmfit("imdb", "--out", prepared_copy(finished, tmp_path / "c"), "--preset", "tiny", "--stage",
                          "lm", "--pretrained", weights, "--pretrained-vocab", vocab)
    assert_one_line_error(code, err, f"has {len(itos) + 1} words", f"{len(itos)} embedding rows")


def test_a_truncated_checkpoint_is_named(finished, pretrained_lm, tmp_path):
    weights, vocab = pretrained_lm
    weights.write_bytes(weights.read_bytes()[:2000])
    code, _, err = ulmfit("imdb", "--out", prepared_copy(finished, tmp_path), "--preset", "tiny",
                          "--pretrained", weights, "--pretrained-vocab", vocab)
    assert_one_line_error(code, err, str(weights), "truncated (its end is missing)")


def test_a_nan_loss_stops_the_run_with_advice(finished, pretrained_lm, tmp_path):
    weights, vocab = pretrained_lm
    state = torch.load(weights, weights_only=True)["model"]  # {"model": state dict, "backwards": False, "ulmfit": ...}
    state["0.rnns.0.weight_hh_l0_raw"][0, 0] = float("nan")
    torch.save(state, weights)  # without a stamp: a legacy file
    code, _, err = ulmfit("imdb", "--out", prepared_copy(finished, tmp_path), "--preset", "tiny", "--stage", "lm",
                          "--pretrained", weights, "--pretrained-vocab", vocab)
    assert_one_line_error(code, err, "loss became nan", "lower the learning rate")


def test_a_missing_stage_input_says_which_stage_to_run(finished, tmp_path):
    out = prepared_copy(finished, tmp_path)
    code, _, err = ulmfit("imdb", "--out", out, "--preset", "tiny", "--stage", "classifier")
    assert_one_line_error(code, err, "lm/encoder.pt is missing", "--stage lm")
    code, _, err = ulmfit("imdb", "--out", tmp_path / "empty", "--preset", "tiny", "--stage", "lm")
    assert_one_line_error(code, err, "vocab.json is missing", "--stage prepare")
    code, _, err = ulmfit("imdb", "--out", tmp_path / "empty2", "--preset", "tiny")
    assert_one_line_error(code, err, "--data")
    code, _, err = ulmfit("predict", "--model", out, "a review")
    assert_one_line_error(code, err, "classifier/model.pt is missing")


def test_a_run_folder_made_with_other_options_is_refused(finished):
    out = finished[0]
    code, _, err = ulmfit("imdb", "--out", out, "--preset", "tiny", "--seed", 7)
    assert_one_line_error(code, err, "other options", "seed", "its lm stage reads", f"delete {out / 'lm'}, ")
    code, _, err = ulmfit("imdb", "--out", out, "--preset", "tiny", "--recipe", "full")
    assert_one_line_error(code, err, "recipe", "its classifier stage reads", f"delete {out / 'classifier'}, "
                          f"{out / 'evaluate'} to run it and after again")
    assert json.loads((out / "run.json").read_text())["recipe"] == "ulmfit"


def test_options_that_only_a_stage_not_yet_run_reads_are_taken(finished, tmp_path):
    out = prepared_copy(finished, tmp_path)
    shutil.copytree(finished[0] / "lm", out / "lm")
    shutil.copy(finished[0] / "run.json", out / "run.json")
    code, stdout, err = ulmfit("imdb", "--out", out, "--preset", "tiny", "--recipe", "full", "--stage", "classifier")
    assert code == 0, err
    assert "options changed in recipe, read first by the classifier stage, which has not run yet" in stdout + err
    assert json.loads((out / "run.json").read_text())["recipe"] == "full"
    assert (out / "lm" / "encoder.pt").read_bytes() == (finished[0] / "lm" / "encoder.pt").read_bytes()
    assert json.loads((out / "classifier" / "result.json").read_text())["recipe"] == "full"


@pytest.mark.parametrize("key, stage", [("preset.classify.min_steps", "classifier"), ("recipe", "classifier"),
                                        ("seed", "lm"), ("preset.fine_tune.lr", "lm"), ("lm.n_hid", "lm"),
                                        ("preset.prepare.max_vocab", "prepare"), ("preset.corpus.max_words", ""),
                                        ("preset.pretrain.bs", ""), ("prepared", "prepare")])
def test_each_part_of_run_json_is_read_first_by_its_stage(key, stage):
    assert first_reader(key) == stage


def test_a_bs_change_is_refused_naming_the_stage_that_reads_it_not_prepare(finished, tmp_path):
    out = prepared_copy(finished, tmp_path)
    shutil.copytree(finished[0] / "lm", out / "lm")
    shutil.copy(finished[0] / "run.json", out / "run.json")
    code, _, err = ulmfit("imdb", "--out", out, "--preset", "tiny", "--bs", 3, "--stage", "classifier")
    assert_one_line_error(code, err, "preset.fine_tune.bs", "which its lm stage reads", f"delete {out / 'lm'}")
    assert "prepare" not in err.split("reads")[0].split("differ in")[1] and str(out / "prepared") not in err
