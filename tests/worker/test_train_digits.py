"""Real training on scikit-learn's digits through run_job, in this process (32 px, one epoch: seconds)."""

import time
from collections.abc import Callable

import cv2
import pytest
import torch

from backend.events.models import EVENT_TYPES, WorkerEvent
from backend.graph.spec import PipelineStep, TrainingJobSpec, run_weights_key
from backend.storage import LocalStorage
from backend.worker.job import run_job
from backend.worker.pipeline import build_transforms, transform_bgr


def _run(
    spec: TrainingJobSpec, store: LocalStorage, should_stop: Callable[[], bool] = lambda: False
) -> tuple[str, list[WorkerEvent]]:
    events: list[WorkerEvent] = []
    status = run_job(spec, store, events.append, should_stop)
    for event in events:
        event.validated()  # every payload matches its event model
    return status, events


def _data(events: list[WorkerEvent], kind: str) -> list[dict]:
    assert kind in EVENT_TYPES
    return [event.data.model_dump() for event in events if event.type == kind]


@pytest.mark.train
def test_one_epoch_reports_and_saves_a_loadable_model(make_spec, store):
    spec = make_spec()
    status, events = _run(spec, store)

    assert status == "succeeded"
    assert events[0].type == "started" and events[-1].type == "finished"
    [started] = _data(events, "started")
    assert started["train_images"] == 400 and started["val_images"] == 100 and started["device"] == "cpu"
    assert started["class_names"] == spec.dataset.class_names

    batches = _data(events, "batch")
    assert batches and batches[-1]["batch"] == batches[-1]["of"] == 7  # ceil(400 / 64), last batch always sent
    assert all(b["epoch"] == 1 and b["loss"] > 0 and b["lr"] > 0 and b["images_per_s"] > 0 for b in batches)

    evaluations = _data(events, "evaluation")
    assert [e["final"] for e in evaluations] == [False, True]
    for evaluation in evaluations:
        assert evaluation["epoch"] == 1 and evaluation["step"] == 7
        assert evaluation["class_names"] == spec.dataset.class_names
        assert sum(map(sum, evaluation["confusion_matrix"])) == 100
        assert [c["support"] for c in evaluation["per_class"]] == [10] * 10
        for key in ("accuracy", "top5", "precision", "recall", "f1"):
            assert 0 <= evaluation[key] <= 1
        assert evaluation["accuracy"] <= evaluation["top5"]
        assert 0.1 <= evaluation["avg_confidence"] <= 1  # the mean top-1 softmax of 10 classes is at least 1/10
        assert len(evaluation["preview"]) == 8
        assert all(spec.dataset.items[p["item"]].label == p["label"] for p in evaluation["preview"])
    assert evaluations[0]["val_loss"] > 0

    assert {(c["kind"], c["path"]) for c in _data(events, "checkpoint")} == {
        ("last", "weights/last.pt"),
        ("best", "weights/best.pt"),
    }
    artifacts = {a["name"]: a["kind"] for a in _data(events, "artifact")}
    assert artifacts == {
        "best.pt": "weights",
        "last.pt": "weights",
        "best.onnx": "onnx",
        "predictions.json": "other",
        "model_card.json": "model_card",
        "model_card.md": "model_card",
        # the int8 ONNX, when it agreed with fp32 well enough to be kept (tests/worker/test_quantize.py)
        **({"best.int8.onnx": "onnx"} if (store.run_folder(spec.run_id) / "weights/best.int8.onnx").is_file() else {}),
    }

    [finished] = _data(events, "finished")
    assert finished["status"] == "succeeded"
    assert finished["metrics"]["accuracy"] == evaluations[-1]["accuracy"]
    assert finished["metrics"]["train_images"] == 400 and finished["metrics"]["train_images_per_s"] > 0

    from ultralytics import YOLO

    model = YOLO(str(store.weights(run_weights_key(spec.run_id, "best"))))
    assert model.task == "classify"
    assert list(model.names.values()) == spec.dataset.class_names
    first = spec.dataset.items[0]
    image = cv2.imread(str(store.image(first.content_hash, first.suffix)))
    [result] = model.predict(image, imgsz=32, device="cpu", verbose=False)
    assert result.probs.data.shape == (10,)


@pytest.mark.train
def test_cancel_after_the_first_batch_stops_at_once(make_spec, store):
    spec = make_spec(overrides={"epochs": 50})
    seen: list[WorkerEvent] = []

    def should_stop() -> bool:
        return any(event.type == "batch" for event in seen)

    started = time.perf_counter()
    status = run_job(spec, store, seen.append, should_stop)
    elapsed = time.perf_counter() - started

    assert status == "cancelled"
    assert elapsed < 20
    assert seen[-1].type == "finished" and seen[-1].data.status == "cancelled"
    assert len(_data(seen, "batch")) == 1
    assert not _data(seen, "evaluation")


@pytest.mark.train
def test_evaluation_every_n_epochs_and_always_the_last(make_spec, store):
    spec = make_spec(overrides={"epochs": 3}, every=2, checkpoint="lowest_val_loss", pipeline=[])
    status, events = _run(spec, store)

    assert status == "succeeded"
    evaluations = _data(events, "evaluation")
    assert [(e["epoch"], e["final"]) for e in evaluations[:-1]] == [(2, False), (3, False)]
    lowest = min(evaluations[:-1], key=lambda e: e["val_loss"])
    assert evaluations[-1]["final"] and evaluations[-1]["epoch"] == lowest["epoch"]
    checkpoints = _data(events, "checkpoint")
    assert [c["epoch"] for c in checkpoints if c["kind"] == "last"] == [1, 2, 3]
    assert [c["epoch"] for c in checkpoints if c["kind"] == "best"][-1] == lowest["epoch"]
    assert set(checkpoints[0]["metrics"]) == {"train_loss"}  # epoch 1 was not evaluated
    evaluated = {e["epoch"]: e for e in evaluations[:-1]}
    for checkpoint in checkpoints[1:]:
        assert checkpoint["metrics"]["accuracy"] == evaluated[checkpoint["epoch"]]["accuracy"]
        assert checkpoint["metrics"]["val_loss"] == evaluated[checkpoint["epoch"]]["val_loss"]


@pytest.mark.train
def test_pretrained_weights_of_another_run_carry_over(make_spec, trained_run, store):
    from_scratch = 0.1  # one epoch from scratch predicts a single class (see the first test's run)
    status, events = _run(make_spec(pretrained=run_weights_key(trained_run.spec.run_id, "best")), store)

    assert status == "succeeded"
    assert _data(events, "evaluation")[0]["accuracy"] > 5 * from_scratch
    assert any("best.pt" in log["message"] for log in _data(events, "log"))


def test_missing_pretrained_weights_fail_without_downloading(make_spec, store):
    status, events = _run(make_spec(pretrained="models/nowhere.pt"), store)

    assert status == "failed"
    assert events[-1].data.reason.startswith("FileNotFoundError: pretrained weights not found")


def test_a_failure_is_reported_with_its_reason(make_spec, store):
    spec = make_spec(overrides={"not_an_ultralytics_argument": 1})
    status, events = _run(spec, store)

    assert status == "failed"
    assert events[-1].type == "finished"
    reason = events[-1].data.reason
    assert reason.startswith("SyntaxError: ") and "not_an_ultralytics_argument" in reason
    assert "\n" not in reason


@pytest.mark.parametrize("split", ["train", "val"])
def test_pipeline_makes_unit_range_tensors_of_the_model_size(digits_dataset, store, split):
    steps = [
        PipelineStep(node_id="flip", transform="HorizontalFlip", params={"p": 1.0}, splits=["train"]),
        PipelineStep(node_id="affine", transform="Affine", params={"rotate": (-15, 15), "p": 1.0}, splits=["train"]),
        PipelineStep(node_id="bc", transform="RandomBrightnessContrast", params={"p": 1.0}, splits=["train", "val"]),
    ]
    transforms = build_transforms(steps, split, imgsz=48, seed=0)  # 32 px images: the size guard resizes them
    first = digits_dataset.items[0]
    image = cv2.imread(str(store.image(first.content_hash, first.suffix)))

    tensor = transform_bgr(transforms, image)

    assert isinstance(tensor, torch.Tensor) and tensor.dtype == torch.float32
    assert tuple(tensor.shape) == (3, 48, 48)
    assert float(tensor.min()) >= 0.0 and float(tensor.max()) <= 1.0


@pytest.mark.train
def test_spawned_worker_streams_json_events_and_stops_on_the_event(make_spec, store, offline_ultralytics):
    import multiprocessing

    from backend.worker.entry import worker_main

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    stop = context.Event()
    spec = make_spec(overrides={"epochs": 50})
    arguments = (spec.model_dump_json(), store.description(), send, stop, str(offline_ultralytics))
    process = context.Process(target=worker_main, args=arguments)
    process.start()
    send.close()
    events: list[WorkerEvent] = []
    try:
        while receive.poll(120):
            events.append(WorkerEvent.model_validate_json(receive.recv()).validated())
            if events[-1].type == "batch":
                stop.set()
            if events[-1].type == "finished":
                break
    except EOFError:
        pass
    process.join(30)

    assert process.exitcode == 0
    assert events[0].type == "started" and events[0].data.pid == process.pid
    assert events[-1].type == "finished" and events[-1].data.status == "cancelled"


@pytest.mark.train
def test_killing_a_spawned_worker_closes_its_pipe_at_once(make_spec, store, offline_ultralytics):
    import multiprocessing

    from backend.worker.entry import worker_main

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    stop = context.Event()  # kept referenced: the child opens it by name after start()
    spec = make_spec(overrides={"epochs": 50})
    arguments = (spec.model_dump_json(), store.description(), send, stop, str(offline_ultralytics))
    process = context.Process(target=worker_main, args=arguments)
    process.start()
    send.close()
    while receive.poll(120) and WorkerEvent.model_validate_json(receive.recv()).type != "batch":
        pass  # DataLoader workers are running once a batch is done
    process.kill()
    killed = time.perf_counter()
    with pytest.raises(EOFError):
        while receive.poll(10):
            receive.recv()
    assert time.perf_counter() - killed < 2  # forked DataLoader workers do not keep the pipe open
    process.join(5)
