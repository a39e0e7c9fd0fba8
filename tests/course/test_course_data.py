"""course.data: the tiny made-up aclImdb and the samples of a real one that the lessons read."""

import io
import tarfile

from course.data import TINY_REVIEWS, lesson_imdb, sample_imdb, write_tiny_imdb
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


def test_lesson_imdb_falls_back_to_the_tiny_data(tmp_path, capsys):
    root = lesson_imdb(tmp_path / "absent.tar.gz", 10, tmp_path / "out")
    assert "absent.tar.gz is absent" in capsys.readouterr().out
    assert len(read_imdb(root)["test"]) == 8
    root = lesson_imdb(None, dest=tmp_path / "out2")
    assert "no DATA given" in capsys.readouterr().out
