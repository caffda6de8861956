"""After the ONNX export: an int8 model beside the fp32 one, kept only when it answers as fp32 does.

onnxruntime's static quantization needs the range of every activation: it is calibrated (min/max) on training
images passed through our validation pipeline (the way the model sees images when predicting), a seeded sample of
at most CALIBRATION_IMAGES. Then both models predict the validation set: the int8 file is kept
(weights/best.int8.onnx, by an atomic rename, so a predictor never opens a half-written file) only when its top-1
agreement with fp32 is at least the threshold (99 %); otherwise it is removed and the reason said. Both models'
latency at batch 1 is measured (same threads, taking turns) for the model card.

Choices, measured at 224 px batch 1 on the 2-core development machine (Xeon with AVX512-VNNI, AVX-VNNI and AMX),
fp32 and int8 taking turns call by call; the machine was loaded by other work, so wall ratios moved by ±0.1 between
runs and the process CPU time per call is the steadier figure (profile and commands: bench/profiles/int8_224.txt):
- QOperator and QDQ run the same (onnxruntime fuses QDQ into the same QLinear* kernels); QUInt8 activations with
  symmetric QInt8 weights is the x86 fast path (onnxruntime's NHWC int8 convolutions): S8S8 ran 7× slower than
  fp32, U8U8 1.4×, asymmetric weights 0.8-0.9× (they leave that path); reduce_range and symmetric activations changed
  nothing measurable; quant_pre_process made it slower (0.78× against 0.58× in the same run).
- per-channel weights run as fast as per-tensor (CPU 0.67-0.73× fp32 both) and agree better: one try, per-channel.
- SiLU (Sigmoid × input) stays int8 (QLinearSigmoid, a table lookup, and QLinearMul): left in fp32 it costs a
  Dequantize and a Quantize per layer (0.95× fp32 in all). Even so an int8 SiLU takes two passes where fp32 fuses it
  into one (QuickGelu): 15-30 % of the int8 model's time, about 1.5-2× fp32's SiLU; with the convolutions (int8 about
  2.3× faster than fp32's) that is what keeps int8 near 0.6-0.7× fp32 here.
- The classifier head, the softmax, the convolution on the image itself and its SiLU stay fp32 (see _kept_fp32).
"""

import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import albumentations as A
import numpy as np

from backend.worker.export import val_batches

CALIBRATION_IMAGES = 200
AGREEMENT_THRESHOLD = 0.99
LATENCY_RUNS = 100  # per model; fewer for tiny validation sets (see latency_runs_for)
INT8_NAME = "best.int8.onnx"


def quantize_int8(
    fp32_path: Path,
    calibration_paths: Sequence[str],
    val_paths: Sequence[str],
    transforms: A.Compose,
    *,
    threshold: float = AGREEMENT_THRESHOLD,
    calibration_images: int = CALIBRATION_IMAGES,
    latency_runs: int | None = None,
    seed: int = 0,
    quant_format: str = "QOperator",
    per_channel: bool = True,
    threads: int = 0,
) -> dict[str, Any]:
    """Quantize `fp32_path` into `<same folder>/best.int8.onnx`, check it, time both. Returns what the model card
    says: "path" (None when not kept), "kept", "reason", "top1_agreement", "images", "calibration_images",
    "latency_ms" {"fp32": {"p50", "p95"}, "int8": {...}} and "int8_over_fp32_p50"."""
    sample = _calibration_sample(calibration_paths, calibration_images, seed)
    target = fp32_path.with_name(INT8_NAME)
    runs = latency_runs if latency_runs is not None else latency_runs_for(len(val_paths))
    target.unlink(missing_ok=True)  # an int8 file of an earlier export (a resumed run) never outlives a failure here
    with tempfile.TemporaryDirectory(prefix=".quantize-", dir=fp32_path.parent) as scratch:
        fp32 = session(fp32_path, threads)
        scratch_int8 = Path(scratch) / INT8_NAME
        quantize_file(fp32_path, scratch_int8, sample, transforms, quant_format=quant_format, per_channel=per_channel)
        int8 = session(scratch_int8, threads)  # the same threads as fp32: a fair comparison
        agreement = top1_agreement(fp32, int8, val_paths, transforms)
        kept = agreement is not None and agreement >= threshold
        latency = compare_latency({"fp32": fp32, "int8": int8}, _first_input(val_paths, transforms), runs)
        del int8  # the session holds the file open (Windows would refuse the rename)
        if kept:
            os.replace(scratch_int8, target)
        else:
            target.unlink(missing_ok=True)  # an int8 file of an earlier export (a resumed run) no longer matches
    ratio = latency["int8"]["p50"] / latency["fp32"]["p50"] if latency["fp32"]["p50"] else None
    return {
        "path": str(target) if kept else None,
        "kept": kept,
        "reason": None
        if kept
        else (
            f"int8 top-1 agreement with fp32 {_percent(agreement)} on {len(val_paths)} validation images is below "
            f"the {threshold:.0%} required; the int8 model was removed"
        ),
        "format": quant_format,
        "per_channel": per_channel,
        "top1_agreement": agreement,
        "threshold": threshold,
        "images": len(val_paths),
        "calibration_images": len(sample),
        "latency_ms": latency,
        "latency_runs": runs,
        "int8_over_fp32_p50": ratio,
    }


def calibration_images_for(val_images: int) -> int:
    """Tiny runs (tests, toy projects) calibrate on fewer images: as many as they validate on, at least 32."""
    return min(CALIBRATION_IMAGES, max(32, val_images))


def latency_runs_for(val_images: int) -> int:
    """Tiny validation sets (tests, toy runs) get a quick timing; real ones LATENCY_RUNS."""
    return max(10, min(LATENCY_RUNS, 2 * val_images))


def quantize_file(
    fp32_path: Path,
    int8_path: Path,
    calibration_paths: Sequence[str],
    transforms: A.Compose,
    *,
    quant_format: str = "QOperator",
    per_channel: bool = True,
    keep_first_conv: bool = True,
    keep_first_silu: bool = True,
    preprocess: bool = False,
) -> None:
    """Static int8 quantization of `fp32_path` into `int8_path`, activations calibrated (min/max) on the images."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self, name: str) -> None:
            self._batches = (
                {name: image[None].numpy()} for images in val_batches(calibration_paths, transforms) for image in images
            )

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._batches, None)

    prepared = int8_path.with_name(".prepared.onnx")
    # onnxruntime's recommended pre-processing (shape inference, graph optimisation) measured slower here (int8 p50
    # 0.78× fp32 with it, 0.58× without, 224 px): Ultralytics' exporter already simplified the graph (onnxslim).
    if preprocess:
        quant_pre_process(str(fp32_path), str(prepared), skip_symbolic_shape=True)
    else:
        shutil.copyfile(fp32_path, prepared)
    graph = _graph(prepared)
    quantize_static(
        str(prepared),
        str(int8_path),
        Reader(graph.input[0].name),
        quant_format=QuantFormat.QDQ if quant_format == "QDQ" else QuantFormat.QOperator,
        per_channel=per_channel,
        activation_type=QuantType.QUInt8,  # S8S8 measured 7× slower than fp32 here
        weight_type=QuantType.QInt8,
        nodes_to_exclude=_kept_fp32(graph, keep_first_conv, keep_first_silu and keep_first_conv),
    )
    prepared.unlink(missing_ok=True)


def session(path: Path, threads: int = 0) -> Any:
    """An onnxruntime CPU session as the predictor opens one (intra-op threads, not spinning)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def top1_agreement(first: Any, second: Any, paths: Sequence[str], transforms: A.Compose) -> float | None:
    name = first.get_inputs()[0].name
    agree = 0
    for images in val_batches(paths, transforms):
        batch = images.numpy()
        agree += int(
            (first.run(None, {name: batch})[0].argmax(1) == second.run(None, {name: batch})[0].argmax(1)).sum()
        )
    return agree / len(paths) if paths else None


def compare_latency(sessions: dict[str, Any], image: np.ndarray, runs: int) -> dict[str, dict[str, float]]:
    """Batch-1 latency of each session on the same input, warmed up, the sessions taking turns call by call so
    that other load on the machine hits them alike. p50 and p95 in milliseconds."""
    calls: dict[str, Callable[[], Any]] = {
        key: (lambda s=s: s.run(None, {s.get_inputs()[0].name: image})) for key, s in sessions.items()
    }
    for call in calls.values():
        for _ in range(3):
            call()
    times: dict[str, list[float]] = {key: [] for key in calls}
    for _ in range(runs):
        for key, call in calls.items():
            started = time.perf_counter()
            call()
            times[key].append((time.perf_counter() - started) * 1000)
    return {key: {"p50": statistics.median(v), "p95": _p95(v)} for key, v in times.items()}


def _calibration_sample(paths: Sequence[str], count: int, seed: int) -> list[str]:
    ordered = sorted(paths)
    return random.Random(seed).sample(ordered, min(count, len(ordered)))


def _first_input(paths: Sequence[str], transforms: A.Compose) -> np.ndarray:
    if not paths:
        raise ValueError("no validation images to time the models on")
    return next(iter(val_batches(paths[:1], transforms))).numpy()


def _kept_fp32(graph: Any, first_conv: bool, first_silu: bool = True) -> list[str]:
    """Nodes left in fp32:
    - the classifier head (Gemm/MatMul) and the closing softmax: quantized logits have 256 levels over their whole
      range, so two close ones round to the same value and argmax picks the first (a 1-epoch model, whose logits
      are close, agreed on 87.5 %); probabilities quantized would even all round to 0 for 1000 classes;
    - the convolution on the image itself (3 input channels at full resolution: onnxruntime's int8 convolution is
      slower there than its fp32 one, measured 0.99 vs 0.85 ms at 224 px) and its SiLU (Sigmoid, Mul): in fp32
      onnxruntime fuses them into one pass (QuickGelu, 130 µs at 224 px) where int8 takes two (QLinearSigmoid +
      QLinearMul, 245 µs), and the activation is quantized once either way (after the SiLU instead of before).
      Measured (1 thread, same run): CPU time per call 0.70× fp32 with it, 0.73× without, 0.82× with the first
      convolution in int8 as well."""
    image = graph.input[0].name
    head = [n for n in graph.node if n.op_type in ("Softmax", "Gemm", "MatMul")]
    convs = [n for n in graph.node if first_conv and n.op_type == "Conv" and image in n.input]
    if not first_silu:
        return [n.name for n in head + convs]
    outputs = {o for n in convs for o in n.output}
    sigmoids = [n for n in graph.node if n.op_type == "Sigmoid" and n.input[0] in outputs]
    silu = {o for n in sigmoids for o in n.output}
    muls = [n for n in graph.node if n.op_type == "Mul" and set(n.input) & outputs and set(n.input) & silu]
    return [n.name for n in head + convs + sigmoids + muls]


def _graph(path: Path) -> Any:
    import onnx

    return onnx.load(str(path), load_external_data=False).graph


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _percent(value: float | None) -> str:
    return f"{value:.1%}" if value is not None else "n/a"
