"""Backward models and bidirectional runs: documents reversed, directions recorded and checked, probabilities
averaged."""

import json
import random
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from support import (  # noqa: F401  (one_thread: a fixture)
    assert_one_line_error,
    fastai07_checkpoint,
    make_corpus,
    make_dataset,
    one_thread,
    ulmfit,
)

from ulmfit_ref import api
from ulmfit_ref.direction import check_direction, named_direction, oriented
from ulmfit_ref.errors import StageError
from ulmfit_ref.pipeline import _lm_tokens, classifier_data, load_classifier
from ulmfit_ref.predict import Ensemble, predict_docs
from ulmfit_ref.runs import find_pretrained
from ulmfit_ref.transfer import read_state


def test_a_backward_document_is_its_ids_reversed_markers_included():
    doc = np.array([2, 3, 4, 10, 11, 12], dtype=np.int32)  # xbos xfld 1 a good film
    assert oriented(doc, True).tolist() == [12, 11, 10, 4, 3, 2]
    assert oriented(doc, True).flags["C_CONTIGUOUS"] and torch.as_tensor(oriented(doc, True)).tolist()[0] == 12
    assert oriented(doc, False) is doc
    docs = [np.arange(5), np.arange(10, 13), np.arange(20, 30)]
    assert _lm_tokens(docs, backwards=True).tolist() == [4, 3, 2, 1, 0, 12, 11, 10] + list(range(29, 19, -1))
    assert _lm_tokens(docs, limit=6, backwards=True).tolist() == [4, 3, 2, 1, 0, 12]  # the same documents, reversed


@pytest.mark.parametrize("name, backwards", [("bwd_wt103.h5", True), ("fwd_wt103.h5", False), ("lstm_bwd.pth", True),
                                             ("lstm_fwd.pth", False), ("backward-lm.pt", True), ("model.pt", None),
                                             ("bwdx.pt", None), ("fwd_to_bwd.pt", None)])
def test_a_file_without_a_recorded_direction_is_read_from_its_name(name, backwards):
    assert named_direction(Path("/some/dir") / name) is backwards


def test_a_model_of_the_other_direction_is_refused_and_an_unknown_one_is_trusted():
    with pytest.raises(StageError, match="lm.pt is a forward model but this run is backward: do this"):
        check_direction("lm.pt", False, True, "do this")
    with pytest.raises(StageError, match="bwd_wt103.h5 is a backward model but this run is forward"):
        check_direction("bwd_wt103.h5", None, False, "do that")
    said = []
    check_direction("model.pt", None, True, "advice", said.append)
    assert said and "taken as backward" in said[0]
    check_direction("bwd.pt", True, True, "advice", said.append)  # recorded and matching: nothing to say
    assert len(said) == 1


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("data") / "news")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A folder of .txt articles for `ulmfit pretrain`."""
    return make_corpus(tmp_path_factory.mktemp("corpus"), seed=3)


@pytest.fixture(scope="module")
def pretrained(corpus, tmp_path_factory) -> dict[str, Path]:
    """A forward and a backward general LM (`ulmfit pretrain --preset tiny`, then with --backwards)."""
    root = tmp_path_factory.mktemp("pretrained")
    for name, extra in (("forward", []), ("backward", ["--backwards"])):
        code, _, err = ulmfit("pretrain", "--corpus", corpus, "--out", root / name, "--preset", "tiny",
                              "--workers", 1, *extra)
        assert code == 0, err
    return {"forward": root / "forward", "backward": root / "backward"}


def test_pretrain_backwards_records_its_direction_in_the_model_and_the_result(pretrained):
    for name, backwards in (("forward", False), ("backward", True)):
        assert read_state(pretrained[name] / "model.pt")[1] is backwards
        assert json.loads((pretrained[name] / "result.json").read_text())["direction"] == name
        assert find_pretrained(pretrained[name]).backwards is backwards
    assert "backwards" in json.loads((pretrained["backward"] / "run.json").read_text())


@pytest.fixture(scope="module")
def bidirectional(data, pretrained, tmp_path_factory) -> tuple[Path, str]:
    """`ulmfit train --bidirectional` from the forward and backward general LMs: its folder and what it printed."""
    out = tmp_path_factory.mktemp("runs") / "both"
    code, stdout, err = ulmfit("train", data, "--out", out, "--preset", "tiny", "--workers", 1, "--bidirectional",
                               "--pretrained", pretrained["forward"], "--pretrained-backwards", pretrained["backward"])
    assert code == 0, err
    return out, stdout


def test_a_bidirectional_run_records_each_direction_and_their_average(bidirectional, pretrained):
    out, stdout = bidirectional
    results = json.loads((out / "results.json").read_text())
    assert results["bidirectional"] is True and results["classes"] == ["World", "Sports", "Business", "Sci/Tech"]
    for name in ("forward", "backward"):
        sub = json.loads((out / name / "results.json").read_text())
        assert results[name]["accuracy"] == sub["accuracy"] and results[name]["macro_f1"] == sub["macro_f1"]
        assert 0 < results[name]["minutes"] < sub["minutes"]  # its own stages: the shared prepare is not counted
        assert sub["direction"] == name and results[name]["pretraining"]["direction"] == name
        assert results[name]["pretraining"]["weights"] == str((pretrained[name] / "model.pt").resolve())
        assert not (out / name / "prepared").exists()
    labels = np.load(out / "prepared" / "clas" / "test.labels.npy")
    probs = np.mean([np.load(out / name / "evaluate" / "probabilities.npy") for name in ("forward", "backward")], 0)
    assert results["accuracy"] == pytest.approx(float((probs.argmax(1) == labels).mean()))
    assert results["ensemble"]["accuracy"] == results["accuracy"] and results["accuracy"] > 0.6
    assert results["minutes"] == pytest.approx(results["prepare_minutes"] + results["forward"]["minutes"]
                                               + results["backward"]["minutes"])
    assert (out / "evaluate" / "confusion_matrix.png").exists() and (out / "evaluate" / "predictions.csv").exists()
    assert "forward " in stdout.splitlines()[-1] and "averaged: accuracy" in stdout.splitlines()[-1]


def test_the_backward_run_reads_every_document_reversed(bidirectional, monkeypatch):
    out = bidirectional[0]
    forward, backward = (api.make(out / "data", out / name, "tiny") for name in ("forward", "backward"))
    forward, backward = (replace(r, shared_prepared=out / "prepared") for r in (forward, backward))
    backward = replace(backward, backwards=True)
    for split in ("train", "test"):
        fwd_docs, fwd_labels = classifier_data(forward, split)
        bwd_docs, bwd_labels = classifier_data(backward, split)
        assert all(b.tolist() == f[::-1].tolist() for f, b in zip(fwd_docs, bwd_docs))
        assert bwd_labels.tolist() == fwd_labels.tolist()
    clf = load_classifier(out / "backward")
    assert clf.backwards is True and load_classifier(out / "forward").backwards is False
    texts = ["war election minister treaty", "goal match team coach league"]
    ids = clf.numericalize(texts)
    expected = predict_docs(clf.model, [d[::-1].copy() for d in ids], clf.bs, clf.device).numpy()
    assert np.allclose(clf.predict_proba(texts), expected)


def test_predict_on_a_bidirectional_run_averages_both_directions(bidirectional):
    out = bidirectional[0]
    model = api.load(out)
    assert isinstance(model, Ensemble) and [m.backwards for m in model.members] == [False, True]
    texts = ["war election minister treaty border", "software chip internet robot", "the market shares profit"]
    docs = [(t, "") for t in texts]  # as `ulmfit predict` reads them: the first of the data set's two fields
    alone = [load_classifier(out / name).predict_proba(docs) for name in ("forward", "backward")]
    mean = np.mean(alone, 0)
    assert np.allclose(model.predict_proba(docs), mean) and not np.allclose(alone[0], alone[1])
    code, stdout, err = ulmfit("predict", "--model", out, *texts)
    assert code == 0, err
    for line, p in zip(stdout.splitlines(), mean):
        name, prob = line.split("\t")
        assert name == model.classes[p.argmax()] and float(prob) == pytest.approx(p.max(), abs=1e-4)


def test_a_rerun_of_a_bidirectional_run_skips_every_stage(bidirectional, data, pretrained):
    out = bidirectional[0]
    before = (out / "backward" / "classifier" / "model.pt").stat().st_mtime_ns
    code, stdout, err = ulmfit("train", data, "--out", out, "--preset", "tiny", "--workers", 1, "--bidirectional",
                               "--pretrained", pretrained["forward"], "--pretrained-backwards", pretrained["backward"])
    assert code == 0, err
    assert (out / "backward" / "classifier" / "model.pt").stat().st_mtime_ns == before
    assert stdout.count("exists, skipping") == 8  # four stages in each direction, prepare shared


def test_a_bidirectional_run_is_refused_options_that_a_stage_of_a_direction_has_read(bidirectional, data, pretrained,
                                                                                      tmp_path):
    out = bidirectional[0]
    both = ["--pretrained", pretrained["forward"], "--pretrained-backwards", pretrained["backward"]]
    code, _, err = ulmfit("train", data, "--out", out, "--preset", "tiny", "--bidirectional", "--recipe", "full", *both)
    assert_one_line_error(code, err, "recipe", f"delete {out / 'forward' / 'classifier'}, ")
    assert json.loads((out / "run.json").read_text())["bidirectional"]["forward"]["recipe"] == "ulmfit"
    code, _, err = ulmfit("train", data, "--out", out, "--preset", "tiny")  # one direction, in a folder of both
    assert_one_line_error(code, err, "other options", "bidirectional", f"delete {out / 'prepared'}")
    code, _, err = ulmfit("train", data, "--out", tmp_path / "one", "--preset", "tiny", "--workers", 1)
    assert code == 0, err
    code, _, err = ulmfit("train", data, "--out", tmp_path / "one", "--preset", "tiny", "--bidirectional")
    assert_one_line_error(code, err, "holds a run of one direction", "new --out")


def test_a_backward_run_refuses_a_forward_lm_and_a_forward_run_a_backward_one(data, pretrained, tmp_path):
    code, _, err = ulmfit("train", data, "--out", tmp_path / "a", "--preset", "tiny", "--backwards",
                          "--pretrained", pretrained["forward"], "--workers", 1)
    assert_one_line_error(code, err, "forward model but this run is backward", "bwd_wt103.h5")
    code, _, err = ulmfit("train", data, "--out", tmp_path / "b", "--preset", "tiny", "--bidirectional",
                          "--pretrained", pretrained["backward"], "--pretrained-backwards", pretrained["forward"],
                          "--workers", 1)
    assert_one_line_error(code, err, "backward model but this run is forward", "fwd_wt103.h5")


@pytest.mark.parametrize("args, phrase", [
    (["--bidirectional", "--backwards"], "drop --backwards"),
    (["--bidirectional", "--pretrained", "PRE"], "needs --pretrained-backwards"),
    (["--pretrained-backwards", "PRE"], "goes with --bidirectional"),
    (["--bidirectional", "--pretrained-backwards-vocab", "v.json"], "goes with --pretrained-backwards"),
])
def test_bad_direction_options_are_one_line_errors(data, pretrained, tmp_path, args, phrase):
    args = [str(pretrained["forward"]) if a == "PRE" else a for a in args]
    code, _, err = ulmfit("train", data, "--out", tmp_path / "run", "--preset", "tiny", *args)
    assert_one_line_error(code, err, phrase)


def test_fastai_backward_wt103_files_load_as_the_forward_ones_do(bidirectional, tmp_path):
    out = bidirectional[0]
    itos = ["_unk_", "_pad_", "xbos", "xfld", "1", "the", "war", "goal", "market", "wikipedia"]
    bwd, vocab = fastai07_checkpoint(tmp_path, itos, name="bwd_wt103.h5")
    found = find_pretrained(bwd, vocab)
    assert found.backwards is True and (found.emb_sz, found.n_hid, found.n_layers) == (10, 20, 2)
    run = tmp_path / "run"
    shutil.copytree(out / "prepared", run / "prepared")
    with pytest.warns(UserWarning, match="pickled vocab"):
        code, stdout, err = ulmfit("train", "--out", run, "--preset", "tiny", "--stage", "lm", "--backwards",
                                   "--pretrained", bwd, "--pretrained-vocab", vocab)
    assert code == 0, err
    assert "10/20/2" in stdout and "backward language model" in stdout
    lm = json.loads((run / "lm" / "result.json").read_text())
    assert lm["direction"] == "backward" and lm["pretraining"]["sizes"] == "10/20/2"
    assert lm["pretraining"]["vocab_size"] == len(itos) and read_state(run / "lm" / "encoder.pt")[1] is True
    fwd = tmp_path / "fwd_wt103.h5"
    shutil.copy(bwd, fwd)
    code, _, err = ulmfit("train", "--out", tmp_path / "fwd", "--preset", "tiny", "--backwards", "--pretrained", fwd,
                          "--pretrained-vocab", vocab)
    assert_one_line_error(code, err, "fwd_wt103.h5 is a forward model")


def test_the_api_trains_a_bidirectional_run_and_loads_it_as_an_ensemble(tmp_path):
    rng = random.Random(0)
    topics = {"sport": "goal match team coach", "music": "song band guitar album"}
    texts = [(t, " ".join(rng.choices(w.split() + "the a and of".split(), k=rng.randint(3, 12))))
             for t, w in topics.items() for _ in range(60)]
    dataset = api.from_lists([t for _, t in texts], [label for label, _ in texts])
    results = api.train(dataset, tmp_path / "both", preset="tiny", bidirectional=True, n_workers=1)
    assert {"forward", "backward", "ensemble"} <= results.keys() and results["accuracy"] is not None
    model = api.load(tmp_path / "both")
    assert isinstance(model, Ensemble) and model.predict(["a song by the band"]) in (["music"], ["sport"])
    with pytest.raises(StageError, match="drop backwards"):
        api.train(dataset, tmp_path / "x", preset="tiny", bidirectional=True, backwards=True)


@pytest.fixture(scope="module")
def two_ways(tmp_path_factory) -> dict:
    """One tiny bidirectional run trained side by side and one trained one direction after the other, with the log
    lines of each."""
    rng = random.Random(1)
    topics = {"sport": "goal match team coach", "music": "song band guitar album"}
    texts = [(t, " ".join(rng.choices(w.split() + "the a and of".split(), k=rng.randint(3, 12))))
             for t, w in topics.items() for _ in range(60)]
    dataset = api.from_lists([t for _, t in texts], [label for label, _ in texts])
    made = {}
    for side_by_side in (True, False):
        out, lines = tmp_path_factory.mktemp("ways") / "both", []
        results = api.train(dataset, out, preset="tiny", bidirectional=True, n_workers=1, log=lines.append,
                            side_by_side=side_by_side)
        made[side_by_side] = out, results, lines
    return made


def test_directions_side_by_side_give_what_one_after_the_other_gives(two_ways):
    (together, both, lines), (apart, one_by_one, _) = two_ways[True], two_ways[False]
    for name in ("forward", "backward"):
        assert np.allclose(np.load(together / name / "evaluate" / "probabilities.npy"),
                           np.load(apart / name / "evaluate" / "probabilities.npy"), atol=1e-5)
    assert both["accuracy"] == one_by_one["accuracy"]
    assert both["directions"] == "side by side" and one_by_one["directions"] == "one after the other"
    assert both["minutes"] == pytest.approx(both["prepare_minutes"] + max(both["forward"]["minutes"],
                                                                          both["backward"]["minutes"]))
    assert any(line.startswith("training forward and backward side by side, 1 thread each") for line in lines)
    for name in ("forward", "backward"):  # each direction's lines reach the caller's log, named
        assert any(line.startswith(f"{name}: {name} classifier") for line in lines), lines
        assert any(line.startswith(f"{name}: lm stage 1") for line in lines), lines  # the Learner's lines too


def test_every_line_of_a_directions_message_is_named():
    from ulmfit_ref.bidirectional import named

    assert named("backward", "a table\n  row 1\n") == "backward: a table\nbackward:   row 1"
    assert named("forward", "") == "forward: "


def test_a_direction_that_fails_side_by_side_raises_its_error_in_the_caller(two_ways):
    from ulmfit_ref.bidirectional import _side_by_side, make_bidirectional

    out = two_ways[True][0]
    runs = make_bidirectional(out, api.PRESETS["tiny"], data=out / "data")
    with pytest.raises(StageError, match="unknown stage 'nowhere'"):
        _side_by_side(runs, ["nowhere"], False, "train")


def test_a_direction_whose_process_dies_is_one_line_naming_resume():
    from ulmfit_ref.bidirectional import _check_alive

    class Gone:
        exitcode = -9

        def is_alive(self):
            return False

    _check_alive({"forward": Gone()}, {"forward": {}})  # it gave its result before it ended: fine
    with pytest.raises(StageError, match="backward direction's process ended with exit code -9.*--resume"):
        _check_alive({"forward": Gone(), "backward": Gone()}, {"forward": {}})


def test_one_at_a_time_goes_with_bidirectional(data, tmp_path):
    code, _, err = ulmfit("train", data, "--out", tmp_path / "x", "--preset", "tiny", "--one-at-a-time")
    assert_one_line_error(code, err, "--one-at-a-time goes with --bidirectional")


def test_bidirectional_side_by_side_from_a_script_without_a_main_guard_runs_it_once(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "noguard.py"  # the call at the top level: spawn would run it again in each direction's process
    script.write_text("import sys\nfrom ulmfit_ref import api\nprint('the script ran')\n"
                      "api.train(sys.argv[1], sys.argv[2], preset='tiny', bidirectional=True, side_by_side=True, "
                      "stages=['prepare', 'evaluate'], n_workers=1)\n")
    data = make_dataset(tmp_path / "data")
    done = subprocess.run([sys.executable, script, data, tmp_path / "out"], capture_output=True, text=True,
                          timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.count("the script ran") == 1, done.stdout + done.stderr
    # the real error, of whichever direction ends first (they run side by side)
    assert re.search(r"(forward|backward)/classifier/model.pt is missing: run the classifier stage first", done.stderr)
    assert "killed, or out of memory" not in done.stderr
