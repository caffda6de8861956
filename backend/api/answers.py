"""Response bodies of the routes that answered plain dicts: the shapes the browser reads, so that the OpenAPI
schema, and the TypeScript generated from it (`make api-types`), say what each answer holds, and a handler that
builds one is checked against it.

A JSON key `class` is a Python keyword: those models are made with `create_model`, so that the key stays `class` in
the schema and the answer (an alias would show as `class_` in the generated schema).
"""

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from backend.events.models import RunStatus
from backend.graph.schema import Graph
from backend.recommend import TemplateFit


class ClassCount(BaseModel):
    id: str
    name: str
    count: int
    samples: list[str] = Field(description="Up to 4 of the class's images (asset ids), for thumbnails.")


class Bin(BaseModel):
    label: str
    count: int


class ImageSizes(BaseModel):
    min_width: int
    max_width: int
    median_width: float
    min_height: int
    max_height: int
    median_height: float


DatasetWarning = create_model(
    "DatasetWarning",
    code=(Literal["few_images", "class_without_images", "imbalanced"], ...),
    count=(int, ...),
    message=(str, ...),
    **{"class": (str | None, Field(description="The class it is about; null when about all of them."))},
)


class DatasetStats(BaseModel):
    """GET /api/projects/{project_id}/stats"""

    images: int
    labelled: int
    unlabelled: int
    classes: list[ClassCount]
    sizes: ImageSizes | None
    longest_side: list[Bin] = Field(description="Images by their longest side, in pixels.")
    aspect: list[Bin] = Field(description="Images by shape (width / height).")
    warnings: list[DatasetWarning]


class SplitCounts(BaseModel):
    train: int
    val: int


class LayoutClass(BaseModel):
    name: str
    count: int
    new: bool


class RefusedFolder(BaseModel):
    name: str = Field(description="The folder's name, as the path gives it.")
    count: int = Field(description="How many of the files are under it: the upload will refuse each.")
    reason: str


class LayoutPreview(BaseModel):
    """POST /api/projects/{project_id}/assets/layout-preview: the refused files count in no class, split or
    `unlabelled`."""

    classes: list[LayoutClass]
    splits: SplitCounts = Field(description="Files in a train or val folder; the others are split by the dataset node.")
    unlabelled: int
    refused: list[RefusedFolder] = Field(description="Folders whose names cannot name a class (class_names.py).")


class CsvChange(BaseModel):
    line: int
    asset_id: str
    filename: str
    before: str | None
    after: str


class CsvProblem(BaseModel):
    line: int | None
    code: str = Field(description="bad_header | unknown_filename | ambiguous_filename | duplicate_row | ...")
    message: str


class CsvImportReport(BaseModel):
    """POST /api/projects/{project_id}/labels/csv (200, and 422 with problems)"""

    applied: bool
    dry_run: bool
    rows: int
    changes: list[CsvChange]
    unchanged: int
    new_classes: list[str]
    problems: list[CsvProblem]


ClassDeleteResult = create_model(
    "ClassDeleteResult",
    __doc__="DELETE /api/classes/{class_id}",
    deleted=(bool, ...),
    labels_cleared=(int, ...),
    message=(str, ...),
    **{"class": (str, Field(description="The class's name."))},
)


class ClassMergeResult(BaseModel):
    """POST /api/classes/{class_id}/merge"""

    merged: bool
    moved: int
    message: str


class SnapshotItem(BaseModel):
    content_hash: str
    label: str
    split: Literal["train", "val"]


class RunSnapshot(BaseModel):
    """GET /api/runs/{run_id}/snapshot"""

    snapshot_hash: str
    class_names: list[str]
    train: int
    val: int
    per_class: dict[str, SplitCounts]
    items: list[SnapshotItem]


class CheckpointRead(BaseModel):
    """GET /api/runs/{run_id}/checkpoints: a `checkpoint` event's payload with its seq."""

    epoch: int
    path: str
    kind: Literal["last", "best"]
    metrics: dict[str, float] = {}
    seq: int


class ArtifactRead(BaseModel):
    """GET /api/runs/{run_id}/artifacts: an `artifact` event's payload and where to download it."""

    name: str
    path: str
    kind: Literal["weights", "onnx", "model_card", "other"]
    bytes: int
    url: str


PredictedClass = create_model(
    "PredictedClass",
    index=(int, ...),
    confidence=(float, ...),
    **{"class": (str, Field(description="The class's name."))},
)


class PredictResult(BaseModel):
    """POST /api/runs/{run_id}/predict"""

    top: list[PredictedClass]
    backend: Literal["onnxruntime", "torch"]
    ms: float
    cam_png: str | None = Field(description="Base64 PNG: the image with its Eigen-CAM heatmap laid over it.")


CurvePoint = tuple[float, float | None]  # [epoch, value]


class Curves(BaseModel):
    """metric → [epoch, value] per evaluation (backend/runs/compare.py CURVE_KEYS)"""

    accuracy: list[CurvePoint]
    precision: list[CurvePoint]
    recall: list[CurvePoint]
    f1: list[CurvePoint]
    avg_confidence: list[CurvePoint]
    val_loss: list[CurvePoint]
    top5: list[CurvePoint]


class ComparedRun(BaseModel):
    id: str
    name: str = Field(description="The run's name (RunRead.name).")
    workflow_name: str
    status: RunStatus
    metrics: dict[str, float]
    curves: Curves
    loss: list[tuple[float, float]] = Field(description="[fractional epoch, train loss] per batch")


class SetupDifference(BaseModel):
    key: str
    values: dict[str, Any] = Field(description="run id → the run's value of `key`")


class RunComparison(BaseModel):
    """GET /api/projects/{project_id}/runs/compare"""

    runs: list[ComparedRun]
    differences: list[SetupDifference]


class Prediction(BaseModel):
    """One validation image with the final model's prediction, linked back to the project's asset."""

    item: int
    label: int
    predicted: int
    confidence: float
    true_confidence: float = Field(description="The confidence the model gave the true class.")
    loss: float
    top: list[tuple[int, float]] = Field(description="[class index, confidence], best first")
    label_name: str
    predicted_name: str
    image_url: str
    cam_url: str
    asset_id: str | None = Field(description="null when the image is no longer in the project")


class PredictionPage(BaseModel):
    """GET /api/runs/{run_id}/predictions"""

    total: int
    class_names: list[str]
    items: list[Prediction]


class QueueCoverage(BaseModel):
    source: Literal["validation", "cross_validation"]
    images: int
    total_labelled: int
    run_id: str
    text: str


class MislabelledQueue(BaseModel):
    """GET /api/runs/{run_id}/mislabelled"""

    total: int
    items: list[Prediction]
    coverage: QueueCoverage
    suggestions_trusted: bool
    untrusted_reason: str


class PortRead(BaseModel):
    name: str
    kind: str
    title: str
    multiple: bool = False


class NodeDescriptor(BaseModel):
    """GET /api/nodes: one node type of the catalogue."""

    type: str
    title: str
    category: str
    description: str
    recommended: bool
    inputs: list[PortRead]
    outputs: list[PortRead]
    params_schema: dict[str, Any] = Field(description="The JSON Schema of the node's params")
    defaults: dict[str, Any]
    family: str | None = Field(default=None, description="Model nodes: the store weights' family")
    architectures: dict[str, str] | None = Field(default=None, description="Model nodes: size → Ultralytics config")


class TemplateRead(BaseModel):
    """GET /api/templates: one recommended workflow."""

    id: str
    title: str
    description: str
    tags: list[str]
    graph: Graph
    fit: TemplateFit | None = Field(description="How it fits the project's images; null without `project_id`.")


class LabelsUpdated(BaseModel):
    """POST /api/projects/{project_id}/labels/bulk"""

    updated: int = Field(description="Images whose label was set (or cleared).")


class AssetsDeleted(BaseModel):
    """POST /api/projects/{project_id}/assets/delete"""

    deleted: int = Field(description="Images deleted with their labels.")
