"""Inference latency of a trained model, batch 1: plain Ultralytics against our ONNX path, in one run.

    .venv/bin/python bench/inference.py [--runs 200]

For each input size (32 and 320 px) a YOLOv8n-cls is trained for one epoch on digits rendered at that size
(latency does not depend on how well it learned) with the real worker, which also exports weights/best.onnx.
Then, on the run's validation images (PNG files at the model size), one image per call, each path in a
process of its own, the paths taking turns (10 rounds) so that other load on the machine hits them alike:
(a) Ultralytics: `YOLO("weights/best.pt").predict(path, imgsz=s, device="cpu")`, with the torch threads
    Ultralytics sets on import (min(8, CPUs - 1): 1 on 2 cores), and again with one torch thread per CPU.
(b) Ours: the predictor's own code (backend/worker/predictor.py: read the file, our val pipeline,
    onnxruntime on best.onnx, top-5) as the server runs it (one onnxruntime thread per core, not spinning), then
    with spinning threads (onnxruntime's default), then with one thread.
(c) Ours through the server's PredictorPool: (b) in the predictor process, plus the JSON round trip over the pipe.
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
SIZES = (32, 320)
WARMUP = 10
ROUNDS = 10
PATHS = {
    "ultralytics": "(a) Ultralytics YOLO(best.pt).predict",
    "ultralytics-all-threads": f"    same, {os.cpu_count()} torch threads",
    "ours": "(b) ours: val pipeline + onnxruntime",
    "ours-spinning": "    same, spinning onnxruntime threads",
    "ours-1-thread": "    same, 1 onnxruntime thread",
    "pool": "(c) ours via PredictorPool (+ pipe, JSON)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--serve", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--run-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    from backend.worker.offline import configure_offline

    if args.serve:
        configure_offline(args.config)
        serve(args.serve, args.run_dir, args.config)
        return 0

    with tempfile.TemporaryDirectory(prefix="visionflow-bench-") as scratch:
        work = Path(scratch)
        configure_offline(work / "config")
        import onnxruntime
        import torch

        print(
            f"{os.cpu_count()} CPUs, torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, batch 1, "
            f"{args.runs} calls each after {WARMUP} warm-up calls; each path in a process of its own, the paths "
            f"taking turns in {ROUNDS} rounds\n"
        )
        print(f"{'size':>5}  {'path':48s} {'p50 ms':>8} {'p95 ms':>8} {'images/s':>9}")
        ratios = {}
        for size in SIZES:
            results = measure_by_turns(train_briefly(work, size), work / "config", args.runs)
            for path, name in PATHS.items():
                p50, p95, rate = results[path]
                print(f"{size:>5}  {name:48s} {p50:8.2f} {p95:8.2f} {rate:9.0f}", flush=True)
            theirs = results["ultralytics"][0]
            fastest = min(theirs, results["ultralytics-all-threads"][0])
            ratios[size] = (results["ours"][0] / theirs, results["ours"][0] / fastest)
        print()
        for size, (ratio, strict) in ratios.items():
            target = "   target <= 0.5" if size == 320 else ""
            print(
                f"ours / Ultralytics p50 latency at {size:>3} px: {ratio:5.2f} "
                f"(against its faster thread count: {strict:4.2f}){target}"
            )
    return 0


def measure_by_turns(run_dir: Path, config: Path, runs: int) -> dict[str, tuple[float, float, float]]:
    """One process per path (torch's idle OpenMP threads spin after each call and would slow the next path in
    the same process); the paths take turns, so a busy spell on the machine hits them all alike."""
    logs = {path: (run_dir.parent / f"{run_dir.name}-{path}.log").open("w") for path in PATHS}
    children = {
        path: subprocess.Popen(
            [sys.executable, __file__, "--serve", path, "--run-dir", str(run_dir), "--config", str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=logs[path],
            text=True,
        )
        for path in PATHS
    }
    times: dict[str, list[float]] = {path: [] for path in PATHS}
    try:
        for path, child in children.items():
            while (line := child.stdout.readline()) and line.strip() != "ready":
                pass  # anything a library printed
            if not line:
                raise SystemExit(f"{path} did not start:\n{Path(logs[path].name).read_text()[-3000:]}")
        for round_ in range(ROUNDS):
            for path, child in children.items():
                child.stdin.write(f"{runs // ROUNDS + (round_ < runs % ROUNDS)}\n")
                child.stdin.flush()
                times[path] += json.loads(child.stdout.readline())
                time.sleep(0.3)  # let spinning threads of the previous path go idle
    finally:
        for child in children.values():
            child.kill()
            child.wait()
    return {path: _summary(values) for path, values in times.items()}


def serve(path: str, run_dir: Path, config: Path) -> None:
    """Child: set the path up, warm it, then time as many calls as each stdin line asks for."""
    from backend.graph.spec import TrainingJobSpec

    spec = TrainingJobSpec.model_validate_json((run_dir / "spec.json").read_text())
    images = [item.path for item in spec.dataset.items if item.split == "val"]
    if path == "pool":
        call = pool_call(config, run_dir)
    elif path.startswith("ultralytics"):
        call = ultralytics_call(run_dir, spec.model.imgsz)
        if path == "ultralytics-all-threads":
            import torch

            torch.set_num_threads(os.cpu_count() or 1)
    else:
        call = predictor_call(run_dir, threads=1 if path == "ours-1-thread" else 0, spinning=path == "ours-spinning")
    for n in range(WARMUP):
        call(images[n % len(images)])
    print("ready", flush=True)
    done = 0
    for line in sys.stdin:
        times = []
        for _ in range(int(line)):
            started = time.perf_counter()
            call(images[done % len(images)])
            times.append(time.perf_counter() - started)
            done += 1
        print(json.dumps(times), flush=True)


def train_briefly(work: Path, size: int) -> Path:
    """A one-epoch digits run at `size` px with the real worker; returns its folder."""
    from backend.datasets.digits import render_digits
    from backend.storage import LocalStorage
    from backend.worker.job import run_job
    from tests.worker.conftest import _digits_dataset, _digits_spec

    per_class = 50 if size <= 64 else 10  # 320 px trains at ~15 images/s here: keep it to seconds
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
