"""How well a classifier does: accuracy, each class's precision, recall and F1, macro-F1 and the confusion matrix.

Precision, recall and F1 of a class that is never predicted, or never true, are 0 (as scikit-learn's
zero_division=0); macro-F1 averages the classes that are true or predicted at least once (scikit-learn's default).
"""

from collections.abc import Sequence

import numpy as np


def confusion_matrix(labels, predicted, n_classes: int) -> np.ndarray:
    """[n_classes, n_classes] counts: row = true class, column = predicted class."""
    labels, predicted = np.asarray(labels, dtype=np.int64), np.asarray(predicted, dtype=np.int64)
    if labels.shape != predicted.shape:
        raise ValueError(f"{len(labels)} labels but {len(predicted)} predictions")
    return np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, 0 where b is 0."""
    return np.divide(a, b, out=np.zeros(len(a)), where=b > 0)


def classification_report(labels, predicted, classes: Sequence[str]) -> dict:
    """Accuracy, macro-F1, per-class precision / recall / F1 / support, and the confusion matrix, as JSON values."""
    m = confusion_matrix(labels, predicted, len(classes))
    tp, support, n_predicted = np.diag(m), m.sum(1), m.sum(0)
    precision, recall = _ratio(tp, n_predicted), _ratio(tp, support)
    f1 = _ratio(2 * precision * recall, precision + recall)
    present = (support + n_predicted) > 0
    total = int(m.sum())
    return {
        "accuracy": float(tp.sum() / total) if total else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class": {c: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                      for c, p, r, f, s in zip(classes, precision, recall, f1, support)},
        "confusion_matrix": m.tolist(),
    }
