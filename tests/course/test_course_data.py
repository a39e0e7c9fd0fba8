"""course.data: the tiny made-up aclImdb and the samples of a real one that the lessons read."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from course import data
from course.data import DATA_ENV, SETTINGS, TINY, TINY_REVIEWS, find_imdb, lesson_imdb, sample_imdb, write_tiny_imdb
from course.scratch import scratch_dir, sweep
from ulmfit_ref.data import read_imdb


def test_tiny_imdb_reads_with_the_reference(tmp_path):
    root = write_tiny_imdb(tmp_path)
    reviews = read_imdb(root)
    n_train = sum(len(v) for (s, _), v in TINY_REVIEWS.items() if s == "train") + 1  # + the bad-bytes review
    assert len(reviews["train"]) == n_train
    assert reviews["train"].n_decode_errors == 1
    assert "\ufffd" in reviews["train"].texts[-1]
    assert reviews["test"].labels == [0] * 4 + [1] * 4
    # ids 10 and 9 in one folder: sorting them as text would put 10 first
    names = sorted(f.name for f in (root / "train" / "neg").glob("*.txt"))
    assert names[0].startswith("0_") and names[1].startswith("10_")


def _tar(tmp_path, root):
    path = tmp_path / "imdb.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for f in sorted(root.rglob("*.txt"), reverse=True):  # archive order is not id order
            data = f.read_bytes()
            info = tarfile.TarInfo(f"aclImdb/{f.relative_to(root)}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_sample_from_folder_takes_the_lowest_ids(tmp_path):
    src = write_tiny_imdb(tmp_path / "src")
    root = sample_imdb(src, tmp_path / "out", 2)
    assert sorted(f.name.split("_")[0] for f in (root / "train" / "neg").glob("*.txt")) == ["0", "3"]
    assert read_imdb(root)["train"].texts == read_imdb(src, limit=2)["train"].texts


def test_sample_from_archive_stops_at_n_per_class(tmp_path):
    src = write_tiny_imdb(tmp_path / "src")
    root = sample_imdb(_tar(tmp_path, src), tmp_path / "out", 1)
    for split, cls in TINY_REVIEWS:
        assert len(list((root / split / cls).glob("*.txt"))) == 1


def test_an_explicit_data_path_that_is_absent_is_an_error_not_a_fallback(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.tar.gz, which does not exist"):
        lesson_imdb(tmp_path / "absent.tar.gz", 10, tmp_path / "out")


def test_tiny_on_purpose_says_so_in_one_line(tmp_path, capsys):
    root = lesson_imdb(TINY, dest=tmp_path / "out")
    assert len(read_imdb(root)["test"]) == 8
    out = capsys.readouterr()
    assert "tiny made-up aclImdb" in out.out and not out.err


def test_no_data_found_is_a_banner_on_stderr_that_says_how_to_fix_it(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(data, "_candidates", lambda: [(tmp_path / "nowhere", "a test folder")])
    root = lesson_imdb(None, dest=tmp_path / "out")
    assert len(read_imdb(root)["test"]) == 8
    err = capsys.readouterr().err
    assert "NO IMDb DATA" in err and "MADE-UP" in err and "python -m course start" in err and DATA_ENV in err
    assert str(tmp_path / "nowhere") in err  # where it looked


def test_data_is_found_by_env_then_settings_then_the_project(tmp_path, monkeypatch):
    src = write_tiny_imdb(tmp_path / "src")
    monkeypatch.setattr(data, "_candidates", lambda: [(tmp_path / "src", "the project")])
    monkeypatch.delenv(DATA_ENV, raising=False)
    work = tmp_path / "work" / "sub"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    assert find_imdb() == (src, "the project")
    other = write_tiny_imdb(tmp_path / "other")
    (tmp_path / "work" / SETTINGS).write_text(json.dumps({"data": str(other)}))  # found from a folder below too
    assert find_imdb() == (other, str(tmp_path / "work" / SETTINGS))
    monkeypatch.setenv(DATA_ENV, str(src))
    assert find_imdb() == (src, f"${DATA_ENV}")
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "gone"))
    with pytest.raises(FileNotFoundError, match=DATA_ENV):
        find_imdb()


def test_a_killed_kernels_scratch_folder_is_swept_by_the_next(tmp_path):
    code = "import os, sys; from course.scratch import scratch_dir; print(scratch_dir('ulmfit-test')); os._exit(0)"
    left = Path(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip())
    assert left.is_dir() and str(os.getpid()) not in left.name  # os._exit: no atexit ran
    mine = scratch_dir("ulmfit-test")
    assert not left.exists() and mine.is_dir()
    assert sweep("ulmfit-test") == []  # a live process's folder stays
