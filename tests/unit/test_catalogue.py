import hashlib
import json

from backend.catalogue import build_catalogue
from backend.models_store import ModelStore, StoredClasses
from nodes.augmentations import NODE_TYPES as AUGMENTATIONS
from nodes.models import ARCHITECTURES


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


def store_weights(store: ModelStore, tmp_path, architecture: str, content: bytes) -> str:
    upload = tmp_path / "upload.part"
    upload.write_bytes(content)
    sha = hashlib.sha256(content).hexdigest()
    return store.add(upload, filename="x.pt", architecture=architecture, classes=StoredClasses(nc=2), sha256=sha).name


def pretrained_enum(catalogue, type_id):
    model = next(d for d in catalogue.describe() if d["type"] == type_id)
    return model["params_schema"]["properties"]["pretrained"]["enum"]


def test_pretrained_weights_are_offered_only_from_the_model_store_and_only_to_their_family(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "digits-best.pt").write_bytes(b"x")  # no manifest entry: not checked, never offered
    (folder / "notes.txt").write_text("not weights")
    store = ModelStore(folder)
    catalogue = build_catalogue(store)
    v8 = store_weights(store, tmp_path, "yolov8s-cls.yaml", b"v8")
    assert pretrained_enum(catalogue, "model.yolov8_cls") == [None, v8]
    assert pretrained_enum(catalogue, "model.yolo11_cls") == [None]

    y11 = store_weights(store, tmp_path, "yolo11n-cls.yaml", b"11")  # the same catalogue sees the store change
    assert pretrained_enum(catalogue, "model.yolo11_cls") == [None, y11]
    assert pretrained_enum(catalogue, "model.yolo26_cls") == [None]
    assert catalogue.weights_for("yolo11") == (store.find(y11),)

    store.remove(v8)
    assert pretrained_enum(catalogue, "model.yolov8_cls") == [None]
    assert {p.name for p in folder.iterdir()} == {"digits-best.pt", "notes.txt", y11, y11.replace(".pt", ".json")}


def test_every_family_offers_sizes_n_to_x_with_its_own_yaml():
    described = {d["type"]: d for d in build_catalogue().describe()}
    for type_id, family in (
        ("model.yolov8_cls", "yolov8"),
        ("model.yolo11_cls", "yolo11"),
        ("model.yolo26_cls", "yolo26"),
    ):
        assert described[type_id]["params_schema"]["properties"]["size"]["enum"] == ["n", "s", "m", "l", "x"]
        assert described[type_id]["category"] == "model"
        assert build_catalogue().get(type_id).architecture("m") == f"{family}m-cls.yaml"
    assert ARCHITECTURES["yolo26x-cls.yaml"][1] == "x"
    assert len(ARCHITECTURES) == 15


def test_model_nodes_say_which_ultralytics_configs_they_train():
    described = {d["type"]: d for d in build_catalogue().describe()}
    assert described["model.yolo11_cls"]["architectures"]["s"] == "yolo11s-cls.yaml"
    assert described["model.yolov8_cls"]["family"] != described["model.yolo26_cls"]["family"]
    assert "architectures" not in described["dataset.project"]
