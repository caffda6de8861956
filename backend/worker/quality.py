"""Is this model any good? Checks after each evaluation that catch a degenerate model the metrics alone let pass.

A run can finish "succeeded" with a model that predicts one class for every image, or does no better than always
answering the most common class, or has started memorising its training images. Each check here names that in
words, with a stable code (the `warning` event's `code`). Pure functions over (labels, predictions) and loss
histories; numpy only.

Codes:
    collapsed                 (nearly) every validation image gets the same class while validation holds several
    no_better_than_majority   accuracy not above the share of the most common class, beyond chance for the split size
    overfitting               validation loss rising while training loss falls, over the last few evaluations
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

COLLAPSE_SHARE = 0.95  # one class gets at least this share of the predictions ...
COLLAPSE_ABSORBED = 0.5  # ... including at least this share of the images of the other classes
MIN_MARGIN = 0.02  # accuracy must beat the majority rate by this much at least ...
MARGIN_STANDARD_ERRORS = 1.0  # ... or by this many binomial standard errors of the rate on n images, if more
OVERFITTING_WINDOW = 4  # evaluations whose losses are compared
OVERFITTING_RISE = 0.05  # validation loss up by at least 5 % over the window
UNTRUSTED_CODES = ("collapsed", "no_better_than_majority")  # a model whose suggestions must not be one-key accepts


@dataclass(frozen=True)
class Finding:
    code: str
    message: str


@dataclass(frozen=True)
class LossPoint:
    epoch: int
    train_loss: float
    val_loss: float | None


def collapsed(labels: np.ndarray, predictions: np.ndarray, class_names: Sequence[str]) -> Finding | None:
    """One class takes (nearly) all predictions, swallowing most images of the other classes present."""
    labels, predictions = _as_indices(labels), _as_indices(predictions)
    if len(np.unique(labels)) < 2:
        return None
    counts = np.bincount(predictions, minlength=len(class_names))
    dominant = int(counts.argmax())
    share = counts[dominant] / len(predictions)
    others = labels != dominant
    absorbed = float((predictions[others] == dominant).mean())
    if share < COLLAPSE_SHARE or absorbed < COLLAPSE_ABSORBED:
        return None
    return Finding(
        "collapsed",
        f"the model predicts '{class_names[dominant]}' for {share:.0%} of the {len(labels)} validation images, "
        f"which hold {len(np.unique(labels))} classes: it has collapsed to one class, and its predictions and "
        "metrics mean little (too few training steps, a learning rate too high, or labels the images do not support).",
    )


def majority_margin(rate: float, count: int) -> float:
    """How far above the majority rate an accuracy must be, on `count` validation images, to count as better."""
    return max(MIN_MARGIN, MARGIN_STANDARD_ERRORS * float(np.sqrt(rate * (1 - rate) / max(count, 1))))


def no_better_than_majority(labels: np.ndarray, predictions: np.ndarray, class_names: Sequence[str]) -> Finding | None:
    """Accuracy within the margin of always answering the most common validation class."""
    labels, predictions = _as_indices(labels), _as_indices(predictions)
    if len(np.unique(labels)) < 2:
        return None
    counts = np.bincount(labels, minlength=len(class_names))
    majority = int(counts.argmax())
    rate = counts[majority] / len(labels)
    accuracy = float((labels == predictions).mean())
    margin = majority_margin(rate, len(labels))
    if accuracy > rate + margin:
        return None
    return Finding(
        "no_better_than_majority",
        f"accuracy {accuracy:.1%} is no better than always answering the most common class "
        f"'{class_names[majority]}' ({rate:.1%} of the {len(labels)} validation images, +{margin:.1%} for chance): "
        "the model has not learnt to tell the classes apart.",
    )


def overfitting(history: Sequence[LossPoint]) -> Finding | None:
    """Over the last OVERFITTING_WINDOW evaluations: validation loss rose at every one (by OVERFITTING_RISE in all)
    while training loss ended lower than it started."""
    points = [point for point in history if point.val_loss is not None and np.isfinite(point.val_loss)]
    window = points[-OVERFITTING_WINDOW:]
    if len(window) < OVERFITTING_WINDOW:
        return None
    val = np.array([point.val_loss for point in window], dtype=np.float64)
    train = np.array([point.train_loss for point in window], dtype=np.float64)
    rising = bool(np.all(np.diff(val) > 0)) and val[-1] >= val[0] * (1 + OVERFITTING_RISE)
    if not (rising and train[-1] < train[0]):
        return None
    return Finding(
        "overfitting",
        f"validation loss rose from {val[0]:.3f} to {val[-1]:.3f} over epochs {window[0].epoch}–{window[-1].epoch} "
        f"while training loss fell from {train[0]:.3f} to {train[-1]:.3f}: the model is memorising its training "
        "images (fewer epochs, more images or stronger augmentation help; best.pt follows the checkpoint strategy).",
    )


def assess(
    labels: np.ndarray, probabilities: np.ndarray, class_names: Sequence[str], history: Sequence[LossPoint] = ()
) -> list[Finding]:
    """Every check's finding for one evaluation (softmax rows `probabilities`, true `labels`), in code order."""
    predictions = np.asarray(probabilities).argmax(axis=1)
    found = [
        collapsed(labels, predictions, class_names),
        no_better_than_majority(labels, predictions, class_names),
        overfitting(history),
    ]
    return [finding for finding in found if finding is not None]


def untrusted_reason(findings: Sequence[Finding]) -> str:
    """Why the model's suggestions (likely mislabelled images) must not be trusted; "" when they may be."""
    return " ".join(f.message[0].upper() + f.message[1:] for f in findings if f.code in UNTRUSTED_CODES)


def _as_indices(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1)
