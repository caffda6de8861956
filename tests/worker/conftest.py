"""Worker test fixtures: an offline Ultralytics set up once per session, digits as a real dataset, spec builder."""

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backend.datasets.digits import CLASS_NAMES, render_digits
from backend.events.models import WorkerEvent
from backend.graph.spec import DatasetItem, DatasetSpec, EvaluationSpec, ModelSpec, PipelineStep, TrainingJobSpec
from backend.worker.offline import configure_offline, offline_environment

# Set before any test module imports albumentations or ultralytics: both read these at import time.
_CONFIG_DIR = Path(tempfile.mkdtemp(prefix="visionflow-worker-config-"))
os.environ.update(offline_environment(_CONFIG_DIR))

DIGITS_PER_CLASS = 50  # 500 images: 400 train, 100 val
IMGSZ = 32


@pytest.fixture(scope="session", autouse=True)
def offline_ultralytics() -> Iterator[Path]:
    configure_offline(_CONFIG_DIR)
    yield _CONFIG_DIR
    shutil.rmtree(_CONFIG_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def digits_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_digits(tmp_path_factory.mktemp("digits"), size=IMGSZ, limit_per_class=DIGITS_PER_CLASS)


@pytest.fixture(scope="session")
def digits_dataset(digits_dir: Path) -> DatasetSpec:
    return _digits_dataset(digits_dir)


@pytest.fixture
def make_spec(digits_dataset: DatasetSpec, tmp_path: Path):
    """`make_spec(**options)` → a spec training on digits into a fresh run folder under tmp_path."""
    counter = iter(range(1_000))

    def make(**options: Any) -> TrainingJobSpec:
        return _digits_spec(digits_dataset, tmp_path / f"run{next(counter)}", **options)

    return make


def _digits_dataset(root: Path, val_every: int = 5) -> DatasetSpec:
    """Every `val_every`-th image of each class goes to validation."""
    items = []
    for label, name in enumerate(CLASS_NAMES):
        for n, path in enumerate(sorted((root / name).glob("*.png"))):
            items.append(DatasetItem(path=str(path), label=label, split="val" if n % val_every == 0 else "train"))
    digest = hashlib.sha256("".join(f"{i.path}{i.label}{i.split}" for i in items).encode()).hexdigest()
    return DatasetSpec(class_names=list(CLASS_NAMES), items=items, snapshot_hash=digest)


LIGHT_PIPELINE = [
    PipelineStep(
        node_id="affine",
        transform="Affine",
        params={"rotate": (-10, 10), "scale": (0.9, 1.1), "p": 0.5},
        splits=["train"],
    ),
    PipelineStep(node_id="contrast", transform="RandomBrightnessContrast", params={"p": 0.5}, splits=["train"]),
]


def _digits_spec(
    dataset: DatasetSpec,
    output_dir: Path,
    *,
    pipeline: list[PipelineStep] | None = None,
    overrides: dict[str, Any] | None = None,
    every: int = 1,
    checkpoint: str = "highest_accuracy",
    pretrained: str | None = None,
) -> TrainingJobSpec:
    return TrainingJobSpec(
        workflow_name="digits test",
        dataset=dataset,
        pipeline=LIGHT_PIPELINE if pipeline is None else pipeline,
        model=ModelSpec(architecture="yolov8n-cls.yaml", imgsz=IMGSZ, pretrained=pretrained),
        overrides={
            "epochs": 1,
            "batch": 64,
            "lr0": 0.001,
            "optimizer": "AdamW",
            "patience": 100,
            "seed": 0,
            "deterministic": True,
            "device": "cpu",
            "workers": 1,
            **(overrides or {}),
        },
        evaluation=EvaluationSpec(every=every, checkpoint=checkpoint, preview_size=8),
        output_dir=str(output_dir),
    )


@dataclass(frozen=True)
class TrainedRun:
    spec: TrainingJobSpec
    status: str
    events: list[WorkerEvent]

    @property
    def dir(self) -> Path:
        return Path(self.spec.output_dir)

    def data(self, kind: str) -> list[dict[str, Any]]:
        return [event.data for event in self.events if event.type == kind]

    def val_items(self) -> list[int]:
        return [i for i, item in enumerate(self.spec.dataset.items) if item.split == "val"]


@pytest.fixture(scope="session")
def trained_run(digits_dataset: DatasetSpec, tmp_path_factory: pytest.TempPathFactory) -> TrainedRun:
    """A finished 10-epoch digits run (0.96 validation accuracy, about 10 s) with everything a run leaves behind:
    weights, ONNX, predictions.json, CAM images, model card. Shared by the tests that only read it."""
    from backend.worker.job import run_job

    spec = _digits_spec(digits_dataset, tmp_path_factory.mktemp("trained") / "run", overrides={"epochs": 10})
    events: list[WorkerEvent] = []
    status = run_job(spec, events.append, lambda: False)
    assert status == "succeeded"
    return TrainedRun(spec=spec, status=status, events=[event.validated() for event in events])


@pytest.fixture(scope="session")
def trained_weights(trained_run: TrainedRun) -> Path:
    """best.pt of the shared digits run."""
    return trained_run.dir / "weights" / "best.pt"
