"""RunSettings (the Run Training dialog) and TrainingJobSpec (what a worker runs).

A spec is frozen, plain JSON and self-contained: a worker on another machine runs it without the
server or its database. It names no path: images are content hashes, weights are storage keys, the
output is a run id; the worker resolves all three through a Storage (backend/storage.py).
`canonical_json()` gives the same bytes for the same spec. `read_spec` also reads the version-1 specs
older data dirs stored (absolute paths), for display.
"""

import json
import re
from pathlib import PurePath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SPEC_VERSION = 2

# What a weights field may name: a model store file, or the best/last checkpoint of a run.
WEIGHTS_KEY_PATTERN = r"^(models/[A-Za-z0-9._-]+\.pt|runs/[A-Za-z0-9_-]+/weights/(best|last)\.pt)$"
RUN_ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"
CONTENT_HASH_PATTERN = r"^[0-9a-f]{64}$"
SUFFIX_PATTERN = r"^\.[a-z0-9]{1,10}$"
_WEIGHTS_KEY = re.compile(WEIGHTS_KEY_PATTERN)

CheckpointStrategy = Literal["latest", "lowest_val_loss", "highest_accuracy"]
Optimizer = Literal["auto", "SGD", "Adam", "AdamW", "NAdam", "RAdam", "RMSProp"]
Split = Literal["train", "val"]


DEVICE_PATTERN = r"^(auto|cpu|cuda|cuda:\d+|\d+(,\d+)*)$"


class RunSettings(BaseModel):
    """What a person chooses when starting a run. Defaults suit a first run on a laptop CPU."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    epochs: int = Field(default=10, ge=1, le=10_000, description="Passes over the training split.")
    time_limit_hours: float | None = Field(
        default=None, gt=0, le=1000, description="Stop after this many hours (overrides epochs)."
    )
    batch: int = Field(default=64, ge=1, le=4096, description="Images per training step.")
    learning_rate: float = Field(default=0.001, gt=0, le=1, description="Initial learning rate.")
    optimizer: Optimizer = Field(default="AdamW", description="Optimiser; 'auto' lets Ultralytics pick.")
    patience: int = Field(default=100, ge=1, le=10_000, description="Epochs without improvement before stopping.")
    eval_every: int = Field(default=1, ge=1, le=1000, description="Evaluate on the validation split every N epochs.")
    checkpoint: CheckpointStrategy = Field(default="highest_accuracy", description="Which weights become best.pt.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    device: str = Field(
        default="auto",
        pattern=DEVICE_PATTERN,
        description="Auto: a CUDA GPU when the machine that trains has one, else the CPU.",
    )
    workers: int | None = Field(
        default=None, ge=0, le=32, description="Data-loading processes; Auto (empty): chosen for the machine's cores."
    )


def check_weights_key(key: str) -> str:
    """`key` if it names weights a worker may read (WEIGHTS_KEY_PATTERN); ValueError otherwise."""
    if not _WEIGHTS_KEY.fullmatch(key) or ".." in key.split("/"):
        raise ValueError(
            f"{key!r} is not a weights key: expected 'models/<file>.pt' or 'runs/<run id>/weights/best.pt|last.pt'"
        )
    return key


def store_weights_key(name: str) -> str:
    """The key of a model store file, e.g. "yolo11n-cls-0123456789ab.pt" → "models/yolo11n-cls-0123456789ab.pt"."""
    return check_weights_key(f"models/{name}")


def run_weights_key(run_id: str, name: Literal["best", "last"]) -> str:
    return check_weights_key(f"runs/{run_id}/weights/{name}.pt")


def run_of_weights_key(key: str | None) -> str | None:
    """The run whose checkpoint `key` names; None for model store weights (or no weights)."""
    if key is None or not key.startswith("runs/"):
        return None
    return key.split("/")[1]


class DatasetItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    content_hash: str = Field(pattern=CONTENT_HASH_PATTERN)  # sha256 of the file: the store finds it by this
    suffix: str = Field(pattern=SUFFIX_PATTERN)  # ".png": the file type, lower case, with its dot
    label: int  # index into DatasetSpec.class_names
    split: Split


class DatasetSpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    class_names: list[str]
    items: list[DatasetItem]
    # sha256 over (content hash, label name, split) of every item: what this run trained on. Items are sorted by
    # (split, label, content_hash).
    snapshot_hash: str
    # How training draws its images: "weighted_sampling" draws each class about equally often (worker/sampling.py).
    balance: Literal["none", "weighted_sampling"] = "none"

    def count(self, split: Split) -> int:
        return sum(1 for item in self.items if item.split == split)


class PipelineStep(BaseModel):
    """One albumentations transform. `splits` says where it applies: preprocessing on both, augmentation on train."""

    model_config = ConfigDict(frozen=True)
    node_id: str
    transform: str  # albumentations class name
    params: dict[str, Any]
    splits: list[Split]


class ModelSpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    architecture: str  # Ultralytics model yaml, e.g. "yolov8n-cls.yaml"
    imgsz: int
    pretrained: str | None = None  # a weights key (WEIGHTS_KEY_PATTERN): store weights or a run's best.pt

    @field_validator("pretrained")
    @classmethod
    def _weights_key(cls, key: str | None) -> str | None:
        return None if key is None else check_weights_key(key)


class EvaluationSpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    every: int
    checkpoint: CheckpointStrategy
    preview_size: int = 16


LABEL_ERRORS_FILE = "label_errors.json"  # what a label check leaves in its run folder (worker/crossval.py)


class CrossValidationSpec(BaseModel):
    """A label check: k models, each trained on all but one fold of every labelled item (train and val alike) and
    predicting the fold it did not see, so every item gets out-of-sample probabilities (worker/crossval.py)."""

    model_config = ConfigDict(frozen=True)
    folds: int = Field(ge=2, le=10, description="Number of folds (models trained); stratified by class, seeded.")


class TrainingJobSpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    spec_version: int = SPEC_VERSION
    workflow_name: str
    dataset: DatasetSpec
    pipeline: list[PipelineStep]
    model: ModelSpec
    overrides: dict[str, Any]  # Ultralytics train arguments; every key exists in its default config
    evaluation: EvaluationSpec
    run_id: str = Field(pattern=RUN_ID_PATTERN)  # the worker writes to storage.run_folder(run_id)
    # "runs/<parent>/weights/last.pt": continue that interrupted parent run after its last saved epoch, with its
    # optimiser state and epoch count, into this run's own folder. Everything else must be the parent's spec.
    resume_from: str | None = None
    parent_run_id: str | None = Field(default=None, pattern=RUN_ID_PATTERN)  # resumed, extended or label-checked
    # Set on a label-check run: k-fold out-of-sample probabilities of every item instead of one training.
    cross_validation: CrossValidationSpec | None = None

    @field_validator("resume_from")
    @classmethod
    def _checkpoint_key(cls, key: str | None) -> str | None:
        if key is not None and run_of_weights_key(check_weights_key(key)) is None:
            raise ValueError(f"resume_from {key!r} must be a run's checkpoint, 'runs/<run id>/weights/last.pt'")
        return key

    @model_validator(mode="after")
    def _labels_in_range(self) -> "TrainingJobSpec":
        n = len(self.dataset.class_names)
        if any(not 0 <= item.label < n for item in self.dataset.items):
            raise ValueError("a dataset item has a label outside class_names")
        resumed = run_of_weights_key(self.resume_from)
        if resumed is not None and resumed == self.run_id:
            raise ValueError("resume_from must be a parent run's checkpoint: a resumed run writes its own folder")
        if resumed is not None and self.parent_run_id not in (None, resumed):
            raise ValueError(f"resume_from names run {resumed!r}, but parent_run_id is {self.parent_run_id!r}")
        return self

    def canonical_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


class UnreadableSpec(ValueError):
    """A stored spec this server cannot read (a newer version, or an older one that named files outside the store)."""


def read_spec(stored: dict[str, Any]) -> TrainingJobSpec:
    """A stored spec of any version as a TrainingJobSpec; UnreadableSpec if it is none.

    Version 1 (before self-contained specs) named absolute paths; the server's own runs always pointed into the
    content-addressed asset store (`assets/ab/<sha256>.<ext>`), `<data dir>/models/<file>.pt` and
    `<data dir>/runs/<id>/`, so each path maps to its hash or key without opening a file."""
    version = stored.get("spec_version", 1)
    if version not in (1, SPEC_VERSION):
        raise UnreadableSpec(f"spec_version {version!r} is newer than this server reads ({SPEC_VERSION})")
    try:
        return TrainingJobSpec.model_validate(_upgraded_from_v1(stored) if version == 1 else stored)
    except (ValueError, KeyError, TypeError) as error:  # pydantic's ValidationError is a ValueError
        raise UnreadableSpec(f"this run's stored spec (version {version}) cannot be read: {error}") from error


def read_item(stored: dict[str, Any], index: int) -> DatasetItem | None:
    """Item `index` of a stored spec of any version (None if it has none), without reading the whole snapshot: what
    a route that serves one image of a 15,000-image run needs; UnreadableSpec if the item cannot be read."""
    items = (stored.get("dataset") or {}).get("items") or []
    if not 0 <= index < len(items):
        return None
    item = items[index]
    try:
        return DatasetItem.model_validate(_v1_item(item) if stored.get("spec_version", 1) == 1 else item)
    except (ValueError, KeyError, TypeError) as error:
        raise UnreadableSpec(f"item {index} of this run's stored spec cannot be read: {error}") from error


def _v1_item(item: dict[str, Any]) -> dict[str, Any]:
    path = PurePath(item["path"])
    return {"content_hash": path.stem, "suffix": path.suffix.lower(), "label": item["label"], "split": item["split"]}


def _upgraded_from_v1(stored: dict[str, Any]) -> dict[str, Any]:
    dataset = dict(stored.get("dataset") or {})
    dataset["items"] = [_v1_item(item) for item in dataset.get("items", [])]
    model = dict(stored.get("model") or {})
    model["pretrained"] = _v1_weights_key(model.get("pretrained"))
    upgraded = {key: value for key, value in stored.items() if key != "output_dir"}
    run_id = PurePath(stored.get("output_dir") or "").name
    resume_from = _v1_weights_key(stored.get("resume_from"))
    if run_of_weights_key(resume_from) == run_id:
        resume_from = None  # version 1 resumed a run in its own folder: the record is the whole run's
    return {
        **upgraded,
        "spec_version": SPEC_VERSION,
        "dataset": dataset,
        "model": model,
        "run_id": run_id,
        "resume_from": resume_from,
    }


def _v1_weights_key(path: str | None) -> str | None:
    if not path:
        return None
    parts = PurePath(path).parts
    if len(parts) >= 2 and parts[-2] == "models":
        return store_weights_key(parts[-1])
    if len(parts) >= 4 and parts[-2] == "weights" and parts[-4] == "runs":
        return f"runs/{parts[-3]}/weights/{parts[-1]}"
    raise ValueError(f"version-1 weights path {path!r} is neither in a model store nor in a run folder")
