"""The spec of a label check: a finished run's own job (snapshot, pipeline, model, overrides) turned into k-fold
cross-validation over every labelled item, so each image gets a prediction from a model that never saw it.

Pure: the run service hands in the run and its ancestors and stores what comes back. Weights that came from an
earlier run of the same snapshot (an extended run starts from its parent's best.pt) have seen the held-out
images, so the check starts from what the first run of the chain started from, trained for the chain's epochs.
"""

from collections import Counter
from pathlib import Path
from typing import Any

from backend.graph.spec import CrossValidationSpec, TrainingJobSpec

MIN_FOLDS, MAX_FOLDS, DEFAULT_FOLDS = 2, 10, 5


class LabelCheckRefused(Exception):
    """Why a run cannot be label-checked. `conflict`: the run's state is the reason (HTTP 409), else the input."""

    def __init__(self, message: str, field: str | None = None, conflict: bool = False) -> None:
        super().__init__(message)
        self.field, self.conflict = field, conflict


def label_check_spec(
    run_id: str, status: str, spec_json: dict[str, Any], ancestors: list[dict[str, Any]], folds: int, runs_dir: Path
) -> TrainingJobSpec:
    """The label check's spec, with `output_dir` left for the caller; raises LabelCheckRefused.

    `ancestors`: the specs of the runs this one was extended from, nearest first.
    """
    if status != "succeeded":
        raise LabelCheckRefused(
            f"Only a run that finished training can be checked for label errors; run {run_id} is {status}.",
            conflict=True,
        )
    spec = TrainingJobSpec.model_validate(spec_json)
    if spec.cross_validation is not None:
        raise LabelCheckRefused(
            f"Run {run_id} is itself a label check: check the run it checked instead.", conflict=True
        )
    if not MIN_FOLDS <= folds <= MAX_FOLDS:
        raise LabelCheckRefused(f"folds must be between {MIN_FOLDS} and {MAX_FOLDS}, not {folds}.", field="folds")
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
    pretrained, epochs = spec.model.pretrained, int(spec.overrides.get("epochs", 1))
    runs = runs_dir.resolve()
    for ancestor in ancestors:
        if pretrained is None or not Path(pretrained).resolve().is_relative_to(runs):
            break
        earlier = TrainingJobSpec.model_validate(ancestor)
        pretrained, epochs = earlier.model.pretrained, epochs + int(earlier.overrides.get("epochs", 1))
    if pretrained is not None and Path(pretrained).resolve().is_relative_to(runs):
        pretrained = None  # the chain's first weights are gone from the records: train from scratch
    return spec.model_copy(
        update={
            "model": spec.model.model_copy(update={"pretrained": pretrained}),
            "overrides": {**spec.overrides, "epochs": epochs},
            "resume_from": None,
            "cross_validation": CrossValidationSpec(folds=folds),
        }
    )
