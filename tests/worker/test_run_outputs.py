"""What a finished run leaves behind, read from the shared 10-epoch digits run: preview samples, predictions.json,
CAM images, checkpoints, the ONNX export and its agreement with PyTorch, plain-Ultralytics loading, model card."""

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from backend.graph.spec import TrainingJobSpec
from backend.worker.job import run_job
from backend.worker.pipeline import build_transforms, transform_bgr
from tests.worker.conftest import TrainedRun

pytestmark = pytest.mark.train


def _preview_items(evaluation: dict) -> list[int]:
    return [entry["item"] for entry in evaluation["preview"]]


def test_preview_is_the_same_seeded_sample_at_every_evaluation_and_in_every_run(trained_run, make_spec, store):
    evaluations = trained_run.data("evaluation")
    assert len(evaluations) == 11  # ten epochs and the final one
    sample = _preview_items(evaluations[0])
    assert len(sample) == 8 and all(_preview_items(e) == sample for e in evaluations)
    labels = [trained_run.spec.dataset.items[i].label for i in sample]
    assert len(set(labels)) == 8  # stratified: eight classes for eight images

    for entry in evaluations[-1]["preview"]:
        assert set(entry) == {"item", "label", "top", "predicted", "confidence", "correct", "cam"}
        assert entry["label"] == trained_run.spec.dataset.items[entry["item"]].label
        assert len(entry["top"]) == 5 and [c for c, _ in entry["top"]][0] == entry["predicted"]
        confidences = [p for _, p in entry["top"]]
        assert confidences == sorted(confidences, reverse=True) and confidences[0] == entry["confidence"]
        assert entry["correct"] == (entry["predicted"] == entry["label"])
    assert all("cam" not in entry for e in evaluations[:-1] for entry in e["preview"])

    events = []
    assert run_job(make_spec(), store, events.append, lambda: False) == "succeeded"  # same seed, same dataset
    other = [e.data.model_dump() for e in events if e.type == "evaluation"]
    assert all(_preview_items(e) == sample for e in other)


def test_cam_images_of_the_preview_at_the_model_input_size(trained_run):
    final = trained_run.data("evaluation")[-1]
    pictures = []
    for entry in final["preview"]:
        assert entry["cam"] == f"cam/{entry['item']}.png"
        picture = cv2.imread(str(trained_run.dir / entry["cam"]))
        assert picture.shape == (32, 32, 3)
        pictures.append(picture)
    assert not np.array_equal(pictures[0], pictures[1])


def test_predictions_rank_every_validation_image_by_loss(trained_run):
    report = json.loads((trained_run.dir / "predictions.json").read_text())
    final = trained_run.data("evaluation")[-1]

    assert report["class_names"] == trained_run.spec.dataset.class_names and report["epoch"] == final["epoch"]
    rows = report["items"]
    assert sorted(row["item"] for row in rows) == trained_run.val_items()
    losses = [row["loss"] for row in rows]
    assert losses == sorted(losses, reverse=True)
    for row in rows:
        assert row["label"] == trained_run.spec.dataset.items[row["item"]].label
        assert row["loss"] == pytest.approx(-math.log(max(row["true_confidence"], 1e-12)), abs=1e-4)
        assert row["top"][0] == [row["predicted"], row["confidence"]]
    wrong = [row for row in rows if row["predicted"] != row["label"]]
    assert rows[: len(wrong)] == wrong  # every mistake ranks above every right answer
    assert len(wrong) / len(rows) == pytest.approx(1 - final["accuracy"])
    assert set(report["likely_mislabelled"]) <= {row["item"] for row in wrong}
    assert report["mislabelled_method"].startswith("cleanlab")
    [artifact] = [a for a in trained_run.data("artifact") if a["name"] == "predictions.json"]
    assert artifact["kind"] == "other" and artifact["path"] == "predictions.json"


def test_checkpoints_carry_their_epoch_metrics(trained_run):
    evaluations = {e["epoch"]: e for e in trained_run.data("evaluation") if not e["final"]}
    checkpoints = trained_run.data("checkpoint")
    assert [c["epoch"] for c in checkpoints if c["kind"] == "last"] == list(range(1, 11))
    for checkpoint in checkpoints:
        metrics, evaluation = checkpoint["metrics"], evaluations[checkpoint["epoch"]]
        assert metrics["train_loss"] > 0
        assert {k: metrics[k] for k in ("accuracy", "f1", "val_loss")} == {
            k: evaluation[k] for k in ("accuracy", "f1", "val_loss")
        }


def _val_tensors(run: TrainedRun, items: list[int]) -> torch.Tensor:
    transforms = build_transforms(run.spec.pipeline, "val", run.spec.model.imgsz)
    return torch.stack([transform_bgr(transforms, cv2.imread(str(run.item_file(i)))) for i in items])


def test_onnx_export_agrees_with_pytorch_on_every_validation_image(trained_run):
    import onnxruntime

    from backend.worker.export import load_torch, torch_probabilities

    onnx_path = trained_run.dir / "weights" / "best.onnx"
    images = _val_tensors(trained_run, trained_run.val_items())
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])

    got = session.run(None, {session.get_inputs()[0].name: images.numpy()})[0]  # dynamic batch: all 100 at once
    expected = torch_probabilities(load_torch(trained_run.dir / "weights" / "best.pt"), images)

    agreement = float((got.argmax(1) == expected.argmax(1)).mean())
    max_diff = float(np.abs(got - expected).max())
    print(
        f"ONNX vs PyTorch on {len(images)} validation images: top-1 agreement {agreement:.1%}, max |Δp| {max_diff:.2e}"
    )
    assert agreement == 1.0 and max_diff < 1e-4
    assert (
        float((expected.argmax(1) == [trained_run.spec.dataset.items[i].label for i in trained_run.val_items()]).mean())
        >= 0.95
    )

    card = json.loads((trained_run.dir / "model_card.json").read_text())
    assert card["exports"]["onnx"]["top1_agreement"] == 1.0 and card["exports"]["onnx"]["images"] == 100
    assert card["exports"]["onnx"]["max_abs_diff"] < 1e-4
    assert "fp16" in card["exports"]["onnx"]["fp16_note"]
    assert any("onnxruntime agrees with PyTorch on 100.0%" in log["message"] for log in trained_run.data("log"))
    [artifact] = [a for a in trained_run.data("artifact") if a["name"] == "best.onnx"]
    assert artifact["path"] == "weights/best.onnx" and artifact["bytes"] == onnx_path.stat().st_size


@pytest.mark.parametrize("name", ["best.pt", "last.pt"])
def test_plain_ultralytics_predicts_like_our_pipeline(trained_run, name):
    from ultralytics import YOLO
    from ultralytics.nn.tasks import torch_safe_load

    from backend.worker.export import load_torch, torch_probabilities

    weights = trained_run.dir / "weights" / name
    items = trained_run.val_items()
    ours = torch_probabilities(load_torch(weights), _val_tensors(trained_run, items)).argmax(1).tolist()

    paths = [str(trained_run.item_file(i)) for i in items]
    theirs = [int(r.probs.top1) for r in YOLO(str(weights)).predict(paths, device="cpu", verbose=False)]

    assert theirs == ours
    checkpoint, _ = torch_safe_load(weights, safe_only=True)  # Ultralytics' restricted unpickler takes it too
    model = checkpoint.get("ema") or checkpoint["model"]
    assert [type(t).__name__ for t in model.transforms.transforms] == ["ToTensor", "Resize"]


def test_model_card_describes_the_model_and_its_ultralytics_snippet_runs(trained_run, monkeypatch):
    card = json.loads((trained_run.dir / "model_card.json").read_text())
    final = trained_run.data("evaluation")[-1]
    spec = trained_run.spec

    assert card["classes"] == spec.dataset.class_names and card["imgsz"] == 32
    assert card["architecture"] == "yolov8n-cls.yaml"
    assert card["metrics"]["accuracy"] == final["accuracy"] and card["metrics"]["weights_epoch"] == final["epoch"]
    assert card["dataset"] == {
        "snapshot_hash": spec.dataset.snapshot_hash,
        "counts": {"train": 400, "val": 100},
        "per_class": {"train": [40] * 10, "val": [10] * 10},
    }
    assert [step["transform"] for step in card["preprocessing"]["steps"]] == ["Resize"]
    assert card["exports"]["ultralytics"] == {"images": 100, "top1_agreement": 1.0, "transforms": "visionflow"}
    assert "## How to load it" in (trained_run.dir / "model_card.md").read_text()
    assert {a["name"] for a in trained_run.data("artifact") if a["kind"] == "model_card"} == {
        "model_card.json",
        "model_card.md",
    }

    row = json.loads((trained_run.dir / "predictions.json").read_text())["items"][-1]  # the surest right answer
    monkeypatch.chdir(trained_run.dir)
    namespace: dict = {}
    exec(card["usage"]["ultralytics"].replace("image.jpg", str(trained_run.item_file(row["item"]))), namespace)
    assert namespace["result"].probs.top1 == row["label"]


def test_the_onnxruntime_snippet_predicts_the_label(trained_run, monkeypatch):
    card = json.loads((trained_run.dir / "model_card.json").read_text())
    row = json.loads((trained_run.dir / "predictions.json").read_text())["items"][-1]
    monkeypatch.chdir(trained_run.dir)
    namespace: dict = {}
    exec(card["usage"]["onnxruntime"].replace("image.jpg", str(trained_run.item_file(row["item"]))), namespace)
    assert int(namespace["probabilities"].argmax()) == row["label"]
    assert float(namespace["probabilities"].max()) == pytest.approx(row["confidence"], abs=1e-4)


def test_run_folder_holds_the_spec(trained_run):
    stored = TrainingJobSpec.model_validate_json(Path(trained_run.dir / "spec.json").read_text())
    assert stored.canonical_json() == trained_run.spec.canonical_json()
