"""Worker test fixtures: an offline Ultralytics set up once per session, digits as a real dataset in a store
(a LocalStorage of the session), spec builder. Specs name images by content hash and write to store runs/<run id>."""

import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backend.datasets.digits import CLASS_NAMES, render_digits
from backend.events.models import WorkerEvent
from backend.graph.spec import DatasetItem, DatasetSpec, EvaluationSpec, ModelSpec, PipelineStep, Split, TrainingJobSpec
from backend.storage import LocalStorage
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
def store(tmp_path_factory: pytest.TempPathFactory) -> LocalStorage:
    """The session's store: what a server's data dir is to a worker (assets/, models/, runs/)."""
    return LocalStorage(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="session")
def digits_dataset(digits_dir: Path, store: LocalStorage) -> DatasetSpec:
    return _digits_dataset(digits_dir, store)


@pytest.fixture
def make_spec(digits_dataset: DatasetSpec):
    """`make_spec(**options)` → a spec training on digits into a fresh run (store runs/<new run id>)."""

    def make(**options: Any) -> TrainingJobSpec:
        return _digits_spec(digits_dataset, new_run_id(), **options)

    return make


def new_run_id() -> str:
    return f"run-{uuid.uuid4().hex[:12]}"


def stored_items(storage: LocalStorage, files: Iterable[tuple[Path, int, Split]]) -> list[DatasetItem]:
    """Put each (file, label, split) into `storage` by its content hash, as an upload does; the items naming them."""
    items = []
    for path, label, split in files:
        content_hash, suffix = hashlib.sha256(path.read_bytes()).hexdigest(), path.suffix.lower()
        storage.add_image(path, content_hash, suffix)
        items.append(DatasetItem(content_hash=content_hash, suffix=suffix, label=label, split=split))
    return items


def snapshot_hash(items: Iterable[DatasetItem]) -> str:
    return hashlib.sha256("".join(f"{i.content_hash}{i.label}{i.split}" for i in items).encode()).hexdigest()


def _digits_dataset(root: Path, storage: LocalStorage, val_every: int = 5) -> DatasetSpec:
    """Every `val_every`-th image of each class goes to validation."""
    files = [
        (path, label, "val" if n % val_every == 0 else "train")
        for label, name in enumerate(CLASS_NAMES)
        for n, path in enumerate(sorted((root / name).glob("*.png")))
    ]
    items = stored_items(storage, files)
    return DatasetSpec(class_names=list(CLASS_NAMES), items=items, snapshot_hash=snapshot_hash(items))


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
    run_id: str,
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
        run_id=run_id,
    )


@dataclass(frozen=True)
class TrainedRun:
    spec: TrainingJobSpec
    storage: LocalStorage
    status: str
    events: list[WorkerEvent]

    @property
    def dir(self) -> Path:
        return self.storage.run_folder(self.spec.run_id)

    def item_file(self, index: int) -> Path:
        item = self.spec.dataset.items[index]
        return self.storage.image(item.content_hash, item.suffix)

    def data(self, kind: str) -> list[dict[str, Any]]:
        return [event.data.model_dump() for event in self.events if event.type == kind]

    def val_items(self) -> list[int]:
        return [i for i, item in enumerate(self.spec.dataset.items) if item.split == "val"]


@pytest.fixture(scope="session")
def trained_run(digits_dataset: DatasetSpec, store: LocalStorage) -> TrainedRun:
    """A finished 10-epoch digits run (0.96 validation accuracy, about 10 s) with everything a run leaves behind:
    weights, ONNX, predictions.json, CAM images, model card. Shared by the tests that only read it."""
    from backend.worker.job import run_job

    spec = _digits_spec(digits_dataset, "trained", overrides={"epochs": 10})
    events: list[WorkerEvent] = []
    status = run_job(spec, store, events.append, lambda: False)
    assert status == "succeeded"
    return TrainedRun(spec=spec, storage=store, status=status, events=[event.validated() for event in events])


@pytest.fixture(scope="session")
def trained_weights(trained_run: TrainedRun) -> Path:
    """best.pt of the shared digits run."""
    return trained_run.dir / "weights" / "best.pt"
