"""Typed run events. Producers build a payload; the store gives it a dense `seq` and wraps it in the envelope

    {"run_id": ..., "seq": 3, "type": "batch", "ts": 1764400000.1, "data": {...}}

Every payload model below is the `data` of one event type; `EVENT_TYPES` is the named table of them. On the server
`data` is always that model (`event.data.status`, never `event.data["status"]`): a `WorkerEvent` is validated once,
when it is built, and `Event` is the discriminated union (by `type`) of the stored envelopes, as OpenAPI shows it.
"""

import logging
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    model_serializer,
    model_validator,
)

log = logging.getLogger(__name__)

RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]
FinalStatus = Literal["succeeded", "failed", "cancelled", "interrupted"]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Queued(_Payload):
    position: int = 0  # runs ahead of this one


class Waiting(_Payload):
    """The runner has the run but cannot start it yet, in plain words ("Waiting for a GPU: the cluster has 0 free of
    0."); the run stays queued. A runner says it when the reason changes, not repeatedly."""

    reason: str


class Started(_Payload):
    pid: int | None = None
    device: str
    device_reason: str = ""  # why this device, in plain words (worker/device.py); "" in runs from before
    amp: bool | None = None  # mixed precision; None in runs from before
    workers: int | None = None  # DataLoader processes chosen; None in runs from before
    epochs: int
    train_images: int
    val_images: int
    class_names: list[str]


class Log(_Payload):
    level: Literal["debug", "info", "warning", "error"] = "info"
    message: str


class Batch(_Payload):
    epoch: int  # 1-based
    epochs: int
    batch: int  # 1-based within the epoch
    of: int
    loss: float  # mean training loss of the batches since the previous batch event (never reset at an epoch)
    lr: float
    images_per_s: float


class ClassMetrics(_Payload):
    name: str
    precision: float
    recall: float
    f1: float
    support: int


class PreviewSample(_Payload):
    """One image of an evaluation's fixed preview sample (worker/review.py preview_entries)."""

    item: int  # index into the run's items: GET /api/runs/{run_id}/items/{item}/image
    label: int
    top: list[tuple[int, float]]  # [class index, confidence], best first
    predicted: int
    confidence: float
    correct: bool
    cam: str | None = Field(default=None, description='"cam/<item>.png", on the final evaluation only')

    @model_serializer(mode="wrap")
    def _cam_only_when_made(self, handler: SerializerFunctionWrapHandler):  # unannotated: the schema stays the fields
        """No `cam` key unless an overlay was saved: the JSON the worker has always sent."""
        data = handler(self)
        if data.get("cam") is None:
            data.pop("cam", None)
        return data


class Evaluation(_Payload):
    epoch: int  # 1-based epoch the weights come from
    step: int  # optimiser steps so far
    final: bool = False  # the closing evaluation of the chosen best checkpoint
    accuracy: float
    top5: float
    precision: float  # macro
    recall: float  # macro
    f1: float  # macro
    avg_confidence: float  # mean top-1 softmax confidence
    val_loss: float | None = None
    per_class: list[ClassMetrics]
    confusion_matrix: list[list[int]]  # [true][predicted]
    class_names: list[str]
    quality: list[str] = Field(default_factory=list)  # codes of the quality warnings that hold after it
    preview: list[PreviewSample] = Field(default_factory=list)


class QualityWarning(_Payload):
    """A degenerate model, found after an evaluation (worker/quality.py). A run with warnings can still succeed."""

    code: Literal["collapsed", "no_better_than_majority", "overfitting"]
    message: str  # a sentence a person understands
    epoch: int  # 1-based epoch of the evaluated weights
    final: bool = False  # about the final model (best.pt) rather than one epoch on the way


class Checkpoint(_Payload):
    epoch: int
    path: str  # relative to the run directory
    kind: Literal["last", "best"]
    metrics: dict[str, float] = Field(default_factory=dict)


class Artifact(_Payload):
    name: str
    path: str  # relative to the run directory
    kind: Literal["weights", "onnx", "model_card", "other"]
    bytes: int


class Finished(_Payload):
    status: FinalStatus
    reason: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)


EVENT_TYPES: dict[str, type[_Payload]] = {
    "queued": Queued,
    "waiting": Waiting,
    "started": Started,
    "log": Log,
    "batch": Batch,
    "evaluation": Evaluation,
    "warning": QualityWarning,
    "checkpoint": Checkpoint,
    "artifact": Artifact,
    "finished": Finished,
}
EventType = Literal[
    "queued", "waiting", "started", "log", "batch", "evaluation", "warning", "checkpoint", "artifact", "finished"
]
Payload = Queued | Waiting | Started | Log | Batch | Evaluation | QualityWarning | Checkpoint | Artifact | Finished


class WorkerEvent(BaseModel):
    """An event before it is stored: what producers (worker, service) emit. Building one validates it: `data`
    becomes the payload model of `type` (a dict is parsed, an unknown type or a bad payload is a ValidationError)."""

    model_config = ConfigDict(frozen=True)
    type: EventType
    ts: float
    data: Payload

    @model_validator(mode="before")
    @classmethod
    def _payload_of_its_type(cls, value: Any) -> Any:
        if not isinstance(value, dict) or "data" not in value:
            return value
        payload_type = EVENT_TYPES.get(value.get("type"))  # type: ignore[arg-type]
        if payload_type is None:
            raise ValueError(f"unknown event type {value.get('type')!r}; known: {', '.join(EVENT_TYPES)}")
        return {**value, "data": payload_type.model_validate(value["data"])}

    @classmethod
    def of(cls, payload: _Payload, ts: float) -> "WorkerEvent":
        name = next(k for k, v in EVENT_TYPES.items() if v is type(payload))
        return cls(type=name, ts=ts, data=payload)

    def validated(self) -> "WorkerEvent":
        """Kept for callers: a WorkerEvent is valid once built."""
        return self


class _Stored(BaseModel):
    """The stored, published envelope: a worker event with its run and its dense `seq`."""

    model_config = ConfigDict(frozen=True)
    run_id: str
    seq: int
    type: EventType  # each subclass narrows it to its one type
    ts: float


class QueuedEvent(_Stored):
    type: Literal["queued"]
    data: Queued


class WaitingEvent(_Stored):
    type: Literal["waiting"]
    data: Waiting


class StartedEvent(_Stored):
    type: Literal["started"]
    data: Started


class LogEvent(_Stored):
    type: Literal["log"]
    data: Log


class BatchEvent(_Stored):
    type: Literal["batch"]
    data: Batch


class EvaluationEvent(_Stored):
    type: Literal["evaluation"]
    data: Evaluation


class WarningEvent(_Stored):
    type: Literal["warning"]
    data: QualityWarning


class CheckpointEvent(_Stored):
    type: Literal["checkpoint"]
    data: Checkpoint


class ArtifactEvent(_Stored):
    type: Literal["artifact"]
    data: Artifact


class FinishedEvent(_Stored):
    type: Literal["finished"]
    data: Finished


Event = Annotated[
    QueuedEvent
    | WaitingEvent
    | StartedEvent
    | LogEvent
    | BatchEvent
    | EvaluationEvent
    | WarningEvent
    | CheckpointEvent
    | ArtifactEvent
    | FinishedEvent,
    Field(discriminator="type"),
]
_EVENT = TypeAdapter(Event)


def stored_event(run_id: str, seq: int, event: WorkerEvent) -> Event:
    """The envelope of a worker event the store has given `seq` (its payload is already valid)."""
    return _EVENT.validate_python(
        {"run_id": run_id, "seq": seq, "type": event.type, "ts": event.ts, "data": event.data}
    )


def read_event(stored: dict[str, Any]) -> Event:
    """An event read back from the store or the wire: {"run_id", "seq", "type", "ts", "data"}.

    A payload this version no longer reads (stored by an older one, before a field was renamed) comes back as a
    `log` warning in its place, keeping its seq: one old event never makes a run's whole log unreadable."""
    try:
        return _EVENT.validate_python(stored)
    except ValidationError as error:
        log.warning(
            "event %s of run %s does not read as %r: %s",
            stored.get("seq"),
            stored.get("run_id"),
            stored.get("type"),
            error,
        )
        message = f"A {stored.get('type')!r} event stored by another version of Visionflow cannot be shown here."
        return _EVENT.validate_python(stored | {"type": "log", "data": {"level": "warning", "message": message}})
