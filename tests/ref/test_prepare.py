"""`ulmfit prepare` end to end: counts in and out, ids that decode back to the tokens, reruns skipped."""

import json

import numpy as np
import pytest

from ulmfit_ref.cli import main
from ulmfit_ref.ids import read_ids, write_ids
from ulmfit_ref.prepare import DATASETS, PrepareConfig, prepare_imdb
from ulmfit_ref.text import read_tokens
from ulmfit_ref.vocab import Vocab


def test_prepare_counts_every_document_and_ids_decode_to_tokens(tiny_imdb_tar, tmp_path):
    out = tmp_path / "prep"
    summary = prepare_imdb(tiny_imdb_tar, out, PrepareConfig(min_freq=1), n_workers=2, log=lambda m: None)
    d = summary["datasets"]
    assert summary["reviews_in"] == 16 and summary["unsup"] == 4 and summary["decode_errors"] == 1
    assert d["lm/train"]["documents"] + d["lm/valid"]["documents"] == 16
    assert d["clas/train"]["documents"] == 6 and d["clas/test"]["documents"] == 6
    assert d["lm/train"]["empty"] + d["lm/valid"]["empty"] == 1  # the empty unsup review is kept
    vocab = Vocab.load(out / "vocab.json")
    for name in DATASETS:
        docs = read_ids(out / name)
        tokens = list(read_tokens(out / f"{name}.tok.jsonl"))
        assert len(docs) == len(tokens) == len(np.load(out / f"{name}.labels.npy"))
        for ids, toks in zip(docs, tokens):
            assert ids.dtype == np.int32
            assert [vocab.itos[i] for i in ids] == [t if t in vocab.stoi else "_unk_" for t in toks]
    assert d["lm/train"]["unknown"] == 0  # the vocab is built from lm/train with min_freq 1
    assert set(np.load(out / "clas/train.labels.npy")) == {0, 1}
    assert json.loads((out / "summary.json").read_text()) == summary


def test_a_rerun_with_the_same_config_is_skipped_and_another_config_redone(tiny_imdb_tar, tmp_path):
    out, logs = tmp_path / "prep", []
    prepare_imdb(tiny_imdb_tar, out, PrepareConfig(), n_workers=1, log=logs.append)
    prepare_imdb(tiny_imdb_tar, out, PrepareConfig(), n_workers=1, log=logs.append)
    assert "already prepared" in logs[-1]
    summary = prepare_imdb(tiny_imdb_tar, out, PrepareConfig(max_vocab=3), n_workers=1, log=logs.append)
    assert summary["vocab_size"] == 5


def test_ids_round_trip_including_empty_documents(tmp_path):
    docs = [np.array([1, 2, 3]), np.array([], dtype=np.int32), np.array([7])]
    assert write_ids(tmp_path / "x", docs) == (3, 4)
    assert [d.tolist() for d in read_ids(tmp_path / "x")] == [[1, 2, 3], [], [7]]
    assert write_ids(tmp_path / "empty", []) == (0, 0)
    assert read_ids(tmp_path / "empty") == []


def test_read_ids_of_a_missing_corpus_says_to_prepare(tmp_path):
    with pytest.raises(FileNotFoundError, match="ulmfit prepare"):
        read_ids(tmp_path / "nothing")


def test_cli_prepare_reports_bad_input_in_one_line(tmp_path, capsys):
    assert main(["prepare", "--data", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "ulmfit prepare: error:" in capsys.readouterr().err
    assert main(["prepare", "--out", str(tmp_path / "o")]) == 2
    assert "--download" in capsys.readouterr().err


def test_cli_prepare_runs(tiny_imdb_dir, tmp_path, capsys):
    assert main(["prepare", "--data", str(tiny_imdb_dir), "--out", str(tmp_path / "o"), "--workers", "1"]) == 0
    assert "vocab size" in capsys.readouterr().out


@pytest.mark.realdata
def test_prepare_on_real_imdb_reviews(shared_imdb, tmp_path):
    summary = prepare_imdb(shared_imdb, tmp_path, PrepareConfig(limit=50, max_vocab=2000), n_workers=2, log=lambda m: None)
    d = summary["datasets"]
    assert summary["reviews_in"] == 250 and summary["unsup"] == 50
    assert d["clas/train"]["documents"] == 100 and d["clas/test"]["documents"] == 100
    assert 0 < d["clas/test"]["unknown_rate"] < 0.2
    assert summary["vocab_size"] <= 2002
