"""Albumentations' own parameter descriptions, made readable for someone training an image classifier.

albumentations describes its transforms for every task (masks, boxes, keypoints) in the words of its docstrings and
OpenCV's integer flags: "Border Mode 0 — Flag that is used to specify the pixel extrapolation method…". The
catalogue keeps that description as the truth for validation and rewrites only what the form shows:
- enum values get names (`x-enum-names`, one per `enum` value): cv2 flags as words, other values humanised;
- parameters that only act on masks, bounding boxes or keypoints are left out (a classifier has none; albumentations
  keeps its own defaults for them, and a graph that still sets one stays valid);
- the key parameter of the common transforms comes first, then the probability, then the rest;
- each description becomes one short sentence without flag talk (`description`), the docstring text kept whole in
  `x-full-help` for the "more" toggle.
Pure functions of the committed JSON: the server never imports albumentations for this.
"""

import re
from typing import Any

BORDER_MODES = {0: "Constant (fill)", 1: "Replicate edge", 2: "Reflect", 3: "Wrap around", 4: "Reflect 101"}
INTERPOLATIONS = {
    0: "Nearest",
    1: "Linear",
    2: "Cubic",
    3: "Area",
    4: "Lanczos",
    5: "Linear (exact)",
    6: "Nearest (exact)",
}
FLAG_NAMES = {"border_mode": BORDER_MODES, "interpolation": INTERPOLATIONS}
BORDER_FLAGS = {"CONSTANT": 0, "REPLICATE": 1, "REFLECT": 2, "WRAP": 3, "REFLECT_101": 4, "REFLECT101": 4, "DEFAULT": 4}
INTER_FLAGS = {"NEAREST": 0, "LINEAR": 1, "CUBIC": 2, "AREA": 3, "LANCZOS4": 4, "LINEAR_EXACT": 5, "NEAREST_EXACT": 6}
CV2_WORDS = {
    **{f"BORDER_{flag}": BORDER_MODES[value] for flag, value in BORDER_FLAGS.items()},
    **{f"INTER_{flag}": INTERPOLATIONS[value] for flag, value in INTER_FLAGS.items()},
}

# A parameter that acts only on a target a classifier does not have.
NON_IMAGE_PARAM = re.compile(r"(^|_)(mask|masks|bbox|bboxes|keypoint|keypoints)(_|$)")
NON_IMAGE_PARAMS = {"rotate_method"}  # how bounding boxes are rotated

# What matters most in the common transforms, in the order a person tunes it.
KEY_PARAMS: dict[str, tuple[str, ...]] = {
    "Affine": ("rotate", "scale", "translate_percent", "shear"),
    "Rotate": ("limit",),
    "SafeRotate": ("limit",),
    "RandomResizedCrop": ("scale", "ratio"),
    "RandomBrightnessContrast": ("brightness_limit", "contrast_limit"),
    "HueSaturationValue": ("hue_shift_limit", "sat_shift_limit", "val_shift_limit"),
    "ColorJitter": ("brightness", "contrast", "saturation", "hue"),
    "GaussianBlur": ("blur_limit", "sigma_limit"),
    "GaussNoise": ("std_range",),
    "CoarseDropout": ("num_holes_range", "hole_height_range", "hole_width_range"),
    "ToGray": ("method",),
    "Perspective": ("scale",),
    "RandomScale": ("scale_limit",),
    "MotionBlur": ("blur_limit",),
    "Blur": ("blur_limit",),
    "ImageCompression": ("quality_range",),
    "ElasticTransform": ("alpha", "sigma"),
    "GridDistortion": ("distort_limit", "num_steps"),
    "OpticalDistortion": ("distort_limit",),
    "RandomGamma": ("gamma_limit",),
    "CLAHE": ("clip_limit",),
    "Downscale": ("scale_range",),
    "Sharpen": ("alpha", "lightness"),
}
FIRST_FALLBACK = re.compile(r"(_limit|_range|^limit|^scale)$")  # untabled transforms: their ranges first

# Better words than the docstrings' for parameters many transforms share.
SHARED_HELP = {
    "p": "Chance that an image gets this augmentation (1 = every image).",
    "border_mode": "How the area uncovered by moving or warping the image is filled.",
    "interpolation": "How pixels are resampled when the image is resized or warped.",
}
SIZE_HINT = "Empty: the model's input size."  # added to size parameters by albumentations_gen.py
EMPTY_DOC_HELP = {"fill": "Value of the new pixels when the border is Constant (0 = black, 255 = white)."}
SHARED_TITLES = {"p": "Probability", "border_mode": "Border", "fill": "Fill value"}
# Node descriptions whose first sentence still talks about masks.
DESCRIPTIONS = {
    "CoarseDropout": "Drops out random rectangles of the image, to simulate occlusion and objects of varied size.",
}

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(*\-•\"'`])")
LIST_START = re.compile(
    r"(?<=[:.])\s+(?:-|\*|•)\s|\s(?:Options|Can be|Should be one of|Must be one of|Possible values)\b[^.]*:", re.I
)
TYPE_PREFIX = re.compile(  # "float in [0, 1], default=1.0 Controls…": a type and a default written before the text
    r"^(?:float|int|bool|str|tuple\[[^\]]*\]|list\[[^\]]*\])(?![A-Za-z])(?=\s+in\s+[\[(]|,?\s*default\s*=)"
    r"(?:\s+in\s+[\[(][^\])]*[\])])?,?\s*(?:default\s*=\s*\S+\s*)?",
    re.I,
)
DEFAULT_CLAUSE = re.compile(r"\s*\(?\bDefault(?:s)?\s*(?:is|:|=)\s*[^.]*(?:\.\d+[^.]*)*\.?\)?", re.I)
ABBREVIATIONS = {"e.g.": "e\u2024g\u2024", "i.e.": "i\u2024e\u2024", "E.g.": "E\u2024g\u2024", "etc.": "etc\u2024"}
TARGETS = r"(?:masks?|bounding boxes|bboxes|keypoints?|volumes?)"
TARGET_LIST = re.compile(rf"(?:,\s*(?:and\s+|or\s+)?{TARGETS})+|\s+(?:and|or)\s+{TARGETS}\b")


def words_for_flags(text: str) -> str:
    """`cv2.BORDER_REFLECT_101` → "Reflect 101", `cv2.INTER_LINEAR` → "Linear"."""
    return re.sub(r"\b(?:cv2\.)?((?:BORDER|INTER)_[A-Z0-9_]+)\b", lambda m: CV2_WORDS.get(m.group(1), m.group(0)), text)


def _plain(text: str) -> str:
    text = re.sub(r"``([^`]*)``|`([^`]*)`", lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def _clean(text: str) -> str:
    """Docstring markup, cv2 flag names and a leading type annotation taken out; every sentence kept."""
    return TYPE_PREFIX.sub("", words_for_flags(_plain(text)).replace("border_mode is", "the border is"))


def short_help(text: str | None) -> str:
    """The first sentence of a docstring's text, without types, defaults, option lists or cv2 flag names."""
    if not text or text.strip() in ("None", ""):
        return ""
    text = _clean(text)
    for abbreviation, kept in ABBREVIATIONS.items():
        text = text.replace(abbreviation, kept)
    listed = LIST_START.search(text)
    if listed:
        text = text[: listed.start()].rstrip(" :,;.") + "."
    first = SENTENCE_END.split(text, maxsplit=1)[0]
    first = DEFAULT_CLAUSE.sub("", first).strip().rstrip(" :,;")
    for abbreviation, kept in ABBREVIATIONS.items():
        first = first.replace(kept, abbreviation)
    if len(first.split()) < 2 or first.lower().startswith("default"):
        return ""  # nothing left but a default or a stray word
    first = first[0].upper() + first[1:]
    return first if first.endswith((".", "!", "?")) else first + "."


def short_description(transform: str, text: str) -> str:
    """A node's one-line description: its first sentence, without the targets a classifier does not have."""
    return DESCRIPTIONS.get(transform) or TARGET_LIST.sub("", short_help(text))


def humanise(value: Any) -> str:
    """An enum value as a person reads it: None → "None", "per_pixel" → "Per pixel", 3 → "3"."""
    if value is None:
        return "None"
    if isinstance(value, str):
        spaced = value.replace("_", " ").strip()
        return spaced[:1].upper() + spaced[1:] if spaced else value
    return str(value)


def enum_names(name: str, values: list[Any]) -> list[str]:
    flags = FLAG_NAMES.get(name) or (INTERPOLATIONS if name.endswith("interpolation") else None)
    if flags and all(isinstance(v, int) and v in flags for v in values):
        return [flags[v] for v in values]
    return [humanise(v) for v in values]


def is_non_image_param(name: str) -> bool:
    return bool(NON_IMAGE_PARAM.search(name)) or name in NON_IMAGE_PARAMS


def _with_enum_names(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("enum"), list) and "x-enum-names" not in schema:
        return {**schema, "x-enum-names": enum_names(name, schema["enum"])}
    for union in ("anyOf", "oneOf"):
        if isinstance(schema.get(union), list):
            return {**schema, union: [_with_enum_names(name, v) if isinstance(v, dict) else v for v in schema[union]]}
    return schema


def readable_param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    out = _with_enum_names(name, dict(schema))
    full = _plain(str(schema.get("description") or ""))
    short = SHARED_HELP.get(name) or short_help(full) or EMPTY_DOC_HELP.get(name, "")
    if SIZE_HINT in full and SIZE_HINT not in short:
        short = f"{short} {SIZE_HINT}".strip()
    out.pop("description", None)
    if short:
        out["description"] = short
    if _says_more(full, short):
        out["x-full-help"] = full
    if name in SHARED_TITLES:
        out["title"] = SHARED_TITLES[name]
    return out


def _says_more(full: str, short: str) -> bool:
    """Whether the docstring text adds something to the short help beyond its default value."""
    if not full or full == "None" or full == short:
        return False
    rest = DEFAULT_CLAUSE.sub("", _clean(full)).strip()
    return len(rest) > len(short_help(full)) + 3


def param_order(transform: str, names: list[str]) -> list[str]:
    """Key parameters first, then the probability, then the rest as they were."""
    key = [n for n in KEY_PARAMS.get(transform, ()) if n in names]
    if not key:
        key = [n for n in names if FIRST_FALLBACK.search(n)]
    first = [*key, *(["p"] if "p" in names and "p" not in key else [])]
    return first + [n for n in names if n not in first]


def readable_schema(transform: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema the form shows for one transform (a new dict; `schema` is left as it was)."""
    properties: dict[str, Any] = schema.get("properties", {})
    shown = [n for n in properties if not is_non_image_param(n)]
    ordered = {n: readable_param(n, properties[n]) for n in param_order(transform, shown)}
    out = {**schema, "properties": ordered}
    if isinstance(schema.get("required"), list):
        out["required"] = [n for n in schema["required"] if n in ordered]
    return out
