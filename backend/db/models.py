"""Tables. Request and response shapes live with the API, not here."""

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from backend.graph.spec import TrainingJobSpec, read_spec


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def now() -> datetime:
    return datetime.now(UTC)


def queue_clock() -> int:
    """A new run's place in the queue: after every run queued before it."""
    return time.time_ns() // 1000


class Project(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    name: str
    task: str = "classification"
    content: str = "image"
    created_at: datetime = Field(default_factory=now)


class ImageClass(SQLModel, table=True):
    __tablename__ = "image_class"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: str = Field(default_factory=new_id, primary_key=True)
    project_id: str = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    name: str
    colour: str = "#4c6ef5"
    hotkey: str | None = None  # one key that assigns this class in the annotator
    created_at: datetime = Field(default_factory=now)


class Asset(SQLModel, table=True):
    """An image file, stored once by content (`assets/ab/<sha256>.<ext>`); `filename` is display data."""

    __table_args__ = (UniqueConstraint("project_id", "sha256"),)
    id: str = Field(default_factory=new_id, primary_key=True)
    project_id: str = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    sha256: str = Field(index=True)
    ext: str
    filename: str  # the file's name as uploaded: display data, never a path on disk
    source_path: str = ""  # where it sat in the uploaded folder or zip, for display
    split: str | None = None  # fixed by an uploaded train/ or val/ folder; otherwise the dataset node decides
    width: int
    height: int
    bytes: int
    created_at: datetime = Field(default_factory=now)


class Annotation(SQLModel, table=True):
    """One class per asset (classification)."""

    asset_id: str = Field(foreign_key="asset.id", primary_key=True, ondelete="CASCADE")
    class_id: str = Field(foreign_key="image_class.id", index=True, ondelete="CASCADE")
    updated_at: datetime = Field(default_factory=now)


class Workflow(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    project_id: str = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    name: str
    graph: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)


class WorkflowVersion(SQLModel, table=True):
    """A graph a workflow had: one is stored at every save that changes it (backend/workflows/versions.py)."""

    __tablename__ = "workflow_version"
    __table_args__ = (UniqueConstraint("workflow_id", "number"),)
    id: str = Field(default_factory=new_id, primary_key=True)
    workflow_id: str = Field(foreign_key="workflow.id", index=True, ondelete="CASCADE")
    number: int  # 1, 2, … within its workflow
    graph: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    node_count: int = 0  # kept beside the graph, so that listing versions reads no graph
    edge_count: int = 0
    name: str | None = None  # given by a person ("before the new crop"); None: unnamed
    created_at: datetime = Field(default_factory=now)
    created_by: str | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")


class Run(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    project_id: str | None = Field(default=None, foreign_key="project.id", index=True, ondelete="CASCADE")
    workflow_id: str | None = Field(default=None, foreign_key="workflow.id", index=True, ondelete="SET NULL")
    workflow_name: str
    # "Birds · YOLO11n · 224 px · 30 ep" (backend/runs/naming.py); a person may rename it. "": none given (a row made
    # outside the run service), read as the workflow's name
    name: str = Field(default="", sa_column_kwargs={"server_default": text("''")})
    # the exact graph it trained (None: a run from before versions, or from the command line)
    workflow_version_id: str | None = Field(
        default=None, foreign_key="workflow_version.id", index=True, ondelete="SET NULL"
    )
    parent_run_id: str | None = Field(
        default=None, foreign_key="run.id", index=True, ondelete="SET NULL"
    )  # extended from
    status: str = "queued"  # queued | running | succeeded | failed | cancelled | interrupted
    reason: str = ""
    settings: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    spec: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    snapshot_hash: str = ""
    metrics: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # [{code, message, epoch}] from `warning` events (events/store.py): a succeeded run may still carry a poor model
    quality_warnings: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default=text("'[]'"))
    )
    # Projections of `artifact` and `checkpoint` events (events/store.py apply_to_run), so no route scans the log:
    # [Artifact payload] one per name; [Checkpoint payload + its event's `seq`] in order
    artifacts: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default=text("'[]'"))
    )
    checkpoints: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default=text("'[]'"))
    )
    last_seq: int = -1
    # place in the run queue, lower starts first (backend/runs/queue.py): the clock's microseconds when made; "move to
    # front" gives it one less than the lowest queued. Kept in the database so a restart starts queued runs in order.
    queue_order: int = Field(
        default_factory=queue_clock, sa_type=BigInteger, sa_column_kwargs={"server_default": text("0")}
    )
    created_at: datetime = Field(default_factory=now)
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def job_spec(self) -> TrainingJobSpec | None:
        """The stored spec, typed (None while a run has none: one that failed to compile); a version-1 spec of an
        older data dir is read as the current version (backend/graph/spec.py read_spec). A run's spec never changes
        once stored, so the last few parsed are kept: reading a 15,000-image spec holds the GIL for ~70 ms."""
        if not self.spec:
            return None
        dataset = self.spec.get("dataset") or {}
        # Ids are unique within a database; the rest tells apart runs of other data dirs in one process (tests).
        key = (self.id, dataset.get("snapshot_hash"), len(dataset.get("items") or ()), self.spec.get("output_dir"))
        if (parsed := _PARSED_SPECS.get(key)) is None:
            parsed = read_spec(self.spec)
            _PARSED_SPECS[key] = parsed
            while len(_PARSED_SPECS) > PARSED_SPECS_KEPT:
                _PARSED_SPECS.pop(next(iter(_PARSED_SPECS)), None)
        return parsed


PARSED_SPECS_KEPT = 8
_PARSED_SPECS: dict[tuple[object, ...], TrainingJobSpec] = {}  # a run's spec, parsed; oldest first


class RunEvent(SQLModel, table=True):
    __tablename__ = "run_event"
    __table_args__ = (UniqueConstraint("run_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(foreign_key="run.id", index=True, ondelete="CASCADE")
    seq: int
    type: str
    ts: float
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class AssetFingerprint(SQLModel, table=True):
    """What the dataset checks compare between images: written at import, back-filled for older assets."""

    __tablename__ = "asset_fingerprint"
    asset_id: str = Field(foreign_key="asset.id", primary_key=True, ondelete="CASCADE")
    phash: str | None = None  # 64-bit perceptual hash, 16 hex digits; None: a flat picture, or unreadable
    channels: int | None = None  # 1 grey, 2 grey + alpha, 3 colour, 4 colour + alpha
    # False: a back-fill found the file missing or undecodable (an import only stores files that decode)
    readable: bool = Field(default=True, sa_column_kwargs={"server_default": "1"})


class User(SQLModel, table=True):
    """Someone who logs in. `user` is a reserved word in PostgreSQL, hence the table name."""

    __tablename__ = "user_account"
    id: str = Field(default_factory=new_id, primary_key=True)
    name: str = Field(unique=True, index=True)  # the login name
    password_hash: str  # Argon2id, backend/accounts/passwords.py
    is_admin: bool = False  # administers the server: users, the model store, and every project as its owner
    created_at: datetime = Field(default_factory=now)


class ApiToken(SQLModel, table=True):
    """A secret for scripts (`Authorization: Bearer vf_…`), stored only as its SHA-256: shown once, at creation."""

    __tablename__ = "api_token"
    id: str = Field(default_factory=new_id, primary_key=True)
    user_id: str = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str
    token_hash: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=now)
    last_used_at: datetime | None = None


class ProjectMember(SQLModel, table=True):
    """A user's role in a project: owner, annotator or viewer (backend/api/access.py says what each may do)."""

    __tablename__ = "project_member"
    project_id: str = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    user_id: str = Field(foreign_key="user_account.id", primary_key=True, index=True, ondelete="CASCADE")
    role: str
    added_at: datetime = Field(default_factory=now)


class ProjectWebhook(SQLModel, table=True):
    """Where a project's run ends are POSTed, and the secret that signs each body (backend/notifications/)."""

    __tablename__ = "project_webhook"
    project_id: str = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    url: str
    secret: str  # kept as it is: signing needs it (HMAC-SHA256); only the project's owners read it
    enabled: bool = True
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)


class WebhookDelivery(SQLModel, table=True):
    """One notification to a project's webhook, from the moment it is owed until it is delivered or given up: a
    restart sends on the pending ones. One per run (the unique pair), so a run's end is never announced twice."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("project_id", "run_id"),)
    id: str = Field(default_factory=new_id, primary_key=True)
    project_id: str = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    run_id: str | None = None  # None: a test delivery ("Send test"); no foreign key: the record outlives its run
    event: str  # run.finished | test
    body: str  # the exact JSON every attempt sends (each attempt signs it with its own timestamp)
    status: str = Field(default="pending", index=True)  # pending | delivered | failed (given up)
    attempts: int = 0
    next_attempt_ts: float = 0.0  # seconds since the epoch: when a pending one is tried next
    last_http_status: int | None = None
    last_error: str = ""
    response_excerpt: str = ""  # the first few hundred characters of the last answer, never more
    created_at: datetime = Field(default_factory=now)
    delivered_at: datetime | None = None
