"""RunSettings (the Run Training dialog) and TrainingJobSpec (what a worker runs).

A spec is frozen, plain JSON and self-contained: a worker on another machine runs it without the
server or its database. `canonical_json()` gives the same bytes for the same spec.
"""

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SPEC_VERSION = 1

CheckpointStrategy = Literal["latest", "lowest_val_loss", "highest_accuracy"]
Optimizer = Literal["auto", "SGD", "Adam", "AdamW", "NAdam", "RAdam", "RMSProp"]
Split = Literal["train", "val"]


DEVICE_PATTERN = r"^(cpu|cuda|cuda:\d+|\d+(,\d+)*)$"


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
    device: str = Field(default="cpu", pattern=DEVICE_PATTERN)
    workers: int = Field(default=1, ge=0, le=32, description="Data-loading processes.")


class DatasetItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    path: str  # absolute path to the image file (content-addressed under the data dir, or the --data folder)
    label: int  # index into DatasetSpec.class_names
    split: Split


class DatasetSpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    class_names: list[str]
    items: list[DatasetItem]
    snapshot_hash: str  # sha256 over (content, label, split) of every item: what this run trained on
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
    pretrained: str | None = None  # absolute path to a .pt in the server's model store


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
    output_dir: str
    # A `weights/last.pt` inside output_dir: continue that interrupted run after its last saved epoch, with its
    # optimiser state and epoch count. Everything else in the spec must be the interrupted run's.
    resume_from: str | None = None
    # Set on a label-check run: k-fold out-of-sample probabilities of every item instead of one training.
    cross_validation: CrossValidationSpec | None = None

    @model_validator(mode="after")
    def _labels_in_range(self) -> "TrainingJobSpec":
        n = len(self.dataset.class_names)
        if any(not 0 <= item.label < n for item in self.dataset.items):
            raise ValueError("a dataset item has a label outside class_names")
        return self

    def canonical_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
