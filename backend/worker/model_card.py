"""model_card.json and model_card.md: what a trained model is, what it saw, how well it did, how to run it."""

import inspect
from datetime import UTC, datetime
from typing import Any

import albumentations as A
from albumentations.pytorch import ToTensorV2

from backend.graph.spec import TrainingJobSpec

CARD_VERSION = 1


def model_card(
    spec: TrainingJobSpec,
    *,
    val_transforms: A.Compose,
    ultralytics_transforms: str,
    split_counts: dict[str, int],
    metrics: dict[str, float],
    best_epoch: int,
    epochs: int,
    exports: dict[str, Any],
    device: str | None = None,
) -> dict[str, Any]:
    """The card of a run of `spec`; `device` is the one it trained on ("cpu", "cuda:0"), by default the one its
    request ("auto" unless chosen) resolves to on this machine, as the worker resolved it (worker/device.py)."""
    imgsz = spec.model.imgsz
    names = list(spec.dataset.class_names)
    per_class = {
        split: [
            sum(1 for item in spec.dataset.items if item.split == split and item.label == c) for c in range(len(names))
        ]
        for split in ("train", "val")
    }
    onnx = exports.get("onnx") or {}
    int8 = exports.get("onnx_int8") or {}
    return {
        "card_version": CARD_VERSION,
        "name": spec.workflow_name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "task": "classify",
        "architecture": spec.model.architecture,
        "started_from": spec.model.pretrained,
        "imgsz": imgsz,
        "classes": names,
        "weights": {
            "pytorch": "weights/best.pt",
            "onnx": onnx.get("path"),
            "onnx_fp16": onnx.get("fp16_path"),
            "onnx_int8": int8.get("path"),
            "best_epoch": best_epoch,
            "epochs": epochs,
        },
        "preprocessing": {
            "input": "RGB image, uint8 (convert from BGR when reading with OpenCV)",
            "steps": [
                {"transform": type(t).__name__, "params": _params(t)}
                for t in val_transforms.transforms
                if not isinstance(t, A.Normalize | ToTensorV2)
            ],
            "scaling": "pixel / 255 → float32 in [0, 1]; no mean/std normalisation",
            "layout": f"NCHW float32, 1×3×{imgsz}×{imgsz} (the ONNX batch dimension is dynamic)",
            "output": "softmax probabilities over `classes`, in that order",
            # The whole chain up to the 0..1 scaling, for albumentations.from_dict (then transpose HWC → CHW).
            "albumentations": loadable_dict(
                A.Compose([t for t in val_transforms.transforms if not isinstance(t, ToTensorV2)])
            ),
            "ultralytics_transforms": ultralytics_transforms,
        },
        "metrics": {"split": "val", "weights_epoch": best_epoch, **metrics},
        "dataset": {
            "snapshot_hash": spec.dataset.snapshot_hash,
            "counts": split_counts,
            "per_class": per_class,
        },
        "training": {
            **{
                key: spec.overrides[key]
                for key in ("epochs", "batch", "optimizer", "lr0", "seed", "patience")
                if key in spec.overrides
            },
            **_device(spec, device),
        },
        "exports": exports,
        "usage": {"ultralytics": _ultralytics_snippet(imgsz), "onnxruntime": _onnxruntime_snippet()},
    }


def _device(spec: TrainingJobSpec, used: str | None) -> dict[str, str]:
    """The device the model trained on, and what the run asked for when that differs ("auto")."""
    from backend.worker.device import AUTO, machine_device

    requested = str(spec.overrides.get("device") or AUTO)
    if used is None:
        choice = machine_device(requested)
        used = "cpu" if not choice.on_cuda else f"cuda:{choice.device}"
    return {"device": used} | ({"device_requested": requested} if requested != used else {})


def model_card_markdown(card: dict[str, Any]) -> str:
    metrics = card["metrics"]
    onnx = card["exports"].get("onnx") or {}
    plain = card["exports"].get("ultralytics") or {}
    lines = [
        f"# {card['name']}",
        "",
        f"Image classifier ({card['architecture']}, {card['imgsz']} px input), {len(card['classes'])} classes: "
        + ", ".join(card["classes"])
        + ".",
        "",
        "## Validation metrics",
        "",
        "| metric | value |",
        "| --- | --- |",
        *(f"| {key} | {_number(value)} |" for key, value in metrics.items() if key != "split"),
        "",
        "## Data",
        "",
        f"Snapshot `{card['dataset']['snapshot_hash'][:16]}…`: {card['dataset']['counts'].get('train', 0)} training "
        f"and {card['dataset']['counts'].get('val', 0)} validation images.",
        "",
        "## Preprocessing",
        "",
        *(f"{n}. {step['transform']} {step['params']}" for n, step in enumerate(card["preprocessing"]["steps"], 1)),
        f"{len(card['preprocessing']['steps']) + 1}. {card['preprocessing']['scaling']}; RGB, "
        f"{card['preprocessing']['layout']}.",
        "",
        f"Plain Ultralytics: {card['preprocessing']['ultralytics_transforms']}",
        "",
        "## Export checks",
        "",
    ]
    if onnx.get("path"):
        lines.append(
            f"- ONNX (`{onnx['path']}`, opset {onnx.get('opset')}): top-1 agreement with PyTorch "
            f"{_percent(onnx.get('top1_agreement'))} on {onnx.get('images')} validation images, largest probability "
            f"difference {_number(onnx.get('max_abs_diff'))}."
        )
    else:
        lines.append(f"- ONNX: not exported ({onnx.get('error', 'unknown reason')}).")
    if onnx.get("fp16_note"):
        lines.append(f"- {onnx['fp16_note']}")
    lines += _int8_lines(card["exports"].get("onnx_int8"))
    if plain:
        lines.append(
            f'- `YOLO("weights/best.pt").predict`: top-1 agreement with our pipeline '
            f"{_percent(plain.get('top1_agreement'))} on {plain.get('images')} validation images."
        )
    lines += [
        "",
        "## How to load it",
        "",
        "```python",
        card["usage"]["ultralytics"],
        "```",
        "",
        "```python",
        card["usage"]["onnxruntime"],
        "```",
        "",
    ]
    return "\n".join(lines)


def _int8_lines(int8: dict[str, Any] | None) -> list[str]:
    if not int8:
        return []
    latency = int8.get("latency_ms") or {}
    timing = (
        f" Latency at batch 1 ({int8.get('latency_runs')} calls each, taking turns, same threads): int8 p50 "
        f"{_number(latency['int8']['p50'])} ms / p95 {_number(latency['int8']['p95'])} ms, fp32 p50 "
        f"{_number(latency['fp32']['p50'])} ms / p95 {_number(latency['fp32']['p95'])} ms "
        f"(int8/fp32 p50 {_number(int8.get('int8_over_fp32_p50'))})."
        if {"int8", "fp32"} <= set(latency)
        else ""
    )
    if int8.get("path"):
        return [
            f"- int8 ONNX (`{int8['path']}`, static quantization calibrated on {int8.get('calibration_images')} "
            f"training images): top-1 agreement with fp32 {_percent(int8.get('top1_agreement'))} on "
            f"{int8.get('images')} validation images.{timing}"
        ]
    return [f"- int8 ONNX: not kept ({int8.get('reason', 'unknown reason')}).{timing}"]


def loadable_dict(pipeline: A.Compose) -> dict[str, Any]:
    """`A.to_dict`, less what `A.from_dict` would refuse: albumentations writes some attributes that are not arguments
    (PadIfNeeded's `padding`), and loading them warns "Argument(s) 'padding' are not valid for transform …"."""
    document = A.to_dict(pipeline)
    for step in document["transform"]["transforms"]:
        transform = getattr(A, step["__class_fullname__"].rsplit(".", 1)[-1], None)
        if transform is None:  # not albumentations' own: left as written
            continue
        accepted = set(inspect.signature(transform.__init__).parameters)
        for key in [k for k in step if k != "__class_fullname__" and k not in accepted]:
            del step[key]
    return document


def _params(transform: A.BasicTransform) -> dict[str, Any]:
    params = loadable_dict(A.Compose([transform]))["transform"]["transforms"][0]
    return {k: v for k, v in params.items() if k != "__class_fullname__" and not (k == "p" and v == 1.0)}


def _ultralytics_snippet(imgsz: int) -> str:
    return (
        "from ultralytics import YOLO\n\n"
        'model = YOLO("weights/best.pt")\n'
        f'result = model.predict("image.jpg", imgsz={imgsz})[0]\n'
        "print(result.names[result.probs.top1], float(result.probs.top1conf))"
    )


def _onnxruntime_snippet() -> str:
    return (
        "import json\n\n"
        "import albumentations as A\n"
        "import cv2\n"
        "import onnxruntime as ort\n\n"
        'card = json.load(open("model_card.json"))\n'
        'preprocess = A.from_dict(card["preprocessing"]["albumentations"])  # ends with the 0..1 scaling\n'
        'image = cv2.cvtColor(cv2.imread("image.jpg"), cv2.COLOR_BGR2RGB)\n'
        'x = preprocess(image=image)["image"].transpose(2, 0, 1)[None]  # 1×3×H×W float32\n'
        'session = ort.InferenceSession("weights/best.onnx", providers=["CPUExecutionProvider"])\n'
        "probabilities = session.run(None, {session.get_inputs()[0].name: x})[0][0]\n"
        'print(card["classes"][probabilities.argmax()], probabilities.max())'
    )


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _percent(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, float) else "n/a"
