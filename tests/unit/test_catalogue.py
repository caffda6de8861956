import json

from backend.catalogue import build_catalogue
from nodes.augmentations import NODE_TYPES as AUGMENTATIONS


def test_catalogue_describes_every_node_with_ports_schema_and_defaults():
    described = build_catalogue().describe()
    by_type = {d["type"]: d for d in described}
    for required in (
        "dataset.project",
        "preprocess.resize",
        "model.yolov8_cls",
        "augment.horizontal_flip",
        "augment.coarse_dropout",
    ):
        assert required in by_type
    for node in described:
        assert {
            "type",
            "title",
            "category",
            "description",
            "inputs",
            "outputs",
            "params_schema",
            "defaults",
            "recommended",
        } <= node.keys()
        assert node["params_schema"]["type"] == "object"
        json.dumps(node)  # plain JSON
    model = by_type["model.yolov8_cls"]
    assert model["inputs"] == [{"name": "dataset", "kind": "dataset", "title": "Training images", "multiple": False}]
    assert model["params_schema"]["properties"]["size"]["enum"] == ["n", "s", "m", "l", "x"]
    imgsz = model["params_schema"]["properties"]["imgsz"]
    assert (imgsz["minimum"], imgsz["maximum"], imgsz["multipleOf"]) == (32, 1280, 32)
    assert model["defaults"]["imgsz"] == 224


def test_palette_order_is_category_then_recommended_first():
    described = build_catalogue().describe()
    categories = [d["category"] for d in described]
    assert categories == sorted(categories, key=("dataset", "preprocessing", "augmentation", "model").index)
    augmentations = [d for d in described if d["category"] == "augmentation"]
    flags = [d["recommended"] for d in augmentations]
    assert flags == sorted(flags, reverse=True) and sum(flags) >= 9


def test_curated_recommended_augmentations_are_marked():
    recommended = {n.transform for n in AUGMENTATIONS if n.recommended}
    assert {
        "HorizontalFlip",
        "Affine",
        "RandomResizedCrop",
        "RandomBrightnessContrast",
        "HueSaturationValue",
        "GaussianBlur",
        "GaussNoise",
        "CoarseDropout",
        "ToGray",
    } <= recommended


def test_pretrained_weights_are_offered_only_from_the_model_store(tmp_path):
    (tmp_path / "digits-best.pt").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not weights")
    model = next(d for d in build_catalogue(tmp_path).describe() if d["type"] == "model.yolov8_cls")
    assert model["params_schema"]["properties"]["pretrained"]["enum"] == [None, "digits-best.pt"]
