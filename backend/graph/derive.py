"""Specs made from a run's spec: resume it, extend it, check its labels. With `compile_job`, the only places a
TrainingJobSpec is made, so every spec a worker gets names weights by key and its output by run id.

Pure: the run service reads the parent run (and, for a label check, its ancestors) and stores what comes back.
"""

from collections import Counter
from collections.abc import Mapping

from backend.graph.spec import CrossValidationSpec, TrainingJobSpec, run_of_weights_key, run_weights_key

MIN_FOLDS, MAX_FOLDS, DEFAULT_FOLDS = 2, 10, 5


class LabelCheckRefused(Exception):
    """Why a run cannot be label-checked. `conflict`: the run's state is the reason (HTTP 409), else the input."""

    def __init__(self, message: str, field: str | None = None, conflict: bool = False) -> None:
        super().__init__(message)
        self.field, self.conflict = field, conflict


def resume_spec(parent_spec: TrainingJobSpec, parent_run_id: str, run_id: str) -> TrainingJobSpec:
    """A new run that continues the stopped parent from its last checkpoint (optimiser state and epoch count
    included) into its own folder; everything else is the parent's job."""
    return parent_spec.model_copy(
        update={
            "run_id": run_id,
            "parent_run_id": parent_run_id,
            "resume_from": run_weights_key(parent_run_id, "last"),
        }
    )


def extend_spec(parent_spec: TrainingJobSpec, parent_run_id: str, run_id: str, epochs: int) -> TrainingJobSpec:
    """A new run that trains `epochs` more epochs starting from the finished parent's best weights."""
    return parent_spec.model_copy(
        update={
            "run_id": run_id,
            "parent_run_id": parent_run_id,
            "model": parent_spec.model.model_copy(update={"pretrained": run_weights_key(parent_run_id, "best")}),
            "overrides": {**parent_spec.overrides, "epochs": epochs},
            "resume_from": None,
        }
    )


def label_check_spec(
    parent_spec: TrainingJobSpec,
    parent_run_id: str,
    parent_status: str,
    ancestors: Mapping[str, TrainingJobSpec],
    folds: int,
    run_id: str,
) -> TrainingJobSpec:
    """A finished run's own job (snapshot, pipeline, model, overrides) turned into k-fold cross-validation over
    every labelled item, so each image gets a prediction from a model that never saw it; raises LabelCheckRefused.

    `ancestors`: run id → spec of the runs this one descends from. Weights that came from an earlier run of the
    same snapshot (an extended run starts from its parent's best.pt) have seen the held-out images, so the check
    starts from what the first run of that chain started from, trained for the chain's epochs.
    """
    if parent_status != "succeeded":
        raise LabelCheckRefused(
            f"Only a run that finished training can be checked for label errors; run {parent_run_id} is "
            f"{parent_status}.",
            conflict=True,
        )
    if parent_spec.cross_validation is not None:
        raise LabelCheckRefused(
            f"Run {parent_run_id} is itself a label check: check the run it checked instead.", conflict=True
        )
    if not MIN_FOLDS <= folds <= MAX_FOLDS:
        raise LabelCheckRefused(f"folds must be between {MIN_FOLDS} and {MAX_FOLDS}, not {folds}.", field="folds")
    _check_fold_sizes(parent_spec, folds)
    pretrained, epochs = parent_spec.model.pretrained, int(parent_spec.overrides.get("epochs", 1))
    for _ in range(len(ancestors) + 1):
        earlier_run = run_of_weights_key(pretrained)
        if earlier_run is None:
            break
        earlier = ancestors.get(earlier_run)
        if earlier is None:
            break
        pretrained, epochs = earlier.model.pretrained, epochs + int(earlier.overrides.get("epochs", 1))
    if run_of_weights_key(pretrained) is not None:
        pretrained = None  # the chain's first weights are gone from the records: train from scratch
    return parent_spec.model_copy(
        update={
            "run_id": run_id,
            "parent_run_id": parent_run_id,
            "model": parent_spec.model.model_copy(update={"pretrained": pretrained}),
            "overrides": {**parent_spec.overrides, "epochs": epochs},
            "resume_from": None,
            "cross_validation": CrossValidationSpec(folds=folds),
        }
    )


def _check_fold_sizes(spec: TrainingJobSpec, folds: int) -> None:
    names = spec.dataset.class_names
    counts = Counter(item.label for item in spec.dataset.items)
    if len(counts) < 2:
        raise LabelCheckRefused("A label check needs labelled images of at least two classes.", field="folds")
    small = sorted((count, names[label]) for label, count in counts.items() if count < folds)
    if small:
        listed = ", ".join(f"{name!r} has {count}" for count, name in small)
        raise LabelCheckRefused(
            f"Every class needs at least as many images as folds ({folds}) so each fold holds one: {listed}. "
            "Use fewer folds or label more images.",
            field="folds",
        )
