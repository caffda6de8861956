"""Specs made from a run's spec (backend/graph/derive.py): resume, extend and the label check's k-fold
cross-validation, each a new run's spec that names weights by key, refused with reasons where it cannot be made."""

import hashlib

import pytest

from backend.graph.derive import LabelCheckRefused, extend_spec, label_check_spec, resume_spec
from backend.graph.spec import DatasetItem, DatasetSpec, EvaluationSpec, ModelSpec, TrainingJobSpec


def _spec(run_id: str, pretrained: str | None, epochs: int, per_class=(6, 6)) -> TrainingJobSpec:
    items = [
        DatasetItem(
            content_hash=hashlib.sha256(f"{label}-{n}".encode()).hexdigest(),
            suffix=".png",
            label=label,
            split="val" if n == 0 else "train",
        )
        for label, count in enumerate(per_class)
        for n in range(count)
    ]
    return TrainingJobSpec(
        workflow_name="w",
        dataset=DatasetSpec(class_names=["cat", "dog"], items=items, snapshot_hash="h"),
        pipeline=[],
        model=ModelSpec(architecture="yolov8n-cls.yaml", imgsz=32, pretrained=pretrained),
        overrides={"epochs": epochs, "seed": 0},
        evaluation=EvaluationSpec(every=1, checkpoint="highest_accuracy"),
        run_id=run_id,
    )


def test_resume_continues_the_parents_last_checkpoint_into_a_new_run():
    parent = _spec("a", "models/imagenet.pt", 10)
    child = resume_spec(parent, "a", "b")
    assert (child.run_id, child.parent_run_id, child.resume_from) == ("b", "a", "runs/a/weights/last.pt")
    assert child.model_copy(update={"run_id": "a", "parent_run_id": None, "resume_from": None}) == parent
    again = resume_spec(child, "b", "c")  # a resumed run stopped again: continue its own checkpoint
    assert again.resume_from == "runs/b/weights/last.pt"


def test_extend_starts_from_the_parents_best_weights_for_more_epochs():
    parent = resume_spec(_spec("a", None, 10), "a", "b")
    child = extend_spec(parent, "b", "c", 5)
    assert (child.run_id, child.parent_run_id, child.resume_from) == ("c", "b", None)
    assert (child.model.pretrained, child.overrides["epochs"]) == ("runs/b/weights/best.pt", 5)
    assert child.dataset == parent.dataset


def test_an_extended_run_is_checked_from_the_chain_start_for_the_chain_epochs():
    first = _spec("a", "models/imagenet.pt", 10)
    second = extend_spec(first, "a", "b", 5)
    third = extend_spec(second, "b", "c", 3)
    spec = label_check_spec(third, "c", "succeeded", {"b": second, "a": first}, 3, "d")
    assert spec.cross_validation.folds == 3 and spec.overrides["epochs"] == 18
    assert spec.model.pretrained == "models/imagenet.pt" and spec.resume_from is None
    assert (spec.run_id, spec.parent_run_id) == ("d", "c")
    assert spec.dataset == third.dataset


def test_a_resumed_run_is_checked_for_its_own_epochs_and_a_lost_chain_trains_from_scratch():
    resumed = resume_spec(_spec("a", "models/imagenet.pt", 10), "a", "b")
    spec = label_check_spec(resumed, "b", "succeeded", {"a": _spec("a", "models/imagenet.pt", 10)}, 2, "c")
    assert (spec.model.pretrained, spec.overrides["epochs"], spec.resume_from) == ("models/imagenet.pt", 10, None)
    orphan = extend_spec(_spec("a", None, 10), "a", "b", 4)
    spec = label_check_spec(orphan, "b", "succeeded", {}, 2, "c")  # run a is gone from the records
    assert (spec.model.pretrained, spec.overrides["epochs"]) == (None, 4)


def test_label_check_refusals_say_why():
    with pytest.raises(LabelCheckRefused, match="is running") as running:
        label_check_spec(_spec("r", None, 1), "r", "running", {}, 2, "c")
    assert running.value.conflict
    with pytest.raises(LabelCheckRefused, match="between 2 and 10") as out_of_range:
        label_check_spec(_spec("r", None, 1), "r", "succeeded", {}, 11, "c")
    assert out_of_range.value.field == "folds" and not out_of_range.value.conflict
    with pytest.raises(LabelCheckRefused, match="'dog' has 3"):
        label_check_spec(_spec("r", None, 1, per_class=(6, 3)), "r", "succeeded", {}, 4, "c")
    checked = label_check_spec(_spec("r", None, 1), "r", "succeeded", {}, 2, "c")
    with pytest.raises(LabelCheckRefused, match="itself a label check"):
        label_check_spec(checked, "c", "succeeded", {}, 2, "d")
