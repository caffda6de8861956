"""Where the int8 model's time goes: onnxruntime's per-operator profile of fp32 against int8, for bench/inference.py.

`write_profile` (bench/inference.py --profile PATH) profiles, on one validation image at batch 1 with the predictor's
session options (one thread per core, not spinning): best.onnx (fp32), the int8 model as the worker makes it now, and
int8 as it was made before (per-tensor weights, the first convolution's SiLU in int8). For each: kernel time per call
by operator type and its share; then the three timed without the profiler (wall and CPU time). Both times the models
take turns call by call, so that other load on the machine hits them alike. The text also says the machine's load
and whether the CPU has the int8 dot-product instructions (VNNI) and AMX.
"""

import collections
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

WARMUP, PROFILED, TIMED = 5, 60, 100
SILU = {"fp32": ("QuickGelu", "Sigmoid", "Mul"), "int8": ("QLinearSigmoid", "QLinearMul", "Sigmoid", "Mul")}


def write_profile(target: Path, run_dir: Path, command: str) -> None:
    import onnxruntime

    from backend.graph.spec import TrainingJobSpec
    from backend.storage import LocalStorage
    from backend.worker.export import val_batches
    from backend.worker.pipeline import build_transforms
    from backend.worker.quantize import quantize_file

    spec = TrainingJobSpec.model_validate_json((run_dir / "spec.json").read_text())
    store = LocalStorage(run_dir.parents[1])
    files = {
        split: [str(store.image(i.content_hash, i.suffix)) for i in spec.dataset.items if i.split == split]
        for split in ("train", "val")
    }
    transforms = build_transforms(spec.pipeline, "val", spec.model.imgsz)
    x = next(iter(val_batches(files["val"][:1], transforms))).numpy()
    weights = run_dir / "weights"
    shipped = next(weights / n for n in ("best.int8.onnx", "bench.int8.onnx") if (weights / n).is_file())
    with tempfile.TemporaryDirectory(prefix=".profile-", dir=weights) as scratch:
        before = Path(scratch) / "before.int8.onnx"
        quantize_file(
            weights / "best.onnx", before, files["train"][:100], transforms, per_channel=False, keep_first_silu=False
        )
        models = {"fp32": weights / "best.onnx", "int8 now": shipped, "int8 before": before}
        lines = _header(command, onnxruntime.__version__, x.shape) + _profiles(models, x) + _timed(models, x)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n")


def _session(path: Path, profile: bool) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 0  # as the predictor: one per core
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if profile:
        options.enable_profiling = True
        options.profile_file_prefix = str(path.with_name(f".ort-profile-{path.stem}"))
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _profiles(models: dict[str, Path], x: Any) -> list[str]:
    """Each model profiled, the models taking turns call by call (so that load on the machine hits them alike)."""
    sessions = {name: _session(path, profile=True) for name, path in models.items()}
    for _ in range(WARMUP + PROFILED):
        for session in sessions.values():
            session.run(None, {session.get_inputs()[0].name: x})
    lines = []
    for name, session in sessions.items():
        trace = Path(session.end_profiling())
        lines += _summary(name, models[name], json.loads(trace.read_text()))
        trace.unlink()
    return lines


def _summary(name: str, path: Path, events: list[dict]) -> list[str]:
    runs = sorted((e for e in events if e.get("cat") == "Session" and e["name"] == "model_run"), key=lambda e: e["ts"])
    start = runs[WARMUP]["ts"]  # the warm-up calls are left out
    per_op: collections.Counter = collections.Counter()
    count: collections.Counter = collections.Counter()
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and e["ts"] >= start:
            per_op[e["args"]["op_name"]] += e["dur"] / PROFILED / 1000
            count[e["args"]["op_name"]] += 1
    total = sum(per_op.values())
    wall = statistics.median(e["dur"] for e in runs[WARMUP:]) / 1000
    silu = sum(v for op, v in per_op.items() if op in SILU["fp32" if name == "fp32" else "int8"])
    conv = sum(v for op, v in per_op.items() if op in ("Conv", "QLinearConv"))
    lines = [
        "",
        f"## {name}: {path.name}: kernels {total:.2f} ms per call, model_run p50 {wall:.2f} ms (profiler on)",
        f"   convolutions {conv:.2f} ms ({conv / total:.0%}), SiLU {silu:.2f} ms ({silu / total:.0%})",
        f"   {'operator':26s} {'ms/call':>8} {'share':>6} {'nodes':>6}",
    ]
    lines += [f"   {op:26s} {ms:8.3f} {ms / total:6.1%} {count[op] // PROFILED:6d}" for op, ms in per_op.most_common()]
    return lines


def _timed(models: dict[str, Path], x: Any) -> list[str]:
    """The models taking turns call by call, profiler off: wall and process CPU time per call."""
    sessions = {name: _session(path, profile=False) for name, path in models.items()}
    feeds = {name: {s.get_inputs()[0].name: x} for name, s in sessions.items()}
    wall: dict[str, list[float]] = {name: [] for name in sessions}
    cpu: dict[str, list[float]] = {name: [] for name in sessions}
    for i in range(WARMUP + TIMED):
        for name, session in sessions.items():
            started_cpu, started = time.process_time(), time.perf_counter()
            session.run(None, feeds[name])
            if i >= WARMUP:
                wall[name].append(1000 * (time.perf_counter() - started))
                cpu[name].append(1000 * (time.process_time() - started_cpu))
    base_wall, base_cpu = statistics.median(wall["fp32"]), statistics.median(cpu["fp32"])
    lines = ["", f"## timed, taking turns call by call, {TIMED} calls each, profiler off"]
    for name in sessions:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        lines.append(
            f"   {name:12s} wall p50 {w:6.2f} ms ({w / base_wall:.2f}× fp32)   CPU p50 {c:6.2f} ms ({c / base_cpu:.2f}× fp32)"
        )
    return lines


def _header(command: str, ort_version: str, shape: tuple) -> list[str]:
    flags = set()
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
    int8_flags = [f for f in ("avx512_vnni", "avx_vnni", "amx_int8", "amx_tile", "avx512f", "avx2") if f in flags]
    load = " / ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return [
        "# int8 against fp32 ONNX, batch 1, per-operator profile (onnxruntime's profiler)",
        f"command: {command}",
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {model}, {os.cpu_count()} CPUs; int8-relevant flags: "
        f"{', '.join(int8_flags) or 'none'}; onnxruntime {ort_version}; input {list(shape)}",
        f"load average (1/5/15 min): {load} (other work on the machine inflates wall times; ratios are side by side)",
        "session options as the predictor: intra-op threads one per core (0), not spinning, graph optimisation ALL",
    ]
