"""A predictor process: the server's PredictorPool (backend/runners/predictor.py) starts it with multiprocessing's
'spawn' method and sends it requests over a Pipe, so weights are only ever unpickled here, never in the server.

Messages are JSON (UTF-8 bytes) both ways:
    ready    → {"ready": true, "pid": 123}  once, after the imports
    request  ← {"id": 7, "run_dir": "...", "image_path": "...", "top_k": 5, "cam": false}   (or {"exit": true})
    reply    → {"id": 7, "top": [{"index": 3, "class": "cat", "confidence": 0.91}, ...],
                "backend": "onnxruntime" | "torch", "ms": 3.2, "cam_png": "<base64 PNG>" | null, "error": null | "..."}
    preview  ← {"id": 8, "kind": "preview", ...}  → augmentation preview pictures (backend/worker/preview.py)

A run is predicted the way it was validated: its val pipeline rebuilt from <run_dir>/spec.json, then
weights/best.onnx with onnxruntime when the export exists, else weights/best.pt with PyTorch (loaded with
Ultralytics' restricted unpickler). Eigen-CAM always runs on best.pt with PyTorch. Loaded runs are kept in a
small LRU cache, refreshed when their weights file changes.

This module imports nothing heavy at import time: the pool imports it in the server to name the entry point.
"""

import json
import os
import signal
import time
from collections import OrderedDict
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

CACHED_RUNS = 4


def predictor_main(conn: Connection, config_dir: str, threads: int = 0) -> None:
    from backend.worker.entry import die_with_parent, parent_pid

    die_with_parent(parent_pid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when this process stops
    os.environ["ULTRALYTICS_SAFE_LOAD"] = "1"  # weights_only unpickling with Ultralytics' allow-list
    try:
        from backend.worker.offline import configure_offline

        configure_offline(Path(config_dir))
        from backend.worker.preview import render_preview

        predictor = Predictor(threads=threads)
        conn.send_bytes(json.dumps({"ready": True, "pid": os.getpid()}).encode())
        while True:
            request = json.loads(conn.recv_bytes())
            if request.get("exit"):
                break
            reply = render_preview(request) if request.get("kind") == "preview" else predictor.handle(request)
            conn.send_bytes(json.dumps({"id": request.get("id"), **reply}).encode())
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass  # the server went away
    finally:
        conn.close()


@dataclass
class _LoadedRun:
    key: tuple[str, int]  # (weights path, mtime_ns): a new export or checkpoint reloads the run
    class_names: list[str]
    transforms: Any  # albumentations Compose of the val split
    backend: str
    session: Any = None  # onnxruntime.InferenceSession
    torch_model: Any = None


class Predictor:
    """Predictions for images with the models of finished (or running) runs. Not thread-safe."""

    def __init__(self, cached_runs: int = CACHED_RUNS, threads: int = 0, spinning: bool = False) -> None:
        """`threads`: onnxruntime's intra-op threads per session (0: one per core). `spinning`: let idle threads
        busy-wait for work. Off by default: the predictor shares the cores with training workers, and spinning
        threads both take CPU from them and slow each other down when a core is busy (320 px, 2 cores: 5.2 ms
        spinning vs 6.4 ms not, on an idle machine; 17 ms vs 9 ms on a loaded one)."""
        import albumentations  # noqa: F401  (import cost paid before the first request)
        import onnxruntime  # noqa: F401
        import torch  # noqa: F401

        self._cached_runs = cached_runs
        self._threads = threads
        self._spinning = spinning
        self._runs: OrderedDict[str, _LoadedRun] = OrderedDict()

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            result = self.predict(
                Path(request["run_dir"]),
                Path(request["image_path"]),
                int(request.get("top_k", 5)),
                bool(request.get("cam")),
            )
            return {**result, "error": None}
        except Exception as error:
            message = f"{type(error).__name__}: {error}".splitlines()[0][:500]
            return {
                "top": [],
                "backend": None,
                "ms": (time.perf_counter() - started) * 1000,
                "cam_png": None,
                "error": message,
            }

    def predict(self, run_dir: Path, image_path: Path, top_k: int = 5, cam: bool = False) -> dict[str, Any]:
        import cv2
        import numpy as np

        from backend.worker.pipeline import transform_bgr

        run = self._load(run_dir)
        started = time.perf_counter()  # `ms` is the prediction itself: not loading the model, not the heatmap
        if not image_path.is_file():
            raise FileNotFoundError(f"image not found: {image_path.name}")
        image = cv2.imread(str(image_path))
        if image is None:
            raise ValueError(f"cannot read {image_path.name} as an image")
        tensor = transform_bgr(run.transforms, image)[None]
        if run.session is not None:
            name = run.session.get_inputs()[0].name
            probabilities = run.session.run(None, {name: tensor.numpy()})[0][0]
        else:
            probabilities = self._torch_probabilities(run_dir, run, tensor)
        order = np.argsort(-probabilities, kind="stable")[: max(1, min(top_k, len(probabilities)))]
        top = [{"index": int(i), "class": run.class_names[i], "confidence": float(probabilities[i])} for i in order]
        ms = (time.perf_counter() - started) * 1000
        return {
            "top": top,
            "backend": run.backend,
            "ms": ms,
            "cam_png": self._cam(run_dir, run, tensor) if cam else None,
        }

    def _load(self, run_dir: Path) -> _LoadedRun:
        from backend.graph.spec import read_spec
        from backend.worker.pipeline import build_transforms

        run_dir = run_dir.resolve()
        onnx_path, pt_path = run_dir / "weights" / "best.onnx", run_dir / "weights" / "best.pt"
        weights = onnx_path if onnx_path.is_file() else pt_path
        if not weights.is_file():
            raise FileNotFoundError("this run has no trained weights (weights/best.pt)")
        key = (str(weights), weights.stat().st_mtime_ns)
        cached = self._runs.get(str(run_dir))
        if cached is not None and cached.key == key:
            self._runs.move_to_end(str(run_dir))
            return cached
        spec = read_spec(json.loads((run_dir / "spec.json").read_text()))  # also the version-1 specs of older runs
        run = _LoadedRun(
            key=key,
            class_names=list(spec.dataset.class_names),
            transforms=build_transforms(spec.pipeline, "val", spec.model.imgsz),
            backend="onnxruntime" if weights == onnx_path else "torch",
        )
        if run.backend == "onnxruntime":
            import onnxruntime

            providers = [
                p
                for p in ("CUDAExecutionProvider", "CPUExecutionProvider")
                if p in onnxruntime.get_available_providers()
            ]
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.add_session_config_entry("session.intra_op.allow_spinning", "1" if self._spinning else "0")
            run.session = onnxruntime.InferenceSession(str(weights), options, providers=providers)
        self._runs[str(run_dir)] = run
        self._runs.move_to_end(str(run_dir))
        while len(self._runs) > self._cached_runs:
            self._runs.popitem(last=False)
        return run

    def _torch_model(self, run_dir: Path, run: _LoadedRun) -> Any:
        if run.torch_model is None:
            from backend.worker.export import load_torch

            run.torch_model = load_torch(run_dir.resolve() / "weights" / "best.pt")
        return run.torch_model

    def _torch_probabilities(self, run_dir: Path, run: _LoadedRun, tensor: Any) -> Any:
        from backend.worker.export import torch_probabilities

        return torch_probabilities(self._torch_model(run_dir, run), tensor)[0]

    def _cam(self, run_dir: Path, run: _LoadedRun, tensor: Any) -> str:
        import base64

        import cv2

        from backend.worker.cam import cam_overlays

        [picture] = cam_overlays(self._torch_model(run_dir, run), tensor)
        ok, png = cv2.imencode(".png", cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
        if not ok:
            raise RuntimeError("could not encode the heatmap as PNG")
        return base64.b64encode(png.tobytes()).decode("ascii")
