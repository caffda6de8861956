"""What the validation outputs say beyond the metrics: the preview sample, every image ranked by loss, and the
images whose label the model most disputes. Pure functions over (labels, probabilities); numpy only.

Rows of `probabilities` are softmax outputs (n × nc); `labels` are true class indices (n,).
"""

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from backend.graph.spec import DatasetSpec

TOP_K = 5
_EPS = 1e-12  # a probability of 0 would make the loss infinite (and JSON cannot hold infinity)
_DIGITS = 6  # decimals kept in predictions.json


def preview_sample(dataset: DatasetSpec, size: int, seed: int, exclude: Iterable[int] = ()) -> list[int]:
    """`size` validation item indices, stratified by class: a seeded shuffle of each class, then taken in turn
    (class 0's first, class 1's first, …, class 0's second, …) so every class shows when size allows.

    The same dataset, size and seed always give the same sample, sorted by item index.
    """
    skip = set(exclude)
    by_class: dict[int, list[int]] = {}
    for index, item in enumerate(dataset.items):
        if item.split == "val" and index not in skip:
            by_class.setdefault(item.label, []).append(index)
    rng = np.random.default_rng(seed)
    queues = [list(rng.permutation(by_class[label])) for label in sorted(by_class)]
    chosen: list[int] = []
    while len(chosen) < size and any(queues):
        for queue in queues:
            if queue and len(chosen) < size:
                chosen.append(int(queue.pop(0)))
    return sorted(chosen)


def top_k(probabilities: np.ndarray, k: int = TOP_K) -> list[list[list[float]]]:
    """Per row: [[class index, confidence], …], the k most likely classes, most likely first."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    k = min(k, probabilities.shape[1])
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    return [
        [[int(c), round(float(row[c]), _DIGITS)] for c in classes]
        for row, classes in zip(probabilities, order, strict=True)
    ]


def preview_entries(items: Sequence[int], labels: np.ndarray, probabilities: np.ndarray) -> list[dict[str, Any]]:
    """Preview entries of rows already ordered like `items`."""
    tops = top_k(probabilities)
    return [
        {
            "item": int(item),
            "label": int(label),
            "top": top,
            "predicted": top[0][0],
            "confidence": top[0][1],
            "correct": top[0][0] == int(label),
        }
        for item, label, top in zip(items, labels, tops, strict=True)
    ]


def losses(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Cross-entropy of each row's true class: -ln p(label)."""
    labels = np.asarray(labels, dtype=np.int64)
    true = np.asarray(probabilities, dtype=np.float64)[np.arange(len(labels)), labels]
    return -np.log(np.clip(true, _EPS, 1.0))


def rank_by_loss(labels: np.ndarray, probabilities: np.ndarray) -> list[int]:
    """Row positions, highest loss first; equal losses: the more confident (wrong) prediction first, then by row."""
    loss = losses(labels, probabilities)
    confidence = np.asarray(probabilities, dtype=np.float64).max(axis=1)
    return [int(i) for i in np.lexsort((np.arange(len(loss)), -confidence, -loss))]


def likely_mislabelled(labels: np.ndarray, probabilities: np.ndarray) -> tuple[list[int], str]:
    """Row positions whose label the model disputes, most suspicious first, and the method that found them.

    cleanlab's `find_label_issues` (confident learning, ranked by self-confidence) on these out-of-sample
    validation probabilities. Where cleanlab is not installed or refuses the input (it needs two classes and
    a probability row per label), the same idea by hand: a row is suspect when another class j gets at least
    t_j, the mean probability of j over the rows labelled j (its confident-learning threshold); suspects are
    ranked by the probability of their given label, lowest first.
    """
    labels = np.asarray(labels, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if len(labels) == 0:
        return [], "none"
    try:
        from cleanlab.filter import find_label_issues

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "too few examples in class k" on small validation splits
            found = find_label_issues(labels, probabilities, return_indices_ranked_by="self_confidence", n_jobs=1)
        return [int(i) for i in found], "cleanlab.find_label_issues(return_indices_ranked_by='self_confidence')"
    except (ImportError, ValueError, AssertionError, IndexError):
        return self_confidence_issues(labels, probabilities), "self_confidence"


def self_confidence_issues(labels: np.ndarray, probabilities: np.ndarray) -> list[int]:
    """The fallback rule of `likely_mislabelled`."""
    labels = np.asarray(labels, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    nc = probabilities.shape[1]
    thresholds = np.array([probabilities[labels == j, j].mean() if (labels == j).any() else np.inf for j in range(nc)])
    above = probabilities >= thresholds[None, :]
    above[np.arange(len(labels)), labels] = False
    suspects = np.flatnonzero(above.any(axis=1))
    self_confidence = probabilities[suspects, labels[suspects]]
    return [int(i) for i in suspects[np.lexsort((suspects, self_confidence))]]


def predictions_report(
    items: Sequence[int],
    labels: np.ndarray,
    probabilities: np.ndarray,
    class_names: list[str],
    epoch: int,
    untrusted_reason: str = "",
) -> dict[str, Any]:
    """The content of predictions.json: every row ranked by loss, and the likely mislabelled items.

    `untrusted_reason` (worker/quality.py) says why a degenerate model's suggestions must not be offered as one-key
    accepts; then `suggestions_trusted` is false. The suggestions are still listed, for whoever wants to look."""
    labels = np.asarray(labels, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    loss = losses(labels, probabilities)
    tops = top_k(probabilities)
    rows = [
        {
            "item": int(items[i]),
            "label": int(labels[i]),
            "predicted": tops[i][0][0],
            "confidence": tops[i][0][1],
            "true_confidence": round(float(probabilities[i, labels[i]]), _DIGITS),
            "loss": round(float(loss[i]), _DIGITS),
            "top": tops[i],
        }
        for i in rank_by_loss(labels, probabilities)
    ]
    suspects, method = likely_mislabelled(labels, probabilities)
    return {
        "class_names": list(class_names),
        "epoch": epoch,
        "items": rows,
        "likely_mislabelled": [int(items[i]) for i in suspects],
        "mislabelled_method": method,
        "suggestions_trusted": not untrusted_reason,
        "untrusted_reason": untrusted_reason,
    }
