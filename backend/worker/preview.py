"""Augmentation preview pictures, rendered in the predictor process (backend/worker/predictor.py) so the server never
imports albumentations, cv2 or torch.

The transforms come from `build_transforms`, the function training builds its pipelines with, for the train split:
what the preview shows is what trains. Its Compose is cut in two after the previewed node's steps: the head gives the
picture "after this node", the tail (the later steps, the size guard, 0..1 scaling) the model's input. Albumentations
2 gives every transform of a seeded Compose its own generator seeded alike, so head then tail draws exactly what the
whole Compose would (tests/worker/test_preview_worker.py). Each image is seeded on its own (`seed`, its place), so a
picture does not change when the strip grows.

    request ← {"kind": "preview", "steps": [PipelineStep…], "upto": 2, "imgsz": 224, "seed": 7,
               "images": ["/data/assets/ab/ab….png", …], "display": 192}
    reply   → {"images": [{"original": P, "augmented": P, "model_input": P} | {"error": "…"}], "ms": 12.3,
               "error": null | "…"}   where P = {"data_url": "data:image/png;base64,…" (JPEG over 64 × 64), "width", "height"}

`width`/`height` are the picture's real size; the data of "original" and "augmented" is scaled down to fit `display`
pixels (the model input never is: it is small, and its pixels are the point).
"""

import base64
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import albumentations as A
import cv2
import numpy as np

from backend.graph.spec import PipelineStep
from backend.worker.pipeline import build_transforms, transform_bgr

# Small pictures go as PNG, exact to the pixel; larger ones as JPEG, so a strip of 8 photos stays a few hundred KiB.
PNG_UP_TO_PIXELS = 64 * 64


def render_preview(request: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        steps = [PipelineStep.model_validate(step) for step in request["steps"]]
        head, tail = split_pipeline(steps, int(request["upto"]), int(request["imgsz"]), int(request["seed"]))
        display = int(request.get("display", 192))
        seed = int(request["seed"])
        images = [
            _render(Path(path), head, tail, _image_seed(seed, place), display)
            for place, path in enumerate(request["images"])
        ]
        return {"images": images, "ms": (time.perf_counter() - started) * 1000, "error": None}
    except Exception as error:  # a broken request: say why, keep the process
        message = f"{type(error).__name__}: {error}".splitlines()[0][:500]
        return {"images": [], "ms": (time.perf_counter() - started) * 1000, "error": message}


def split_pipeline(steps: Sequence[PipelineStep], upto: int, imgsz: int, seed: int) -> tuple[A.Compose, A.Compose]:
    """Training's train-split Compose, cut after the train steps among `steps[:upto]`: (head, tail)."""
    whole = build_transforms(steps, "train", imgsz, seed)
    trained = [step.transform for step in steps if "train" in step.splits]
    built = [type(transform).__name__ for transform in whole.transforms[: len(trained)]]
    if built != trained:  # build_transforms makes one transform per step, in order: the cut relies on it
        raise RuntimeError(f"the train pipeline is {built}, not the steps {trained}")
    cut = sum(1 for step in steps[:upto] if "train" in step.splits)
    return A.Compose(whole.transforms[:cut], seed=seed), A.Compose(whole.transforms[cut:], seed=seed)


def _image_seed(seed: int, place: int) -> int:
    return (seed * 1_000_003 + place) % 2**32


def _render(path: Path, head: A.Compose, tail: A.Compose, seed: int, display: int) -> dict[str, Any]:
    image = cv2.imread(str(path))  # BGR, 3 channels, as training reads it
    if image is None:
        return {"error": f"{path.name} cannot be read as an image"}
    head.set_random_seed(seed)
    tail.set_random_seed(seed)
    try:
        augmented = transform_bgr(head, image)  # RGB: the pipelines take RGB (backend/worker/pipeline.py)
        tensor = tail(image=augmented)["image"]
    except Exception as error:  # e.g. a crop larger than this image
        return {"error": f"{type(error).__name__}: {error}".splitlines()[0][:500]}
    model_input = (tensor.permute(1, 2, 0).numpy() * 255).round().clip(0, 255).astype(np.uint8)
    return {
        "original": _picture(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), display),
        "augmented": _picture(_as_uint8_rgb(augmented), display),
        "model_input": _picture(_as_uint8_rgb(model_input), None),
    }


def _as_uint8_rgb(image: np.ndarray) -> np.ndarray:
    if image.dtype != np.uint8:  # a float image in 0..1 (a transform that works in floats)
        image = (np.asarray(image, dtype=np.float32) * 255).round().clip(0, 255).astype(np.uint8)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    return np.ascontiguousarray(image[:, :, :3])


def _picture(rgb: np.ndarray, fit: int | None) -> dict[str, Any]:
    height, width = rgb.shape[:2]
    shown = rgb
    if fit is not None and max(height, width) > fit:
        scale = fit / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        shown = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    bgr = cv2.cvtColor(shown, cv2.COLOR_RGB2BGR)
    small = shown.shape[0] * shown.shape[1] <= PNG_UP_TO_PIXELS
    media, extension, options = (
        ("image/png", ".png", []) if small else ("image/jpeg", ".jpg", [cv2.IMWRITE_JPEG_QUALITY, 92])
    )
    ok, data = cv2.imencode(extension, bgr, options)
    if not ok:
        raise RuntimeError("could not encode a preview picture")
    encoded = base64.b64encode(data.tobytes()).decode("ascii")
    return {"data_url": f"data:{media};base64,{encoded}", "width": int(width), "height": int(height)}
