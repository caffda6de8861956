"""The label check's spec: the checked run's job as k-fold cross-validation, refused with reasons."""

from pathlib import Path

import pytest

from backend.graph.spec import DatasetItem, DatasetSpec, EvaluationSpec, ModelSpec, TrainingJobSpec
from backend.runs.label_check import LabelCheckRefused, label_check_spec


def _spec(tmp_path: Path, pretrained: str | None, epochs: int, per_class=(6, 6)) -> dict:
    items = [
        DatasetItem(path=f"/img/{label}-{n}.png", label=label, split="val" if n == 0 else "train")
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
        output_dir=str(tmp_path / "runs" / "r"),
    ).model_dump(mode="json")


def test_an_extended_run_is_checked_from_the_chain_start_for_the_chain_epochs(tmp_path):
    runs = tmp_path / "runs"
    store = str(tmp_path / "store" / "imagenet.pt")
    first = _spec(tmp_path, store, 10)
    second = _spec(tmp_path, str(runs / "a" / "weights" / "best.pt"), 5)
    third = _spec(tmp_path, str(runs / "b" / "weights" / "best.pt"), 3)
    spec = label_check_spec("c", "succeeded", third, [second, first], 3, runs)
    assert spec.cross_validation.folds == 3 and spec.overrides["epochs"] == 18
    assert spec.model.pretrained == store and spec.resume_from is None
    assert spec.dataset == TrainingJobSpec.model_validate(third).dataset


def test_refusals_say_why(tmp_path):
    runs = tmp_path / "runs"
    with pytest.raises(LabelCheckRefused, match="is running") as running:
        label_check_spec("r", "running", _spec(tmp_path, None, 1), [], 2, runs)
    assert running.value.conflict
    with pytest.raises(LabelCheckRefused, match="between 2 and 10") as out_of_range:
        label_check_spec("r", "succeeded", _spec(tmp_path, None, 1), [], 11, runs)
    assert out_of_range.value.field == "folds" and not out_of_range.value.conflict
    with pytest.raises(LabelCheckRefused, match="'dog' has 3"):
        label_check_spec("r", "succeeded", _spec(tmp_path, None, 1, per_class=(6, 3)), [], 4, runs)
    checked = label_check_spec("r", "succeeded", _spec(tmp_path, None, 1), [], 2, runs).model_dump(mode="json")
    with pytest.raises(LabelCheckRefused, match="itself a label check"):
        label_check_spec("r", "succeeded", checked, [], 2, runs)
