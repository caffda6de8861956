"""The spec's transform steps as albumentations pipelines, one per split.

Each pipeline takes an RGB uint8 image and returns a float32 CHW tensor in [0, 1], the scaling Ultralytics'
own classification transforms produce. Batches need one size, so a pipeline that does not already end by
fixing the size to imgsz × imgsz gets a closing Resize.
"""

from collections.abc import Sequence
from typing import Any

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


def torchvision_equivalent(transforms: A.Compose) -> Any:
    """A torchvision Compose doing what a validation pipeline does to a PIL RGB image, or None when a step has
    no torchvision counterpart (letterbox padding, for one).

    Ultralytics' own predictor applies the `transforms` a checkpoint carries to PIL images, so this is what makes
    plain `YOLO("best.pt").predict(...)` see the images as we do. Only the torchvision classes Ultralytics' own
    classification checkpoints hold (ToTensor, Resize, CenterCrop in a Compose), so any Ultralytics install
    unpickles it, its restricted loader (ULTRALYTICS_SAFE_LOAD) included. Resizing happens on the 0..1 tensor,
    bilinear without antialiasing as OpenCV's INTER_LINEAR does (within a grey level); SmallestMaxSize may round
    its long side one pixel differently.
    """
    import torchvision.transforms as T

    steps = [T.ToTensor()]
    for transform in transforms.transforms:
        if isinstance(transform, A.Normalize | ToTensorV2):
            continue  # the closing 0..1 scaling and tensor conversion: ToTensor did both
        mapped = _torchvision_step(transform, T)
        if mapped is None:
            return None
        steps.append(mapped)
    return T.Compose(steps)


def _torchvision_step(transform: A.BasicTransform, T: Any) -> Any:
    if transform.p < 1:
        return None
    bilinear = getattr(transform, "interpolation", cv2.INTER_LINEAR) == cv2.INTER_LINEAR
    downscale_area = getattr(transform, "area_for_downscale", None) is not None
    match transform:
        case A.Resize() if bilinear and not downscale_area:
            return T.Resize((transform.height, transform.width), antialias=False)
        case A.SmallestMaxSize() if bilinear and not downscale_area and isinstance(transform.max_size, int):
            return T.Resize(transform.max_size, antialias=False)
        case A.CenterCrop() if not transform.pad_if_needed:
            return T.CenterCrop((transform.height, transform.width))
    return None
