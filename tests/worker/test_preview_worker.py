"""The preview's cut of training's pipeline draws what the whole pipeline draws: head then tail, seeded alike, give the
very tensor training's own Compose gives, random transforms and all."""

import numpy as np
import torch

from backend.graph.spec import PipelineStep
from backend.worker.pipeline import build_transforms, transform_bgr
from backend.worker.preview import render_preview, split_pipeline

STEPS = [
    PipelineStep(node_id="crop", transform="RandomResizedCrop", params={"size": (24, 24)}, splits=["train"]),
    PipelineStep(node_id="flip", transform="HorizontalFlip", params={"p": 0.5}, splits=["train"]),
    PipelineStep(node_id="centre", transform="CenterCrop", params={"height": 20, "width": 20}, splits=["val"]),
    PipelineStep(node_id="jitter", transform="ColorJitter", params={"p": 0.8}, splits=["train"]),
]


def test_head_then_tail_is_the_whole_training_pipeline():
    image = np.random.default_rng(0).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    for upto in range(len(STEPS) + 1):
        for seed in (0, 5, 11):
            head, tail = split_pipeline(STEPS, upto, 32, seed)
            cut = tail(image=transform_bgr(head, image))["image"]
            whole = transform_bgr(build_transforms(STEPS, "train", 32, seed), image)
            assert torch.equal(cut, whole), (upto, seed)


def test_an_unreadable_image_is_reported_on_its_own(tmp_path):
    (tmp_path / "junk.png").write_bytes(b"not a picture")
    steps = [step.model_dump(mode="json") for step in STEPS]
    reply = render_preview({"steps": steps, "upto": 2, "imgsz": 32, "seed": 0, "images": [str(tmp_path / "junk.png")]})
    assert reply["error"] is None and reply["images"] == [{"error": "junk.png cannot be read as an image"}]
