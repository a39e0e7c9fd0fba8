"""`ulmfit train` and `ulmfit pretrain` under torchrun: 2 gloo processes on CPU, rank 0 writing, resume, 1 process."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from support import make_corpus, make_dataset, one_thread, ulmfit  # noqa: F401  (one_thread: a fixture)

from ulmfit_ref.distributed import DistInfo, on_main
from ulmfit_ref.errors import StageError
from ulmfit_ref.pipeline import _classifier_split
from ulmfit_ref.presets import TINY, with_batch_size

ROOT = Path(__file__).resolve().parents[2]
needs_dist = pytest.mark.skipif(not torch.distributed.is_available(), reason="this torch has no torch.distributed")


def torchrun(*args, n: int = 2) -> str:
    """`python -m torch.distributed.run --nproc_per_node n -m ulmfit_ref.cli ARGS` on CPU, one thread each: its
    output."""
    env = {k: v for k, v in os.environ.items() if k not in ("WORLD_SIZE", "RANK", "LOCAL_RANK")}
    path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(OMP_NUM_THREADS="1", CUDA_VISIBLE_DEVICES="", PYTHONPATH=path)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={n}", "-m",
               "ulmfit_ref.cli", *map(str, args)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def test_rank_0_alone_runs_what_on_main_is_given_outside_torchrun_too():
    assert on_main(lambda a, b=1: a + b, 2, b=3) == 5
    assert DistInfo() == DistInfo(0, 1)


@pytest.mark.parametrize("n, bs, world", [(140, 8, 1), (140, 8, 2), (141, 8, 2), (100, 16, 4), (57, 6, 2)])
def test_the_classifier_split_gives_every_process_equal_batches_of_two_or_more(monkeypatch, n, bs, world):
    monkeypatch.setattr("ulmfit_ref.pipeline.current", lambda: DistInfo(0, world))
    fit = with_batch_size(TINY, bs).classify
    n_train, n_valid = _classifier_split(n, fit)
    assert n_train % world == 0 and n_valid % world == 0 and n - world < n_train + n_valid <= n
    assert n_valid >= round(n * fit.valid_frac) - world
    assert (n_train % bs) // world != 1  # no last batch of one document per process
    if world == 1:  # one process: every document kept, as before torchrun was supported
        assert n_train + n_valid == n


def test_a_batch_size_that_does_not_split_is_refused(monkeypatch):
    monkeypatch.setattr("ulmfit_ref.pipeline.current", lambda: DistInfo(0, 4))
    with pytest.raises(StageError, match="--bs of at least 8 that 4 divides"):
        _classifier_split(100, with_batch_size(TINY, 6).classify)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("data") / "news")


@pytest.mark.slow
@needs_dist
def test_ulmfit_train_on_two_gloo_processes_writes_once_resumes_and_matches_one_process(data, tmp_path):
    out = tmp_path / "two"
    printed = torchrun("train", data, "--out", out, "--preset", "tiny", "--workers", 1)
    for line in ("test accuracy", "forward language model:", "forward classifier", "ulmfit train: preset tiny"):
        assert printed.count(line) == 1, printed  # rank 0 alone prints
    two = json.loads((out / "results.json").read_text())
    assert two["accuracy"] > 0.6 and not list(out.rglob("*.tmp"))
    code, _, err = ulmfit("train", data, "--out", tmp_path / "one", "--preset", "tiny", "--workers", 1)
    assert code == 0, err
    one = json.loads((tmp_path / "one" / "results.json").read_text())
    assert one["stages_done"] == two["stages_done"] and one["classes"] == two["classes"]
    assert two["perplexity"] == pytest.approx(one["perplexity"], rel=0.1)  # only the dropout draws differ
    for name in ("train_documents", "valid_documents"):  # 140 documents split evenly over 2: as one process
        assert json.loads((out / "classifier" / "result.json").read_text())[name] == \
            json.loads((tmp_path / "one" / "classifier" / "result.json").read_text())[name]

    # an interruption in the last stage of the classifier: both processes resume from rank 0's checkpoints
    classifier = json.loads((out / "classifier" / "result.json").read_text())
    for path in ("classifier/clas2.pt", "classifier/result.json", "classifier/model.pt", "results.json"):
        (out / path).unlink()
    shutil.rmtree(out / "evaluate")
    printed = torchrun("train", data, "--out", out, "--preset", "tiny", "--workers", 1, "--resume")
    assert printed.count("resumed from") == 2 and "lm: " in printed  # clas0 and clas1; the lm stage skipped
    again = json.loads((out / "classifier" / "result.json").read_text())
    assert again["valid_loss"] == pytest.approx(classifier["valid_loss"], abs=1e-6)
    assert json.loads((out / "results.json").read_text())["accuracy"] == two["accuracy"]


@pytest.mark.slow
@needs_dist
def test_ulmfit_pretrain_on_two_gloo_processes_matches_one_process(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", seed=4)
    printed = torchrun("pretrain", "--corpus", corpus, "--out", tmp_path / "two", "--preset", "tiny", "--workers", 1,
                       "--backwards")
    assert printed.count("validation perplexity") == 1, printed
    code, _, err = ulmfit("pretrain", "--corpus", corpus, "--out", tmp_path / "one", "--preset", "tiny", "--workers", 1,
                          "--backwards")
    assert code == 0, err
    two, one = (json.loads((tmp_path / n / "result.json").read_text()) for n in ("two", "one"))
    assert two["direction"] == "backward" and two["train_tokens"] == one["train_tokens"]
    assert two["perplexity"] == pytest.approx(one["perplexity"], rel=0.1)
    assert (tmp_path / "two" / "model.pt").exists() and (tmp_path / "two" / "vocab.json").exists()
