"""The spec's transform steps as albumentations pipelines, one per split.

Each pipeline takes an RGB uint8 image and returns a float32 CHW tensor in [0, 1], the scaling Ultralytics'
own classification transforms produce. Batches need one size, so a pipeline that does not already end by
fixing the size to imgsz × imgsz gets a closing Resize.
"""

from collections.abc import Sequence

import albumentations as A
import cv2
import numpy as np
import torch
from albumentations.pytorch import ToTensorV2

from backend.graph.spec import PipelineStep, Split

# Transforms whose output size is fixed by their parameters: (height, width) or size=(height, width).
_SIZING = ("Resize", "CenterCrop", "RandomCrop", "RandomResizedCrop", "RandomSizedCrop")


def build_transforms(steps: Sequence[PipelineStep], split: Split, imgsz: int, seed: int | None = None) -> A.Compose:
    """The steps that apply to `split`, in order, then the size guard, 0..1 scaling and tensor conversion."""
    transforms = [_instantiate(step) for step in steps if split in step.splits]
    if not (transforms and _fixes_size(transforms[-1], imgsz)):
        transforms.append(A.Resize(height=imgsz, width=imgsz))
    transforms += [A.Normalize(mean=0.0, std=1.0, max_pixel_value=255.0), ToTensorV2()]
    return A.Compose(transforms, seed=seed)


def transform_bgr(transforms: A.Compose, image_bgr: np.ndarray) -> torch.Tensor:
    """Apply a pipeline to an image as OpenCV reads it (BGR); the pipelines expect RGB."""
    return transforms(image=cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))["image"]


def _instantiate(step: PipelineStep) -> A.BasicTransform:
    transform_class = getattr(A, step.transform, None)
    if not (isinstance(transform_class, type) and issubclass(transform_class, A.BasicTransform)):
        raise ValueError(f"step {step.node_id!r}: {step.transform!r} is not an albumentations transform")
    try:
        return transform_class(**step.params, strict=True)
    except (TypeError, ValueError) as error:
        raise ValueError(f"step {step.node_id!r} ({step.transform}): {error}") from error


def _fixes_size(transform: A.BasicTransform, imgsz: int) -> bool:
    if type(transform).__name__ not in _SIZING or transform.p < 1:
        return False
    size = getattr(transform, "size", None) or (getattr(transform, "height", None), getattr(transform, "width", None))
    return tuple(size) == (imgsz, imgsz)
