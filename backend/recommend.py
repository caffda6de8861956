"""Data-aware recommendations: which recommended workflow fits a dataset, at what input size, for how long.

Pure: reads facts about the images (backend/graph/facts.py) and a template's model choice, returns frozen values.
The three rules, each stated where it is applied:
- input size: the images' typical side rounded up to a multiple of 32, never above the template's size and never
  below 32: a 24 px dataset trains at 32 px, not at 320 px (a 13× upsampling costs 100× the compute and learns
  nothing the pixels do not hold);
- training length: enough optimiser steps (`TARGET_STEPS`) rather than a fixed number of epochs, so a 150-image set
  gets as many weight updates as a 1,500-image one, capped by a time budget on this machine's CPU;
- fit: a small model suits a small dataset (less to overfit, fast to iterate); a bigger one pays off with more
  images; a template whose estimated first run overshoots the time budget fits worse.
"""

import math
from collections import Counter
from collections.abc import Sequence
from statistics import median
from typing import Literal

from pydantic import BaseModel, ConfigDict

from backend.graph.dataset_checks import IMBALANCE_RATIO
from backend.graph.facts import ImageFacts
from backend.graph.spec import RunSettings

IMGSZ_STRIDE = 32
MIN_IMGSZ = 32
TARGET_STEPS = (
    500  # optimiser steps a first run aims for (bench/learning.py: 300 left digits one image short of an SVM)
)
MIN_EPOCHS, MAX_EPOCHS = 10, 300
MAX_BATCH, MIN_BATCH = 64, 8
BATCHES_PER_EPOCH_AT_LEAST = 8  # smaller batches for small sets, so an epoch is several steps, not one or two
TIME_BUDGET_S = 150.0  # a first run on a 2-core CPU should finish in a few minutes
EVALUATIONS_AT_MOST = 25
# Seconds per image and epoch on this 2-core CPU for the nano model (training and validation images alike), a
# fixed cost plus a cost per pixel, and a fixed cost per epoch (evaluation set-up, BatchNorm re-estimation, events).
# Fitted to bench/learning.py's runs here (the digits: 23 epochs of 1,438 + 360 images at 32 px in ~62 s after the
# start; 200 faces: 50 epochs in ~46 s); the pixel term is the training loop's slope between 32 and 64 px (~1,200
# and ~575 images/s for yolov8n-cls at batch 64, as bench/train_overhead.py measures the loop).
SECONDS_PER_IMAGE_FIXED = 1.0e-3
SECONDS_PER_PIXEL = 2.96e-7
SECONDS_PER_EPOCH = 0.6
STARTUP_S = 10.0  # a worker process imports torch and Ultralytics before the first batch
ACCELERATOR_SPEEDUP = 20.0  # a GPU against one CPU thread, roughly, for these small models (not measured here)
SIZE_COST = {"n": 1.0, "s": 3.0, "m": 8.0, "l": 16.0, "x": 26.0}  # compute relative to the nano model
SIZE_RANK = {"n": 0, "s": 1, "m": 2, "l": 3, "x": 4}


class DataSummary(BaseModel):
    """What the recommender knows about a dataset."""

    model_config = ConfigDict(frozen=True)
    images: int
    per_class: dict[str, int]
    typical_side: float  # median of sqrt(width × height): the side of a square with the image's area
    smallest_side: int
    largest_side: int
    grey_share: float | None  # share of single-channel images; None when channels are unknown
    fixed_val: int  # images a train/val folder layout already put in validation

    @property
    def classes(self) -> int:
        return len(self.per_class)


class TemplateFit(BaseModel):
    model_config = ConfigDict(frozen=True)
    score: float  # 0..1, higher fits better
    recommended: bool
    imgsz: int  # the input size this template trains at for this data
    template_imgsz: int
    pretrained: str | None  # model-store weights the template starts from, when the store has them
    summary: str  # one line for the card, e.g. "320 px → 32 px for your 24 px images"
    notes: list[str]
    balance: Literal["none", "weighted_sampling"] = "none"  # the dataset node's class balance for this data


class RunDefaults(BaseModel):
    model_config = ConfigDict(frozen=True)
    settings: RunSettings
    explanation: str


def summarise(images: Sequence[ImageFacts]) -> DataSummary | None:
    """None when there are no labelled images that can be read (an unreadable file has no size to go by)."""
    images = [i for i in images if i.readable and i.width > 0 and i.height > 0]
    if not images:
        return None
    sides = [math.sqrt(max(i.width, 1) * max(i.height, 1)) for i in images]
    known = [i.channels for i in images if i.channels is not None]
    return DataSummary(
        images=len(images),
        per_class=dict(sorted(Counter(i.label for i in images).items())),
        typical_side=float(median(sides)),
        smallest_side=min(min(i.width, i.height) for i in images),
        largest_side=max(max(i.width, i.height) for i in images),
        grey_share=sum(1 for c in known if c == 1) / len(known) if known else None,
        fixed_val=sum(1 for i in images if i.split == "val"),
    )


def fitted_imgsz(template_imgsz: int, summary: DataSummary | None) -> int:
    """The images' typical side rounded up to a multiple of 32, within [32, the template's size]."""
    if summary is None:
        return template_imgsz
    wanted = math.ceil(summary.typical_side / IMGSZ_STRIDE) * IMGSZ_STRIDE
    return max(MIN_IMGSZ, min(template_imgsz, wanted))


def seconds_per_image(imgsz: int, size: str) -> float:
    """Estimated CPU seconds to train on one image (forward + backward) at `imgsz` with model size `size`."""
    return (SECONDS_PER_IMAGE_FIXED + SECONDS_PER_PIXEL * imgsz * imgsz) * SIZE_COST.get(size, 1.0)


def run_defaults(
    summary: DataSummary | None, imgsz: int, size: str, val_fraction: float = 0.2, device: str = "auto"
) -> RunDefaults:
    """Epochs, batch and evaluation interval for a first run of a model of `size` at `imgsz` on this data, on
    `device` (the CPU, or an accelerator estimated at `ACCELERATOR_SPEEDUP` times its speed). "auto" is planned for
    the CPU: only the worker knows whether it has a GPU (worker/device.py), and a GPU only finishes sooner."""
    base = RunSettings(device=device)
    if summary is None:
        return RunDefaults(settings=base, explanation="No labelled images yet: the standard settings.")
    val = summary.fixed_val or round(summary.images * val_fraction)
    train = max(1, summary.images - val)
    batch = _batch_for(train)
    steps_per_epoch = max(1, train // batch)
    epochs = min(MAX_EPOCHS, max(MIN_EPOCHS, math.ceil(TARGET_STEPS / steps_per_epoch)))
    speedup = 1.0 if device in ("cpu", "auto") else ACCELERATOR_SPEEDUP
    per_epoch_s = SECONDS_PER_EPOCH + (train + val) * seconds_per_image(imgsz, size) / speedup
    affordable = max(1, int((TIME_BUDGET_S - STARTUP_S) / per_epoch_s))
    capped = affordable < epochs
    epochs = max(min(epochs, affordable), min(3, epochs))
    eval_every = evaluation_interval(epochs)
    settings = base.model_copy(update={"epochs": epochs, "batch": batch, "eval_every": eval_every})
    estimate = _duration(STARTUP_S + epochs * per_epoch_s)
    explanation = (
        f"{epochs} epochs of {steps_per_epoch} steps (batch {batch}) ≈ {epochs * steps_per_epoch} weight updates "
        f"on {train} training images at {imgsz} px, about {estimate} on {'a CPU' if speedup == 1 else 'a GPU'}"
        + (" (less if the worker finds a GPU)" if device == "auto" else "")
    )
    if capped:
        faster = "a GPU or more epochs" if speedup == 1 else "more epochs"
        explanation += f" (capped by a {_duration(TIME_BUDGET_S)} budget: {faster} will do better)"
    return RunDefaults(settings=settings, explanation=explanation + ".")


def fit_template(
    template_imgsz: int, size: str, summary: DataSummary | None, pretrained: str | None = None
) -> TemplateFit:
    """How well a template (a model of `size` at `template_imgsz`) suits the data; `recommended` is set by `rank`."""
    imgsz = fitted_imgsz(template_imgsz, summary)
    notes: list[str] = []
    if summary is None:
        return TemplateFit(
            score=0.0,
            recommended=False,
            imgsz=imgsz,
            template_imgsz=template_imgsz,
            pretrained=pretrained,
            summary=f"{template_imgsz} px",
            notes=["Label some images to see how this workflow fits your data."],
        )
    side = round(summary.typical_side)
    if imgsz < template_imgsz:
        line = f"{template_imgsz} px → {imgsz} px for your {side} px images"
        notes.append(f"Your images are about {side} px: training at {template_imgsz} px would only enlarge them.")
    else:
        line = f"{imgsz} px for your {side} px images"
    ideal = _ideal_size(summary.images)
    distance = abs(SIZE_RANK.get(size, 0) - SIZE_RANK[ideal])
    score = 1.0 - 0.25 * distance
    if distance:
        notes.append(
            f"A {'larger' if SIZE_RANK.get(size, 0) > SIZE_RANK[ideal] else 'smaller'} model than "
            f"{summary.images} images call for ({ideal})."
        )
    defaults = run_defaults(summary, imgsz, size)
    full_epoch_s = summary.images * seconds_per_image(imgsz, size)
    wanted_s = full_epoch_s * math.ceil(TARGET_STEPS / max(1, summary.images // defaults.settings.batch))
    if wanted_s > TIME_BUDGET_S:
        overshoot = min(1.0, math.log10(wanted_s / TIME_BUDGET_S))
        score -= 0.3 * overshoot
        notes.append(f"Slow on a CPU: a full first run would take about {_duration(wanted_s)}.")
    if pretrained:
        score += 0.1
        notes.append(f"Starts from the pretrained weights {pretrained}.")
    counts = sorted(summary.per_class.values())
    balance: Literal["none", "weighted_sampling"] = "none"
    if len(counts) > 1 and counts[-1] >= IMBALANCE_RATIO * counts[0]:
        balance = "weighted_sampling"
        notes.append(
            f"Your classes are imbalanced ({counts[-1]} vs {counts[0]} images): training draws them evenly "
            "(weighted sampling), so the small classes are not drowned out."
        )
    if summary.grey_share is not None and summary.grey_share >= 0.9:
        notes.append("Your images are grey: colour augmentations in this workflow change nothing and can go.")
    notes.append(f"Default run: {defaults.explanation}")
    return TemplateFit(
        score=round(max(0.0, min(1.0, score)), 3),
        recommended=False,
        imgsz=imgsz,
        template_imgsz=template_imgsz,
        pretrained=pretrained,
        summary=line,
        notes=notes,
        balance=balance,
    )


def rank(fits: dict[str, TemplateFit]) -> dict[str, TemplateFit]:
    """Mark the best fit as recommended (ties: the first in order); none when no data was summarised."""
    best = max(fits, key=lambda key: fits[key].score, default=None)
    return {key: fit.model_copy(update={"recommended": key == best and fit.score > 0}) for key, fit in fits.items()}


def evaluation_interval(epochs: int) -> int:
    """Evaluate every epoch, or every few when there are many: at most `EVALUATIONS_AT_MOST` evaluations."""
    return max(1, math.ceil(epochs / EVALUATIONS_AT_MOST))


def _ideal_size(images: int) -> str:
    if images < 2_000:
        return "n"
    if images < 20_000:
        return "s"
    return "m"


def _batch_for(train_images: int) -> int:
    batch = MAX_BATCH
    while batch > MIN_BATCH and train_images < batch * BATCHES_PER_EPOCH_AT_LEAST:
        batch //= 2
    return batch


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
