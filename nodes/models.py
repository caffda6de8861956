"""Models that a dataset trains."""

from typing import Literal

from pydantic import Field

from nodes.base import DATASET_PORT_KIND, NodeParams, NodeType, Port

IMGSZ_STRIDE = 32


class YoloV8ClsParams(NodeParams):
    size: Literal["n", "s", "m", "l", "x"] = Field(
        default="n",
        title="Model size",
        description="Model size: n (fastest, 1.4 M parameters) to x (most accurate, 57 M).",
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


class YoloV8Cls(NodeType):
    type_id = "model.yolov8_cls"
    title = "YOLOv8 classifier"
    category = "model"
    description = "Ultralytics YOLOv8 image classification model, trained on the incoming images."
    recommended = True
    inputs = (Port(name="dataset", kind=DATASET_PORT_KIND, title="Training images"),)
    Params = YoloV8ClsParams

    @staticmethod
    def architecture(size: str) -> str:
        return f"yolov8{size}-cls.yaml"


NODE_TYPES = (YoloV8Cls,)
