"""`ulmfit prepare` end to end: counts in and out, ids that decode back to the tokens, reruns skipped."""

import json

import numpy as np
import pytest
from support import assert_one_line_error, make_dataset, ulmfit

from ulmfit_ref.cli import main
from ulmfit_ref.ids import read_ids, write_ids
from ulmfit_ref.prepare import DATASETS, PrepareConfig, prepare_dataset, prepare_imdb
from ulmfit_ref.text import read_tokens
from ulmfit_ref.vocab import Vocab


def test_prepare_counts_every_document_and_ids_decode_to_tokens(tiny_imdb_tar, tmp_path):
    out = tmp_path / "prep"
    summary = prepare_imdb(tiny_imdb_tar, out, PrepareConfig(min_freq=1), n_workers=2, log=lambda m: None)
    d = summary["datasets"]
    assert summary["documents_in"] == {"train": 6, "test": 6, "unlabelled": 4}
    assert json.loads((out / "data" / "imdb.json").read_text())["decode_errors"] == 1
    assert summary["classes"] == ["neg", "pos"] and summary["test_from"] == "test.csv"
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
    assert "IMDb already in the standard CSV" in logs[-2] and "already prepared" in logs[-1]
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


def test_cli_prepare_runs_on_imdb_or_a_csv_folder(tiny_imdb_dir, tmp_path, capsys):
    assert main(["prepare", "--data", str(tiny_imdb_dir), "--out", str(tmp_path / "o"), "--workers", "1"]) == 0
    assert "vocab size" in capsys.readouterr().out
    data = make_dataset(tmp_path / "mydata", classes_txt=False)
    for given in (data, data / "train.csv"):  # the folder, or its train.csv
        out = tmp_path / f"p-{given.name}"
        assert main(["prepare", "--data", str(given), "--out", str(out), "--workers", "1"]) == 0
        summary = json.loads((out / "summary.json").read_text())
        assert summary["classes"] == ["1", "2", "3", "4"] and summary["n_fields"] == 2
        assert summary["documents_in"] == {"train": 140, "test": 48, "unlabelled": 30}
        assert summary["datasets"]["clas/train"]["documents"] == 140


def test_without_test_csv_a_part_of_each_class_is_held_out(tmp_path):
    data = make_dataset(tmp_path / "d", labels="names")
    (data / "test.csv").unlink()
    summary = prepare_dataset(data, tmp_path / "p", PrepareConfig(min_freq=1), n_workers=1, log=lambda m: None)
    assert summary["documents_in"] == {"train": 126, "test": 14, "unlabelled": 30}
    assert summary["test_from"] == "10% of each class of train.csv, held out"
    assert summary["per_class"]["test"] == {"World": 6, "Sports": 4, "Business": 3, "Sci/Tech": 1}
    assert summary["datasets"]["lm/train"]["documents"] + summary["datasets"]["lm/valid"]["documents"] == 170


def test_every_drop_merge_cut_and_overlap_is_said_with_its_count(tmp_path):
    data = make_dataset(tmp_path / "d", labels="from 0")
    rows = (data / "train.csv").read_text().splitlines()
    test = (data / "test.csv").read_text().splitlines()
    (data / "test.csv").write_text("\n".join(["label,text_a,text_b"] + rows[:5] + test) + "\n")  # header, 5 repeats
    i = next(i for i, r in enumerate(rows) if r.startswith("0,"))
    rows[i] = "0.0" + rows[i][1:]
    (data / "train.csv").write_text("\n".join(rows) + "\n")
    logs = []
    summary = prepare_dataset(data, tmp_path / "p", PrepareConfig(min_freq=1, limit=20), n_workers=1, log=logs.append)
    said = "\n".join(logs)
    assert "test.csv, line 1: dropped 1 header row (label,text_a,text_b)" in said
    assert "train.csv: labels spelled two ways read as one class each: '0.0' (1) and '0' (" in said
    assert "at most 20 documents per class (--limit, or the preset's prepare.limit): kept 75 of 140 training" in said
    assert summary["test_in_train"] > 0 and "repeat a training document word for word" in said
    assert summary["notes"] == [line for line in logs if line in summary["notes"]] and len(summary["notes"]) == 4


@pytest.mark.realdata
def test_prepare_on_real_imdb_reviews(shared_imdb, tmp_path):
    summary = prepare_imdb(shared_imdb, tmp_path, PrepareConfig(limit=50, max_vocab=2000), n_workers=2,
                           log=lambda m: None)
    d = summary["datasets"]
    assert summary["documents_in"] == {"train": 100, "test": 100, "unlabelled": 50}
    assert d["clas/train"]["documents"] == 100 and d["clas/test"]["documents"] == 100
    assert 0 < d["clas/test"]["unknown_rate"] < 0.2
    assert summary["vocab_size"] <= 2002


def test_preparing_other_data_into_a_prepared_folder_redoes_it_and_says_why(tmp_path):
    first, second, out = make_dataset(tmp_path / "a"), make_dataset(tmp_path / "b", seed=1), tmp_path / "prep"
    logs = []
    prepare_dataset(first, out, n_workers=1, log=logs.append)
    summary = prepare_dataset(second, out, n_workers=1, log=logs.append)
    assert summary["source"] == str(second.resolve()) and f"other data ({first.resolve()})" in "\n".join(logs)
    rows = (second / "train.csv").read_text().splitlines()
    (second / "train.csv").write_text("\n".join(rows[:-5]) + "\n")  # the same path, other content
    before = len(logs)
    summary = prepare_dataset(second, out, n_workers=1, log=logs.append)
    assert summary["documents_in"]["train"] == len(rows) - 5 and "its files changed since" in logs[before]
    prepare_dataset(second, out, n_workers=1, log=logs.append)
    assert "already prepared" in logs[-1]


def test_an_imdb_archive_replaced_at_the_same_path_is_prepared_again(tiny_imdb_tar, tmp_path):
    out, logs = tmp_path / "prep", []
    prepare_imdb(tiny_imdb_tar, out, PrepareConfig(), n_workers=1, log=logs.append)
    tiny_imdb_tar.write_bytes(tiny_imdb_tar.read_bytes())  # touched: the archive may have changed
    prepare_imdb(tiny_imdb_tar, out, PrepareConfig(), n_workers=1, log=logs.append)
    assert not any("IMDb already in the standard CSV" in line for line in logs)


def test_a_run_refuses_data_changed_since_it_was_prepared(tiny_imdb_tar, tmp_path):
    data, run = make_dataset(tmp_path / "a"), tmp_path / "run"
    assert ulmfit("train", data, "--out", run, "--preset", "tiny", "--stage", "prepare", "--workers", 1)[0] == 0
    (data / "unlabelled.csv").write_text("one more text\n", encoding="utf-8")
    code, _, err = ulmfit("train", data, "--out", run, "--preset", "tiny", "--stage", "lm")
    assert_one_line_error(code, err, f"{data} changed since {run} was prepared", "new --out")
    run = tmp_path / "imdb_run"
    assert ulmfit("imdb", "--data", tiny_imdb_tar, "--out", run, "--preset", "tiny", "--stage", "prepare",
                  "--workers", 1)[0] == 0
    tiny_imdb_tar.write_bytes(tiny_imdb_tar.read_bytes() + bytes(512))  # another archive at the same path
    code, _, err = ulmfit("imdb", "--data", tiny_imdb_tar, "--out", run, "--preset", "tiny", "--stage", "lm")
    assert_one_line_error(code, err, f"{run} was prepared from", "as it was then", "new --out")
