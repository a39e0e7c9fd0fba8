"""Accuracy, per-class precision / recall / F1, macro-F1 and the confusion matrix, against figures worked by hand."""

import pytest

from ulmfit_ref.metrics import classification_report, confusion_matrix


def test_a_report_worked_by_hand():
    labels = [0, 0, 0, 1, 1, 2]
    predicted = [0, 0, 1, 1, 2, 2]
    r = classification_report(labels, predicted, ["a", "b", "c"])
    assert r["confusion_matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert r["accuracy"] == pytest.approx(4 / 6)
    a, b, c = (r["per_class"][k] for k in "abc")
    assert (a["precision"], a["recall"], a["support"]) == (1.0, pytest.approx(2 / 3), 3)
    assert (b["precision"], b["recall"]) == (0.5, 0.5) and (c["precision"], c["recall"]) == (0.5, 1.0)
    assert a["f1"] == pytest.approx(0.8) and c["f1"] == pytest.approx(2 / 3)
    assert r["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)


def test_a_class_never_true_nor_predicted_is_left_out_of_macro_f1_and_zero_divisions_are_zero():
    r = classification_report([0, 0, 1], [0, 1, 1], ["a", "b", "unused"])
    assert r["per_class"]["unused"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert r["macro_f1"] == pytest.approx((2 / 3 + 2 / 3) / 2)
    never = classification_report([0, 1], [0, 0], ["a", "b"])
    assert never["per_class"]["b"]["precision"] == 0.0 and never["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)


def test_the_confusion_matrix_is_true_by_predicted():
    assert confusion_matrix([1, 1, 0], [0, 1, 1], 2).tolist() == [[0, 1], [1, 1]]
    with pytest.raises(ValueError, match="2 labels but 3 predictions"):
        confusion_matrix([0, 1], [0, 1, 1], 2)
