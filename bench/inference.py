"""Inference latency of a trained model, batch 1: plain Ultralytics against our ONNX path, fp32 and int8, in one run.

    .venv/bin/python bench/inference.py [--runs 200] [--quick] [--json PATH]

For each input size (32, 224 and 320 px; --quick: 224 only, fewer calls, ~2 minutes) a YOLOv8n-cls is trained for
one epoch on digits rendered at that size (latency does not depend on how well it learned) with the real worker,
which also exports weights/best.onnx and weights/best.int8.onnx (kept when its top-1 agreement with fp32 on the
validation set is >= 99 %: that figure comes from the run's model card).
Then, on the run's validation images (PNG files at the model size), one image per call, each path in a
process of its own, the paths taking turns (10 rounds) so that other load on the machine hits them alike:
(a) Ultralytics: `YOLO("weights/best.pt").predict(path, imgsz=s, device="cpu")`, with the torch threads
    Ultralytics sets on import (min(8, CPUs - 1): 1 on 2 cores), and again with one torch thread per CPU.
(b) Ours: the predictor's own code (backend/worker/predictor.py: read the file, our val pipeline,
    onnxruntime on best.onnx, top-5) as the server runs it (one onnxruntime thread per core, not spinning), then
    with spinning threads (onnxruntime's default), then with one thread.
(c) Ours through the server's PredictorPool: (b) in the predictor process, plus the JSON round trip over the pipe.
(d) The model alone, fp32 against int8: the same input tensor (a validation image through our val pipeline),
    onnxruntime with the predictor's session options (one thread per core, not spinning), best.onnx against
    best.int8.onnx, in one process taking turns call by call (load on the machine hits both alike), 5 × --runs
    calls each, wall time and the process's CPU time per call. Target at 224 px: int8 p50 <= 0.6 × fp32 p50.
--profile PATH (with --quick: 224 px) also writes onnxruntime's per-operator profile of fp32, the int8 model as
shipped and int8 as it was made before (per-tensor weights, the first convolution's SiLU in int8) to PATH
(bench/profiles/int8_224.txt).
Each is warmed up first, then timed over --runs calls: p50, p95, images/s (= calls / total seconds).
Target: (b) p50 <= 0.5 × (a) p50 at 320 px. Everything runs offline; nothing is downloaded.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIZES = (32, 224, 320)
QUICK_SIZES = (224,)
WARMUP = 10
ROUNDS = 10
PATHS = {
    "ultralytics": "(a) Ultralytics YOLO(best.pt).predict",
    "ultralytics-all-threads": f"    same, {os.cpu_count()} torch threads",
    "ours": "(b) ours: val pipeline + onnxruntime",
    "ours-spinning": "    same, spinning onnxruntime threads",
    "ours-1-thread": "    same, 1 onnxruntime thread",
    "pool": "(c) ours via PredictorPool (+ pipe, JSON)",
    "onnx-fp32": "(d) model alone: onnxruntime, best.onnx (fp32)",
    "onnx-int8": "    same, best.int8.onnx (int8)",
}
PAIRED = {"onnx-int8": "onnx-fp32"}  # timed in the process of the other, call by call with it
MODEL_ALONE_REPEAT = 5  # the model alone is quick: 5× the calls, for a steadier p50 under load
QUICK_PATHS = ("ultralytics", "ours", "onnx-fp32", "onnx-int8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="timed calls per path (200; --quick: 40)")
    parser.add_argument(
        "--quick", action="store_true", help="224 px only, four paths, 40 calls (about 2 minutes on a quiet machine)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here (bench/run_all.py's contract)")
    parser.add_argument("--profile", type=Path, help="write the per-operator profile at 224 px here")
    parser.add_argument("--serve", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--run-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    started = time.perf_counter()

    from backend.worker.offline import configure_offline

    if args.serve:
        configure_offline(args.config)
        serve(args.serve, args.run_dir, args.config)
        return 0

    runs = args.runs or (40 if args.quick else 200)
    paths = {p: PATHS[p] for p in QUICK_PATHS} if args.quick else PATHS
    figures: list[dict] = []
    notes = [
        f"{os.cpu_count()} CPUs; figures measured while other processes load the machine are noisy",
        "the models are trained for one epoch: latency does not depend on it, but their probabilities are near "
        "uniform, so int8's top-1 agreement with fp32 here understates a trained model's (the 10-epoch digits run "
        "of tests/worker/test_quantize.py keeps its int8 model at >= 99 %)",
    ]
    with tempfile.TemporaryDirectory(prefix="visionflow-bench-") as scratch:
        work = Path(scratch)
        configure_offline(work / "config")
        import onnxruntime
        import torch

        print(
            f"{os.cpu_count()} CPUs, torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, batch 1, "
            f"{runs} calls each after {WARMUP} warm-up calls; each path in a process of its own, the paths "
            f"taking turns in {ROUNDS} rounds\n"
        )
        print(f"{'size':>5}  {'path':48s} {'p50 ms':>8} {'p95 ms':>8} {'images/s':>9}")
        for size in QUICK_SIZES if args.quick else SIZES:
            run_dir = train_briefly(work, size, per_class=10 if args.quick else None)
            int8_note = ensure_int8(run_dir)
            if int8_note:
                notes.append(f"{size} px: {int8_note}")
            load = os.getloadavg()[0]
            results, cpu = measure_by_turns(run_dir, work / "config", runs, paths)
            notes.append(
                f"{size} px: load average (1 min) {load:.1f} before the timing, {os.getloadavg()[0]:.1f} after; "
                "under load the 2-thread wall ratios move most, CPU time per call least"
            )
            if args.profile and size == 224:
                from bench.onnx_profile import write_profile

                write_profile(args.profile, run_dir, " ".join(["python", *sys.argv]))
            for path, name in paths.items():
                p50, p95, rate = results[path]
                print(f"{size:>5}  {name:48s} {p50:8.2f} {p95:8.2f} {rate:9.0f}", flush=True)
            figures += size_figures(size, results, run_dir, cpu)
    print()
    for figure in figures:
        if figure["ratio"] is not None or figure["unit"] == "%":
            met = {True: "met", False: "NOT met", None: ""}[figure["met"]]
            value = f"{figure['ratio']:.2f}" if figure["ratio"] is not None else f"{figure['value']:.1f} %"
            print(f"{figure['what']:64s} {value:>8}  {figure['target'] or ''} {met}")
    for note in notes:
        print(f"note: {note}")
    if args.json:
        result = {
            "bench": "inference",
            "seconds": time.perf_counter() - started,
            "figures": figures,
            "notes": notes,
        }
        args.json.write_text(json.dumps(result, indent=2))
    return 0


def size_figures(
    size: int, results: dict[str, tuple[float, float, float]], run_dir: Path, cpu: dict[str, float]
) -> list[dict]:
    """The bench contract's figures for one input size: each path's p50/p95, the ratios, int8's agreement."""

    def figure(what, value, unit="ms", baseline=None, ratio=None, target=None, met=None) -> dict:
        return {
            "what": f"{what} at {size} px",
            "value": value,
            "unit": unit,
            "baseline": baseline,
            "ratio": ratio,
            "target": target,
            "met": met,
        }

    def ratio_figure(what: str, over: str, under: str, limit: float, at_size: int) -> dict:
        """`over`'s p50 against `under`'s; the target `<= limit` holds at `at_size` px only."""
        ratio = results[over][0] / results[under][0]
        target = f"<= {limit:g}" if size == at_size else None
        met = ratio <= limit if target else None
        return figure(what, results[over][0], baseline=f"{under} p50", ratio=ratio, target=target, met=met)

    figures = []
    for path, (p50, p95, _) in results.items():
        figures += [figure(f"{path} p50 batch 1", p50), figure(f"{path} p95 batch 1", p95)]
    if "ultralytics" in results and "ours" in results:
        figures.append(ratio_figure("ours / Ultralytics predict p50", "ours", "ultralytics", 0.5, 320))
    if "onnx-int8" in results:
        figures.append(ratio_figure("int8 / fp32 onnxruntime p50", "onnx-int8", "onnx-fp32", 0.6, 224))
        ratio95 = results["onnx-int8"][1] / results["onnx-fp32"][1]
        figures.append(
            figure("int8 / fp32 onnxruntime p95", results["onnx-int8"][1], baseline="onnx-fp32 p95", ratio=ratio95)
        )
        figures.append(  # the work done per call, which load on the machine inflates less than wall time
            figure(
                "int8 / fp32 onnxruntime CPU time per call p50",
                cpu["onnx-int8"],
                "CPU ms",
                baseline="onnx-fp32 CPU time p50",
                ratio=cpu["onnx-int8"] / cpu["onnx-fp32"],
            )
        )
    card = json.loads((run_dir / "model_card.json").read_text())
    int8 = card["exports"].get("onnx_int8") or {}
    if int8.get("top1_agreement") is not None:
        figures.append(
            figure(
                f"int8 top-1 agreement with fp32, 1-epoch model ({int8['images']} val images)",
                100 * int8["top1_agreement"],
                unit="%",
                target=">= 99",
                met=int8["top1_agreement"] >= 0.99,
            )
        )
    return figures


def ensure_int8(run_dir: Path) -> str | None:
    """The worker keeps best.int8.onnx only when it agrees with fp32; a one-epoch model may not. Latency does not
    depend on that, so the bench then quantizes it anyway (into bench.int8.onnx) and says so."""
    weights = run_dir / "weights"
    if (weights / "best.int8.onnx").is_file():
        return None
    from backend.graph.spec import TrainingJobSpec
    from backend.worker.pipeline import build_transforms
    from backend.worker.quantize import quantize_file

    spec = TrainingJobSpec.model_validate_json((run_dir / "spec.json").read_text())
    images = image_files(run_dir, spec, "train")
    transforms = build_transforms(spec.pipeline, "val", spec.model.imgsz)
    quantize_file(weights / "best.onnx", weights / "bench.int8.onnx", images[:100], transforms)
    card = json.loads((run_dir / "model_card.json").read_text())
    return f"the worker did not keep an int8 model ({(card['exports'].get('onnx_int8') or {}).get('reason')}); timed one made by the bench"


def measure_by_turns(
    run_dir: Path, config: Path, runs: int, paths: dict[str, str] = PATHS
) -> tuple[dict[str, tuple[float, float, float]], dict[str, float]]:
    """One process per path (torch's idle OpenMP threads spin after each call and would slow the next path in
    the same process); the paths take turns, so a busy spell on the machine hits them all alike. The int8 model
    is timed in fp32's process, call by call with it. Also returns each path's p50 CPU time per call (ms)."""
    logs = {path: (run_dir.parent / f"{run_dir.name}-{path}.log").open("w") for path in paths if path not in PAIRED}
    children = {
        path: subprocess.Popen(
            [sys.executable, __file__, "--serve", path, "--run-dir", str(run_dir), "--config", str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=logs[path],
            text=True,
        )
        for path in logs
    }
    times: dict[str, list[float]] = {path: [] for path in paths}
    cpu: dict[str, list[float]] = {path: [] for path in paths}
    try:
        for path, child in children.items():
            while (line := child.stdout.readline()) and line.strip() != "ready":
                pass  # anything a library printed
            if not line:
                raise SystemExit(f"{path} did not start:\n{Path(logs[path].name).read_text()[-3000:]}")
        for round_ in range(ROUNDS):
            for child in children.values():
                child.stdin.write(f"{runs // ROUNDS + (round_ < runs % ROUNDS)}\n")
                child.stdin.flush()
                for key, (wall, process) in json.loads(child.stdout.readline()).items():
                    times[key] += wall
                    cpu[key] += process
                time.sleep(0.3)  # let spinning threads of the previous path go idle
    finally:
        for child in children.values():
            child.kill()
            child.wait()
    return (
        {path: _summary(values) for path, values in times.items()},
        {path: 1000 * statistics.median(values) for path, values in cpu.items()},
    )


def serve(path: str, run_dir: Path, config: Path) -> None:
    """Child: set the path up, warm it, then time as many calls as each stdin line asks for."""
    from backend.graph.spec import TrainingJobSpec

    spec = TrainingJobSpec.model_validate_json((run_dir / "spec.json").read_text())
    images = image_files(run_dir, spec, "val")
    paired: dict[str, Callable[[str], object]] = {}
    if path == "pool":
        call = pool_call(config, run_dir)
    elif path.startswith("onnx-"):
        call = model_alone_call(run_dir, spec, int8=path == "onnx-int8")
        paired = {key: model_alone_call(run_dir, spec, int8=True) for key, of in PAIRED.items() if of == path}
    elif path.startswith("ultralytics"):
        call = ultralytics_call(run_dir, spec.model.imgsz)
        if path == "ultralytics-all-threads":
            import torch

            torch.set_num_threads(os.cpu_count() or 1)
    else:
        call = predictor_call(run_dir, threads=1 if path == "ours-1-thread" else 0, spinning=path == "ours-spinning")
    calls = {path: call, **paired}
    for n in range(WARMUP):
        for each in calls.values():
            each(images[n % len(images)])
    print("ready", flush=True)
    done = 0
    for line in sys.stdin:
        times: dict[str, tuple[list[float], list[float]]] = {key: ([], []) for key in calls}
        for _ in range(int(line) * (MODEL_ALONE_REPEAT if paired else 1)):
            for key, each in calls.items():
                cpu, started = time.process_time(), time.perf_counter()
                each(images[done % len(images)])
                times[key][0].append(time.perf_counter() - started)
                times[key][1].append(time.process_time() - cpu)
            done += 1
        print(json.dumps(times), flush=True)


def image_files(run_dir: Path, spec, split: str) -> list[str]:
    """The files of a split's items in the store the run was trained from (runs/<id> sits in that store)."""
    from backend.storage import LocalStorage

    store = LocalStorage(run_dir.parents[1])
    return [str(store.image(i.content_hash, i.suffix)) for i in spec.dataset.items if i.split == split]


def train_briefly(work: Path, size: int, per_class: int | None = None) -> Path:
    """A one-epoch digits run at `size` px with the real worker; returns its folder."""
    from backend.datasets.digits import render_digits
    from backend.storage import LocalStorage
    from backend.worker.job import run_job
    from tests.worker.conftest import _digits_dataset, _digits_spec

    per_class = per_class or (50 if size <= 64 else 20 if size <= 224 else 10)  # 320 px: ~15 images/s
    store = LocalStorage(work / "store")
    dataset = _digits_dataset(render_digits(work / f"digits{size}", size=size, limit_per_class=per_class), store)
    spec = _digits_spec(dataset, f"run{size}", overrides={"epochs": 1, "batch": 16})
    spec = spec.model_copy(update={"model": spec.model.model_copy(update={"imgsz": size})})
    status = run_job(spec, store, lambda event: None, lambda: False)
    run_dir = store.run_folder(spec.run_id)
    if status != "succeeded" or not (run_dir / "weights" / "best.onnx").is_file():
        raise SystemExit(f"training at {size} px did not produce best.onnx ({status})")
    return run_dir


def ultralytics_call(run_dir: Path, size: int) -> Callable[[str], object]:
    from ultralytics import YOLO

    model = YOLO(str(run_dir / "weights" / "best.pt"))
    return lambda path: model.predict(path, imgsz=size, device="cpu", verbose=False)[0].probs.top1


def predictor_call(run_dir: Path, threads: int = 0, spinning: bool = False) -> Callable[[str], object]:
    """The predictor's code path; `threads`: onnxruntime's threads (0: its default)."""
    from backend.worker.predictor import Predictor

    predictor = Predictor(threads=threads, spinning=spinning)
    return lambda path: predictor.predict(run_dir, Path(path), top_k=5)["top"][0]["index"]


def model_alone_call(run_dir: Path, spec, int8: bool) -> Callable[[str], object]:
    """onnxruntime alone on one fixed input tensor (a validation image through our val pipeline), with the
    predictor's session options: the model's own latency, fp32 or int8."""
    from backend.worker.export import val_batches
    from backend.worker.pipeline import build_transforms
    from backend.worker.quantize import session

    weights = run_dir / "weights"
    name = (
        "best.onnx" if not int8 else next(n for n in ("best.int8.onnx", "bench.int8.onnx") if (weights / n).is_file())
    )
    model = session(weights / name)
    transforms = build_transforms(spec.pipeline, "val", spec.model.imgsz)
    first = image_files(run_dir, spec, "val")[0]
    x = next(iter(val_batches([first], transforms))).numpy()
    input_name = model.get_inputs()[0].name
    return lambda path: model.run(None, {input_name: x})[0].argmax()


def pool_call(config: Path, run_dir: Path) -> Callable[[str], object]:
    from backend.runners.predictor import PredictorPool

    loop = asyncio.new_event_loop()
    pool = PredictorPool(config)

    def call(path: str) -> object:
        result = loop.run_until_complete(pool.predict(run_dir, Path(path)))
        assert result["error"] is None and result["backend"] == "onnxruntime", result
        return result["top"][0]["index"]

    return call


def _summary(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, len(times) / sum(times)


if __name__ == "__main__":
    raise SystemExit(main())
