"""Run names (backend/runs/naming.py): the workflow and what the run trains, short and readable, never over 200
characters; a run made from another keeps its parent's name and says how it differs. Also the name migration 0005
gives runs stored before names (its own copy of the wording)."""

import importlib

from backend.graph.spec import DatasetSpec, EvaluationSpec, ModelSpec, TrainingJobSpec
from backend.runs.naming import (
    MAX_RUN_NAME,
    extended_name,
    label_check_name,
    model_label,
    new_run_name,
    resumed_name,
)

migration = importlib.import_module("backend.db.migrations.versions.0005_run_names")


def spec(architecture: str = "yolo11n-cls.yaml", imgsz: int = 224, **overrides: object) -> TrainingJobSpec:
    return TrainingJobSpec(
        workflow_name="ignored",
        dataset=DatasetSpec(class_names=[], items=[], snapshot_hash=""),
        pipeline=[],
        model=ModelSpec(architecture=architecture, imgsz=imgsz),
        overrides={"epochs": 30, **overrides},
        evaluation=EvaluationSpec(every=1, checkpoint="latest"),
        run_id="r1",
    )


def test_a_new_run_is_named_by_its_workflow_model_size_and_epochs():
    assert new_run_name("Birds", spec()) == "Birds · YOLO11n · 224 px · 30 ep"
    assert (
        new_run_name("  Birds,\n small ", spec("yolov8s-cls.yaml", 32, epochs=3))
        == "Birds, small · YOLOv8s · 32 px · 3 ep"
    )
    assert new_run_name("Birds", spec(time=2)) == "Birds · YOLO11n · 224 px · 30 ep · 2 h max"
    assert new_run_name("Birds", spec(time=0.5)) == "Birds · YOLO11n · 224 px · 30 ep · 30 min max"
    assert new_run_name("", spec()) == "Run · YOLO11n · 224 px · 30 ep"
    assert [model_label(a) for a in ("yolo26m-cls.yaml", "custom.yml", "net")] == ["YOLO26m", "custom", "net"]


def test_a_long_workflow_name_is_shortened_and_the_settings_kept():
    name = new_run_name("x" * 500, spec())
    assert len(name) == MAX_RUN_NAME and name.endswith("x… · YOLO11n · 224 px · 30 ep")


def test_runs_made_from_another_keep_its_name_and_say_how():
    parent = "Birds · YOLO11n · 224 px · 30 ep"
    assert extended_name(parent, 10) == "Birds · YOLO11n · 224 px · 30 ep · +10 ep"
    assert resumed_name(parent) == "Birds · YOLO11n · 224 px · 30 ep (resumed)"
    assert resumed_name(resumed_name(parent)) == resumed_name(parent)  # said once
    assert label_check_name(resumed_name(parent), 5) == "Birds · YOLO11n · 224 px · 30 ep · label check, 5 folds"
    assert len(extended_name("y" * MAX_RUN_NAME, 3)) == MAX_RUN_NAME


def test_the_migration_names_stored_runs_as_new_runs_are_named():
    name_of = migration.name_of
    assert name_of("Birds", "yolo11n-cls.yaml", "224", 30, False, False, None) == new_run_name("Birds", spec())
    # a resumed run has a parent too, and is not an extension (was "· +30 ep (resumed)")
    assert (
        name_of("Birds", "yolo11n-cls.yaml", 224, "30", True, True, None)
        == "Birds · YOLO11n · 224 px · 30 ep (resumed)"
    )
    assert name_of("Birds", "yolo11n-cls.yaml", 224, 4, False, True, None).endswith("224 px · +4 ep")
    assert name_of("Birds", "yolo11n-cls.yaml", 224, 60, False, True, "5").endswith("60 ep · label check, 5 folds")
    assert name_of("Birds", None, None, None, False, False, None) == "Birds"  # a spec that says nothing
    assert name_of("Birds", "yolo11n-cls.yaml", "big", 3, False, False, None) == "Birds"
    assert len(name_of("z" * 300, "yolo11n-cls.yaml", 224, 30, False, False, None)) == MAX_RUN_NAME
