"""Typed run events. Producers build a payload; the store gives it a dense `seq` and wraps it in the envelope

    {"run_id": ..., "seq": 3, "type": "batch", "ts": 1764400000.1, "data": {...}}

Every payload model below is the `data` of one event type; `EVENT_TYPES` is the named table of them.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]
FinalStatus = Literal["succeeded", "failed", "cancelled", "interrupted"]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Queued(_Payload):
    position: int = 0  # runs ahead of this one


class Started(_Payload):
    pid: int | None = None
    device: str
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
    loss: float
    lr: float
    images_per_s: float


class ClassMetrics(_Payload):
    name: str
    precision: float
    recall: float
    f1: float
    support: int


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
    preview: list[dict[str, Any]] = Field(default_factory=list)


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
    "started": Started,
    "log": Log,
    "batch": Batch,
    "evaluation": Evaluation,
    "warning": QualityWarning,
    "checkpoint": Checkpoint,
    "artifact": Artifact,
    "finished": Finished,
}


class WorkerEvent(BaseModel):
    """An event before it is stored: what producers (worker, service) emit."""

    model_config = ConfigDict(frozen=True)
    type: str
    ts: float
    data: dict[str, Any]

    @classmethod
    def of(cls, payload: _Payload, ts: float) -> "WorkerEvent":
        name = next(k for k, v in EVENT_TYPES.items() if v is type(payload))
        return cls(type=name, ts=ts, data=payload.model_dump(mode="json"))

    def validated(self) -> "WorkerEvent":
        payload_type = EVENT_TYPES.get(self.type)
        if payload_type is None:
            raise ValueError(f"unknown event type {self.type!r}")
        payload_type.model_validate(self.data)
        return self


class Event(BaseModel):
    """The stored, published envelope."""

    model_config = ConfigDict(frozen=True)
    run_id: str
    seq: int
    type: str
    ts: float
    data: dict[str, Any]
