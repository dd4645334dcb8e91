"""The evaluation metrics on hand-computed examples (pure numpy, no model)."""

import math

import numpy as np
import pytest

from baseline_model.evaluation import metrics as m

# 4 clips, 4 classes; clip 2 sits in classes 1 and 3.
PROBABILITIES = np.array([
    [0.7, 0.1, 0.1, 0.1],  # label 0 -> predicted 0 (hit)
    [0.2, 0.5, 0.2, 0.1],  # label 2 -> predicted 1 (miss; then 0 and 2 tie)
    [0.1, 0.2, 0.3, 0.4],  # labels {1, 3} -> predicted 3 (hit: one of its labels)
    [0.1, 0.6, 0.2, 0.1],  # label 3 -> predicted 1 (miss)
])
LABELS = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 1], [0, 0, 0, 1]])


def test_top_k_counts_any_label():
    assert m.top_k_accuracy(PROBABILITIES, LABELS, 1) == 0.5
    # top-2: clip 1 has [1, 0] (stable order breaks the 0/2 tie by index) -> miss; clip 3 has [1, 2] -> miss
    assert m.top_k_accuracy(PROBABILITIES, LABELS, 2) == 0.5
    # top-3: clip 1 has [1, 0, 2] -> hit; clip 3 has [1, 2, 0] (0 before 3 in the tie) -> miss
    assert m.top_k_accuracy(PROBABILITIES, LABELS, 3) == 0.75
    assert m.top_k_accuracy(PROBABILITIES, LABELS, 4) == 1.0
    assert m.top_k_accuracy(PROBABILITIES, LABELS, 10) == 1.0  # k beyond the classes
    # class ids are accepted as well as multi-hot rows
    assert m.top_k_accuracy(PROBABILITIES, [0, 2, 3, 3], 1) == 0.5


def test_reference_class_is_the_hit_label_or_the_primary():
    reference, predicted = m.reference_classes(PROBABILITIES, LABELS)
    assert predicted.tolist() == [0, 1, 3, 1]
    assert reference.tolist() == [0, 2, 3, 3]  # clip 2 hit its label 3; clip 3 keeps its only label
    matrix = m.confusion_matrix(reference, predicted, 4)
    expected = np.zeros((4, 4), int)
    expected[0, 0] = expected[2, 1] = expected[3, 3] = expected[3, 1] = 1
    np.testing.assert_array_equal(matrix, expected)
    assert np.trace(matrix) / matrix.sum() == m.top_k_accuracy(PROBABILITIES, LABELS, 1)


def test_per_class_scores_and_macro_f1():
    matrix = np.array([[2, 1, 0], [0, 1, 0], [1, 0, 0]])
    scores = m.per_class_scores(matrix)
    np.testing.assert_allclose(scores["precision"], [2 / 3, 1 / 2, 0.0])
    np.testing.assert_allclose(scores["recall"], [2 / 3, 1.0, 0.0])
    np.testing.assert_allclose(scores["f1"], [2 / 3, 2 / 3, 0.0])
    assert scores["support"].tolist() == [3, 1, 1]
    assert m.macro_f1(matrix) == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)
    # a class that never occurs (neither reference nor predicted) is left out of the mean
    padded = np.zeros((4, 4), int)
    padded[:3, :3] = matrix
    assert m.macro_f1(padded) == pytest.approx(m.macro_f1(matrix))
    assert math.isnan(m.macro_f1(np.zeros((3, 3), int)))


def test_average_precision_by_hand():
    # ranking: 0.9 (+), 0.8 (-), 0.7 (+), 0.1 (-): AP = (1/1 + 2/3) / 2
    assert m.average_precision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0]) == pytest.approx((1 + 2 / 3) / 2)
    assert m.average_precision([0.1, 0.2], [1, 1]) == pytest.approx(1.0)
    # tied scores form one threshold (scikit-learn): both at 0.5 -> precision 1/2 at recall 1
    assert m.average_precision([0.5, 0.5], [1, 0]) == pytest.approx(0.5)
    assert math.isnan(m.average_precision([0.3, 0.2], [0, 0]))


def test_mean_average_precision_multi_label_by_hand():
    # class 0: scores [.7,.2,.1,.1] positives {0} -> AP 1
    # class 1: scores [.1,.5,.2,.6] positives {2}: ranks 3 (0.6), 1 (0.5), 2 (0.2) -> P at recall 1 = 1/3
    # class 2: scores [.1,.2,.3,.2] positives {1}: 0.3 (-), then 0.2 tied {1 (+), 3 (-)} -> P = 1/3
    # class 3: scores [.1,.1,.4,.1] positives {2, 3}: 0.4 (+) -> P 1 at R 1/2; 0.1 tied {0,1,3} -> P 2/4 at R 1
    #          AP = 1/2 * 1 + 1/2 * 2/4 = 0.75
    expected = (1 + 1 / 3 + 1 / 3 + 0.75) / 4
    assert m.mean_average_precision(PROBABILITIES, LABELS) == pytest.approx(expected)


def test_classification_metrics_summary():
    results = m.classification_metrics(PROBABILITIES, LABELS)
    assert results["accuracy"] == 0.5
    assert results["top5_accuracy"] == 1.0
    assert results["num_examples"] == 4
    assert results["num_multi_label"] == 1
    # reference [0,2,3,3] vs predicted [0,1,3,1]: F1 class 0 = 1, 1 = 0, 2 = 0, 3 = 2/3
    assert results["macro_f1"] == pytest.approx((1 + 0 + 0 + 2 / 3) / 4)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="multi-hot"):
        m.top_k_accuracy(PROBABILITIES, np.ones((4, 3)))
    with pytest.raises(ValueError, match="class ids"):
        m.top_k_accuracy(PROBABILITIES, [0, 1, 2, 7])
