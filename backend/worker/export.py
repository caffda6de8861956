"""After training: best.pt to ONNX, and checks that every way of running the model gives our answers.

- ONNX: Ultralytics' exporter (opset as it picks, onnxslim, dynamic batch), written beside best.pt as
  weights/best.onnx by an atomic rename, so a predictor never opens a half-written file. The graph ends in a
  softmax: its output is probabilities.
- onnxruntime against PyTorch: both on the same validation tensors from our val pipeline; top-1 agreement and
  the largest absolute difference of any probability.
- plain Ultralytics: `YOLO("best.pt").predict(path)` against our pipeline + PyTorch, top-1 agreement.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import albumentations as A
import cv2
import numpy as np
import torch

from backend.worker.pipeline import transform_bgr

ONNX_CHECK_IMAGES = 1000  # validation images compared between onnxruntime and PyTorch (all of a smaller split)
ULTRALYTICS_CHECK_IMAGES = 200  # plain Ultralytics predicts one image at a time: fewer
BATCH = 32


def export_onnx(weights: Path, imgsz: int, fp16: bool = False) -> Path:
    """Export `weights` (best.pt) to `<same folder>/<stem>.onnx`, or `<stem>_fp16.onnx` with fp16 weights and
    fp32 input and output. Ultralytics writes beside its input, so it exports a copy in a scratch folder."""
    from ultralytics import YOLO

    target = weights.with_name(f"{weights.stem}{'_fp16' if fp16 else ''}.onnx")
    with tempfile.TemporaryDirectory(prefix=".export-", dir=weights.parent) as scratch:
        copy = Path(scratch) / weights.name
        shutil.copyfile(weights, copy)
        exported = YOLO(str(copy), task="classify").export(
            format="onnx",
            imgsz=imgsz,
            dynamic=True,  # any batch size (and input size); costs nothing measurable at batch 1
            simplify=True,
            quantize=16 if fp16 else None,
            device="cpu",  # on the CPU, fp16 is a conversion of the traced graph that keeps fp32 inputs/outputs
            verbose=False,
        )
        os.replace(exported, target)
    return target


def fp16_decision(training_device: str) -> str | None:
    """None when an fp16 ONNX should be made; otherwise why not (for the log and the model card)."""
    import onnxruntime

    providers = onnxruntime.get_available_providers()
    if training_device.lower() == "cpu" or not torch.cuda.is_available():
        return (
            "No fp16 ONNX: this run is on the CPU, and onnxruntime's CPU provider has no fp16 convolutions on x86; "
            "it casts an fp16 model's weights back to fp32 and runs it at fp32 speed (measured: the same latency), "
            "so fp16 would only lose precision."
        )
    if "CUDAExecutionProvider" not in providers:
        return (
            f"No fp16 ONNX: this onnxruntime has no GPU provider (it has {', '.join(providers)}), so an fp16 model "
            "would run on the CPU, where it is no faster than fp32."
        )
    return None


def load_torch(weights: Path) -> torch.nn.Module:
    """best.pt as an fp32 model in eval mode on the CPU."""
    from ultralytics.nn.tasks import load_checkpoint

    model, _ = load_checkpoint(weights)
    return model.float().eval()


def torch_probabilities(model: torch.nn.Module, images: torch.Tensor) -> np.ndarray:
    with torch.inference_mode():
        out = model(images.float())
    return (out[0] if isinstance(out, tuple | list) else out).float().numpy()


def val_batches(paths: Sequence[str], transforms: A.Compose, batch: int = BATCH) -> Iterator[torch.Tensor]:
    """Validation images through our val pipeline, in batches, in order."""
    for start in range(0, len(paths), batch):
        yield torch.stack([transform_bgr(transforms, _read(path)) for path in paths[start : start + batch]])


def compare_onnx(
    onnx_path: Path,
    model: torch.nn.Module,
    paths: Sequence[str],
    transforms: A.Compose,
    providers: Sequence[str] = ("CPUExecutionProvider",),
) -> dict[str, Any]:
    """onnxruntime against PyTorch on the same tensors. Also returns PyTorch's top-1 per image ("torch_top1")."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(onnx_path), providers=list(providers))
    name = session.get_inputs()[0].name
    agree, max_diff, torch_top1 = 0, 0.0, []
    for images in val_batches(paths, transforms):
        expected = torch_probabilities(model, images)
        got = session.run(None, {name: images.numpy()})[0]
        agree += int((got.argmax(1) == expected.argmax(1)).sum())
        max_diff = max(max_diff, float(np.abs(got - expected).max()))
        torch_top1 += expected.argmax(1).tolist()
    return {
        "images": len(paths),
        "top1_agreement": agree / len(paths) if paths else None,
        "max_abs_diff": max_diff,
        "torch_top1": torch_top1,
    }


def compare_ultralytics(weights: Path, imgsz: int, paths: Sequence[str], our_top1: Sequence[int]) -> dict[str, Any]:
    """Plain `YOLO(weights).predict` on image files against our pipeline's top-1 for the same files."""
    from ultralytics import YOLO

    model = YOLO(str(weights), task="classify")
    theirs = [
        int(result.probs.top1)
        for result in model.predict(list(paths), imgsz=imgsz, device="cpu", batch=16, stream=True, verbose=False)
    ]
    agree = sum(a == b for a, b in zip(theirs, our_top1, strict=True))
    return {"images": len(paths), "top1_agreement": agree / len(paths) if paths else None}


def _read(path: str) -> np.ndarray:
    image = cv2.imread(path)
    if image is None:
        raise ValueError(f"cannot read image {path}")
    return image
