"""The lock on a run's folder: a second writer is refused naming the holder; a dead holder's lock is taken over."""

import json
import socket
import subprocess
import sys

import pytest
from support import assert_one_line_error, make_dataset, one_thread, ulmfit  # noqa: F401

from ulmfit_ref.errors import StageError
from ulmfit_ref.lock import LOCK, folder_lock


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("lock") / "data")


def hold(folder, pid: int, host: str = None) -> None:
    """A lock on `folder` as another process would have left it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LOCK).write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(),
                                           "command": "ulmfit train other", "since": "2026-01-01 10:00:00 UTC"}))


@pytest.fixture
def live_pid():
    """The pid of a process that runs while the test does."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def dead_pid() -> int:
    """The pid of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("command", [("train", "DATA"), ("prepare", "--data", "DATA"), ("pretrain", "--corpus", "DATA"),
                                     ("imdb", "--data", "DATA")])
def test_a_folder_in_use_is_one_line_saying_who_holds_it(data, tmp_path, live_pid, command):
    out = tmp_path / "run"
    hold(out, live_pid)
    code, _, err = ulmfit(*[data if a == "DATA" else a for a in command], "--out", out)
    assert_one_line_error(code, err, f"{out} is in use by `ulmfit train other`", f"pid {live_pid}",
                          socket.gethostname(), "since 2026-01-01 10:00:00 UTC")
    assert json.loads((out / LOCK).read_text())["pid"] == live_pid  # the holder's lock is left alone
    assert list(out.iterdir()) == [out / LOCK]  # and nothing else was written


def test_a_lock_left_by_a_dead_process_is_taken_over_with_a_message(data, tmp_path):
    out = tmp_path / "run"
    pid = dead_pid()
    hold(out, pid)
    code, stdout, err = ulmfit("train", data, "--out", out, "--preset", "tiny", "--workers", 1, "--stage", "prepare")
    assert code == 0, err
    assert f"taking over the lock of pid {pid}" in stdout
    assert not (out / LOCK).exists() and not (out / "prepared" / LOCK).exists()  # released at the end


def test_a_lock_of_another_host_is_not_taken_over(tmp_path):
    hold(tmp_path, dead_pid(), host="another-host")
    with pytest.raises(StageError, match="on another-host"):
        with folder_lock(tmp_path, "test"):
            pass


def test_the_lock_is_released_after_an_error_and_taken_again_by_its_holder(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with folder_lock(tmp_path, "test"):
            with folder_lock(tmp_path, "test, again"):  # a stage inside a command: the same process
                assert json.loads((tmp_path / LOCK).read_text())["command"] == "test"
            assert (tmp_path / LOCK).exists()
            raise ZeroDivisionError
    assert not (tmp_path / LOCK).exists()


def test_under_torchrun_rank_0_alone_takes_the_lock_and_the_other_ranks_run_under_it(tmp_path, live_pid, monkeypatch):
    with folder_lock(tmp_path / "run", "ulmfit train"):  # rank 0 of a job
        monkeypatch.setattr("ulmfit_ref.lock.is_main", lambda: False)  # rank 1 of the same job: no refusal
        with folder_lock(tmp_path / "run", "ulmfit train"):
            assert json.loads((tmp_path / "run" / LOCK).read_text())["command"] == "ulmfit train"
        assert (tmp_path / "run" / LOCK).exists()  # rank 1 leaves rank 0's lock in place
        hold(tmp_path / "other", live_pid)
        with folder_lock(tmp_path / "other", "ulmfit train"):  # nor does it refuse one held elsewhere: rank 0 decides
            pass
        assert json.loads((tmp_path / "other" / LOCK).read_text())["pid"] == live_pid
    assert not (tmp_path / "run" / LOCK).exists()


@pytest.mark.parametrize("content", ["", "{", "[]", '{"pid": "x", "host": "h"}', '{"command": "?"}', "\x00\x00"])
def test_an_empty_or_damaged_lock_is_taken_over_with_a_message_never_a_hang(tmp_path, content):
    import signal

    (tmp_path / LOCK).write_text(content)
    logs = []
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("folder_lock hangs on a damaged lock"))
    signal.alarm(10)
    try:
        with folder_lock(tmp_path, "ulmfit train", logs.append):
            assert json.loads((tmp_path / LOCK).read_text())["command"] == "ulmfit train"
    finally:
        signal.alarm(0)
    assert len(logs) == 1 and "taking over a damaged lock (empty" in logs[0] and not (tmp_path / LOCK).exists()


def test_a_lock_never_taken_in_its_tries_is_one_line(tmp_path, monkeypatch):
    import ulmfit_ref.lock as lock

    monkeypatch.setattr(lock, "_try_take", lambda path, holder: False)
    monkeypatch.setattr(lock, "_read", lambda path: None)  # released each time before it is read, as under a storm
    with pytest.raises(StageError, match=r"could not take the lock in 100 tries"):
        with folder_lock(tmp_path, "ulmfit train"):
            pass
