"""A label check: k-fold cross-validation that gives every labelled item out-of-sample probabilities, then
cleanlab's confident learning over all of them, so the review queue covers every image and not only the
validation split.

The folds are stratified by class and seeded, over ALL items whatever their train/val split. Fold f trains the
run's own model, pipeline and overrides (the normal training path, `job.train_model`) on the other folds and
evaluates its best weights on fold f, the only images it never saw. The k held-out predictions make one
out-of-sample matrix; `review.likely_mislabelled` (cleanlab.filter.find_label_issues) ranks it into a queue.

The run reports like any run, on one timeline: one `started`, `batch` and `log` events with epochs counted
across folds (fold f's epoch e is f·E + e of k·E), one `evaluation` per fold (its held-out fold), then a final
`evaluation` of the whole out-of-sample matrix, the `label_errors.json` artifact and `finished`.
Run folder (storage.run_folder(spec.run_id)): label_errors.json, and folds/fold<n>/ holding each fold's own
training output.
"""

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from backend.events.models import (
    Artifact,
    Batch,
    Evaluation,
    FinalStatus,
    Finished,
    Log,
    QualityWarning,
    Started,
    WorkerEvent,
)
from backend.graph.spec import LABEL_ERRORS_FILE, DatasetSpec, TrainingJobSpec
from backend.storage import Storage
from backend.worker.materialise import item_index
from backend.worker.quality import Finding, assess, untrusted_reason
from backend.worker.reporter import Reporter, write_atomically
from backend.worker.review import likely_mislabelled, losses, preview_entries, preview_sample, top_k

REPORT_VERSION = 1
_DIGITS = 6


def fold_assignment(labels: Sequence[int], folds: int, seed: int) -> list[int]:
    """The fold (0..folds-1) of every item: each class shuffled with the seed, then dealt round-robin, the deal
    going on from class to class, so each fold holds every class in proportion and fold sizes differ by ≤ 1."""
    rng = np.random.default_rng(seed)
    labels = [int(label) for label in labels]
    assignment = [0] * len(labels)
    dealt = 0
    for label in sorted(set(labels)):
        members = [i for i, given in enumerate(labels) if given == label]
        for i in rng.permutation(members):
            assignment[int(i)] = dealt % folds
            dealt += 1
    return assignment


def fold_spec(spec: TrainingJobSpec, assignment: Sequence[int], fold: int) -> TrainingJobSpec:
    """The spec of one fold: the same items (same indices), fold `fold` as validation, the rest as training.

    The held-out fold must not choose anything: its weights are the last epoch's (no best-of-N picked on the fold it
    then predicts) and training never stops early on its losses, or its probabilities would be optimistic."""
    items = [
        item.model_copy(update={"split": "val" if assignment[i] == fold else "train"})
        for i, item in enumerate(spec.dataset.items)
    ]
    return spec.model_copy(
        update={
            "dataset": spec.dataset.model_copy(update={"items": items}),
            "evaluation": spec.evaluation.model_copy(update={"checkpoint": "latest"}),
            "overrides": {**spec.overrides, "patience": max(int(spec.overrides.get("epochs", 1)), 1) + 1},
            "cross_validation": None,
            "resume_from": None,
        }
    )


def fold_folder(run_folder: Path, fold: int) -> Path:
    """Where fold `fold` (0-based) trains: folds/fold<n> inside the label check's run folder."""
    return run_folder / "folds" / f"fold{fold + 1}"


def run_cross_validation(
    spec: TrainingJobSpec, storage: Storage, emit: Callable[[WorkerEvent], None], should_stop: Callable[[], bool]
) -> FinalStatus:
    """Run the label check `spec` in this process, emitting events; returns the final status (also `finished`)."""
    from backend.worker.job import guarded

    def send(payload: Any) -> None:
        emit(WorkerEvent.of(payload, time.time()))

    check = _LabelCheck(spec, storage, send, should_stop)
    status, reason = guarded(check.run, send, should_stop)
    send(Finished(status=status, reason=reason, metrics=check.summary()))
    return status


class _LabelCheck:
    def __init__(
        self, spec: TrainingJobSpec, storage: Storage, send: Callable[[Any], None], should_stop: Callable[[], bool]
    ):
        assert spec.cross_validation is not None
        self.spec, self.storage, self.send, self.should_stop = spec, storage, send, should_stop
        self.folds = spec.cross_validation.folds
        self.seed = int(spec.overrides.get("seed", 0))
        self.epochs_per_fold = int(spec.overrides.get("epochs", 1))
        self.output_dir: Path | None = None  # the run folder, once run() asked the storage for it
        self.assignment = fold_assignment([item.label for item in spec.dataset.items], self.folds, self.seed)
        self.started = False
        self.steps = 0  # optimiser steps of the folds already trained
        self.fold_summaries: list[dict[str, float]] = []
        self.outcome: dict[str, float] = {}

    def run(self) -> None:
        from backend.worker.job import train_model

        self.output_dir = self.storage.run_folder(self.spec.run_id).resolve()
        (self.output_dir / "spec.json").write_text(self.spec.model_dump_json())
        n = len(self.spec.dataset.items)
        probabilities = np.full((n, len(self.spec.dataset.class_names)), np.nan)
        for fold in range(self.folds):
            self.send(Log(message=f"fold {fold + 1}/{self.folds}: training on the other folds"))
            reporter = Reporter(
                fold_spec(self.spec, self.assignment, fold),
                self.storage,
                fold_folder(self.output_dir, fold),
                self._fold_send(fold),
                self.should_stop,
            )
            try:
                train_model(reporter.spec, reporter)
                held_out, rows = _held_out_probabilities(reporter)
            finally:
                reporter.close_loaders()
            if any(self.assignment[i] != fold for i in held_out):
                raise RuntimeError(f"fold {fold + 1} evaluated an image it trained on")
            probabilities[held_out] = rows
            self.steps += int(getattr(reporter.trainer, "optimizer_steps", 0))
            self.fold_summaries.append(reporter.summary())
        self._report(probabilities)

    def _fold_send(self, fold: int) -> Callable[[Any], None]:
        """What a fold's Reporter sends, put on the run's timeline (see the module docstring)."""
        offset = fold * self.epochs_per_fold
        total = self.folds * self.epochs_per_fold
        prefix = f"fold {fold + 1}/{self.folds}: "

        def send(payload: Any) -> None:
            if isinstance(payload, Started):
                if not self.started:
                    self.started = True
                    n = len(self.spec.dataset.items)
                    # every item is predicted once (val_images); each fold trains on about (k-1)/k of them
                    update = {"epochs": total, "train_images": n - n // self.folds, "val_images": n}
                    self.send(payload.model_copy(update=update))
                    self.send(Log(message=self._plan_message()))
            elif isinstance(payload, Batch):
                self.send(payload.model_copy(update={"epoch": offset + payload.epoch, "epochs": total}))
            elif isinstance(payload, Log):
                self.send(payload.model_copy(update={"message": prefix + payload.message}))
            elif isinstance(payload, Evaluation):
                if payload.final:  # the fold's best weights on its held-out fold
                    preview = [entry.model_copy(update={"cam": None}) for entry in payload.preview]
                    self.send(
                        payload.model_copy(
                            update={
                                "epoch": offset + payload.epoch,
                                "step": self.steps + payload.step,
                                "final": False,
                                "preview": preview,
                            }
                        )
                    )
            elif isinstance(payload, QualityWarning):  # about this fold's model, on its held-out fold
                # final=False: only the out-of-sample verdict speaks for the whole check
                update = {"message": prefix + payload.message, "epoch": offset + payload.epoch, "final": False}
                self.send(payload.model_copy(update=update))
            # checkpoints and artifacts name files of the fold's folder: the run announces only its own

        return send

    def _plan_message(self) -> str:
        sizes = np.bincount(self.assignment, minlength=self.folds)
        return (
            f"label check: {self.folds} folds of {', '.join(str(s) for s in sizes)} images "
            f"(stratified by class, seed {self.seed}); each fold trains {self.epochs_per_fold} epochs on the others"
        )

    def _report(self, probabilities: np.ndarray) -> None:
        from backend.worker.metrics import evaluation_fields

        names = list(self.spec.dataset.class_names)
        covered = [i for i in range(len(probabilities)) if not np.isnan(probabilities[i]).any()]
        if not covered:
            raise ValueError("no image could be predicted: the trainer reads none of these file types")
        labels = np.array([self.spec.dataset.items[i].label for i in covered], dtype=np.int64)
        rows = probabilities[covered]
        report = label_errors_report(covered, labels, rows, names, self.assignment, self.folds, self.seed)
        report["skipped"] = sorted(set(range(len(probabilities))) - set(covered))
        report["total_labelled"] = len(self.spec.dataset.items)
        assert self.output_dir is not None
        path = self.output_dir / LABEL_ERRORS_FILE
        write_atomically(path, json.dumps(report, separators=(",", ":")).encode())

        fields = evaluation_fields(labels, rows, names)
        everything = self.spec.dataset.model_copy(
            update={"items": [item.model_copy(update={"split": "val"}) for item in self.spec.dataset.items]}
        )
        sample = _sample_rows(everything, covered, self.spec.evaluation.preview_size, self.seed)
        preview = preview_entries([covered[r] for r in sample], labels[sample], rows[sample])
        val_loss = float(losses(labels, rows).mean())
        epochs = self.folds * self.epochs_per_fold
        self.send(Evaluation(epoch=epochs, step=self.steps, final=True, val_loss=val_loss, preview=preview, **fields))
        self.outcome = {key: float(fields[key]) for key in ("accuracy", "top5", "precision", "recall", "f1")}
        self.outcome |= {"avg_confidence": float(fields["avg_confidence"]), "val_loss": val_loss}
        self.outcome["label_issues"] = float(len(report["likely_mislabelled"]))
        queue = len(report["likely_mislabelled"])
        self.send(
            Log(
                message=f"label check: out-of-sample accuracy {fields['accuracy']:.1%} over {len(covered)} images; "
                f"{queue} likely mislabelled ({report['mislabelled_method']})"
            )
        )
        for finding in out_of_sample_findings(labels, rows, names):
            self.send(QualityWarning(code=finding.code, message=finding.message, epoch=epochs, final=True))
        self.send(Artifact(name=path.name, path=path.name, kind="other", bytes=path.stat().st_size))

    def summary(self) -> dict[str, float]:
        folds = self.fold_summaries
        seconds = sum(s.get("train_seconds", 0.0) for s in folds)
        images = sum(s.get("train_images", 0.0) for s in folds)
        return {
            **self.outcome,
            "folds": float(self.folds),
            "epochs": float(sum(s.get("epochs", 0.0) for s in folds)),
            "train_images": images,
            "train_seconds": seconds,
            "train_images_per_s": images / seconds if seconds else 0.0,
        }


def _held_out_probabilities(reporter: Reporter) -> tuple[list[int], np.ndarray]:
    """Item indices and softmax rows of the fold's final evaluation: its best weights on its held-out fold."""
    trainer = reporter.trainer
    if not reporter.final or trainer is None:
        raise RuntimeError("a fold finished without evaluating its best weights on the held-out fold")
    _, rows = trainer.validator.outputs()
    items = [item_index(sample[0]) for sample in trainer.test_loader.dataset.samples]
    if len(items) != len(rows):
        raise RuntimeError(f"the held-out evaluation gave {len(rows)} rows for {len(items)} images")
    return items, np.asarray(rows, dtype=np.float64)


def _sample_rows(everything: DatasetSpec, covered: list[int], size: int, seed: int) -> list[int]:
    position = {item: row for row, item in enumerate(covered)}
    excluded = set(range(len(everything.items))) - set(covered)
    return [position[item] for item in preview_sample(everything, size, seed, exclude=excluded)]


def out_of_sample_findings(labels: np.ndarray, probabilities: np.ndarray, class_names: list[str]) -> list[Finding]:
    """The quality checks a run's final model gets (worker/quality.py), on the out-of-sample matrix."""
    found = assess(labels, probabilities, class_names)
    return [
        Finding(f.code, "out of sample, " + f.message.replace("validation images", "labelled images")) for f in found
    ]


def label_errors_report(
    items: Sequence[int],
    labels: np.ndarray,
    probabilities: np.ndarray,
    class_names: list[str],
    assignment: Sequence[int],
    folds: int,
    seed: int,
) -> dict[str, Any]:
    """The content of label_errors.json: every covered item in index order, with its out-of-sample prediction, and
    the ranked queue of likely mislabelled items. Queue entries have the fields of a predictions.json row."""
    labels = np.asarray(labels, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    suspects, method = likely_mislabelled(labels, probabilities)
    flagged = {int(items[row]) for row in suspects}
    loss = losses(labels, probabilities)
    tops = top_k(probabilities)
    rows = []
    for row, item in enumerate(items):
        self_confidence = round(float(probabilities[row, labels[row]]), _DIGITS)
        rows.append(
            {
                "item": int(item),
                "fold": int(assignment[item]),
                "label": int(labels[row]),
                "predicted": tops[row][0][0],
                "confidence": tops[row][0][1],
                "self_confidence": self_confidence,
                "true_confidence": self_confidence,
                "loss": round(float(loss[row]), _DIGITS),
                "top": tops[row],
                "flagged": int(item) in flagged,
            }
        )
    accuracy = float((probabilities.argmax(axis=1) == labels).mean()) if len(labels) else 0.0
    majority = float(np.bincount(labels).max() / len(labels)) if len(labels) else 0.0
    findings = out_of_sample_findings(labels, probabilities, class_names)
    reason = untrusted_reason(findings)
    return {
        "version": REPORT_VERSION,
        "class_names": list(class_names),
        "folds": folds,
        "seed": seed,
        "images": len(rows),
        "accuracy": round(accuracy, _DIGITS),
        "majority_rate": round(majority, _DIGITS),
        "suggestions_trusted": not reason,
        "untrusted_reason": reason,
        "items": rows,
        "likely_mislabelled": [int(items[row]) for row in suspects],
        "mislabelled_method": method,
    }
