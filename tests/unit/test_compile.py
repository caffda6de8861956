import hashlib
import json

import pytest

from backend.catalogue import build_catalogue
from backend.datasets.labelled import LabelledImage, LabelledImages
from backend.graph.compile import CompileError, compile_job, ultralytics_overrides
from backend.graph.schema import Graph
from backend.graph.spec import RunSettings, TrainingJobSpec
from backend.graph.validate import validate
from backend.templates import load_templates
from tests.conftest import MODEL, chain
from tests.unit.fixed_weights import FixedWeights

CATALOGUE = build_catalogue()


def content_hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def images(n_per_class=10, classes=("cat", "dog", "owl")):
    items = [
        LabelledImage(content_hash=content_hash(f"{c}{i}"), suffix=".png", label=c)
        for c in classes
        for i in range(n_per_class)
    ]
    return LabelledImages(class_names=list(classes), items=items)


GRAPH = Graph.model_validate(
    chain(
        ("data", "dataset.project", {"val_fraction": 0.2, "seed": 7}),
        ("resize", "preprocess.resize", {"mode": "letterbox"}),
        ("crop", "augment.random_resized_crop", {"scale": [0.5, 1.0]}),
        ("flip", "augment.horizontal_flip", {"p": 0.5}),
        ("model", "model.yolov8_cls", {"size": "s", "imgsz": 64}),
    )
)


def build(graph=GRAPH, settings=RunSettings(), data=None, catalogue=CATALOGUE) -> TrainingJobSpec:
    validation = validate(graph, catalogue)
    assert validation.valid is not None, validation.issues
    return compile_job(validation.valid, catalogue, settings, data or images(), "r1")


def test_compile_is_deterministic_to_the_byte():
    first = build().canonical_json()
    shuffled = images()
    shuffled = LabelledImages(class_names=shuffled.class_names, items=list(reversed(shuffled.items)))
    assert build(data=shuffled).canonical_json() == first
    assert build().canonical_json() == first
    assert json.loads(first)["spec_version"] == 2


def test_the_spec_names_no_path():
    spec = json.loads(build().canonical_json())
    assert spec["run_id"] == "r1" and "output_dir" not in spec
    assert set(spec["dataset"]["items"][0]) == {"content_hash", "suffix", "label", "split"}
    assert "/" not in json.dumps(spec["dataset"])


def test_only_a_valid_graph_compiles():
    with pytest.raises(CompileError):
        compile_job(GRAPH, CATALOGUE, RunSettings(), images(), "r1")


def test_spec_carries_model_pipeline_in_chain_order_and_splits():
    spec = build()
    assert (spec.model.architecture, spec.model.imgsz) == ("yolov8s-cls.yaml", 64)
    assert [(s.node_id, s.transform, s.splits) for s in spec.pipeline] == [
        ("resize", "LongestMaxSize", ["train", "val"]),
        ("resize", "PadIfNeeded", ["train", "val"]),
        ("crop", "RandomResizedCrop", ["train"]),
        ("flip", "HorizontalFlip", ["train"]),
    ]
    assert spec.pipeline[2].params["size"] == [64, 64]


def test_stratified_split_keeps_class_shares_and_seed_changes_it():
    spec = build()
    for label in range(3):
        assert sum(1 for i in spec.dataset.items if i.label == label and i.split == "val") == 2
    reseeded = build(Graph.model_validate(chain(("data", "dataset.project", {"seed": 8}), MODEL)))
    assert {i.content_hash for i in reseeded.dataset.items if i.split == "val"} != {
        i.content_hash for i in spec.dataset.items if i.split == "val"
    }


def test_snapshot_hash_changes_when_a_label_changes():
    data = images()
    relabelled = LabelledImages(
        class_names=data.class_names, items=[data.items[0].model_copy(update={"label": "dog"}), *data.items[1:]]
    )
    assert build(data=relabelled).dataset.snapshot_hash != build(data=data).dataset.snapshot_hash


def test_presplit_folders_keep_their_split():
    data = images()
    fixed = LabelledImages(
        class_names=data.class_names,
        items=[i.model_copy(update={"split": "train"}) for i in data.items[:-1]]
        + [data.items[-1].model_copy(update={"split": "val"})],
    )
    spec = build(data=fixed)
    assert spec.dataset.count("val") == 1


def test_run_settings_become_ultralytics_overrides():
    spec = build(
        settings=RunSettings(epochs=3, batch=16, learning_rate=0.01, optimizer="SGD", time_limit_hours=0.5, seed=4)
    )
    o = spec.overrides
    assert (o["epochs"], o["batch"], o["lr0"], o["optimizer"], o["time"], o["seed"], o["imgsz"]) == (
        3,
        16,
        0.01,
        "SGD",
        0.5,
        4,
        64,
    )
    assert spec.evaluation.every == 1 and spec.evaluation.checkpoint == "highest_accuracy"


def test_every_override_key_exists_in_ultralytics_default_config():
    from ultralytics.cfg import DEFAULT_CFG_DICT

    overrides = ultralytics_overrides(RunSettings(time_limit_hours=1.0), imgsz=32)
    assert set(overrides) <= set(DEFAULT_CFG_DICT)


@pytest.mark.parametrize("template_id", sorted(load_templates()))
def test_templates_compile(template_id):
    spec = build(graph=load_templates()[template_id])
    assert spec.pipeline and spec.model.imgsz % 32 == 0


@pytest.mark.parametrize("type_id", ["model.yolov8_cls", "model.yolo11_cls", "model.yolo26_cls"])
def test_every_model_family_compiles_to_its_yaml_and_store_weights(type_id):
    family = type_id.removeprefix("model.").removesuffix("_cls")
    weights = f"{family}m-cls-000000000000.pt"
    store = build_catalogue(FixedWeights(f"{family}m-cls.yaml"))
    graph = Graph.model_validate(
        chain(("data", "dataset.project", {}), ("model", type_id, {"size": "m", "pretrained": weights}))
    )
    spec = build(graph, catalogue=store)
    assert (spec.model.architecture, spec.model.imgsz, spec.model.pretrained) == (
        f"{family}m-cls.yaml",
        224,
        f"models/{weights}",  # a storage key, never a path
    )
    assert build(graph, catalogue=store).canonical_json() == spec.canonical_json()


def test_the_same_picture_twice_under_one_label_splits_whatever_the_order():
    twice = LabelledImage(content_hash=content_hash("twin"), suffix=".png", label="cat")
    data = images()
    doubled = LabelledImages(class_names=data.class_names, items=[twice, *data.items, twice])
    again = LabelledImages(class_names=data.class_names, items=[*reversed(data.items), twice, twice])
    assert build(data=doubled).canonical_json() == build(data=again).canonical_json()
