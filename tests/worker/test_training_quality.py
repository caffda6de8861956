"""Training that cannot silently fail: sound BatchNorm statistics after few steps, degenerate models flagged,
images of any size trained. Real (tiny) trainings through run_job: seconds each."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backend.datasets.digits import render_digits
from backend.db.models import Run
from backend.events.models import WorkerEvent
from backend.events.store import apply_to_run
from backend.graph.spec import DatasetSpec, ModelSpec, TrainingJobSpec
from backend.storage import LocalStorage
from backend.worker.job import run_job
from tests.worker.conftest import _digits_spec, stored_items

pytestmark = pytest.mark.train


def _dataset(
    store: LocalStorage, paths_and_labels: list[tuple[Path, int]], class_names: list[str], val_every: int = 5
) -> DatasetSpec:
    files, seen = [], {}
    for path, label in paths_and_labels:
        seen[label] = seen.get(label, 0) + 1
        files.append((path, label, "val" if seen[label] % val_every == 0 else "train"))
    return DatasetSpec(class_names=class_names, items=stored_items(store, files), snapshot_hash="test")


def _digit_files(root: Path, digits: tuple[int, ...], per_class: int, size: int) -> list[tuple[Path, int]]:
    render_digits(root, size=size, limit_per_class=per_class)
    return [(path, label) for label, digit in enumerate(digits) for path in sorted((root / str(digit)).glob("*.png"))]


def _train(spec: TrainingJobSpec, store: LocalStorage) -> tuple[str, list[WorkerEvent]]:
    events: list[WorkerEvent] = []
    status = run_job(spec, store, events.append, lambda: False)
    return status, [event.validated() for event in events]


def _of(events: list[WorkerEvent], kind: str) -> list[dict]:
    return [event.data.model_dump() for event in events if event.type == kind]


def _spec(dataset: DatasetSpec, imgsz: int, epochs: int, **options) -> TrainingJobSpec:
    spec = _digits_spec(dataset, "run", pipeline=[], overrides={"epochs": epochs, **options})
    return spec.model_copy(update={"model": ModelSpec(architecture="yolov8n-cls.yaml", imgsz=imgsz)})


def test_few_steps_on_a_small_set_evaluate_sanely(tmp_path: Path):
    """Two digit classes, 96 images at 24 px trained at 64 px for 8 epochs (16 optimiser steps): with Ultralytics'
    BatchNorm momentum alone every validation image came out as one class; re-estimated statistics fix that."""
    files = _digit_files(tmp_path / "digits", (3, 8), per_class=60, size=24)
    store = LocalStorage(tmp_path / "store")
    dataset = _dataset(store, files, ["3", "8"])
    status, events = _train(_spec(dataset, imgsz=64, epochs=8), store)

    assert status == "succeeded"
    final = _of(events, "evaluation")[-1]
    assert final["final"] and final["accuracy"] >= 0.8
    predicted = np.array(final["confusion_matrix"]).sum(axis=0)  # [true][predicted]: column sums
    assert predicted.min() > 0  # both classes predicted
    assert not [w for w in _of(events, "warning") if w["final"]]
    logs = [log["message"] for log in _of(events, "log")]
    assert any(message.startswith("BatchNorm statistics re-estimated on") for message in logs)


def test_a_model_that_cannot_learn_is_flagged_and_its_suggestions_untrusted(tmp_path: Path):
    """Every image is the same noise, half labelled 'a', half 'b': whatever it learns, it predicts one class."""
    noise = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    files = []
    for n in range(40):
        path = tmp_path / "noise" / f"{n:03d}.png"
        path.parent.mkdir(exist_ok=True)
        Image.fromarray(noise).save(path)
        files.append((path, n % 2))
    store = LocalStorage(tmp_path / "store")
    status, events = _train(_spec(_dataset(store, files, ["a", "b"]), imgsz=32, epochs=2), store)

    assert status == "succeeded"  # a run with a poor model still succeeds, with warnings
    final_warnings = {w["code"] for w in _of(events, "warning") if w["final"]}
    assert {"collapsed", "no_better_than_majority"} <= final_warnings
    kinds = [event.type for event in events]
    assert kinds.index("warning") > kinds.index("evaluation")  # after the evaluation it is about
    report = json.loads((store.run_folder("run") / "predictions.json").read_text())
    assert report["suggestions_trusted"] is False and "collapsed to one class" in report["untrusted_reason"]

    run = Run(workflow_name="noise", settings={}, spec={})
    for event in events:
        apply_to_run(run, event)
    assert run.status == "succeeded"
    assert {w["code"] for w in run.quality_warnings} == final_warnings


def test_images_of_8_px_train_and_predict(tmp_path: Path):
    """scikit-learn's digits at their native 8×8: Ultralytics' verifier used to drop them all."""
    files = _digit_files(tmp_path / "digits", (0, 1, 7), per_class=15, size=8)
    store = LocalStorage(tmp_path / "store")
    dataset = _dataset(store, files, ["0", "1", "7"])
    first = store.image(dataset.items[0].content_hash, dataset.items[0].suffix)
    assert Image.open(first).size == (8, 8)
    spec = _spec(dataset, imgsz=32, epochs=3)
    status, events = _train(spec, store)

    assert status == "succeeded", _of(events, "finished")
    [started] = _of(events, "started")
    assert started["train_images"] == dataset.count("train") and started["val_images"] == dataset.count("val")
    final = _of(events, "evaluation")[-1]
    assert final["final"] and sum(map(sum, final["confusion_matrix"])) == dataset.count("val")
    assert any(entry.get("cam") for entry in final["preview"])  # Eigen-CAM on 8 px images

    from backend.worker.predictor import Predictor

    result = Predictor().predict(store.run_folder("run"), first, top_k=2, cam=True)
    assert result["top"][0]["class"] in ("0", "1", "7") and result["cam_png"]


def test_images_of_one_pixel_and_slivers_train(tmp_path: Path):
    """Any size trains: 1×1, 1×5 and 3×2 pictures, dark ones against light ones, reach the trainer and evaluate."""
    rng = np.random.default_rng(0)
    files = []
    for label, (low, high) in enumerate(((0, 60), (190, 255))):
        for n in range(10):
            width, height = ((1, 1), (1, 5), (3, 2))[n % 3]
            pixels = rng.integers(low, high, (height, width, 3), dtype=np.uint8)
            path = tmp_path / "tiny" / f"{label}_{n}.png"
            path.parent.mkdir(exist_ok=True)
            Image.fromarray(pixels).save(path)
            files.append((path, label))
    store = LocalStorage(tmp_path / "store")
    dataset = _dataset(store, files, ["dark", "light"])
    status, events = _train(_spec(dataset, imgsz=32, epochs=2), store)
    assert status == "succeeded", _of(events, "finished")
    [started] = _of(events, "started")
    assert (started["train_images"], started["val_images"]) == (dataset.count("train"), dataset.count("val"))
    final = _of(events, "evaluation")[-1]
    assert final["final"] and sum(map(sum, final["confusion_matrix"])) == dataset.count("val")
