"""Preview sampling, loss ranking, likely-mislabelled detection, torchvision preprocessing and Eigen-CAM: no training
(the CAM test reuses the shared trained run)."""

import math

import cv2
import numpy as np
import pytest
import torch

from backend.graph.spec import PipelineStep
from backend.worker.pipeline import build_transforms, torchvision_equivalent, transform_bgr
from backend.worker.review import (
    likely_mislabelled,
    predictions_report,
    preview_sample,
    rank_by_loss,
    self_confidence_issues,
    top_k,
)


def test_preview_sample_is_seeded_stratified_and_stable(digits_dataset):
    val = {i for i, item in enumerate(digits_dataset.items) if item.split == "val"}

    sample = preview_sample(digits_dataset, 16, seed=0)

    assert sample == sorted(sample) and len(set(sample)) == 16 and set(sample) <= val
    labels = [digits_dataset.items[i].label for i in sample]
    assert sorted(labels.count(c) for c in range(10)) == [1] * 4 + [2] * 6  # every class, then round-robin
    assert preview_sample(digits_dataset, 16, seed=0) == sample
    assert preview_sample(digits_dataset, 16, seed=1) != sample
    assert set(preview_sample(digits_dataset, 1000, seed=0)) == val
    assert not set(preview_sample(digits_dataset, 16, seed=0, exclude=sample)) & set(sample)


def test_rank_by_loss_puts_confidently_wrong_first():
    labels = np.array([0, 1, 2, 0])
    probabilities = np.array(
        [
            [0.90, 0.05, 0.05],  # right and sure: loss 0.105
            [0.80, 0.10, 0.10],  # wrong and sure: loss 2.303
            [0.30, 0.30, 0.40],  # right, unsure: loss 0.916
            [0.10, 0.45, 0.45],  # wrong, unsure: the same loss as row 1, a less confident mistake
        ]
    )

    assert rank_by_loss(labels, probabilities) == [1, 3, 2, 0]

    report = predictions_report([10, 11, 12, 13], labels, probabilities, ["a", "b", "c"], epoch=4)
    assert [row["item"] for row in report["items"]] == [11, 13, 12, 10]
    first = report["items"][0]
    assert first == {
        "item": 11,
        "label": 1,
        "predicted": 0,
        "confidence": 0.8,
        "true_confidence": 0.1,
        "loss": round(-math.log(0.1), 6),
        "top": [[0, 0.8], [1, 0.1], [2, 0.1]],
    }
    assert report["class_names"] == ["a", "b", "c"] and report["epoch"] == 4


def test_likely_mislabelled_by_hand():
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    probabilities = np.array(
        [
            [0.90, 0.05, 0.05],
            [0.85, 0.10, 0.05],
            [0.80, 0.10, 0.10],
            [0.02, 0.96, 0.02],  # labelled 0, looks like a sure 1: the most suspicious
            [0.10, 0.80, 0.10],
            [0.05, 0.90, 0.05],
            [0.10, 0.85, 0.05],
            [0.30, 0.60, 0.10],
            [0.05, 0.05, 0.90],
            [0.10, 0.10, 0.80],
            [0.05, 0.15, 0.80],
            [0.70, 0.10, 0.20],  # labelled 2, looks like a 0
        ]
    )

    found, method = likely_mislabelled(labels, probabilities)

    assert found == [3, 11] and method.startswith("cleanlab")
    assert self_confidence_issues(labels, probabilities) == [3, 11]  # the fallback rule agrees here
    assert likely_mislabelled(np.array([], dtype=int), np.zeros((0, 3))) == ([], "none")


def test_top_k_is_capped_by_the_class_count():
    assert top_k(np.array([[0.2, 0.5, 0.3]])) == [[[1, 0.5], [2, 0.3], [0, 0.2]]]
    assert len(top_k(np.full((1, 10), 0.1))[0]) == 5


def _step(name: str, transform: str, **params) -> PipelineStep:
    return PipelineStep(node_id=name, transform=transform, params=params, splits=["train", "val"])


@pytest.mark.parametrize(
    ("steps", "shape"),
    [
        ([], (3, 48, 48)),  # the closing Resize alone
        ([_step("resize", "Resize", height=48, width=48)], (3, 48, 48)),
        (
            [_step("short", "SmallestMaxSize", max_size=48), _step("crop", "CenterCrop", height=48, width=48)],
            (3, 48, 48),
        ),
    ],
)
def test_torchvision_version_of_the_val_pipeline_matches_it(digits_dataset, store, steps, shape):
    from PIL import Image

    transforms = build_transforms(steps, "val", imgsz=48)
    first = digits_dataset.items[0]
    image = cv2.imread(str(store.image(first.content_hash, first.suffix)))
    ours = transform_bgr(transforms, image)

    theirs = torchvision_equivalent(transforms)(Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)))

    assert tuple(theirs.shape) == tuple(ours.shape) == shape
    assert float((theirs - ours).abs().max()) <= 1 / 255  # within a grey level


def test_letterbox_has_no_torchvision_version():
    steps = [
        _step("fit", "LongestMaxSize", max_size=32),
        _step("pad", "PadIfNeeded", min_height=32, min_width=32, border_mode=0, fill=114),
    ]
    assert torchvision_equivalent(build_transforms(steps, "val", imgsz=32)) is None


def test_eigen_cam_has_the_input_size_and_differs_between_images(trained_weights, digits_dataset, store):
    from backend.worker.cam import cam_overlays, eigen_cam
    from backend.worker.export import load_torch

    model = load_torch(trained_weights)
    transforms = build_transforms([], "val", imgsz=32)
    one, seven = (next(i for i in digits_dataset.items if i.label == label) for label in (1, 7))
    files = [store.image(item.content_hash, item.suffix) for item in (one, seven)]
    images = torch.stack([transform_bgr(transforms, cv2.imread(str(file))) for file in files])

    heatmaps = eigen_cam(model, images)

    assert heatmaps.shape == (2, 32, 32) and heatmaps.dtype == np.float32
    assert heatmaps.min() >= 0.0 and heatmaps.max() <= 1.0
    assert np.abs(heatmaps[0] - heatmaps[1]).mean() > 0.05
    pictures = cam_overlays(model, images)
    assert [p.shape for p in pictures] == [(32, 32, 3)] * 2 and pictures[0].dtype == np.uint8
    assert not np.array_equal(pictures[0], pictures[1])
