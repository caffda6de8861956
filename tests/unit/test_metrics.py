"""Evaluation metrics against small cases worked out by hand."""

import numpy as np
import pytest

from backend.worker.metrics import evaluation_fields

CLASSES = ["cat", "dog", "bird"]
TARGETS = np.array([0, 0, 1, 1, 2, 2])
PROBABILITIES = np.array(
    [
        [0.7, 0.2, 0.1],  # cat  -> cat   (conf 0.7)
        [0.3, 0.6, 0.1],  # cat  -> dog   (conf 0.6)
        [0.2, 0.5, 0.3],  # dog  -> dog   (conf 0.5)
        [0.1, 0.8, 0.1],  # dog  -> dog   (conf 0.8)
        [0.6, 0.1, 0.3],  # bird -> cat   (conf 0.6)
        [0.1, 0.2, 0.7],  # bird -> bird  (conf 0.7)
    ]
)


def test_three_classes_worked_by_hand():
    fields = evaluation_fields(TARGETS, PROBABILITIES, CLASSES)

    # predictions: cat, dog, dog, dog, cat, bird -> 4 of 6 right
    assert fields["accuracy"] == pytest.approx(4 / 6)
    assert fields["top5"] == 1.0  # 3 classes: the true class is always among the top min(5, 3)
    # rows are the true class, columns the prediction
    assert fields["confusion_matrix"] == [
        [1, 1, 0],  # cat:  1 right, 1 taken for a dog
        [0, 2, 0],  # dog:  both right
        [1, 0, 1],  # bird: 1 taken for a cat, 1 right
    ]
    # cat:  TP 1, predicted cat 2 times  -> P 1/2, recall 1/2, F1 1/2
    # dog:  TP 2, predicted dog 3 times  -> P 2/3, recall 2/2, F1 2·(2/3·1)/(2/3+1) = 4/5
    # bird: TP 1, predicted bird 1 time  -> P 1,   recall 1/2, F1 2·(1·1/2)/(1+1/2) = 2/3
    per_class = {c.name: (c.precision, c.recall, c.f1) for c in fields["per_class"]}
    assert [c.name for c in fields["per_class"]] == CLASSES
    assert per_class["cat"] == pytest.approx((1 / 2, 1 / 2, 1 / 2))
    assert per_class["dog"] == pytest.approx((2 / 3, 1, 4 / 5))
    assert per_class["bird"] == pytest.approx((1, 1 / 2, 2 / 3))
    assert [c.support for c in fields["per_class"]] == [2, 2, 2]
    # macro: P (1/2 + 2/3 + 1)/3 = 13/18, recall (1/2 + 1 + 1/2)/3 = 2/3, F1 (1/2 + 4/5 + 2/3)/3 = 59/90
    assert fields["precision"] == pytest.approx(13 / 18)
    assert fields["recall"] == pytest.approx(2 / 3)
    assert fields["f1"] == pytest.approx(59 / 90)
    # top-1 confidences 0.7 + 0.6 + 0.5 + 0.8 + 0.6 + 0.7 = 3.9, over 6 samples
    assert fields["avg_confidence"] == pytest.approx(0.65)
    assert fields["class_names"] == CLASSES


def test_top5_and_classes_without_samples():
    names = ["a", "b", "c", "d", "e", "f"]
    targets = np.array([0, 1])
    probabilities = np.array(
        [
            [0.05, 0.30, 0.25, 0.20, 0.12, 0.08],  # true a ranked 6th: outside the top 5, predicted b
            [0.10, 0.50, 0.10, 0.10, 0.10, 0.10],  # true b ranked 1st
        ]
    )
    fields = evaluation_fields(targets, probabilities, names)

    assert fields["accuracy"] == 0.5
    assert fields["top5"] == 0.5
    # a: TP 0 -> P 0 (0/0 counts as 0), recall 0/1;  b: TP 1, predicted twice -> P 1/2, recall 1/1, F1 2/3
    # c..f have no samples and no predictions: 0 each, and they still count in the macro mean over 6 classes
    assert fields["precision"] == pytest.approx((1 / 2) / 6)
    assert fields["recall"] == pytest.approx(1 / 6)
    assert fields["f1"] == pytest.approx((2 / 3) / 6)
    assert [c.support for c in fields["per_class"]] == [1, 1, 0, 0, 0, 0]
    assert fields["confusion_matrix"][0] == [0, 1, 0, 0, 0, 0]
    assert sum(map(sum, fields["confusion_matrix"])) == 2


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError):
        evaluation_fields(TARGETS, PROBABILITIES[:, :2], CLASSES)
