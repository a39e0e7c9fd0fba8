"""Reading IMDb from a folder or the archive, the seeded splits, and the standard CSV format."""

import csv

import pytest
from conftest import TINY_REVIEWS

from ulmfit_ref.data import (
    CLASSES,
    DataError,
    Reviews,
    make_splits,
    permutation,
    read_csv,
    read_imdb,
    write_csv,
    write_imdb_csv,
)
from ulmfit_ref.dataset import read_dataset


def test_folder_and_archive_give_the_same_reviews(tiny_imdb_dir, tiny_imdb_tar):
    from_dir, from_tar = read_imdb(tiny_imdb_dir), read_imdb(tiny_imdb_tar)
    assert from_dir == from_tar
    assert read_imdb(tiny_imdb_dir.parent) == from_dir  # the folder holding aclImdb works too
    train = from_dir["train"]
    assert len(train) == 10 and len(from_dir["test"]) == 6
    assert train.labels == [0] * 3 + [1] * 3 + [2] * 4
    assert train.texts[:3] == TINY_REVIEWS[("train", "neg")]  # by class, then by review id


def test_bad_utf8_is_replaced_and_counted(tiny_imdb_dir):
    train = read_imdb(tiny_imdb_dir)["train"]
    assert train.n_decode_errors == 1
    assert "caf\ufffd latte \ufffd review" in train.texts


def test_limit_keeps_the_lowest_ids_per_class(tiny_imdb_tar):
    reviews = read_imdb(tiny_imdb_tar, limit=1)
    assert reviews["train"].texts == [TINY_REVIEWS[("train", c)][0] for c in CLASSES]


def test_a_truncated_archive_is_a_clear_error(tiny_imdb_tar, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    data = tiny_imdb_tar.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="cut.tar.gz: the archive is truncated after"):
        read_imdb(cut)


def test_missing_paths_and_folders_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_imdb(tmp_path / "nowhere")
    with pytest.raises(DataError, match="no aclImdb folder"):
        read_imdb(tmp_path)
    (tmp_path / "aclImdb" / "train" / "pos").mkdir(parents=True)
    with pytest.raises(DataError, match="aclImdb/train/neg"):
        read_imdb(tmp_path)


def test_splits_are_seeded_and_count_every_review(tiny_imdb_dir):
    reviews = read_imdb(tiny_imdb_dir)
    s = make_splits(reviews, seed=1, unlabelled=CLASSES.index("unsup"))
    assert len(s.clas_train) == 6 and len(s.clas_test) == 6
    assert set(s.clas_train.labels) == {0, 1}
    assert len(s.lm_train) + len(s.lm_valid) == 16 and len(s.lm_valid) == 2
    assert set(s.lm_train.labels) == {0}
    assert sorted(s.lm_train.texts + s.lm_valid.texts) == sorted(reviews["train"].texts + reviews["test"].texts)
    pairs = set(zip(s.clas_train.texts, s.clas_train.labels))
    assert pairs == {(t, y) for t, y in zip(reviews["train"].texts, reviews["train"].labels) if y != 2}
    assert make_splits(reviews, seed=1, unlabelled=2) == s
    assert make_splits(reviews, seed=2, unlabelled=2).lm_train.texts != s.lm_train.texts
    with pytest.raises(ValueError, match="lm_valid_frac"):
        make_splits(reviews, lm_valid_frac=1.0)


def test_no_label_is_dropped_unless_it_is_named_unlabelled():
    reviews = {split: Reviews([f"{split} {i}" for i in range(n)], [i % 3 for i in range(n)])
               for split, n in (("train", 240), ("test", 60))}
    s = make_splits(reviews)  # three classes: label 2 is a class like the others
    assert (len(s.clas_train), len(s.clas_test)) == (240, 60)
    assert sorted(s.clas_train.labels) == sorted(reviews["train"].labels)
    marked = make_splits(reviews, unlabelled=2)
    assert (len(marked.clas_train), len(marked.clas_test)) == (160, 40)
    assert len(marked.lm_train) + len(marked.lm_valid) == 300


def test_permutation_is_a_seeded_permutation():
    assert sorted(permutation(10, 3)) == list(range(10))
    assert (permutation(10, 3) == permutation(10, 3)).all()


def test_csv_round_trip_with_several_fields_newlines_and_quotes(tmp_path):
    path = tmp_path / "d.csv"
    titles = ["t1", 'say "hi"', ""]
    bodies = ["line one\nline two", "a, b", "x" * 200_000]
    assert write_csv(path, [0, 1, 2], titles, bodies) == 3
    chunks = list(read_csv(path, chunksize=2))
    assert [c.labels for c in chunks] == [[0, 1], [2]]
    assert sum((c.fields for c in chunks), []) == [list(p) for p in zip(titles, bodies)]
    assert chunks[0].lines == [1, 3]


def test_csv_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('0,"two\nlines"\nx,text\n')
    with pytest.raises(DataError, match=r"bad.csv, line 3: label \['x'\] is not an integer"):
        list(read_csv(path))
    path.write_text("0,ok\n1\n")
    with pytest.raises(DataError, match=r"bad.csv, line 2: expected 1 label\(s\) then text, got 1 column"):
        list(read_csv(path))


def test_empty_cells_are_empty_texts(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('1,\n0,""\n')
    assert list(read_csv(path))[0].fields == [[""], [""]]


def test_write_csv_refuses_columns_of_other_lengths(tmp_path):
    with pytest.raises(ValueError, match="text column"):
        write_csv(tmp_path / "d.csv", [0, 1], ["only one"])
    with pytest.raises(ValueError, match="text column"):
        write_csv(tmp_path / "d.csv", [0])


def test_an_archive_cut_at_a_block_boundary_is_an_error(tiny_imdb_tar, tmp_path):
    import gzip

    raw = gzip.decompress(tiny_imdb_tar.read_bytes())
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(gzip.compress(raw[: 512 * 8])[:-8])  # whole tar blocks, but the gzip stream is unfinished
    with pytest.raises(DataError, match="the archive is truncated after"):
        read_imdb(cut)


@pytest.mark.parametrize("task, classes", [("sentiment", ("neg", "pos")),
                                           ("ratings", ("1", "2", "3", "4", "7", "8", "9", "10"))])
def test_imdb_in_the_standard_csv_reads_back_as_the_reviews(tiny_imdb_dir, tmp_path, task, classes):
    summary = write_imdb_csv(tiny_imdb_dir, tmp_path / "csv", task)
    assert summary["documents"] == {"train": 6, "test": 6, "unlabelled": 4} and summary["decode_errors"] == 1
    assert (tmp_path / "csv" / "classes.txt").read_text().split() == list(classes)
    reviews = read_imdb(tiny_imdb_dir)
    with open(tmp_path / "csv" / "train.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert [t for _, t in rows] == [t for t, y in zip(reviews["train"].texts, reviews["train"].labels) if y < 2]
    if task == "ratings":  # the tiny reviews are rated 2 (neg) and 7 (pos): the other 6 classes have no example
        assert [y for y, _ in rows] == ["2"] * 3 + ["7"] * 3
        return
    d = read_dataset(tmp_path / "csv")
    assert d.classes == classes and d.label_format == "class names"
    assert d.train.labels == [y for y in reviews["train"].labels if y < 2]
    train = reviews["train"]
    assert [t for (t,) in d.unlabelled] == [t for t, y in zip(train.texts, train.labels) if y == 2]
