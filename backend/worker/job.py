"""Run one TrainingJobSpec with Ultralytics and report it as events.

Every run ends with exactly one `finished` event: succeeded, cancelled (`should_stop()` became true; the last
completed epoch's weights remain) or failed (any exception, reason "ExceptionType: message").
"""

import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from backend.events.models import (
    Artifact,
    Batch,
    Checkpoint,
    Evaluation,
    FinalStatus,
    Finished,
    Log,
    Started,
    WorkerEvent,
)
from backend.graph.spec import ModelSpec, TrainingJobSpec
from backend.worker.materialise import item_index, materialise
from backend.worker.metrics import evaluation_fields

BATCH_EVENT_INTERVAL_S = 0.2  # at most ~5 batch events a second; an epoch's last batch is always reported
_SUMMARY_KEYS = ("accuracy", "top5", "precision", "recall", "f1", "avg_confidence")

Send = Callable[[Any], None]


class _Cancelled(Exception):
    """Raised from a callback to stop training at once."""


def run_job(spec: TrainingJobSpec, emit: Callable[[WorkerEvent], None], should_stop: Callable[[], bool]) -> FinalStatus:
    """Train `spec` in this process, emitting events; returns the final status (also sent as `finished`)."""

    def send(payload: Any) -> None:
        emit(WorkerEvent.of(payload, time.time()))

    reporter = _Reporter(spec, send, should_stop)
    status: FinalStatus = "succeeded"
    reason = ""
    try:
        with _ultralytics_warnings_as_logs(send):
            if should_stop():
                raise _Cancelled
            _train(spec, reporter)
    except _Cancelled:
        status, reason = "cancelled", "stopped on request"
    except Exception as error:
        status, reason = "failed", _concise(error)
        send(Log(level="error", message=traceback.format_exc()[-4000:]))
    finally:
        reporter.close_loaders()
    reporter.send_artifacts()
    send(Finished(status=status, reason=reason, metrics=reporter.summary()))
    return status


def train_arguments(spec: TrainingJobSpec, data_root: Path) -> dict[str, Any]:
    """Ultralytics train arguments: the spec's overrides, then what the worker itself depends on."""
    output_dir = Path(spec.output_dir).resolve()
    arguments = dict(spec.overrides)
    device = str(arguments.get("device") or "")
    if "," in device:
        raise ValueError(f"device {device!r}: training on several GPUs at once is not supported, choose one")
    arguments.update(
        data=str(data_root),
        imgsz=spec.model.imgsz,
        project=str(output_dir.parent),
        name=output_dir.name,
        exist_ok=True,
        pretrained=spec.model.pretrained or False,
        resume=False,
        val=True,  # the trainer skips validations itself, every `evaluation.every` epochs
        save=True,
        plots=False,
        verbose=False,
    )
    if on_cpu(device):
        arguments["amp"] = False
    return arguments


def on_cpu(device: str) -> bool:
    import torch

    return device.lower() == "cpu" or not torch.cuda.is_available()


def loader_workers(requested: int, cpu: bool) -> int:
    """DataLoader processes. On the CPU they get the cores Ultralytics leaves free of torch threads (1 of 2 here)."""
    if not cpu:
        return requested
    from ultralytics.utils import NUM_THREADS

    return max(0, min(requested, (os.cpu_count() or 1) - NUM_THREADS))


def _train(spec: TrainingJobSpec, reporter: "_Reporter") -> None:
    _check_model(spec.model)
    from ultralytics import YOLO
    from ultralytics.data.utils import IMG_FORMATS

    from backend.worker.pipeline import build_transforms
    from backend.worker.trainer import TrainingPlan, VisionflowTrainer

    output_dir = Path(spec.output_dir).resolve()
    data = materialise(spec.dataset, output_dir / "data", IMG_FORMATS)
    if data.skipped:
        reporter.log("warning", f"{len(data.skipped)} images skipped: file type not readable by the trainer")
    for split, count in data.counts.items():
        if count == 0:
            raise ValueError(f"the {split} split has no images")
    reporter.counts = data.counts

    arguments = train_arguments(spec, data.root)
    seed = int(arguments.get("seed", 0))
    imgsz = spec.model.imgsz
    plan = TrainingPlan(
        class_names=list(spec.dataset.class_names),
        train_transforms=build_transforms(spec.pipeline, "train", imgsz, seed),
        val_transforms=build_transforms(spec.pipeline, "val", imgsz, seed),
        eval_every=spec.evaluation.every,
        checkpoint=spec.evaluation.checkpoint,
        workers=loader_workers(int(arguments.get("workers", 1)), on_cpu(str(arguments.get("device") or ""))),
    )
    model = YOLO(spec.model.architecture, task="classify", verbose=False)
    for event, callback in reporter.callbacks().items():
        model.add_callback(event, callback)
    if spec.model.pretrained:
        reporter.log("info", f"starting from the weights in {Path(spec.model.pretrained).name}")
    model.train(trainer=partial(VisionflowTrainer, plan), **arguments)
    trainer = model.trainer
    if reporter.epochs_done < trainer.epochs and not trainer.args.time:
        reporter.log(
            "info",
            f"stopped early after epoch {reporter.epochs_done}: no improvement in {trainer.args.patience} epochs",
        )


def _check_model(model: ModelSpec) -> None:
    if not model.architecture.endswith((".yaml", ".yml")):
        raise ValueError(f"model architecture {model.architecture!r} must be an Ultralytics model yaml")
    if model.pretrained and not Path(model.pretrained).is_file():
        raise FileNotFoundError(f"pretrained weights not found: {model.pretrained}")


class _Reporter:
    """Ultralytics callbacks that turn training progress into events."""

    def __init__(self, spec: TrainingJobSpec, send: Send, should_stop: Callable[[], bool]):
        self.spec, self.send, self.should_stop = spec, send, should_stop
        self.output_dir = Path(spec.output_dir).resolve()
        self.counts: dict[str, int] = {"train": 0, "val": 0}
        self.trainer: Any = None
        self.train_seconds = 0.0
        self.train_images = 0
        self.epochs_done = 0
        self.evaluations: dict[int, dict[str, float]] = {}  # epoch -> summary
        self.final: dict[str, float] = {}
        self._epoch_started = self._window_started = self._last_sent = 0.0
        self._window_images = self._batch = self._batches = self._batch_size = self._images = 0

    def callbacks(self) -> dict[str, Callable[[Any], None]]:
        return {
            "on_pretrain_routine_start": self.on_start,
            "on_pretrain_routine_end": self.check_stop,
            "on_train_epoch_start": self.on_epoch_start,
            "on_train_batch_end": self.on_batch_end,
            "on_train_epoch_end": self.on_epoch_end,
            "on_fit_epoch_end": self.on_fit_epoch_end,
            "on_val_batch_end": self.check_stop,
        }

    def log(self, level: str, message: str) -> None:
        self.send(Log(level=level, message=message))

    def check_stop(self, _: Any = None) -> None:
        if self.should_stop():
            raise _Cancelled

    def on_start(self, trainer: Any) -> None:
        self.trainer = trainer
        self.send(
            Started(
                pid=os.getpid(),
                device=str(trainer.device),
                epochs=trainer.epochs,
                train_images=self.counts["train"],
                val_images=self.counts["val"],
                class_names=list(self.spec.dataset.class_names),
            )
        )
        self.check_stop()

    def on_epoch_start(self, trainer: Any) -> None:
        loader = trainer.train_loader
        self._batches, self._batch_size, self._images = len(loader), loader.batch_size, len(loader.dataset)
        self._batch = self._window_images = 0
        self._epoch_started = self._window_started = time.perf_counter()

    def on_batch_end(self, trainer: Any) -> None:
        self._batch += 1
        images = min(self._batch_size, self._images - (self._batch - 1) * self._batch_size)
        self.train_images += images
        self._window_images += images
        if self.should_stop():
            raise _Cancelled
        now = time.perf_counter()
        if self._batch == self._batches or now - self._last_sent >= BATCH_EVENT_INTERVAL_S:
            self.send(
                Batch(
                    epoch=trainer.epoch + 1,
                    epochs=trainer.epochs,
                    batch=self._batch,
                    of=self._batches,
                    loss=float(sum(trainer.tloss.values())),  # running mean over the epoch so far
                    lr=_weight_lr(trainer.optimizer),
                    images_per_s=self._window_images / max(now - self._window_started, 1e-9),
                )
            )
            self._last_sent = self._window_started = now
            self._window_images = 0

    def on_epoch_end(self, trainer: Any) -> None:
        self.train_seconds += time.perf_counter() - self._epoch_started

    def on_fit_epoch_end(self, trainer: Any) -> None:
        if trainer.in_final_eval:
            self.final = self._evaluate(trainer, trainer.best_epoch or self.epochs_done, final=True)
            return
        epoch = trainer.epoch + 1
        self.epochs_done = epoch
        if trainer.evaluated:
            self.evaluations[epoch] = self._evaluate(trainer, epoch, final=False)
        for kind, saved in (("last", trainer.last_saved_epoch), ("best", trainer.best_saved_epoch)):
            if saved == epoch:
                path = trainer.last if kind == "last" else trainer.best
                self.send(
                    Checkpoint(
                        epoch=epoch, path=self._relative(path), kind=kind, metrics=self.evaluations.get(epoch, {})
                    )
                )
        self.check_stop()

    def _evaluate(self, trainer: Any, epoch: int, final: bool) -> dict[str, float]:
        targets, probabilities = trainer.validator.outputs()
        fields = evaluation_fields(targets, probabilities, list(self.spec.dataset.class_names))
        val_loss = None if final else trainer.metrics.get("val/loss")
        if final and epoch in self.evaluations:
            val_loss = self.evaluations[epoch].get("val_loss")
        samples = trainer.test_loader.dataset.samples
        self.send(
            Evaluation(
                epoch=epoch,
                step=trainer.optimizer_steps,
                final=final,
                val_loss=val_loss,
                preview=_preview(samples, targets, probabilities, self.spec.evaluation.preview_size),
                **fields,
            )
        )
        summary = {key: fields[key] for key in _SUMMARY_KEYS}
        return summary if val_loss is None else {**summary, "val_loss": float(val_loss)}

    def summary(self) -> dict[str, float]:
        best_epoch = getattr(self.trainer, "best_epoch", 0)
        chosen = self.final or self.evaluations.get(best_epoch) or {}
        return {
            **chosen,
            "epochs": float(self.epochs_done),
            "best_epoch": float(best_epoch),
            "train_images": float(self.train_images),
            "train_seconds": self.train_seconds,
            "train_images_per_s": self.train_images / self.train_seconds if self.train_seconds else 0.0,
        }

    def send_artifacts(self) -> None:
        for name in ("best.pt", "last.pt"):
            path = self.output_dir / "weights" / name
            if path.is_file():
                self.send(Artifact(name=name, path=self._relative(path), kind="weights", bytes=path.stat().st_size))

    def close_loaders(self) -> None:
        """Shut down DataLoader worker processes, which Ultralytics leaves running when training raises."""
        for loader in (getattr(self.trainer, "train_loader", None), getattr(self.trainer, "test_loader", None)):
            if hasattr(loader, "close"):
                loader.close()

    def _relative(self, path: Path) -> str:
        return Path(path).resolve().relative_to(self.output_dir).as_posix()


def _preview(samples: list, targets: Any, probabilities: Any, size: int) -> list[dict[str, Any]]:
    """`size` validation samples spread evenly over the split: item index, label, prediction, confidence."""
    count = min(size, len(targets))
    if count <= 0:
        return []
    step = len(targets) / count
    chosen = [int(i * step) for i in range(count)]
    return [
        {
            "item": item_index(samples[i][0]),
            "label": int(targets[i]),
            "predicted": int(probabilities[i].argmax()),
            "confidence": float(probabilities[i].max()),
        }
        for i in chosen
    ]


def _weight_lr(optimizer: Any) -> float:
    groups = optimizer.param_groups
    weights = next((group for group in groups if group.get("param_group") == "weight"), groups[0])
    return float(weights["lr"])


def _concise(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")[:500]


class _LogForwarder(logging.Handler):
    def __init__(self, send: Send):
        super().__init__(level=logging.WARNING)
        self._send = send

    def emit(self, record: logging.LogRecord) -> None:
        level = "error" if record.levelno >= logging.ERROR else "warning"
        self._send(Log(level=level, message=record.getMessage().strip()[:2000]))


@contextmanager
def _ultralytics_warnings_as_logs(send: Send) -> Iterator[None]:
    """While training, Ultralytics' warnings become `log` events and its console output (and progress bars) stop."""
    from ultralytics.utils import LOGGER as logger  # imported first: the import configures this logger

    saved = logger.handlers[:], logger.level
    logger.handlers = [_LogForwarder(send)]
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.handlers, level = saved
        logger.setLevel(level)
