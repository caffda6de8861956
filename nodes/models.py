"""Models that a dataset trains: the image classifiers Ultralytics ships as configs, one class per family.

Ultralytics 8.4.190 ships `yolov8-cls.yaml`, `yolo11-cls.yaml`, `yolo12-cls.yaml` and `yolo26-cls.yaml` (plus
ResNet variants), each with scales n, s, m, l, x. Adding a family is one class here: its `family` prefix names
the yaml and groups the store weights it can start from.
"""

from collections.abc import Callable
from typing import Any, ClassVar, Literal

from pydantic import Field

from backend.graph.spec import ModelSpec, store_weights_key
from nodes.base import DATASET_PORT_KIND, ModelNode, NodeParams, ParsedParams, Port

IMGSZ_STRIDE = 32
SIZES = ("n", "s", "m", "l", "x")


class ClassifierParams(NodeParams):
    size: Literal["n", "s", "m", "l", "x"] = Field(
        default="n",
        title="Model size",
        description="Model size: n (fastest, fewest parameters) to x (most accurate, slowest).",
        json_schema_extra={
            "x-enum-names": ["n: nano (fastest)", "s: small", "m: medium", "l: large", "x: extra large"]
        },
    )
    imgsz: int = Field(
        default=224,
        ge=32,
        le=1280,
        title="Input size (px)",
        json_schema_extra={"multipleOf": IMGSZ_STRIDE},
        description="Input size in pixels (square); a multiple of 32.",
    )
    pretrained: str | None = Field(
        default=None,
        title="Pretrained weights",
        description="Start from weights in the server's model store instead of from scratch.",
    )


class UltralyticsClassifier(ModelNode):
    """An Ultralytics `<family><size>-cls.yaml` classifier; subclasses name the family."""

    sizes: ClassVar[tuple[str, ...]] = SIZES
    imgsz_stride = IMGSZ_STRIDE
    inputs = (Port(name="dataset", kind=DATASET_PORT_KIND, title="Training images"),)
    Params = ClassifierParams

    @classmethod
    def architecture(cls, size: str) -> str:
        return f"{cls.family}{size}-cls.yaml"

    @classmethod
    def imgsz(cls, params: dict[str, Any]) -> int:
        return ClassifierParams.model_validate(params).imgsz

    @classmethod
    def model_spec(cls, params: ParsedParams, weights_key_of: Callable[[str], str] = store_weights_key) -> ModelSpec:
        """`pretrained` becomes a storage key, "models/<file>.pt" (the spec names no path)."""
        parsed = ClassifierParams.model_validate(params)
        return ModelSpec(
            architecture=cls.architecture(parsed.size),
            imgsz=parsed.imgsz,
            pretrained=weights_key_of(parsed.pretrained) if parsed.pretrained else None,
        )


class YoloV8Cls(UltralyticsClassifier):
    type_id = "model.yolov8_cls"
    family = "yolov8"
    title = "YOLOv8 classifier"
    category = "model"
    description = "Ultralytics YOLOv8 image classification model (1.4 M parameters at n to 57 M at x)."
    recommended = True


class Yolo11Cls(UltralyticsClassifier):
    type_id = "model.yolo11_cls"
    family = "yolo11"
    title = "YOLO11 classifier"
    category = "model"
    description = "Ultralytics YOLO11 image classification model (1.5 M parameters at n to 28 M at x)."


class Yolo26Cls(UltralyticsClassifier):
    type_id = "model.yolo26_cls"
    family = "yolo26"
    title = "YOLO26 classifier"
    category = "model"
    description = (
        "Ultralytics YOLO26 image classification model. In Ultralytics 8.4.190 its layers are the same as "
        "YOLO11's; official YOLO26 weights were trained differently."
    )


NODE_TYPES: tuple[type[UltralyticsClassifier], ...] = (YoloV8Cls, Yolo11Cls, Yolo26Cls)

ARCHITECTURES: dict[str, tuple[type[UltralyticsClassifier], str]] = {
    node.architecture(size): (node, size) for node in NODE_TYPES for size in node.sizes
}
"""Every model yaml a model node can train, e.g. "yolo11s-cls.yaml" → (Yolo11Cls, "s")."""


def family_of(architecture: str) -> tuple[str, str] | None:
    """(family, size) of a known architecture yaml, or None."""
    known = ARCHITECTURES.get(architecture)
    return (known[0].family, known[1]) if known else None
