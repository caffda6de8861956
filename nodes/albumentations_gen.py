"""Writes albumentations_transforms.json: albumentations' own description of its image transforms.

Run `python -m nodes.albumentations_gen` after upgrading albumentations; a test checks the committed file
matches the installed version. The server reads the JSON instead of importing albumentations (which
imports torch) so that it starts fast.

For each transform: the JSON Schema of its pydantic `InitSchema`, with defaults and the required list
taken from `inspect.signature(__init__)` (the schemas mark every field required and carry no defaults),
and descriptions from the docstring's Args section.
"""

import inspect
import json
import re
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("albumentations_transforms.json")

# Need inputs a classifier doesn't have (masks, boxes, reference images, callables) or are internal.
EXCLUDED = {
    "FDA",
    "HistogramMatching",
    "PixelDistributionAdaptation",
    "TemplateTransform",
    "Lambda",
    "Normalize",
    "ToTensorV2",
    "ToFloat",
    "FromFloat",
    "Mosaic",
    "OverlayElements",
    "TextImage",
    "MaskDropout",
    "ConstrainedCoarseDropout",
    "BBoxSafeRandomCrop",
    "RandomSizedBBoxSafeCrop",
    "RandomCropNearBBox",
    "CropNonEmptyMaskIfExists",
    "NoOp",
    "Crop",
    "XYMasking",
    "ToRGB",
    "ToSepia",
    "AtLeastOneBBoxRandomCrop",
    "BasicTransform",
    "DualTransform",
    "ImageOnlyTransform",
    "FrequencyMasking",
    "TimeMasking",
    "TimeReverse",
    "ShiftScaleRotate",
    "PiecewiseAffine",  # superseded by Affine; "very slow, use ElasticTransform"
}
# Required sizes default to the model's input size at compile time.
SIZE_PARAMS = {"size", "height", "width"}
RECOMMENDED = {
    "HorizontalFlip",
    "VerticalFlip",
    "Affine",
    "RandomResizedCrop",
    "RandomBrightnessContrast",
    "HueSaturationValue",
    "GaussianBlur",
    "GaussNoise",
    "CoarseDropout",
    "ToGray",
    "Rotate",
    "ColorJitter",
}


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(type(value).__name__)


def _docstring_parts(doc: str) -> tuple[str, dict[str, str]]:
    doc = inspect.cleandoc(doc or "")
    summary = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    args: dict[str, str] = {}
    match = re.search(r"^Args:\n(.*?)(?:\n\S|\Z)", doc, flags=re.S | re.M)
    if match:
        current = None
        for line in match.group(1).splitlines():
            head = re.match(r"^\s{4}(\w+)\s*(\(.*?\))?:\s*(.*)$", line)
            if head:
                current = head.group(1)
                args[current] = head.group(3).strip()
            elif current and line.strip():
                args[current] += " " + line.strip()
    return summary, {k: v.strip() for k, v in args.items()}


def describe(name: str, cls: type) -> dict[str, Any] | None:
    from albumentations.core.transforms_interface import DualTransform

    try:
        schema = cls.InitSchema.model_json_schema()
    except Exception:  # FDA & co. have no JSON Schema
        return None
    signature = inspect.signature(cls.__init__)
    summary, arg_docs = _docstring_parts(cls.__doc__)
    properties: dict[str, Any] = {}
    for param in list(signature.parameters.values())[1:]:
        if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL) or param.name not in schema["properties"]:
            continue
        prop = dict(schema["properties"][param.name])
        if param.default is param.empty:
            if param.name not in SIZE_PARAMS:
                return None  # a required input we cannot supply
            prop = {"anyOf": [prop, {"type": "null"}], "title": prop.get("title", param.name), "default": None}
            arg_docs[param.name] = (arg_docs.get(param.name, "") + " Empty: the model's input size.").strip()
        else:
            try:
                prop["default"] = _jsonable(param.default)
            except TypeError:
                continue  # a default JSON can't carry (a callable, an array): leave it to albumentations
        if param.name in arg_docs:
            prop["description"] = arg_docs[param.name]
        properties[param.name] = prop
    if not _defaults_build(cls, properties):
        return None  # its defaults are not a valid transform (e.g. CropAndPad needs px or percent)
    params_schema: dict[str, Any] = {
        "title": name,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if "$defs" in schema:
        params_schema["$defs"] = schema["$defs"]
    return {
        "transform": name,
        "type_id": f"augment.{snake_case(name)}",
        "title": re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name),
        "description": summary,
        "spatial": issubclass(cls, DualTransform),
        "recommended": name in RECOMMENDED,
        "params_schema": params_schema,
    }


def _defaults_build(cls: type, properties: dict[str, Any]) -> bool:
    defaults = {name: prop["default"] for name, prop in properties.items() if "default" in prop}
    defaults.update(
        {name: ([64, 64] if name == "size" else 64) for name in SIZE_PARAMS if defaults.get(name, 0) is None}
    )
    try:
        cls(**defaults, strict=True)
    except Exception:
        return False
    return True


def generate() -> dict[str, Any]:
    import albumentations as A
    from albumentations.core.transforms_interface import BasicTransform

    transforms = []
    for name in sorted(A.__all__ if hasattr(A, "__all__") else dir(A)):
        cls = getattr(A, name, None)
        if (
            not inspect.isclass(cls)
            or not issubclass(cls, BasicTransform)
            or name in EXCLUDED
            or name.endswith("3D")
            or not hasattr(cls, "InitSchema")
            or inspect.isabstract(cls)
        ):
            continue
        described = describe(name, cls)
        if described:
            transforms.append(described)
    return {"albumentations_version": A.__version__, "transforms": transforms}


def render(catalogue: dict[str, Any]) -> str:
    return json.dumps(catalogue, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    catalogue = generate()
    OUTPUT.write_text(render(catalogue))
    print(f"{len(catalogue['transforms'])} transforms from albumentations {catalogue['albumentations_version']}")
