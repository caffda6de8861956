"""Augmentation nodes, one per albumentations image transform, derived from albumentations' own schemas.

The descriptions come from `albumentations_transforms.json` (written by `albumentations_gen.py` from the
installed albumentations), so the server never imports albumentations itself. Parameters are checked
against the transform's JSON Schema as albumentations wrote it; the form is given its readable version
(`nodes/readable.py`: named flags, no mask/box/keypoint options, key parameters first, short help). Augmentations
apply to the training split only.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from jsonschema import Draft202012Validator

from nodes.base import DATASET_PORT_KIND, NodeType, ParamError, Port, Step, _sentence
from nodes.readable import readable_schema, short_description

CATALOGUE_FILE = Path(__file__).with_name("albumentations_transforms.json")
SIZE_PARAMS = ("size", "height", "width")


class AlbumentationsNode(NodeType):
    """Base of the generated augmentation nodes; `transform` names the albumentations class."""

    category = "augmentation"
    inputs = (Port(name="dataset", kind=DATASET_PORT_KIND, title="Images"),)
    outputs = (Port(name="dataset", kind=DATASET_PORT_KIND, title="Augmented images"),)
    transform: ClassVar[str]
    schema: ClassVar[dict[str, Any]]  # what the form shows (readable)
    full_schema: ClassVar[dict[str, Any]]  # albumentations' own: what parameters are checked against
    spatial: ClassVar[bool]

    @classmethod
    def params_schema(cls) -> dict[str, Any]:
        return cls.schema

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {name: prop["default"] for name, prop in cls.schema["properties"].items() if "default" in prop}

    @classmethod
    def check_params(cls, raw: dict[str, Any]) -> list[ParamError]:
        return [_param_error(error) for error in _validator(cls.type_id).iter_errors(raw)]

    @classmethod
    def parse_params(cls, raw: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        return {**cls.defaults(), **raw}

    @classmethod
    def pipeline_steps(cls, params: dict[str, Any], imgsz: int) -> list[Step]:
        resolved = {**cls.defaults(), **params}
        for name in SIZE_PARAMS:  # sizes left empty follow the model's input size
            if name in resolved and resolved[name] is None:
                resolved[name] = [imgsz, imgsz] if name == "size" else imgsz
        return [Step(transform=cls.transform, params=resolved, splits=("train",))]


def _param_error(error: Any) -> ParamError:
    if error.path:
        field = str(error.path[0])
    elif error.validator == "additionalProperties":
        field = next(iter(sorted(set(error.instance) - set(error.schema.get("properties", {})))), None)
        return ParamError(field=field, message=f"Unknown parameter {field!r}.")
    else:
        field = None
    return ParamError(field=field, message=_sentence(error.message))


@cache
def _load() -> dict[str, Any]:
    return json.loads(CATALOGUE_FILE.read_text())


@cache
def _validator(type_id: str) -> Draft202012Validator:
    node = next(n for n in NODE_TYPES if n.type_id == type_id)
    return Draft202012Validator(node.full_schema)


def _node_type(entry: dict[str, Any]) -> type[AlbumentationsNode]:
    kind = "Spatial" if entry["spatial"] else "Pixel-level"
    return type(
        entry["transform"] + "Node",
        (AlbumentationsNode,),
        {
            "type_id": entry["type_id"],
            "title": entry["title"],
            "description": f"{short_description(entry['transform'], entry['description'])} ({kind} augmentation, "
            "training images only.)",
            "recommended": entry["recommended"],
            "transform": entry["transform"],
            "schema": readable_schema(entry["transform"], entry["params_schema"]),
            "full_schema": entry["params_schema"],
            "spatial": entry["spatial"],
        },
    )


NODE_TYPES: tuple[type[AlbumentationsNode], ...] = tuple(_node_type(e) for e in _load()["transforms"])
