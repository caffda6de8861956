"""Request and response bodies (separate from the tables)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.api.access import Role
from backend.events.models import RunStatus
from backend.graph.issues import Issue
from backend.plain_text import PlainText

RunLineage = Literal["resumed", "extended", "label_check"]


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer that is not a report of its own (backend/app.py `_unexpected` writes it)."""

    status_code: int
    detail: str = Field(description="What is wrong, and where: a sentence a person understands.")
    extra: dict[str, Any] | list[Any] | None = Field(default=None, description="e.g. {'field': 'name'}")


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: PlainText = Field(min_length=1, max_length=200)
    task: Literal["classification"] = "classification"
    content: Literal["image"] = "image"


class ProjectRename(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: PlainText = Field(min_length=1, max_length=200)


class ProjectRead(BaseModel):
    id: str
    name: str
    task: str
    content: str
    created_at: datetime
    image_count: int
    labelled_count: int
    class_count: int
    my_role: Role = Field(description="The caller's role here (an administrator owns every project).")


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
    split: Literal["train", "val"] | None
    thumbnail_url: str
    width: int
    height: int
    bytes: int
    class_id: str | None
    url: str


class AssetPage(BaseModel):
    items: list[AssetRead]
    total: int


class UploadDuplicate(BaseModel):
    filename: str
    asset_id: str = Field(description="The project's image with the same content.")


class UploadRejection(BaseModel):
    filename: str
    reason: str


class UploadReport(BaseModel):
    imported: list[AssetRead]
    duplicates: list[UploadDuplicate]
    rejected: list[UploadRejection]
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
    # Not `Graph`: saving refuses a graph only over the size limits of backend/graph/schema.py (a half-built one
    # with a missing edge port is kept, issues and all, and unknown keys are kept as sent); the validator reports
    # what is wrong on its node.
    graph: dict[str, Any] = Field(description="A workflow graph document (the Graph schema), kept as sent.")


class FromTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template_id: str


class WorkflowRead(BaseModel):
    id: str
    project_id: str
    name: str
    # Not `Graph`: the stored document is sent back as it was saved (see WorkflowWrite), parsed or not.
    graph: dict[str, Any] = Field(description="The saved workflow graph document (the Graph schema when it parses).")
    issues: list[Issue]
    created_at: datetime
    updated_at: datetime
    version: int | None = Field(default=None, description="The number of the version its graph is (null: none yet).")
    version_id: str | None = None


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    graph: Any
    project_id: str | None = None


class WorkflowIssues(BaseModel):
    """422 of POST /api/workflows/{workflow_id}/runs: the workflow cannot run; every issue, addressed to its node."""

    issues: list[Issue]


class ValidateResponse(BaseModel):
    valid: bool
    issues: list[Issue]


class RunQualityWarning(BaseModel):
    """A degenerate-model warning kept on the run (from its `warning` events; codes in worker/quality.py)."""

    code: Literal["collapsed", "no_better_than_majority", "overfitting"]
    message: str
    epoch: int


class RunRead(BaseModel):
    id: str
    name: str = Field(description='"<workflow> · <model> · <imgsz> px · <epochs> ep" unless a person renamed it.')
    project_id: str | None
    workflow_id: str | None
    workflow_name: str
    workflow_version_id: str | None = Field(
        default=None, description="The workflow version it trained (GET /api/workflows/{id}/versions/{version_id})."
    )
    workflow_version_number: int | None = Field(
        default=None, description="That version's number within its workflow (null: no version recorded)."
    )
    parent_run_id: str | None = None
    lineage: RunLineage | None = Field(
        default=None, description="How the run came from its parent: null for a run started from its workflow."
    )
    status: RunStatus
    reason: str
    settings: dict[str, Any]
    snapshot_hash: str
    metrics: dict[str, float]
    quality_warnings: list[RunQualityWarning] = Field(
        default_factory=list, description="What is wrong with the model; a succeeded run may still have some."
    )
    last_seq: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    queue_position: int | None = Field(
        default=None, description="Its place among the runs waiting for a slot (1 starts next); null otherwise."
    )
    waiting_reason: str | None = Field(
        default=None,
        description='Why a queued run has not started ("2 runs ahead; …", the runner\'s own); null unless queued.',
    )


class QueueRead(BaseModel):
    """The runs training or waiting that the caller can see: those holding a slot first, then the waiting ones in
    the order they start (positions count every waiting run, of every project)."""

    runs: list[RunRead]
    max_concurrent_runs: int
    max_concurrent_runs_per_project: int | None


class RunRename(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: PlainText = Field(description="1 to 200 characters once the spaces at either end are trimmed.")


class ExtendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    epochs: int = Field(ge=1, le=10_000, description="How many more epochs to train.")
