"""After the final evaluation: the ONNX export and its checks, the int8 ONNX (backend/worker/quantize.py), then the
model card.

An export that fails is reported (an `error` log, the reason in the model card) but does not fail the run: the
PyTorch weights are already there and good.
"""

import json
from pathlib import Path
from typing import Any

import albumentations as A

from backend.graph.spec import TrainingJobSpec
from backend.worker.export import (
    ONNX_CHECK_IMAGES,
    ULTRALYTICS_CHECK_IMAGES,
    compare_onnx,
    compare_ultralytics,
    export_onnx,
    fp16_decision,
    load_torch,
    torch_probabilities,
    val_batches,
)
from backend.worker.model_card import model_card, model_card_markdown
from backend.worker.quantize import calibration_images_for, quantize_int8
from backend.worker.reporter import Cancelled, Reporter, write_atomically

VISIONFLOW_TRANSFORMS = (
    "best.pt and last.pt carry a torchvision version of the preprocessing above, so `YOLO(path).predict` "
    "sees images as this pipeline does."
)
DEFAULT_TRANSFORMS = (
    "the preprocessing above has no torchvision equivalent (letterbox padding, for one), so the checkpoints keep "
    "Ultralytics' own Resize + CenterCrop and `YOLO(path).predict` may differ from the ONNX path and from these "
    "metrics; use the ONNX model with the preprocessing above for the same answers."
)


def finish(
    spec: TrainingJobSpec,
    reporter: Reporter,
    val_items: list[int],
    val_transforms: A.Compose,
    torchvision_transforms: bool,
) -> None:
    run_dir = reporter.output_dir
    weights = run_dir / "weights" / "best.pt"
    imgsz = spec.model.imgsz
    paths = [str(reporter.item_file(i)) for i in val_items]
    model = load_torch(weights)

    onnx = _onnx(reporter, weights, imgsz, model, paths[:ONNX_CHECK_IMAGES], val_transforms)
    torch_top1 = onnx.pop("torch_top1", None)
    note = fp16_decision(str(spec.overrides.get("device") or ""))
    if note is None:
        onnx.update(_onnx_fp16(reporter, weights, imgsz, model, paths[:ONNX_CHECK_IMAGES], val_transforms))
    else:
        onnx["fp16_note"] = note
        reporter.log("info", note)
    reporter.check_stop()
    int8 = _int8(reporter, spec, paths[:ONNX_CHECK_IMAGES], val_transforms) if onnx.get("path") else None
    reporter.check_stop()

    sample = paths[:ULTRALYTICS_CHECK_IMAGES]
    if torch_top1 is None:
        torch_top1 = [
            int(i) for b in val_batches(sample, val_transforms) for i in torch_probabilities(model, b).argmax(1)
        ]
    try:
        plain = compare_ultralytics(weights, imgsz, sample, torch_top1[: len(sample)])
        plain["transforms"] = "visionflow" if torchvision_transforms else "ultralytics-default"
        reporter.log(
            "info" if plain["top1_agreement"] == 1.0 else "warning",
            f"YOLO('best.pt').predict agrees with our pipeline on {plain['top1_agreement']:.1%} of "
            f"{plain['images']} validation images (top-1)",
        )
    except Exception as error:
        plain = {"error": f"{type(error).__name__}: {error}"}
        reporter.log("warning", f"plain Ultralytics check failed: {plain['error']}")

    card = model_card(
        spec,
        val_transforms=val_transforms,
        ultralytics_transforms=VISIONFLOW_TRANSFORMS if torchvision_transforms else DEFAULT_TRANSFORMS,
        split_counts=dict(reporter.counts),
        metrics=dict(reporter.final),
        best_epoch=int(reporter.trainer.best_epoch or reporter.epochs_done),
        epochs=reporter.epochs_done,
        device=str(reporter.trainer.device),
        exports={"onnx": onnx, "ultralytics": plain, **({"onnx_int8": int8} if int8 is not None else {})},
    )
    for name, text in (("model_card.json", json.dumps(card, indent=2)), ("model_card.md", model_card_markdown(card))):
        path = run_dir / name
        write_atomically(path, text.encode())
        reporter.add_artifact(path, "model_card")


def _onnx(
    reporter: Reporter, weights: Path, imgsz: int, model: Any, paths: list[str], transforms: A.Compose
) -> dict[str, Any]:
    reporter.check_stop()
    try:
        path = export_onnx(weights, imgsz)
        check = compare_onnx(path, model, paths, transforms)
    except Cancelled:
        raise
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        reporter.log("error", f"ONNX export failed: {reason}")
        return {"path": None, "error": reason}
    reporter.add_artifact(path, "onnx")
    reporter.log(
        "info" if check["top1_agreement"] == 1.0 else "warning",
        f"ONNX export {reporter.relative(path)}: onnxruntime agrees with PyTorch on {check['top1_agreement']:.1%} of "
        f"{check['images']} validation images (top-1); largest probability difference {check['max_abs_diff']:.2e}",
    )
    return {"path": reporter.relative(path), "opset": _opset(path), "dynamic_batch": True, **check}


def _int8(reporter: Reporter, spec: TrainingJobSpec, paths: list[str], transforms: A.Compose) -> dict[str, Any]:
    """The int8 ONNX, calibrated on training images; kept only when it agrees with fp32 (the reason logged if not)."""
    train = [str(reporter.item_file(i)) for i, item in enumerate(spec.dataset.items) if item.split == "train"]
    fp32 = reporter.output_dir / "weights" / "best.onnx"
    try:
        result = quantize_int8(
            fp32,
            train,
            paths,
            transforms,
            calibration_images=calibration_images_for(len(paths)),
            seed=int(spec.overrides.get("seed") or 0),
        )
    except Cancelled:
        raise
    except Exception as error:
        reason = f"{type(error).__name__}: {error}".splitlines()[0][:500]
        reporter.log("warning", f"int8 ONNX not made: {reason}")
        return {"path": None, "kept": False, "reason": f"quantization failed: {reason}"}
    latency = result["latency_ms"]
    timing = (
        f"batch-1 p50 {latency['int8']['p50']:.2f} ms vs fp32 {latency['fp32']['p50']:.2f} ms "
        f"({result['int8_over_fp32_p50']:.2f}×)"
    )
    if result["kept"]:
        path = Path(result["path"])
        result["path"] = reporter.relative(path)
        reporter.add_artifact(path, "onnx")
        reporter.log(
            "info",
            f"int8 ONNX {result['path']}: top-1 agreement with fp32 {result['top1_agreement']:.1%} on "
            f"{result['images']} validation images; {timing}",
        )
    else:
        reporter.log("warning", f"No int8 ONNX: {result['reason']} ({timing})")
    return result


def _onnx_fp16(
    reporter: Reporter, weights: Path, imgsz: int, model: Any, paths: list[str], transforms: A.Compose
) -> dict[str, Any]:
    """fp16 weights for onnxruntime's GPU provider, checked on it."""
    try:
        path = export_onnx(weights, imgsz, fp16=True)
        check = compare_onnx(path, model, paths, transforms, providers=("CUDAExecutionProvider",))
    except Exception as error:
        reporter.log("warning", f"fp16 ONNX export failed: {type(error).__name__}: {error}")
        return {"fp16_path": None, "fp16_note": f"fp16 export failed: {type(error).__name__}: {error}"}
    reporter.add_artifact(path, "onnx")
    reporter.log(
        "info",
        f"fp16 ONNX {reporter.relative(path)} on the GPU agrees with PyTorch on {check['top1_agreement']:.1%} "
        f"(top-1); largest probability difference {check['max_abs_diff']:.2e}",
    )
    return {
        "fp16_path": reporter.relative(path),
        "fp16_top1_agreement": check["top1_agreement"],
        "fp16_max_abs_diff": check["max_abs_diff"],
    }


def _opset(path: Path) -> int | None:
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
