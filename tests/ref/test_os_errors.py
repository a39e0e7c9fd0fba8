"""Failures of the machine under `ulmfit`: files it cannot write, a full disk, symlink loops, a GPU out of memory,
an interrupt; each one line naming its path (or the option to change), never a traceback."""

import errno
import json
import os
from pathlib import Path

import pytest
import torch
from support import assert_one_line_error, make_dataset, make_imdb, one_thread, ulmfit  # noqa: F401

from ulmfit_ref.errors import DiskFull, environment_error
from ulmfit_ref.provenance import save_checked
from ulmfit_ref.train import Learner

TINY = ("--preset", "tiny", "--workers", 1)
needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux) to fill a disk")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("os_errors") / "data")


def test_an_out_that_is_a_file_is_one_line(data, tmp_path):
    (tmp_path / "file").write_text("")
    for command in (("train", data), ("prepare", "--data", data), ("pretrain", "--corpus", data)):
        code, _, err = ulmfit(*command, "--out", tmp_path / "file")
        assert_one_line_error(code, err, f"--out {tmp_path / 'file'} is a file")
    code, _, err = ulmfit("train", data, "--out", tmp_path / "file" / "run", *TINY)
    assert_one_line_error(code, err, str(tmp_path / "file"), "Not a directory", "a part of this path is a file")


def test_a_symlink_loop_is_one_line_naming_it(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for command in (("train", loop), ("imdb", "--data", loop), ("prepare", "--data", loop),
                    ("pretrain", "--corpus", loop)):
        code, _, err = ulmfit(*command, "--out", tmp_path / "run")
        assert_one_line_error(code, err, str(loop), "loop")


@pytest.mark.parametrize("fault", [errno.EACCES, errno.EROFS], ids=["permission", "read-only"])
def test_a_file_that_cannot_be_written_is_one_line_naming_it(data, tmp_path, monkeypatch, fault):
    replace = os.replace

    def refuse(src, dst):
        if Path(dst).name == "summary.json":
            raise OSError(fault, os.strerror(fault), str(dst))
        replace(src, dst)

    monkeypatch.setattr("ulmfit_ref.files.os.replace", refuse)
    code, _, err = ulmfit("prepare", "--data", data, "--out", tmp_path / "out", "--workers", 1)
    assert_one_line_error(code, err, str(tmp_path / "out" / "summary.json"), os.strerror(fault),
                          "permissions" if fault == errno.EACCES else "read-only")
    assert not list((tmp_path / "out").rglob("*.tmp"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_without_write_permission_is_one_line(data, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = ulmfit("prepare", "--data", data, "--out", locked / "out", "--workers", 1)
    assert_one_line_error(code, err, str(locked / "out"), "Permission denied")


@needs_dev_full
def test_a_full_disk_is_one_line_with_the_bytes_needed(data, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "run.json.tmp").symlink_to("/dev/full")  # where the first file of the run is written: a full disk
    code, _, err = ulmfit("train", data, "--out", out, *TINY)
    assert_one_line_error(code, err, str(out / "run.json"), "no space left", "bytes free", "needed")
    assert not (out / "run.json.tmp").exists() and not (out / "run.json").exists()


@needs_dev_full
def test_a_model_file_on_a_full_disk_says_how_many_bytes_it_needs(tmp_path):
    (tmp_path / "model.pt.tmp").symlink_to("/dev/full")
    with pytest.raises(DiskFull, match=r"model.pt: no space left .* 4,000 needed"):
        save_checked(tmp_path / "model.pt", {"model": {"w": torch.zeros(1000)}})
    assert not (tmp_path / "model.pt").exists()


def test_predict_with_a_missing_model_folder_says_so(tmp_path):
    code, _, err = ulmfit("predict", "--model", tmp_path / "nonexistent", "a text")
    assert_one_line_error(code, err, f"{tmp_path / 'nonexistent'}: no such folder")
    assert "prepare" not in err
    code, _, err = ulmfit("predict", "--model", tmp_path, "a text")
    assert_one_line_error(code, err, "not the folder of a run", "run.json")


def test_an_interrupted_prepare_advises_what_it_accepts(data, tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("ulmfit_ref.prepare.tokenize_csv", interrupt)
    code, _, err = ulmfit("prepare", "--data", data, "--out", tmp_path / "out", "--workers", 1)
    assert code == 130 and "--resume" not in err and "run the same command again" in err
    code, _, err = ulmfit("train", data, "--out", tmp_path / "run", *TINY)
    assert code == 130 and "--resume" in err


def test_cuda_out_of_memory_is_one_line_naming_bs(tmp_path, monkeypatch):
    def out_of_memory(self, model, batch):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(Learner, "_step", out_of_memory)
    code, _, err = ulmfit("imdb", "--data", make_imdb(tmp_path / "imdb", 12), "--out", tmp_path / "run", *TINY)
    assert_one_line_error(code, err, "out of memory", "Tried to allocate 2.00 GiB", "smaller --bs")


def test_bs_sets_the_batch_size_of_every_training(data, tmp_path):
    code, _, err = ulmfit("train", data, "--out", tmp_path / "run", *TINY, "--bs", 4, "--stage", "prepare")
    assert code == 0, err
    preset = json.loads((tmp_path / "run" / "run.json").read_text())["preset"]
    assert [preset[k]["bs"] for k in ("fine_tune", "from_scratch", "classify", "pretrain")] == [4, 4, 4, 4]


@pytest.mark.parametrize("free, said", [(10, "no space left on the device to write it"), (1 << 40, "could not write")])
def test_the_zip_writers_failure_in_torch_save_is_the_disk_full_line(tmp_path, monkeypatch, free, said):
    import shutil
    from collections import namedtuple

    def failing_save(obj, f):
        f.write(b"PK\x03\x04")
        raise RuntimeError("[enforce fail at inline_container.cc:778] . PytorchStreamWriter failed writing file "
                           "data/0: file write failed")

    monkeypatch.setattr(torch, "save", failing_save)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(free, 0, free))
    with pytest.raises(OSError, match=said) as e:
        save_checked(tmp_path / "lm0.pt", {"model": {"w": torch.zeros(1000)}})
    assert isinstance(e.value, DiskFull) == (free == 10) and "lm0.pt" in str(e.value) + str(e.value.filename)
    assert environment_error(e.value) is None if free == 10 else "lm0.pt: torch.save could not write it" in \
        environment_error(e.value)
    assert list(tmp_path.iterdir()) == []  # nothing half written is left
