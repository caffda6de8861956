"""Preprocessing: applied to training, validation and inference alike."""

from typing import Any, Literal

from pydantic import Field

from nodes.base import DATASET_PORT_KIND, NodeParams, NodeType, Port, Step

LETTERBOX_GREY = 114  # Ultralytics' padding value

_IO = {
    "inputs": (Port(name="dataset", kind=DATASET_PORT_KIND, title="Images"),),
    "outputs": (Port(name="dataset", kind=DATASET_PORT_KIND, title="Images"),),
}


class ResizeParams(NodeParams):
    mode: Literal["stretch", "letterbox", "center_crop"] = Field(
        default="letterbox",
        description=(
            "How images become the model's square input: stretch (ignore aspect ratio), letterbox "
            "(fit inside, pad with grey) or center_crop (fill, crop the overflow)."
        ),
        json_schema_extra={"x-enum-names": ["Stretch", "Letterbox (pad with grey)", "Center crop"]},
    )


class Resize(NodeType):
    type_id = "preprocess.resize"
    title = "Resize to model size"
    category = "preprocessing"
    description = "Brings every image to the model's input size, the same way for training and inference."
    recommended = True
    inputs = _IO["inputs"]
    outputs = _IO["outputs"]
    Params = ResizeParams

    @classmethod
    def pipeline_steps(cls, params: dict[str, Any], imgsz: int) -> list[Step]:
        both = ("train", "val")
        match ResizeParams.model_validate(params).mode:
            case "stretch":
                return [Step(transform="Resize", params={"height": imgsz, "width": imgsz}, splits=both)]
            case "letterbox":
                return [
                    Step(transform="LongestMaxSize", params={"max_size": imgsz}, splits=both),
                    Step(
                        transform="PadIfNeeded",
                        params={"min_height": imgsz, "min_width": imgsz, "border_mode": 0, "fill": LETTERBOX_GREY},
                        splits=both,
                    ),
                ]
            case "center_crop":
                return [
                    Step(transform="SmallestMaxSize", params={"max_size": imgsz}, splits=both),
                    Step(transform="CenterCrop", params={"height": imgsz, "width": imgsz}, splits=both),
                ]


class Grayscale(NodeType):
    type_id = "preprocess.grayscale"
    title = "Grayscale"
    category = "preprocessing"
    description = "Turns every image grey (kept as 3 channels), for data where colour carries no meaning."
    inputs = _IO["inputs"]
    outputs = _IO["outputs"]

    @classmethod
    def pipeline_steps(cls, params: dict[str, Any], imgsz: int) -> list[Step]:
        return [Step(transform="ToGray", params={"num_output_channels": 3, "p": 1.0}, splits=("train", "val"))]


NODE_TYPES = (Resize, Grayscale)
