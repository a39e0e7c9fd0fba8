"""Tar archives read as a stream: links, odd names and special files counted, cut archives named as truncated."""

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from support import assert_one_line_error, make_imdb, one_thread, ulmfit  # noqa: F401

from ulmfit_ref.archive import Archive
from ulmfit_ref.corpus import prepare_corpus
from ulmfit_ref.data import NOT_A_REVIEW, read_imdb, write_imdb_csv
from ulmfit_ref.errors import DataError


def add_file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def add_link(tar: tarfile.TarFile, name: str, target: str, kind=tarfile.SYMTYPE) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    tar.addfile(info)


def imdb_tar(tmp_path: Path, extra=None, n: int = 4, gz: bool = True) -> Path:
    """IMDb's archive of `n` generated reviews per split and class; `extra(tar)` adds members at the end."""
    folder = make_imdb(tmp_path / "src", n)
    path = tmp_path / ("aclImdb_v1.tar.gz" if gz else "aclImdb_v1.tar")
    with tarfile.open(path, "w:gz" if gz else "w") as tar:
        for f in sorted(folder.rglob("*.txt")):
            add_file(tar, f"aclImdb/{f.relative_to(folder)}", f.read_bytes())
        if extra is not None:
            extra(tar)
    return path


def test_links_inside_the_archive_are_read_as_their_files_and_the_others_counted(tmp_path):
    def links(tar):
        add_link(tar, "aclImdb/train/pos/100_9.txt", "0_8.txt")  # a symbolic link beside its file
        add_link(tar, "aclImdb/train/neg/100_1.txt", "aclImdb/train/neg/0_2.txt", tarfile.LNKTYPE)  # a hard link
        add_link(tar, "aclImdb/train/neg/101_1.txt", "aclImdb/train/neg/100_1.txt", tarfile.LNKTYPE)  # to a link
        add_link(tar, "aclImdb/train/pos/102_9.txt", "/etc/passwd")
        add_link(tar, "aclImdb/train/pos/103_9.txt", "../../../../secret.txt")
        add_link(tar, "aclImdb/train/pos/104_9.txt", "aclImdb/train/pos/999_9.txt", tarfile.LNKTYPE)
        fifo = tarfile.TarInfo("aclImdb/train/pos/105_9.txt")
        fifo.type = tarfile.FIFOTYPE
        tar.addfile(fifo)

    path = imdb_tar(tmp_path, links)
    archive = Archive(path)
    members = dict(archive.members())
    assert members["aclImdb/train/pos/100_9.txt"] == members["aclImdb/train/pos/0_8.txt"]
    assert members["aclImdb/train/neg/100_1.txt"] == members["aclImdb/train/neg/101_1.txt"] \
        == members["aclImdb/train/neg/0_2.txt"]
    assert archive.skipped == {"links pointing outside the archive": 2, "links to a file the archive does not hold": 1,
                               "special files (devices, fifos)": 1}
    assert archive.files == 4 * 5 + 3
    reviews = read_imdb(path)
    assert len(reviews["train"]) == 4 * 3 + 3  # no review lost: every link to one is read
    summary = write_imdb_csv(path, tmp_path / "csv")
    assert summary["skipped"] == archive.skipped
    assert json.loads((tmp_path / "csv" / "imdb.json").read_text())["skipped"] == archive.skipped


def test_files_not_named_id_rating_are_counted_in_the_summary_and_said(tmp_path):
    def odd(tar):
        add_file(tar, "aclImdb/train/pos/notes.txt", b"not a review")
        add_file(tar, "aclImdb/test/neg/12.txt", b"no rating")
        add_file(tar, "aclImdb/README", b"the archive's own files are not counted")

    path = imdb_tar(tmp_path, odd)
    code, stdout, err = ulmfit("prepare", "--data", path, "--out", tmp_path / "out", "--workers", 1)
    assert code == 0, err
    assert json.loads((tmp_path / "out" / "data" / "imdb.json").read_text())["skipped"] == {NOT_A_REVIEW: 2}
    assert f"skipped 2 {NOT_A_REVIEW}" in stdout


def test_files_not_named_id_rating_in_a_folder_are_counted_too(tmp_path):
    folder = make_imdb(tmp_path / "src", 4)
    (folder / "train" / "pos" / "draft.txt").write_text("not a review")
    (folder / "train" / "neg" / "broken_1.txt").symlink_to(tmp_path / "nowhere")
    summary = write_imdb_csv(folder, tmp_path / "csv")
    assert summary["skipped"] == {NOT_A_REVIEW: 1, "entries of a class folder that are no file (folders, broken "
                                                   "links)": 1}


def member_offsets(path: Path) -> list[int]:
    """Where each member's header starts in an uncompressed tar."""
    with tarfile.open(path) as tar:
        return [m.offset for m in tar.getmembers()]


@pytest.mark.parametrize("gz", [False, True], ids=["tar", "tar.gz"])
def test_a_tar_cut_at_a_member_boundary_is_truncated_not_short(tmp_path, gz):
    whole = imdb_tar(tmp_path, gz=False)
    raw = whole.read_bytes()
    for k in (1, len(member_offsets(whole)) - 2, len(member_offsets(whole)) - 1):
        cut = raw[:member_offsets(whole)[k]]
        path = tmp_path / f"cut{k}.tar{'.gz' if gz else ''}"
        path.write_bytes(gzip.compress(cut) if gz else cut)
        with pytest.raises(DataError, match=f"{path.name}: the archive is truncated after {k} files"):
            read_imdb(path)
    assert len(read_imdb(whole)["test"]) == 8  # the whole archive reads


@pytest.mark.parametrize("fraction", [0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 0.999])
def test_a_tar_gz_cut_anywhere_is_one_line_saying_truncated(tmp_path, fraction):
    raw = imdb_tar(tmp_path).read_bytes()
    path = tmp_path / "partial.tar.gz"
    path.write_bytes(raw[:int(len(raw) * fraction)])
    code, _, err = ulmfit("imdb", "--data", path, "--out", tmp_path / "run", "--preset", "tiny", "--stage", "prepare")
    assert_one_line_error(code, err, str(path), "the archive is truncated after")
    assert "no reviews found" not in err


def test_a_tar_cut_inside_a_member_is_truncated(tmp_path):
    whole = imdb_tar(tmp_path, gz=False)
    offsets = member_offsets(whole)
    path = tmp_path / "cut.tar"
    path.write_bytes(whole.read_bytes()[:offsets[3] + tarfile.BLOCKSIZE + 10])  # the header, and 10 bytes of text
    with pytest.raises(DataError, match="truncated after 3 files"):
        read_imdb(path)


def test_a_corpus_archive_counts_the_links_it_skips(tmp_path):
    path = tmp_path / "corpus.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        add_file(tar, "wiki/wiki.train.tokens", b" = A = \n the film was great . \n = B = \n it was dull . \n" * 20)
        add_file(tar, "wiki/wiki.valid.tokens", b" = C = \n the plot was fine . \n")
        add_link(tar, "wiki/extra.txt", "/etc/hostname")
    summary = prepare_corpus(path, tmp_path / "out", n_workers=1, log=lambda line: None)
    assert summary["skipped"] == {"links pointing outside the archive": 1}
