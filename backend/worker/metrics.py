"""Classification metrics of one evaluation, from the softmax outputs and the true labels."""

from typing import Any

import numpy as np

from backend.events.models import ClassMetrics


def evaluation_fields(targets: np.ndarray, probabilities: np.ndarray, class_names: list[str]) -> dict[str, Any]:
    """The metric fields of an `Evaluation` event.

    `targets`: (n,) true class indices; `probabilities`: (n, nc) softmax outputs. Precision, recall and F1 are
    macro averages over all nc classes (a class with no samples and no predictions scores 0).
    """
    # scikit-learn costs ~2 CPU-s to import: paid at the first evaluation, not before the first batch
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    nc = len(class_names)
    targets = np.asarray(targets, dtype=np.int64).reshape(-1)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape != (len(targets), nc):
        raise ValueError(f"probabilities have shape {probabilities.shape}, expected ({len(targets)}, {nc})")
    if len(targets) == 0:
        raise ValueError("no validation samples to evaluate")

    labels = list(range(nc))
    predictions = probabilities.argmax(axis=1)
    k = min(5, nc)
    top_k = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    precision, recall, f1, support = precision_recall_fscore_support(
        targets, predictions, labels=labels, zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(targets, predictions)),
        "top5": float((top_k == targets[:, None]).any(axis=1).mean()),
        "precision": float(np.mean(precision)),
        "recall": float(np.mean(recall)),
        "f1": float(np.mean(f1)),
        "avg_confidence": float(probabilities.max(axis=1).mean()),
        "per_class": [
            ClassMetrics(name=name, precision=float(p), recall=float(r), f1=float(f), support=int(s))
            for name, p, r, f, s in zip(class_names, precision, recall, f1, support, strict=True)
        ],
        "confusion_matrix": confusion_matrix(targets, predictions, labels=labels).tolist(),
        "class_names": list(class_names),
    }
