"""Request and response bodies (separate from the tables)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.graph.issues import Issue


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    task: Literal["classification"] = "classification"
    content: Literal["image"] = "image"


class ProjectRead(BaseModel):
    id: str
    name: str
    task: str
    content: str
    created_at: datetime
    image_count: int
    labelled_count: int
    class_count: int


class ClassCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    colour: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")


class ClassRead(BaseModel):
    id: str
    name: str
    colour: str
    hotkey: str | None = None
    image_count: int


class AssetRead(BaseModel):
    id: str
    filename: str
    source_path: str
    sha256: str
    split: str | None
    thumbnail_url: str
    width: int
    height: int
    bytes: int
    class_id: str | None
    url: str


class AssetPage(BaseModel):
    items: list[AssetRead]
    total: int


class UploadReport(BaseModel):
    imported: list[AssetRead]
    duplicates: list[dict[str, str]]
    rejected: list[dict[str, str]]
    classes_created: list[str] = []
    labelled: int = 0


class AssetSelection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset_ids: list[str] = Field(min_length=1, max_length=10_000)


class LayoutPreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    paths: list[str] = Field(max_length=200_000)
    folders_are_classes: bool = True


class AnnotationSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    class_id: str | None


class WorkflowWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    graph: dict[str, Any]


class FromTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template_id: str


class WorkflowRead(BaseModel):
    id: str
    project_id: str
    name: str
    graph: dict[str, Any]
    issues: list[Issue]
    created_at: datetime
    updated_at: datetime


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    graph: Any
    project_id: str | None = None


class ValidateResponse(BaseModel):
    valid: bool
    issues: list[Issue]


class RunQualityWarning(BaseModel):
    """A degenerate-model warning kept on the run (from its `warning` events; codes in worker/quality.py)."""

    code: str = Field(description="collapsed | no_better_than_majority | overfitting")
    message: str
    epoch: int


class RunRead(BaseModel):
    id: str
    project_id: str | None
    workflow_id: str | None
    workflow_name: str
    parent_run_id: str | None = None
    status: str
    reason: str
    settings: dict[str, Any]
    snapshot_hash: str
    metrics: dict[str, Any]
    quality_warnings: list[RunQualityWarning] = Field(
        default_factory=list, description="What is wrong with the model; a succeeded run may still have some."
    )
    last_seq: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ExtendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    epochs: int = Field(ge=1, le=10_000, description="How many more epochs to train.")
