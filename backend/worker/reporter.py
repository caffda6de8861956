"""Ultralytics callbacks that turn training progress into events, and what the final evaluation leaves behind.

Each evaluation previews the same seeded, class-stratified validation sample. The final evaluation (of best.pt)
also ranks every validation image by loss into predictions.json and saves Eigen-CAM overlays of the preview
images as cam/<item>.png. After each evaluation the model is checked for degeneracy (worker/quality.py): an epoch's
new findings, and every finding about the final model, become `warning` events; a degenerate final model marks
its predictions.json suggestions untrusted.
"""

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from backend.events.models import Artifact, Batch, Checkpoint, Evaluation, Log, QualityWarning, Started
from backend.graph.spec import TrainingJobSpec
from backend.storage import Storage
from backend.worker.device import Machine
from backend.worker.materialise import item_index
from backend.worker.metrics import evaluation_fields
from backend.worker.quality import Finding, LossPoint, assess, untrusted_reason
from backend.worker.review import predictions_report, preview_entries

BATCH_EVENT_INTERVAL_S = 0.2  # at most ~5 batch events a second; an epoch's last batch is always reported
SUMMARY_KEYS = ("accuracy", "top5", "precision", "recall", "f1", "avg_confidence")

Send = Callable[[Any], None]


class Cancelled(Exception):
    """Raised from a callback to stop training at once."""


class Reporter:
    """Reports one training of `spec` whose outputs go to `output_dir` (the run folder, or a label check's fold)."""

    def __init__(
        self, spec: TrainingJobSpec, storage: Storage, output_dir: Path, send: Send, should_stop: Callable[[], bool]
    ):
        self.spec, self.storage, self.send, self.should_stop = spec, storage, send, should_stop
        self.output_dir = output_dir.resolve()
        self.counts: dict[str, int] = {"train": 0, "val": 0}
        self.preview_items: list[int] = []  # the fixed preview sample, item indices
        self.val_transforms: Any = None  # albumentations Compose of the validation split (for the CAM images)
        self.trainer: Any = None
        self.machine: Machine | None = None  # the device and loader processes chosen (worker/device.py)
        self.train_seconds = 0.0
        self.train_images = 0
        self.epochs_done = 0
        self.evaluations: dict[int, dict[str, float]] = {}  # epoch -> summary
        self.final: dict[str, float] = {}
        self.loss_history: list[LossPoint] = []  # (epoch, training loss, validation loss) of each evaluation
        self.findings: list[Finding] = []  # the latest evaluation's quality findings
        self.written: list[Artifact] = []  # files this process wrote besides the weights
        self._epoch_started = self._window_started = self._last_sent = 0.0
        self._window_images = self._batch = self._batches = self._batch_size = self._images = 0
        self._window_loss, self._window_batches = 0.0, 0  # the batches' losses since the last batch event

    def callbacks(self) -> dict[str, Callable[[Any], None]]:
        return {
            "on_pretrain_routine_start": self.on_start,
            "on_pretrain_routine_end": self.on_setup_done,
            "on_train_epoch_start": self.on_epoch_start,
            "on_train_batch_end": self.on_batch_end,
            "on_train_epoch_end": self.on_epoch_end,
            "on_fit_epoch_end": self.on_fit_epoch_end,
            "on_val_batch_end": self.check_stop,
            "on_train_end": self.on_train_end,
        }

    def log(self, level: str, message: str) -> None:
        self.send(Log(level=level, message=message))

    def check_stop(self, _: Any = None) -> None:
        if self.should_stop():
            raise Cancelled

    def add_artifact(self, path: Path, kind: str) -> None:
        self.written.append(Artifact(name=path.name, path=self.relative(path), kind=kind, bytes=path.stat().st_size))

    def on_start(self, trainer: Any) -> None:
        self.trainer = trainer
        device, loading = self.machine or (None, None)
        self.send(
            Started(
                pid=os.getpid(),
                device=str(trainer.device),
                device_reason=device.reason if device else "",
                amp=bool(trainer.args.amp) and (device.amp if device else True),  # a resumed run keeps its own amp
                workers=loading.workers if loading else None,
                epochs=trainer.epochs,
                train_images=self.counts["train"],
                val_images=self.counts["val"],
                class_names=list(self.spec.dataset.class_names),
            )
        )
        if loading:
            self.log("info", loading.reason)
        self.check_stop()

    def on_setup_done(self, trainer: Any) -> None:
        if trainer.resume:
            self.epochs_done = trainer.start_epoch
            self.log(
                "info",
                f"resuming after epoch {trainer.start_epoch} of {trainer.epochs} from {Path(trainer.args.resume).name}",
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
        self._window_loss += float(sum(trainer.loss_items.values()))
        self._window_batches += 1
        if self.should_stop():
            raise Cancelled
        now = time.perf_counter()
        if self._batch == self._batches or now - self._last_sent >= BATCH_EVENT_INTERVAL_S:
            self.send(
                Batch(
                    epoch=trainer.epoch + 1,
                    epochs=trainer.epochs,
                    batch=self._batch,
                    of=self._batches,
                    # the mean of the batches since the last event, not Ultralytics' running mean of the epoch so far
                    # (which restarts each epoch: a sawtooth on the chart)
                    loss=self._window_loss / self._window_batches,
                    lr=_weight_lr(trainer.optimizer),
                    images_per_s=self._window_images / max(now - self._window_started, 1e-9),
                )
            )
            self._last_sent = self._window_started = now
            self._window_images = self._window_batches = 0
            self._window_loss = 0.0

    def on_epoch_end(self, trainer: Any) -> None:
        self.train_seconds += time.perf_counter() - self._epoch_started

    def on_fit_epoch_end(self, trainer: Any) -> None:
        if trainer.in_final_eval:
            self.final = self._evaluate(trainer, trainer.best_epoch or self.epochs_done, final=True)
            return
        epoch = trainer.epoch + 1
        self.epochs_done = epoch
        train_loss = float(sum(trainer.tloss.values()))
        if trainer.evaluated:
            self.evaluations[epoch] = self._evaluate(trainer, epoch, final=False, train_loss=train_loss)
        # The epoch's own numbers: its training loss always, its validation metrics when it was evaluated.
        metrics = {"train_loss": train_loss, **self.evaluations.get(epoch, {})}
        for kind, saved in (("last", trainer.last_saved_epoch), ("best", trainer.best_saved_epoch)):
            if saved == epoch:
                path = trainer.last if kind == "last" else trainer.best
                self.send(Checkpoint(epoch=epoch, path=self.relative(path), kind=kind, metrics=metrics))
        self.check_stop()

    def on_train_end(self, trainer: Any) -> None:
        if trainer.recalibrations:
            images = trainer.recalibrations[-1][0]
            mean_ms = sum(ms for _, ms in trainer.recalibrations) / len(trainer.recalibrations)
            self.log(
                "info",
                f"BatchNorm statistics re-estimated on {images} training images before each of "
                f"{len(trainer.recalibrations)} evaluations: {mean_ms:.0f} ms each on average",
            )

    def _evaluate(self, trainer: Any, epoch: int, final: bool, train_loss: float = 0.0) -> dict[str, float]:
        targets, probabilities = trainer.validator.outputs()
        items = [item_index(sample[0]) for sample in trainer.test_loader.dataset.samples]
        class_names = list(self.spec.dataset.class_names)
        fields = evaluation_fields(targets, probabilities, class_names)
        val_loss = None if final else trainer.metrics.get("val/loss")
        if final:
            val_loss = self.evaluations.get(epoch, {}).get("val_loss")
            val_loss = _csv_val_loss(trainer, epoch) if val_loss is None else val_loss
        else:
            self.loss_history.append(LossPoint(epoch, train_loss, None if val_loss is None else float(val_loss)))
        earlier = {finding.code for finding in self.findings}
        self.findings = assess(targets, probabilities, class_names, self.loss_history)
        preview = self._preview(items, targets, probabilities)
        if final:
            self._write_predictions(items, targets, probabilities, epoch)
            self._write_cams(Path(trainer.best), preview)
        self.send(
            Evaluation(
                epoch=epoch,
                step=trainer.optimizer_steps,
                final=final,
                val_loss=val_loss,
                preview=preview,
                quality=[finding.code for finding in self.findings],
                **fields,
            )
        )
        for finding in self.findings:  # an epoch's warnings once, until they clear; the final model's all
            if final or finding.code not in earlier:
                self.send(QualityWarning(code=finding.code, message=finding.message, epoch=epoch, final=final))
        summary = {key: fields[key] for key in SUMMARY_KEYS}
        return summary if val_loss is None else {**summary, "val_loss": float(val_loss)}

    def _preview(self, items: list[int], targets: np.ndarray, probabilities: np.ndarray) -> list[dict[str, Any]]:
        row = {item: i for i, item in enumerate(items)}
        rows = [row[item] for item in self.preview_items if item in row]
        return preview_entries([items[i] for i in rows], targets[rows], probabilities[rows])

    def _write_predictions(self, items: list[int], targets: np.ndarray, probabilities: np.ndarray, epoch: int) -> None:
        class_names = list(self.spec.dataset.class_names)
        report = predictions_report(items, targets, probabilities, class_names, epoch, untrusted_reason(self.findings))
        path = self.output_dir / "predictions.json"
        write_atomically(path, json.dumps(report, separators=(",", ":")).encode())
        self.add_artifact(path, "other")

    def _write_cams(self, weights: Path, preview: list[dict[str, Any]]) -> None:
        """Eigen-CAM overlays of the preview images at the model's input size; each entry gets its "cam" path."""
        if not preview:
            return
        import cv2
        import torch
        from ultralytics.nn.tasks import load_checkpoint

        from backend.worker.cam import cam_overlays
        from backend.worker.pipeline import transform_bgr

        try:
            model, _ = load_checkpoint(weights)
            paths = [self.item_file(entry["item"]) for entry in preview]
            images = torch.stack([transform_bgr(self.val_transforms, cv2.imread(str(path))) for path in paths])
            pictures = cam_overlays(model, images)
        except Exception as error:  # a heatmap is an extra: the run stands without it
            self.log("warning", f"Eigen-CAM overlays not made: {type(error).__name__}: {error}")
            return
        folder = self.output_dir / "cam"
        folder.mkdir(exist_ok=True)
        for entry, picture in zip(preview, pictures, strict=True):
            target = folder / f"{entry['item']}.png"
            ok, png = cv2.imencode(".png", cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
            if ok:
                write_atomically(target, png.tobytes())
                entry["cam"] = self.relative(target)

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
                self.send(Artifact(name=name, path=self.relative(path), kind="weights", bytes=path.stat().st_size))
        for artifact in self.written:
            if (self.output_dir / artifact.path).is_file():
                self.send(artifact)

    def close_loaders(self) -> None:
        """Shut down DataLoader worker processes, which Ultralytics leaves running when training raises."""
        for loader in (getattr(self.trainer, "train_loader", None), getattr(self.trainer, "test_loader", None)):
            if hasattr(loader, "close"):
                loader.close()

    def item_file(self, index: int) -> Path:
        """The local file of the spec's item `index`."""
        item = self.spec.dataset.items[index]
        return self.storage.image(item.content_hash, item.suffix)

    def relative(self, path: Path) -> str:
        return Path(path).resolve().relative_to(self.output_dir).as_posix()


def _csv_val_loss(trainer: Any, epoch: int) -> float | None:
    """An epoch's validation loss from results.csv: for a resumed run whose best epoch came before the resume."""
    results = trainer.read_results_csv()
    for row_epoch, loss in zip(results.get("epoch", []), results.get("val/loss", []), strict=False):
        if int(row_epoch) == epoch and loss is not None:
            return float(loss)
    return None


def write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def _weight_lr(optimizer: Any) -> float:
    groups = optimizer.param_groups
    weights = next((group for group in groups if group.get("param_group") == "weight"), groups[0])
    return float(weights["lr"])
