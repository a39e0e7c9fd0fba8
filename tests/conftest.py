"""Shared fixtures: a tiny aclImdb made on the spot, and the real data when ../shared/data is there."""

import io
import tarfile
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

TINY_REVIEWS = {
    ("train", "neg"): ["A BAD film.<br /><br />Really bad!!!!", "Boring, boring, boring.", "I hated it &amp; left."],
    ("train", "pos"): ["A GREAT film. Loved it.", "Wonderful acting; 10/10 #best", "Sooooo good, go see it."],
    ("train", "unsup"): ["Just a film about a dog.", "no no no no no", ""],
    ("test", "neg"): ["Awful. Simply awful.", "Terrible script.", "Not good at all."],
    ("test", "pos"): ["Brilliant and moving.", "A joy to watch.", "Great fun for all."],
}


def tiny_files():
    """(name, bytes) of each file of the tiny aclImdb, including one review that is not valid UTF-8."""
    files = [("aclImdb/README", b"tiny IMDb for tests\n")]
    for (split, cls), texts in TINY_REVIEWS.items():
        for i, text in enumerate(texts):
            files.append((f"aclImdb/{split}/{cls}/{i}_{7 if cls == 'pos' else 2}.txt", text.encode()))
    files.append(("aclImdb/train/unsup/99_0.txt", b"caf\xe9 latte \xff review"))
    return files


def pytest_terminal_summary(terminalreporter, config):
    """The seconds of each lesson's runs, when tests/course/test_course_notebooks.py ran them."""
    seconds = getattr(config, "lesson_seconds", None)
    if seconds:
        terminalreporter.section("lesson runs, seconds (two at a time)")
        kinds = sorted({kind for kind, _ in seconds})
        for name in sorted({name for _, name in seconds}):
            terminalreporter.write_line(f"{name}: " + ", ".join(
                f"{kind} {seconds[kind, name]:.0f}" for kind in kinds if (kind, name) in seconds))


@pytest.fixture
def tiny_imdb_dir(tmp_path) -> Path:
    """A tiny extracted aclImdb folder."""
    for name, data in tiny_files():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return tmp_path / "aclImdb"


@pytest.fixture
def tiny_imdb_tar(tmp_path) -> Path:
    """The same tiny aclImdb as a tar.gz archive."""
    path = tmp_path / "aclImdb_v1.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in tiny_files():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture(scope="session")
def shared_imdb() -> Path:
    """The real IMDb archive of ../shared/data; the test is skipped when it is absent."""
    path = SHARED_DATA / "aclImdb_v1_reviews.tar.gz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path
