"""Weighted sampling (the dataset node's `balance`): the training loader draws a minority class about as often
as the majority, and a plain run still sees each image once per epoch."""

from collections import Counter
from pathlib import Path

import albumentations as A
import pytest
from PIL import Image

from backend.worker.sampling import inverse_frequency_weights
from backend.worker.trainer import TrainingPlan, VisionflowTrainer

MAJORITY, MINORITY = 90, 10


@pytest.fixture(scope="module")
def imbalanced(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("imbalanced")
    for split, counts in (("train", (MAJORITY, MINORITY)), ("val", (4, 4))):
        for label, count in zip(("common", "rare"), counts, strict=True):
            (root / split / label).mkdir(parents=True)
            for n in range(count):
                Image.new("RGB", (16, 16), (n * 2, 100 if label == "rare" else 0, 0)).save(
                    root / split / label / f"{n}.png"
                )
    return root


def drawn_labels(root: Path, balance: str, epochs: int = 10) -> Counter:
    plan = TrainingPlan(
        class_names=["common", "rare"],
        train_transforms=A.Compose([A.Resize(32, 32)]),
        val_transforms=A.Compose([A.Resize(32, 32)]),
        eval_every=1,
        checkpoint="latest",
        workers=0,
        balance=balance,
    )
    overrides = {
        "model": "yolov8n-cls.yaml",
        "data": str(root),
        "imgsz": 32,
        "device": "cpu",
        "epochs": 1,
        "project": str(root / "out"),
        "name": balance,
        "plots": False,
        "seed": 0,
    }
    trainer = VisionflowTrainer(plan, overrides=overrides)
    loader = trainer.get_dataloader(str(root / "train"), batch_size=20, rank=-1, mode="train")
    counts: Counter = Counter()
    for _ in range(epochs):
        batches = list(loader)
        assert sum(len(batch["cls"]) for batch in batches) == MAJORITY + MINORITY  # an epoch costs the same
        counts.update(int(label) for batch in batches for label in batch["cls"])
    return counts


def test_weighted_sampling_draws_the_minority_about_as_often_as_the_majority(imbalanced):
    weighted = drawn_labels(imbalanced, "weighted_sampling")
    assert 0.4 < weighted[1] / (weighted[0] + weighted[1]) < 0.6, weighted
    plain = drawn_labels(imbalanced, "none")
    assert plain == Counter({0: MAJORITY * 10, 1: MINORITY * 10})


def test_inverse_frequency_weights_sum_to_one_per_class():
    weights = inverse_frequency_weights([0, 0, 0, 1])
    assert weights.tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3, 1.0])
