"""Training images/s of the real worker, with and without the decode cache, against plain Ultralytics and the
compute limit, side by side in one run; and validation accuracy with and without the cache.

    .venv/bin/python bench/train_speed.py [--quick] [--json PATH]

Sizes: the digits (sklearn, 32 px files) at 32 and 64 px, batch 64, and the generated 15,000-image set
(bench/scale_data.py: 640×480 JPEGs, 16 classes, made once under ~/.cache/visionflow-bench) at 224 px, batch 32.
Each measurement runs in a fresh process:
- ours: backend.worker.job.run_job on a store holding the images (hard links), pipeline = stretch Resize + Affine
  (p 0.5) + RandomBrightnessContrast (p 0.3); workers and torch threads as the worker chooses for the machine;
  "cache" uses the store's decode cache (built once, reused by later runs: its build time is reported), "files"
  is the same run with the cache turned off (decodes every file every time, as before);
- plain: Ultralytics' ClassificationTrainer (`yolo classify train`) on the same train/ and val/ folders, same
  batch, seed, optimiser (AdamW, lr 0.001), its own augmentation, workers=2 (it uses 0 on a CPU);
- compute: yolov8n-cls forward + backward + AdamW step on random tensors (bench/train_overhead.py), 1 and all
  torch threads; the limit is the better of the two.
images/s = images of the timed batches / their seconds, counted from batch `warmup` on, inside epochs (an epoch
boundary's validation is not training time), the same clock for ours and plain (a wrapped batch-end callback).
At 224 px also "workers=0": the cached images
loaded in the training process (bench/profiles/train_224_compute.txt says why). Targets at 224 px: ours/plain ≥ 1.3,
ours/compute ≥ 0.85. Accuracy: run_job for the same epochs, seed and torch threads (those a cached run chooses)
with and without the cache on the digits (and, without --quick, on 2,000 images of the 15k set at 224 px).
"""

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_CACHE = Path.home() / ".cache" / "visionflow-bench"
CLASSES_DIGITS = [str(n) for n in range(10)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer batches, accuracy on the digits only")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print("RESULT " + json.dumps(measure(**json.loads(args.measure))))
        return 0
    return run_all(args.quick, args.json)


def run_all(quick: bool, json_path: Path | None) -> int:
    import scale_data
    from train_overhead import render_split_digits

    started, load_before = time.perf_counter(), os.getloadavg()[0]
    scale_root = scale_data.ensure()
    figures: list[dict[str, Any]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="visionflow-speed-") as scratch:
        work = Path(scratch)
        digits = render_split_digits(work / "digits")
        sizes = [("digits", digits, 32, 64, 12 if quick else 40), ("digits", digits, 64, 64, 8 if quick else 30)]
        sizes.append(("scale-15k", scale_root, 224, 32, 12 if quick else 40))
        for name, data, imgsz, batch, batches in sizes:
            store = BENCH_CACHE / "store" if name == "scale-15k" else work / f"store-{imgsz}"
            common = {"data": str(data), "store": str(store), "imgsz": imgsz, "batch": batch, "batches": batches}
            common["warmup"] = 3 if quick else 5
            rates = {
                "ours, decode cache": measure_in_process({**common, "kind": "ours", "cache": True}, work),
                "ours, files every epoch": measure_in_process({**common, "kind": "ours", "cache": False}, work),
                "plain yolo classify train": measure_in_process({**common, "kind": "plain"}, work),
            }
            if imgsz == 224:  # the loader in the training process: no loader process taking a core from torch's threads
                options = {**common, "kind": "ours", "cache": True, "workers": 0}
                rates["ours, decode cache, workers=0"] = measure_in_process(options, work)
            compute = measure_in_process({**common, "kind": "compute"}, work)["threads"]
            limit = max(compute.values())
            print(f"\n{name} at {imgsz} px, batch {batch}, {batches} timed batches after {common['warmup']}")
            for what, result in rates.items():
                extra = f"  ({result['note']})" if result.get("note") else ""
                print(f"  {what:28s} {result['images_per_s']:7.1f} images/s{extra}")
            for threads, rate in compute.items():
                print(f"  {f'compute, {threads} torch thread(s)':28s} {rate:7.1f} images/s")
            ours, plain = (
                rates["ours, decode cache"]["images_per_s"],
                rates["plain yolo classify train"]["images_per_s"],
            )
            files = rates["ours, files every epoch"]["images_per_s"]
            big = imgsz == 224
            figures += [
                _figure(f"{name} {imgsz}px ours (cache) images/s", ours, "images/s"),
                _figure(f"{name} {imgsz}px ours/plain", ours / plain, "ratio", "plain", ">= 1.3" if big else None),
                _figure(f"{name} {imgsz}px ours/compute", ours / limit, "ratio", "compute", ">= 0.85" if big else None),
                _figure(f"{name} {imgsz}px cache/files", ours / files, "ratio", "ours without cache", None),
            ]
            if "ours, decode cache, workers=0" in rates:
                serial = rates["ours, decode cache, workers=0"]["images_per_s"]
                figures.append(_figure(f"{name} {imgsz}px ours workers=0/compute", serial / limit, "ratio", "compute"))
            build = rates["ours, decode cache"].get("note")
            if build:
                notes.append(f"{name} {imgsz}px: {build}")
        accuracy = accuracy_with_and_without_cache(work, digits, scale_root, quick)
        for what, (cached, files) in accuracy.items():
            print(f"\naccuracy {what}: with cache {cached:.4f}, without {files:.4f}")
            figures.append(_figure(f"accuracy {what} with cache", cached, "top-1", None, None))
            figures.append(
                {**_figure(f"accuracy {what} cache - files", cached - files, "top-1", "without cache", ">= 0")}
                | {"met": cached >= files}
            )
    seconds = time.perf_counter() - started
    notes.append(f"load average before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"\n{notes[-1]}; {seconds:.0f} s")
    if json_path:
        document = {"bench": "train_speed", "seconds": seconds, "figures": figures, "notes": notes}
        json_path.write_text(json.dumps(document, indent=1))
    return 0


def _figure(what: str, value: float, unit: str, baseline: str | None = None, target: str | None = None) -> dict:
    met = None if target is None else value >= float(target.split()[-1])
    ratio = value if baseline else None
    return {"what": what, "value": round(value, 4), "unit": unit, "baseline": baseline, "ratio": ratio} | {
        "target": target,
        "met": met,
    }


def measure_in_process(options: dict[str, Any], work: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", json.dumps({**options, "work": str(work)})]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=_environment(work))
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode != 0 or not lines:
        raise SystemExit(
            f"{options['kind']} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )
    return json.loads(lines[-1].removeprefix("RESULT "))


def _environment(work: Path) -> dict[str, str]:
    from backend.worker.offline import offline_environment

    return {**os.environ, **offline_environment(work / "config")}


def measure(kind: str, work: str, imgsz: int, batch: int, threads: int = 1, **options: Any) -> dict[str, Any]:
    if kind == "compute":  # 1 torch thread, then every core (up to 2), in one process
        from train_overhead import compute_limit

        steps, warmup = (8, 2) if imgsz == 224 else (30, 5)
        classes = 16 if imgsz == 224 else 10
        counts = sorted({1, min(2, os.cpu_count() or 1)})
        rates = {t: compute_limit(t, steps, warmup, imgsz=imgsz, batch=batch, classes=classes) for t in counts}
        return {"threads": rates}
    from backend.worker.offline import configure_offline

    configure_offline(Path(work) / "config")
    if kind == "accuracy":
        return accuracy(imgsz=imgsz, batch=batch, **options)
    clock = BatchClock(options["warmup"], options["batches"])
    if kind == "plain":
        return plain(Path(options["data"]), Path(work) / "plain", imgsz, batch, clock)
    data, store = Path(options["data"]), Path(options["store"])
    return ours(data, store, imgsz, batch, clock, options["cache"], options.get("workers"))


class BatchClock:
    """Times training batches inside epochs and says when enough were timed."""

    def __init__(self, warmup: int, batches: int):
        self.warmup, self.batches, self.seen = warmup, batches, 0
        self.seconds, self.timed, self._last = 0.0, 0, None  # (epoch, time) of the previous batch end

    def tick(self, epoch: int) -> None:
        now = time.perf_counter()
        self.seen += 1
        if self._last is not None and self._last[0] == epoch and self.seen > self.warmup:
            self.seconds += now - self._last[1]
            self.timed += 1
        self._last = (epoch, now)

    @property
    def done(self) -> bool:
        return self.timed >= self.batches

    def rate(self, batch: int) -> float:
        return self.timed * batch / self.seconds


class Enough(Exception):
    pass


def plain(data: Path, project: Path, imgsz: int, batch: int, clock: BatchClock) -> dict[str, Any]:
    from ultralytics import YOLO

    model = YOLO("yolov8n-cls.yaml", task="classify")

    def on_batch_end(trainer: Any) -> None:
        clock.tick(trainer.epoch)
        if clock.done:
            raise Enough

    model.add_callback("on_train_batch_end", on_batch_end)
    arguments = dict(data=str(data), imgsz=imgsz, batch=batch, epochs=100, device="cpu", workers=2, amp=False)
    arguments |= dict(plots=False, optimizer="AdamW", lr0=0.001, seed=0, deterministic=True, verbose=False)
    with contextlib.suppress(Enough):
        model.train(**arguments, project=str(project), name="run", exist_ok=True)
    return {"images_per_s": clock.rate(batch)}


def ours(
    data: Path, store_dir: Path, imgsz: int, batch: int, clock: BatchClock, cache: bool, workers: int | None = None
) -> dict[str, Any]:
    from backend.storage import LocalStorage
    from backend.worker import reporter, trainer
    from backend.worker.job import run_job

    store = LocalStorage(store_dir)
    spec = job_spec(data, store, imgsz, batch, epochs=100, workers=workers)
    original = reporter.Reporter.on_batch_end

    def on_batch_end(self: Any, ultralytics_trainer: Any) -> None:
        clock.tick(ultralytics_trainer.epoch)
        original(self, ultralytics_trainer)

    logs: list[str] = []

    def emit(event: Any) -> None:
        if event.type == "log":
            logs.append(event.data.message)

    patches = [mock.patch.object(reporter.Reporter, "on_batch_end", on_batch_end)]
    if not cache:
        patches.append(mock.patch.object(trainer, "open_or_build", lambda *args, **kwargs: None))
    with patches[0], patches[-1] if len(patches) > 1 else _nothing():
        run_job(spec, store, emit, lambda: clock.done)
    said = [line for line in logs if line.startswith(("decoded ", "images load from the decode cache"))]
    return {"images_per_s": clock.rate(batch), "note": "; ".join(said)}


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def bench_pipeline(imgsz: int) -> list[Any]:
    """The pipeline every training figure here uses: a fixed resize (so the decode cache applies), a light Affine
    and brightness/contrast on training images."""
    from backend.graph.spec import PipelineStep

    both, train = ["train", "val"], ["train"]
    return [
        PipelineStep(node_id="resize", transform="Resize", params={"height": imgsz, "width": imgsz}, splits=both),
        PipelineStep(
            node_id="shift",
            transform="Affine",
            params={"rotate": (-10, 10), "translate_percent": (-0.08, 0.08), "scale": (0.9, 1.1), "p": 0.5},
            splits=train,
        ),
        PipelineStep(node_id="light", transform="RandomBrightnessContrast", params={"p": 0.3}, splits=train),
    ]


def job_spec(
    data: Path, store: Any, imgsz: int, batch: int, epochs: int, limit: int | None = None, workers: int | None = None
) -> Any:
    """A TrainingJobSpec over the train/ and val/ folders, the images hard-linked into `store` by content hash."""
    from backend.graph.spec import (
        DatasetItem,
        DatasetSpec,
        EvaluationSpec,
        ModelSpec,
        TrainingJobSpec,
    )

    class_names = sorted(p.name for p in (data / "train").iterdir() if p.is_dir())
    items = []
    for split in ("train", "val"):
        for label, name in enumerate(class_names):
            files = sorted((data / split / name).iterdir())
            for path in files[: (limit // len(class_names) // (1 if split == "train" else 5)) if limit else None]:
                content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
                target = store.image_path(content_hash, path.suffix.lower())
                if not target.is_file():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.link(path, target)
                items.append(
                    DatasetItem(content_hash=content_hash, suffix=path.suffix.lower(), label=label, split=split)
                )
    snapshot = hashlib.sha256("".join(f"{i.content_hash}{i.label}{i.split}" for i in items).encode()).hexdigest()
    pipeline = bench_pipeline(imgsz)
    return TrainingJobSpec(
        workflow_name="train speed",
        dataset=DatasetSpec(class_names=class_names, items=items, snapshot_hash=snapshot),
        pipeline=pipeline,
        model=ModelSpec(architecture="yolov8n-cls.yaml", imgsz=imgsz),
        overrides={"epochs": epochs, "batch": batch, "nbs": batch, "lr0": 0.001, "optimizer": "AdamW", "seed": 0}
        | {"deterministic": True, "device": "cpu", "patience": 100}
        | ({"workers": workers} if workers is not None else {}),
        evaluation=EvaluationSpec(every=epochs, checkpoint="latest", preview_size=0),
        run_id=f"speed-{imgsz}-{time.time_ns()}",
    )


def accuracy_with_and_without_cache(work: Path, digits: Path, scale: Path, quick: bool) -> dict[str, tuple]:
    runs = {"digits 32px 3 epochs": (digits, 32, 64, 3, None)}
    if not quick:
        runs["15k-set subset 2,000 images 224px 2 epochs"] = (scale, 224, 32, 2, 2000)
    result = {}
    for what, (data, imgsz, batch, epochs, limit) in runs.items():
        pair = []
        for cache in (True, False):
            options = {"kind": "accuracy", "data": str(data), "imgsz": imgsz, "batch": batch, "epochs": epochs}
            options |= {"limit": limit, "cache": cache, "store": str(work / f"acc-{imgsz}")}
            pair.append(measure_in_process(options, work)["accuracy"])
        result[what] = tuple(pair)
    return result


def accuracy(data: str, store: str, imgsz: int, batch: int, epochs: int, limit: int | None, cache: bool) -> dict:
    from backend.storage import LocalStorage
    from backend.worker import trainer
    from backend.worker.job import run_job

    storage = LocalStorage(Path(store))
    spec = job_spec(Path(data), storage, imgsz, batch, epochs, limit)
    evaluations: list[float] = []

    def emit(event: Any) -> None:
        if event.type == "evaluation" and event.data.final:
            evaluations.append(event.data.accuracy)

    import torch

    from backend.worker.device import cached_training_threads, cpu_count, machine_workers

    # Equal threads in both runs (what the cached run chooses): a different thread count sums in another order,
    # and that alone moves a few images across the decision boundary.
    threads = cached_training_threads(cpu_count(), imgsz) or machine_workers(None, on_cuda=False).torch_threads or 1
    torch.set_num_threads(threads)
    with (
        mock.patch.object(torch, "set_num_threads", lambda _: None),
        mock.patch.object(trainer, "open_or_build", lambda *args, **kwargs: None) if not cache else _nothing(),
    ):
        status = run_job(spec, storage, emit, lambda: False)
    if status != "succeeded" or not evaluations:
        raise RuntimeError(f"accuracy run ended {status}")
    return {"accuracy": evaluations[-1], "threads": threads}


if __name__ == "__main__":
    raise SystemExit(main())
