"""Classification metrics, pure numpy, for clips that may carry several labels.

Inputs: ``probabilities`` float ``[N, C]`` and ``labels`` multi-hot ``[N, C]`` (a clip's every
class; a clip under one category has one 1). Policies:

- top-k accuracy: a clip counts when ANY of its labels is among its k highest scores (top-1: the
  predicted class is one of its labels).
- the reference class of a clip (confusion matrix, per-class precision / recall / F1): its
  predicted class when that is one of its labels, else its primary label (the lowest class id,
  as prepare stores it). So a multi-label clip is not counted wrong for picking its other label,
  and the confusion matrix's diagonal sums to the top-1 hits.
- macro-F1: the mean F1 over the classes that occur (as reference or prediction), as scikit-learn
  does by default; classes absent from both would add a meaningless 0.
- mAP: per class, average precision of the scores ranking the clips (``sum_n (R_n - R_{n-1}) P_n``
  over the distinct score thresholds, scikit-learn's definition: tied scores form one threshold);
  averaged over the classes with at least one positive clip.
"""

from __future__ import annotations

import numpy as np


def as_multi_hot(labels, num_classes: int) -> np.ndarray:
    """``labels`` as float ``[N, C]``: class ids ``[N]`` become one-hot; ``[N, C]`` is kept."""
    labels = np.asarray(labels)
    if labels.ndim == 1:
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(f"class ids must lie in [0, {num_classes}), got {labels.min()}..{labels.max()}")
        return np.eye(num_classes, dtype=np.float32)[labels.astype(np.int64)]
    if labels.ndim != 2 or labels.shape[1] != num_classes:
        raise ValueError(f"`labels` must be [N] ids or [N, {num_classes}] multi-hot, got shape {labels.shape}")
    return (labels > 0).astype(np.float32)


def _check(probabilities, labels) -> tuple[np.ndarray, np.ndarray]:
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2:
        raise ValueError(f"`probabilities` must be [N, C], got shape {probabilities.shape}")
    return probabilities, as_multi_hot(labels, probabilities.shape[1])


def top_k_accuracy(probabilities, labels, k: int = 1) -> float:
    """The fraction of clips with one of their labels among their ``k`` highest scores."""
    probabilities, labels = _check(probabilities, labels)
    if len(probabilities) == 0:
        return float("nan")
    k = min(k, probabilities.shape[1])
    top = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    hits = np.take_along_axis(labels, top, axis=1).max(axis=1) > 0
    return float(hits.mean())


def reference_classes(probabilities, labels) -> tuple[np.ndarray, np.ndarray]:
    """``(reference, predicted)`` class ids ``[N]`` (see the module doc for the reference)."""
    probabilities, labels = _check(probabilities, labels)
    predicted = np.argmax(probabilities, axis=1)
    primary = np.argmax(labels, axis=1)  # the first 1: the lowest class id
    hit = labels[np.arange(len(labels)), predicted] > 0
    return np.where(hit, predicted, primary), predicted


def confusion_matrix(reference, predicted, num_classes: int) -> np.ndarray:
    """int64 ``[C, C]``: row = reference class, column = predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(reference, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return matrix


def per_class_scores(matrix: np.ndarray) -> dict[str, np.ndarray]:
    """``precision``, ``recall``, ``f1`` (0 where undefined) and ``support`` per class of a confusion matrix."""
    matrix = np.asarray(matrix, dtype=np.float64)
    true_positives = np.diag(matrix)
    predicted = matrix.sum(axis=0)
    support = matrix.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, true_positives / predicted, 0.0)
        recall = np.where(support > 0, true_positives / support, 0.0)
        total = precision + recall
        f1 = np.where(total > 0, 2 * precision * recall / total, 0.0)
    return {"precision": precision, "recall": recall, "f1": f1, "support": support.astype(np.int64)}


def macro_f1(matrix: np.ndarray) -> float:
    """Mean F1 over the classes that occur as reference or prediction (NaN when none does)."""
    matrix = np.asarray(matrix)
    occurring = (matrix.sum(axis=0) + matrix.sum(axis=1)) > 0
    if not occurring.any():
        return float("nan")
    return float(per_class_scores(matrix)["f1"][occurring].mean())


def average_precision(scores, positives) -> float:
    """AP of ``scores`` ``[N]`` ranking the clips where ``positives`` ``[N]`` is true; NaN without positives."""
    scores = np.asarray(scores, dtype=np.float64)
    positives = np.asarray(positives) > 0
    total = int(positives.sum())
    if total == 0:
        return float("nan")
    order = np.argsort(-scores, kind="stable")
    scores, positives = scores[order], positives[order]
    # the last position of each distinct score: one threshold per tied group
    last = np.r_[np.nonzero(np.diff(scores))[0], len(scores) - 1]
    hits = np.cumsum(positives)[last]
    precision = hits / (last + 1)
    recall = hits / total
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def mean_average_precision(probabilities, labels) -> float:
    """Mean over classes with a positive clip of each class's :func:`average_precision`."""
    probabilities, labels = _check(probabilities, labels)
    values = [
        average_precision(probabilities[:, index], labels[:, index])
        for index in range(labels.shape[1])
        if labels[:, index].any()
    ]
    return float(np.mean(values)) if values else float("nan")


def classification_metrics(probabilities, labels) -> dict:
    """The summary numbers: ``accuracy``, ``top5_accuracy``, ``macro_f1``, ``mean_average_precision``,
    ``num_examples``, ``num_multi_label``."""
    probabilities, labels = _check(probabilities, labels)
    reference, predicted = reference_classes(probabilities, labels)
    matrix = confusion_matrix(reference, predicted, probabilities.shape[1])
    return {
        "accuracy": top_k_accuracy(probabilities, labels, 1),
        "top5_accuracy": top_k_accuracy(probabilities, labels, 5),
        "macro_f1": macro_f1(matrix),
        "mean_average_precision": mean_average_precision(probabilities, labels),
        "num_examples": int(len(probabilities)),
        "num_multi_label": int((labels.sum(axis=1) > 1).sum()),
    }
