"""The parameter forms read like a classifier's settings, not like albumentations' docstrings: named flags, no
mask/box/keypoint options, key parameters first, one short sentence of help with the full text kept."""

import re

from backend.catalogue import build_catalogue
from backend.graph.model_checks import imgsz_suggestions
from backend.graph.validate import validate_document
from nodes.augmentations import NODE_TYPES
from nodes.readable import enum_names, param_order, short_help, words_for_flags

NON_IMAGE = re.compile(r"mask|bbox|keypoint", re.I)
CATALOGUE = {d["type"]: d for d in build_catalogue().describe()}


def props(type_id: str) -> dict:
    return CATALOGUE[type_id]["params_schema"]["properties"]


def test_no_augmentation_exposes_a_mask_bbox_or_keypoint_parameter():
    exposed = [(d["type"], name) for d in CATALOGUE.values() for name in d["params_schema"]["properties"]]
    assert [(t, n) for t, n in exposed if NON_IMAGE.search(n) or n == "rotate_method"] == []
    assert all(not NON_IMAGE.search(name) for d in CATALOGUE.values() for name in d["defaults"])


def test_border_mode_and_interpolation_show_words():
    rotate = props("augment.rotate")
    assert rotate["border_mode"]["enum"] == [0, 1, 2, 3, 4]
    assert rotate["border_mode"]["x-enum-names"] == [
        "Constant (fill)",
        "Replicate edge",
        "Reflect",
        "Wrap around",
        "Reflect 101",
    ]
    assert rotate["interpolation"]["x-enum-names"][:2] == ["Nearest", "Linear"]
    resized = props("augment.random_resized_crop")["interpolation"]  # albumentations lists 0, 6, 1, …
    assert dict(zip(resized["enum"], resized["x-enum-names"], strict=True))[6] == "Nearest (exact)"
    every_flag = [
        p for d in CATALOGUE.values() for n, p in d["params_schema"]["properties"].items() if n == "border_mode"
    ]
    assert every_flag and all(len(p["x-enum-names"]) == len(p["enum"]) for p in every_flag)
    assert props("model.yolov8_cls")["size"]["x-enum-names"][0].startswith("n: nano")


def test_key_parameter_first_then_probability():
    assert list(props("augment.rotate"))[:2] == ["limit", "p"]
    assert list(props("augment.affine"))[:2] == ["rotate", "scale"]
    assert list(props("augment.random_brightness_contrast"))[:3] == ["brightness_limit", "contrast_limit", "p"]
    assert list(props("augment.horizontal_flip")) == ["p"]
    assert param_order("Unknown", ["alpha", "p", "blur_limit"]) == ["blur_limit", "p", "alpha"]


def test_help_is_one_short_sentence_and_the_full_text_is_kept():
    border = props("augment.rotate")["border_mode"]
    assert "cv2" not in border["description"] and "Flag" not in border["description"]
    assert "cv2.BORDER_REFLECT_101" in border["x-full-help"]
    limit = props("augment.rotate")["limit"]
    assert limit["description"] == "Range from which a random angle is picked."
    for d in CATALOGUE.values():
        for name, p in d["params_schema"]["properties"].items():
            text = p.get("description", "")
            assert "cv2." not in text and "Default:" not in text and ".." not in text, (d["type"], name, text)
    assert "masks" not in CATALOGUE["augment.elastic_transform"]["description"]


def test_short_help_cleaning():
    assert (
        short_help("probability of applying the transform. Default: 0.5.") == "Probability of applying the transform."
    )
    assert short_help("float in [0, 1], default=1.0 Controls speed. - 1.0: full") == "Controls speed."
    assert short_help("Intensity of it, e.g. rain. More text.") == "Intensity of it, e.g. rain."
    assert short_help('The method used: - "a": one - "b": two') == "The method used."
    assert short_help("Padding value. Should be one of: cv2.INTER_LINEAR, cv2.INTER_AREA.") == "Padding value."
    assert short_help("None") == "" and short_help(None) == ""
    assert words_for_flags("Default: cv2.BORDER_CONSTANT or INTER_LANCZOS4") == "Default: Constant (fill) or Lanczos"
    assert enum_names("noise_type", ["per_pixel", None]) == ["Per pixel", "None"]


def test_hidden_parameters_still_validate_in_a_saved_graph():
    rotate = next(n for n in NODE_TYPES if n.transform == "Rotate")
    assert "fill_mask" not in rotate.params_schema()["properties"]
    assert rotate.check_params({"fill_mask": 0, "mask_interpolation": 0}) == []
    assert rotate.check_params({"colour": 1})[0].message == "Unknown parameter 'colour'."


def test_imgsz_suggestions_lie_within_the_allowed_range():
    assert imgsz_suggestions(100, 32, 32, 1280) == [96, 128]
    assert imgsz_suggestions(5000, 32, 32, 1280) == [1280]  # was "try 4992 or 5024"
    assert imgsz_suggestions(1279, 32, 32, 1280) == [1248, 1280]
    assert imgsz_suggestions(20, 32, 32, 1280) == [32]
    assert imgsz_suggestions(1290, 32, None, None) == [1280, 1312]


def test_imgsz_message_names_only_allowed_sizes():
    document = {
        "schema_version": 1,
        "nodes": [
            {"id": "data", "type": "dataset.project", "params": {}},
            {"id": "model", "type": "model.yolov8_cls", "params": {"imgsz": 1270}},
        ],
        "edges": [{"id": "e", "source": "data", "source_port": "dataset", "target": "model", "target_port": "dataset"}],
    }
    (issue,) = [i for i in validate_document(document, build_catalogue()).issues if i.field == "imgsz"]
    assert issue.message.endswith("try 1248 or 1280.")
    assert (issue.fix.field, issue.fix.value) == ("imgsz", 1280)  # the nearest allowed size, one click away
