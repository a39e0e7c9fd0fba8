"""The standard CSV folder: the label rules, every bad input of the README's table, and data sets in memory."""

import csv

import numpy as np
import pandas as pd
import pytest
from support import make_dataset

from ulmfit_ref.dataset import (
    from_frame,
    from_lists,
    hold_out_test,
    limit_per_class,
    read_dataset,
    read_texts,
    stratified_indices,
    write_dataset,
)
from ulmfit_ref.errors import DataError


def write(path, rows):
    """Rows to a CSV file, as csv.writer quotes them."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def folder(tmp_path):
    """A folder with a classes.txt of three classes; the tests write its CSVs."""
    (tmp_path / "classes.txt").write_text("neg\nneutral\npos\n")
    return tmp_path


# --- the label rules -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("labels, how", [("from 0", "class numbers from 0"), ("from 1", "class numbers from 1"),
                                         ("names", "class names")])
def test_every_label_convention_gives_the_same_data_set(tmp_path, labels, how):
    d = read_dataset(make_dataset(tmp_path / labels, labels=labels))
    reference = read_dataset(make_dataset(tmp_path / "ref", labels="from 0"))
    assert d.label_format == how
    assert d.classes == ("World", "Sports", "Business", "Sci/Tech")
    assert (d.train, d.test, d.unlabelled) == (reference.train, reference.test, reference.unlabelled)
    assert d.n_fields == 2 and len(d.train) == 140 and len(d.test) == 48 and len(d.unlabelled) == 30
    assert d.counts()["per_class"]["train"] == {"World": 60, "Sports": 40, "Business": 25, "Sci/Tech": 15}


def test_without_classes_txt_the_classes_are_train_labels_in_numeric_or_alphabetical_order(tmp_path):
    write(tmp_path / "train.csv", [["10", "a"], ["9", "b"], ["10", "c"], ["2", "d"]])
    d = read_dataset(tmp_path)
    assert d.classes == ("2", "9", "10") and d.train.labels == [2, 1, 2, 0]
    write(tmp_path / "train.csv", [["pos", "a"], ["neg", "b"], ["Neutral", "c"]])
    assert read_dataset(tmp_path).classes == ("Neutral", "neg", "pos")


def test_labels_counting_from_1_of_the_zhang_files(folder):
    write(folder / "train.csv", [["1", "bad"], ["3", "good"], ["2", "meh"]])
    write(folder / "test.csv", [["3", "fine"]])
    d = read_dataset(folder)
    assert d.label_format == "class numbers from 1" and d.train.labels == [0, 2, 1] and d.test.labels == [2]


def test_labels_that_fit_both_numberings_are_an_error(tmp_path):
    (tmp_path / "classes.txt").write_text("a\nb\nc\nd\n")
    write(tmp_path / "train.csv", [["1", "x"], ["2", "y"], ["3", "z"]])
    with pytest.raises(DataError, match="may count the 4 classes of classes.txt from 0 or from 1"):
        read_dataset(tmp_path)


def test_a_label_0_and_a_label_k_together_name_the_line(folder):
    write(folder / "train.csv", [["0", "x"], ["1", "y"], ["3", "z"]])
    with pytest.raises(DataError, match=r"train.csv, line 3: label 3 is out of range: .*line 1 has label 0"):
        read_dataset(folder)


def test_names_that_are_numbers_in_another_order_are_ambiguous(tmp_path):
    (tmp_path / "classes.txt").write_text("2\n1\n")
    write(tmp_path / "train.csv", [["1", "x"], ["2", "y"]])
    with pytest.raises(DataError, match="both class names and class numbers"):
        read_dataset(tmp_path)
    (tmp_path / "classes.txt").write_text("1\n2\n")  # the same reading both ways: fine
    assert read_dataset(tmp_path).train.labels == [0, 1]


# --- bad input: one line naming the file and line ----------------------------------------------------------------

@pytest.mark.parametrize("header, rows", [
    (["label", "text"], [["pos", "good"], ["neg", "bad"], ["neutral", "meh"]]),
    (["topic", "review_body"], [["pos", "good film"], ["neg", "bad film"], ["neutral", "meh"]]),
    (["sentiment", "text"], [["0", "bad"], ["1", "good"], ["2", "meh"]]),
    (["Class", "Review Text"], [["neg", "bad"], ["pos", "good"], ["neutral", "meh"]])])
def test_a_header_row_of_column_names_is_dropped_and_said(tmp_path, header, rows):
    write(tmp_path / "train.csv", [header] + rows)
    write(tmp_path / "test.csv", [header] + rows[:2])
    write(tmp_path / "unlabelled.csv", [[header[1]], ["more text"]])
    d = read_dataset(tmp_path)
    assert len(d.train) == 3 and len(d.test) == 2 and d.unlabelled == [("more text",)]
    assert header[0] not in d.classes and len(d.classes) == 3
    assert sum("dropped 1 header row" in n for n in d.notes) == 3
    assert any(n.startswith(f"{tmp_path / 'train.csv'}, line 1: dropped 1 header row") for n in d.notes)


def test_a_first_row_that_is_a_document_is_kept(folder, tmp_path):
    write(folder / "train.csv", [["pos", "review_body"], ["neg", "bad"], ["pos", "good"], ["neutral", "meh"]])
    assert len(read_dataset(folder).train) == 4  # its label is a class: a document, however it reads
    write(folder / "train.csv", [["label", "a fine film, well worth it"], ["pos", "good"], ["neg", "bad"]])
    with pytest.raises(DataError, match=r"train.csv, line 1: label 'label' looks like a header row.*header=False"):
        read_dataset(folder)  # a usual column word above a document: not dropped, named


def test_numeric_labels_spelled_two_ways_are_one_class_and_said(tmp_path):
    write(tmp_path / "train.csv", [["1", "a"], ["1.0", "b"], ["0", "c"], ["0.0", "d"], ["1", "e"]])
    d = read_dataset(tmp_path)
    assert d.classes == ("0", "1") and d.train.labels == [1, 1, 0, 0, 1]
    assert len(d.notes) == 1 and "'0' (1) and '0.0' (1) are class 0" in d.notes[0] and "'1' (2)" in d.notes[0]
    write(tmp_path / "train.csv", [["1.0", "a"], ["0.0", "b"]])
    d = read_dataset(tmp_path)
    assert d.classes == ("0", "1") and d.notes == []  # one spelling each: nothing to say
    (tmp_path / "classes.txt").write_text("neg\npos\n")
    assert read_dataset(tmp_path).label_format == "class numbers from 0"
    assert from_lists(["a", "b", "c"], [1, 1.0, 0.0]).classes == ("0", "1")


@pytest.mark.parametrize("bad", [None, float("nan"), np.nan, pd.NA, "", b"pos"])
def test_a_missing_label_in_memory_is_an_error_not_a_class(bad):
    with pytest.raises(DataError, match=r"labels\[1\]: (no label|a label of bytes)"):
        from_lists(["a", "b", "c"], ["pos", bad, "neg"])


def test_an_empty_label_in_a_file_is_named(tmp_path):
    write(tmp_path / "train.csv", [["pos", "a"], ["", "b"], ["neg", "c"]])
    with pytest.raises(DataError, match=r"train.csv, line 2: an empty label"):
        read_dataset(tmp_path)


@pytest.mark.parametrize("sep, name", [("\t", "tabs"), (";", "semicolons")])
def test_a_file_split_by_tabs_or_semicolons_names_its_delimiter(tmp_path, sep, name):
    (tmp_path / "train.csv").write_text(f"pos{sep}good, fine film\nneg{sep}bad\npos{sep}great\n")
    with pytest.raises(DataError, match=rf"train.csv: its rows are separated by {name} .*sep="):
        read_dataset(tmp_path)
    (tmp_path / "texts.csv").write_text(f"pos{sep}good\nneg{sep}bad\n")
    with pytest.raises(DataError, match=f"separated by {name}"):
        read_texts(tmp_path / "texts.csv", 1)


def test_ragged_rows_are_named(folder):
    write(folder / "train.csv", [["pos", "title", "body"], ["neg", "only a title"]])
    with pytest.raises(DataError, match=r"train.csv, line 2: 2 column\(s\), expected 3.*quote text fields"):
        read_dataset(folder)
    write(folder / "train.csv", [["pos", "a"], ["neg", "b"], ["neutral", "c"]])
    write(folder / "test.csv", [["pos", "a", "b"]])
    with pytest.raises(DataError, match=r"test.csv, line 1: 3 column\(s\), expected 2 .*of train.csv"):
        read_dataset(folder)
    (folder / "test.csv").unlink()
    write(folder / "unlabelled.csv", [["a"], ["b", "c"]])
    with pytest.raises(DataError, match=r"unlabelled.csv, line 2: 2 column\(s\), expected 1 .*no label"):
        read_dataset(folder)


def test_a_row_without_text_is_named(folder):
    (folder / "train.csv").write_text("pos\nneg\n")
    with pytest.raises(DataError, match="train.csv, line 1: 1 column; each row is a label, then one or more text"):
        read_dataset(folder)


def test_empty_text_fields_are_kept_as_empty_documents(folder):
    write(folder / "train.csv", [["pos", ""], ["neg", "bad"], ["neutral", ""]])
    d = read_dataset(folder)
    assert d.train.texts == [("",), ("bad",), ("",)]


def test_a_label_outside_classes_txt_is_named(folder):
    write(folder / "train.csv", [["pos", "a"], ["neg", "b"], ["neutral", "c"], ["great", "d"]])
    with pytest.raises(DataError, match=r"train.csv, line 4: label 'great' is not a class of classes.txt \(neg, "):
        read_dataset(folder)
    write(folder / "train.csv", [["2", "a"], ["0", "b"], ["1", "c"], ["7", "d"]])
    with pytest.raises(DataError, match="line 4: label 7 is not a class number; classes.txt has 3 classes"):
        read_dataset(folder)


def test_a_class_with_no_training_example_is_named(folder):
    write(folder / "train.csv", [["pos", "a"], ["neg", "b"]])
    write(folder / "test.csv", [["neutral", "c"]])
    with pytest.raises(DataError, match="classes.txt, line 2: class 'neutral' has no example in train.csv"):
        read_dataset(folder)


def test_a_test_label_unseen_in_train_is_named(tmp_path):
    write(tmp_path / "train.csv", [["pos", "a"], ["neg", "b"]])
    write(tmp_path / "test.csv", [["neg", "c"], ["neutral", "d"]])
    with pytest.raises(DataError, match=r"test.csv, line 2: label 'neutral' is not a label of .*train.csv"):
        read_dataset(tmp_path)


def test_duplicate_and_empty_class_names_are_named(folder):
    write(folder / "train.csv", [["pos", "a"], ["neg", "b"]])
    (folder / "classes.txt").write_text("neg\npos\nneg\n")
    with pytest.raises(DataError, match=r"classes.txt, line 3: class 'neg' repeats line 1"):
        read_dataset(folder)
    (folder / "classes.txt").write_text("neg\n\npos\n")
    with pytest.raises(DataError, match=r"classes.txt, line 2: empty class name"):
        read_dataset(folder)
    (folder / "classes.txt").write_text("neg\n")
    with pytest.raises(DataError, match="1 class"):
        read_dataset(folder)


def test_a_byte_order_mark_and_crlf_line_ends_are_read(folder):
    (folder / "classes.txt").write_bytes(b"\xef\xbb\xbfneg\r\nneutral\r\npos\r\n")
    (folder / "train.csv").write_bytes(b'\xef\xbb\xbfpos,good\r\nneg,"two\r\nlines"\r\nneutral,meh\r\n')
    d = read_dataset(folder)
    assert d.classes == ("neg", "neutral", "pos") and d.train.labels == [2, 0, 1]
    assert d.train.texts[1] == ("two\r\nlines",)


def test_a_file_that_is_not_utf8_is_named_with_its_line(folder):
    (folder / "train.csv").write_bytes("pos,good\nneg,caf\u00e9\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"train.csv, line 2: not valid UTF-8 \(byte 0xe9\).*iconv"):
        read_dataset(folder)


def test_a_one_row_or_empty_file_is_named(tmp_path, folder):
    (tmp_path / "one").mkdir()
    write(tmp_path / "one" / "train.csv", [["pos", "good"]])
    with pytest.raises(DataError, match="every row has the label 'pos'; a classifier needs at least 2 classes"):
        read_dataset(tmp_path / "one")
    write(folder / "train.csv", [["pos", "good"]])
    with pytest.raises(DataError, match="classes.txt, line 1: class 'neg' has no example in train.csv"):
        read_dataset(folder)
    (folder / "train.csv").write_text("\n\n")
    with pytest.raises(DataError, match="train.csv: no rows"):
        read_dataset(folder)


def test_blank_lines_are_skipped_and_counted(folder):
    (folder / "train.csv").write_text("pos,a\n\nneg,b\n\nneutral,c\n")
    d = read_dataset(folder)
    assert len(d.train) == 3 and d.blank_lines == 2


def test_a_missing_folder_or_train_csv_or_another_file_is_named(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        read_dataset(tmp_path / "nowhere")
    with pytest.raises(DataError, match="no train.csv"):
        read_dataset(tmp_path)
    write(tmp_path / "train.csv", [["pos", "a"], ["neg", "b"]])
    assert len(read_dataset(tmp_path / "train.csv").train) == 2  # the train.csv of a folder names the folder


# --- in memory, subsets, writing --------------------------------------------------------------------------------

def test_lists_and_dataframes_follow_the_same_rules(tmp_path):
    d = from_lists(["good", "bad", "meh"], ["pos", "neg", "neutral"], ["fine"], ["pos"], ["more text"])
    assert d.classes == ("neg", "neutral", "pos") and d.train.labels == [2, 0, 1] and d.unlabelled == [("more text",)]
    df = pd.DataFrame({"title": ["t1", "t2", None], "body": ["good", "bad", "meh"], "y": [2, 1, 3]})
    f = from_frame(df, label="y", classes=["neg", "neutral", "pos"])
    assert f.label_format == "class numbers from 1" and f.train.texts == [("t1", "good"), ("t2", "bad"), ("", "meh")]
    with pytest.raises(DataError, match=r"labels\[3\]: label 'x' is not a class of classes"):
        from_lists(["a", "b", "c", "d"], [0, 1, 1, "x"], classes=["n", "p"])
    with pytest.raises(DataError, match="no column 'label'"):
        from_frame(df)
    with pytest.raises(DataError, match=r"texts\[1\]: 2 text field"):
        from_lists(["a", ("b", "c")], [0, 1])


def test_written_data_sets_read_back_the_same(tmp_path):
    d = read_dataset(make_dataset(tmp_path / "d", labels="names"))
    back = read_dataset(write_dataset(d, tmp_path / "copy"))
    assert (back.classes, back.train, back.test, back.unlabelled) == (d.classes, d.train, d.test, d.unlabelled)


def test_held_out_test_and_samples_keep_the_class_shares(tmp_path):
    d = read_dataset(make_dataset(tmp_path / "d"))
    held = hold_out_test(d, 0.1, seed=3)
    assert len(held.train) + len(held.test) == len(d.train) == 140
    assert np.bincount(held.test.labels).tolist() == [6, 4, 3, 1]  # 14 by largest remainders of 6, 4, 2.5, 1.5
    assert sorted(held.train.texts + held.test.texts) == sorted(d.train.texts)
    idx = stratified_indices(d.train.labels, 20, seed=1)
    assert len(idx) == 20 and np.bincount(np.asarray(d.train.labels)[idx]).tolist() == [9, 6, 3, 2]
    assert (stratified_indices(d.train.labels, 20, seed=1) == idx).all()
    assert not (stratified_indices(d.train.labels, 20, seed=2) == idx).all()
    two = from_lists(["a", "b", "c"], [0, 1, 1])
    assert len(hold_out_test(two, 0.1, 0).test) == 1 and set(hold_out_test(two, 0.5, 0).train.labels) == {0, 1}


def test_limit_keeps_the_first_documents_of_each_class(tmp_path):
    d = limit_per_class(read_dataset(make_dataset(tmp_path / "d")), 20)
    assert np.bincount(d.train.labels).tolist() == [20, 20, 20, 15] and len(d.unlabelled) == 20


def test_texts_to_classify_with_or_without_a_label(tmp_path):
    write(tmp_path / "a.csv", [["t", "body"], ["t2", "b2"]])
    assert read_texts(tmp_path / "a.csv", 2) == ([("t", "body"), ("t2", "b2")], None, [1, 2])
    write(tmp_path / "b.csv", [["3", "t", "body"]])
    assert read_texts(tmp_path / "b.csv", 2) == ([("t", "body")], ["3"], [1])
    with pytest.raises(DataError, match=r"b.csv, line 1: 3 column\(s\); the classifier reads 1 text field"):
        read_texts(tmp_path / "b.csv", 1)


def test_labels_mixing_names_and_numbers_name_both_lines(folder):
    write(folder / "train.csv", [["neg", "a"], ["pos", "b"], ["1", "c"]])
    with pytest.raises(DataError, match=r"line 1 has the class name 'neg' but .*line 3 the class number '1'"):
        read_dataset(folder)
