"""Ultralytics' classification trainer, with our pipelines, evaluation schedule and checkpoint choice.

What changes against `ClassificationTrainer`:
- datasets apply our albumentations pipelines (augmentation on train only) instead of Ultralytics' transforms;
- the validator keeps the softmax outputs, so metrics beyond top-1/top-5 can be computed;
- validation runs every `every` epochs and always on the last one; skipped epochs keep the previous metrics;
- `best.pt` follows the checkpoint strategy, and `last.pt` / `best.pt` are replaced atomically;
- the DataLoader may use worker processes on the CPU too (Ultralytics forces 0 there);
- checkpoints carry a torchvision version of our validation preprocessing, where one exists, as the `transforms`
  plain Ultralytics predicts with;
- a resumed run gets back its own counters (optimiser steps, the epoch best.pt holds) along with Ultralytics';
- before each evaluation the evaluated (EMA) model's BatchNorm statistics are re-estimated on training images
  (worker/batchnorm.py), so the metrics, best.pt / last.pt of evaluated epochs and the export are sound on small data;
- images under 10 px on a side train (Ultralytics' verifier drops them silently); the pipeline resizes them;
- with a `decode_cache_dir`, each image is decoded and shrunk once per run (worker/decode_cache.py), not per epoch;
- with `highest_accuracy`, equal accuracy goes to the lower validation loss.
"""

import os
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import albumentations as A
import numpy as np
import torch
from ultralytics.data import ClassificationDataset, build_dataloader
from ultralytics.data import utils as ultralytics_data_utils
from ultralytics.engine import trainer as base_trainer
from ultralytics.models.yolo.classify import ClassificationTrainer, ClassificationValidator
from ultralytics.utils import DEFAULT_CFG, LOGGER, colorstr

from backend.graph.spec import CheckpointStrategy
from backend.worker.batchnorm import (
    CALIBRATION_CACHE_BYTES,
    CALIBRATION_IMAGES,
    calibration_order,
    chunks,
    recalibrate,
)
from backend.worker.decode_cache import (
    BuildStopped,
    CachedSteps,
    DecodeCache,
    after_prefix,
    open_or_build,
    shared_prefix,
)
from backend.worker.device import amp_works, cached_training_threads
from backend.worker.pipeline import transform_bgr
from backend.worker.reporter import Cancelled
from backend.worker.sampling import with_weighted_sampling


@dataclass(frozen=True)
class TrainingPlan:
    class_names: list[str]
    train_transforms: A.Compose
    val_transforms: A.Compose
    eval_every: int
    checkpoint: CheckpointStrategy
    workers: int  # DataLoader processes, honoured on the CPU as well
    inference_transforms: Any = None  # torchvision Compose equal to val_transforms; None: keep Ultralytics' own
    calibration_images: int = CALIBRATION_IMAGES  # training images that re-estimate BatchNorm statistics; 0: never
    balance: str = "none"  # "weighted_sampling": draw training images class-balanced (worker/sampling.py)
    decode_cache_dir: Path | None = None  # where decoded images are cached (Storage.cache_folder); None: no cache
    log: Callable[[str, str], None] | None = None  # (level, message) lines for the run's log
    should_stop: Callable[[], bool] | None = None  # a cancel: checked while the decode cache builds


class PipelineDataset(ClassificationDataset):
    """An ImageFolder split whose samples go through an albumentations pipeline."""

    def __init__(self, root: str, args: Any, transforms: A.Compose, prefix: str):
        # names=None keeps ImageFolder's sorted folder order, which materialise made our label order.
        super().__init__(root, args, augment=False, prefix=prefix, names=None)
        self.transforms = transforms
        self.decode_cache: DecodeCache | None = None
        self._worker_seeded = False

    def use_decode_cache(self, cache: DecodeCache | None) -> None:
        """Read images from `cache` (which applied the pipeline's first steps) instead of decoding files."""
        self.decode_cache = cache
        if cache is not None:
            self.transforms = after_prefix(self.transforms, cache.steps.count)

    def __getitem__(self, i: int) -> dict[str, Any]:
        if not self._worker_seeded:
            self._seed_for_worker()
        return {"img": self.through(self.transforms, i), "cls": self.samples[i][1]}

    def through(self, transforms: A.Compose, i: int) -> torch.Tensor:
        """Sample i through `transforms`: the rest of a pipeline on a cached image, else a whole one on the file.
        With a cache, `transforms` must already lack the cached steps (after_prefix)."""
        if self.decode_cache is not None:
            return transforms(image=self.decode_cache.image(i))["image"]
        return transform_bgr(transforms, self.load_bgr(i))

    def load_bgr(self, i: int) -> np.ndarray:
        path, _, npy_path, _ = self.samples[i]
        if self.cache_ram:
            return self.img_cache[i]
        if self.cache_disk:
            if not npy_path.exists():
                np.save(npy_path.as_posix(), self.imread(path), allow_pickle=False)
            return np.load(npy_path)
        return self.imread(path)

    def verify_images(self) -> list[tuple]:
        # Ultralytics' check asserts at least 10 px on a side and drops smaller images without a word; our pipelines
        # end by resizing to imgsz, so any size trains. Every other check (corrupt files, formats) still applies.
        # Patched here, on this thread, around the whole thread-pool scan.
        with mock.patch.object(ultralytics_data_utils, "exif_size", _size_for_the_check):
            return super().verify_images()

    def _seed_for_worker(self) -> None:
        # Forked DataLoader workers inherit one random state; without this they would augment in lockstep.
        info = torch.utils.data.get_worker_info()
        if info is not None:
            self.transforms.set_random_seed(info.seed % 2**32)
        self._worker_seeded = True


_exif_size = ultralytics_data_utils.exif_size


def _size_for_the_check(image: Any) -> tuple[int, int]:
    """What Ultralytics' image check sees as an image's size: at least 10 px on a side (it only asserts on it)."""
    width, height = _exif_size(image)
    return max(width, 10), max(height, 10)


class ProbabilityValidator(ClassificationValidator):
    """Also keeps every sample's softmax output (the model's eval output) in dataloader order."""

    def init_metrics(self, model: torch.nn.Module) -> None:
        super().init_metrics(model)
        self.probabilities: list[torch.Tensor] = []

    def update_metrics(self, preds: torch.Tensor, batch: dict[str, Any]) -> None:
        super().update_metrics(preds, batch)
        self.probabilities.append(preds.detach().float().cpu())

    def outputs(self) -> tuple[np.ndarray, np.ndarray]:
        """(targets, probabilities) of the latest validation."""
        return torch.cat(self.targets).numpy(), torch.cat(self.probabilities).numpy()


class VisionflowTrainer(ClassificationTrainer):
    def __init__(self, plan: TrainingPlan, cfg=DEFAULT_CFG, overrides: dict[str, Any] | None = None, _callbacks=None):
        self.plan = plan
        self.optimizer_steps = 0
        self.evaluated = False  # whether this epoch's validate() really validated
        self.in_final_eval = False
        self.best_epoch = 0  # 1-based epoch best.pt holds
        self.last_saved_epoch = 0  # 1-based epoch of the latest last.pt / best.pt writes
        self.best_saved_epoch = 0
        self.recalibrations: list[tuple[int, float]] = []  # (images, milliseconds) of each BatchNorm re-estimation
        self._calibration_batches: list[torch.Tensor] | None = None
        with mock.patch.object(base_trainer, "print_args", _print_arguments):
            super().__init__(cfg, overrides, _callbacks)

    def get_dataset(self) -> dict[str, Any]:
        data = super().get_dataset()
        if data["nc"] != len(self.plan.class_names):
            raise ValueError(f"dataset has {data['nc']} class folders, the spec {len(self.plan.class_names)} classes")
        data["names"] = dict(enumerate(self.plan.class_names))  # real names travel in the checkpoints
        return data

    def build_dataset(self, img_path: str, mode: str = "train", batch=None) -> PipelineDataset:
        transforms = self.plan.train_transforms if mode == "train" else self.plan.val_transforms
        dataset = PipelineDataset(img_path, self.args, transforms, prefix=mode)
        steps = CachedSteps(shared_prefix(self.plan.train_transforms, self.plan.val_transforms), self.args.imgsz)
        # Only the exact cache (the pipeline starts with a fixed resize, as every recommended workflow does): a
        # margin-sized image would change what random crops and validation see, and accuracy must not move for speed.
        if self.plan.decode_cache_dir is not None and dataset.samples and steps.exact:
            paths = [sample[0] for sample in dataset.samples]
            log = self.plan.log or (lambda level, message: None)
            folder, stop = self.plan.decode_cache_dir, self.plan.should_stop
            try:
                dataset.use_decode_cache(open_or_build(paths, transforms, steps, folder, _cores(), log, stop))
            except BuildStopped:
                raise Cancelled from None
        return dataset

    def get_dataloader(self, dataset_path: str, batch_size: int = 16, rank: int = 0, mode: str = "train"):
        dataset = self.build_dataset(dataset_path, mode)
        if not dataset.samples:
            raise FileNotFoundError(f"no images in the {mode} split")
        # A final batch of one image breaks BatchNorm at small sizes: drop it (it is a random image each epoch).
        lone_last = mode == "train" and len(dataset) % min(batch_size, len(dataset)) == 1
        loader = build_dataloader(
            dataset,
            batch_size,
            self.plan.workers,
            shuffle=mode == "train",  # fixed validation order maps outputs back to samples
            rank=rank,
            drop_last=(bool(self.args.compile) or lone_last) and mode == "train",
            device=self.device,
        )
        if mode == "train" and self.plan.balance == "weighted_sampling" and rank == -1:  # one process, not DDP
            loader = with_weighted_sampling(loader, [sample[1] for sample in dataset.samples])
        if loader.num_workers and sys.platform == "linux":
            # This process is itself spawned, so DataLoader workers would be spawned too: ~3 s of imports each.
            loader.multiprocessing_context = "fork"
        if mode == "train" and dataset.decode_cache is not None and self.device.type == "cpu":
            self._compute_on_every_core()
        if mode != "train":
            ours = self.plan.inference_transforms
            self.model.transforms = ours if ours is not None else loader.dataset.torch_transforms
        return loader

    def _compute_on_every_core(self) -> None:
        # From the cache a batch loads in a few percent of its compute time: the core the loader would have had is
        # worth more to torch (plain Ultralytics keeps one of two cores for decoding), from 128 px on
        # (device.cached_training_threads). The count depends only on the machine's cores and the image size, never
        # on a load snapshot: the same spec on the same machine trains with the same threads, so the same seed gives
        # the same numbers (a snapshot once gave two runs of one spec different threads). On a machine whose other
        # processes keep the cores busy, two threads run slower than one (bench/train_speed.py measured 1/7 under a
        # load of 12 on 2 cores): the price of reproducible runs.
        threads = cached_training_threads(_cores(), int(self.args.imgsz))
        if threads is not None and threads > torch.get_num_threads():
            torch.set_num_threads(threads)
            if self.plan.log:
                self.plan.log("info", f"images load from the decode cache: training on {threads} CPU threads")

    def get_validator(self) -> ProbabilityValidator:
        return ProbabilityValidator(self.test_loader, self.save_dir, args=copy(self.args), _callbacks=self.callbacks)

    def _setup_train(self) -> None:
        # Ultralytics checks AMP by downloading a model; offline that stalls. Its GPU list decides instead, and AMP
        # stays off on the CPU even when a resumed checkpoint's arguments ask for it (worker/device.py).
        with mock.patch.object(base_trainer, "check_amp", amp_works):
            super()._setup_train()

    def resume_training(self, ckpt: dict[str, Any] | None) -> None:
        super().resume_training(ckpt)
        if ckpt is None or not self.resume:
            return
        self.optimizer_steps = int(ckpt.get("updates") or 0)  # the EMA is updated once per optimiser step
        self.last_saved_epoch = self.start_epoch
        if self.best.is_file():
            best = torch.load(self.best, map_location="cpu", weights_only=False)  # our own file, written by this run
            self.best_epoch = self.best_saved_epoch = int(best.get("epoch", -1)) + 1

    def optimizer_step(self) -> None:
        super().optimizer_step()
        self.optimizer_steps += 1

    def validate(self) -> tuple[dict[str, float], float | None]:
        self.evaluated = False
        if not self._evaluation_due():
            return self.metrics, None  # None: EarlyStopping ignores the epoch and best.pt is not replaced
        self.recalibrate_batchnorm()
        metrics = self.validator(self)
        metrics.pop("fitness", None)
        fitness = self._fitness(metrics)
        if self.best_fitness is None or self.best_fitness < fitness:
            self.best_fitness = fitness
        self.evaluated = True
        return metrics, fitness

    def save_model(self) -> bool:
        # Ultralytics writes last.pt in place; write both to temporary names, then rename over the old files.
        last, best = self.last, self.best
        self.last, self.best = last.with_name(f".{last.name}.tmp"), best.with_name(f".{best.name}.tmp")
        temporary_last, temporary_best = self.last, self.best
        try:
            saved = super().save_model()
        finally:
            self.last, self.best = last, best
        if self.evaluated and temporary_best.exists():
            os.replace(temporary_best, best)
            self.best_epoch = self.best_saved_epoch = self.epoch + 1
        with suppress(FileNotFoundError):
            temporary_best.unlink()
        if temporary_last.exists():
            os.replace(temporary_last, last)
            self.last_saved_epoch = self.epoch + 1
        return saved

    def final_eval(self) -> None:
        self.in_final_eval = True
        try:
            super().final_eval()
        finally:
            self.in_final_eval = False

    def _evaluation_due(self) -> bool:
        epoch = self.epoch + 1
        out_of_time = bool(self.args.time) and time.time() - self.train_time_start > self.args.time * 3600
        last = epoch >= self.epochs or self.stop or out_of_time or self.stopper.possible_stop
        return last or epoch % self.plan.eval_every == 0

    def recalibrate_batchnorm(self) -> None:
        """Re-estimate the BatchNorm statistics of the model that is validated and saved (the EMA when there is one)
        on a fixed, seeded sample of training images seen through the validation pipeline."""
        started = time.perf_counter()
        batches = self._calibration_batches
        if batches is None:
            dataset, transforms = self.train_loader.dataset, self.plan.val_transforms
            if dataset.decode_cache is not None:
                transforms = after_prefix(transforms, dataset.decode_cache.steps.count)
            order = calibration_order(len(dataset), int(self.args.seed), self.plan.calibration_images)
            chunked = chunks(order, min(self.batch_size, max(len(order), 1)))
            batches = [torch.stack([dataset.through(transforms, i) for i in c]) for c in chunked]
            if sum(batch.nbytes for batch in batches) <= CALIBRATION_CACHE_BYTES:
                self._calibration_batches = batches  # the validation pipeline is deterministic: same tensors each time
        images = recalibrate(self.ema.ema if self.ema else self.model, batches, self.device)
        if images:
            self.recalibrations.append((images, (time.perf_counter() - started) * 1000))

    def _fitness(self, metrics: dict[str, float]) -> float:
        if self.plan.checkpoint == "highest_accuracy":
            return accuracy_fitness(float(metrics["metrics/accuracy_top1"]), metrics.get("val/loss"), self._val_count())
        if self.plan.checkpoint == "lowest_val_loss":
            return -float(metrics["val/loss"])
        return float(self.epoch + 1)  # latest: every evaluated epoch improves on the previous one

    def _val_count(self) -> int:
        return len(self.test_loader.dataset) if self.test_loader is not None else 0


def _print_arguments(arguments: dict[str, Any]) -> None:
    """Ultralytics' print_args line without its caller lookup: inspect.getframeinfo maps every loaded module to its
    file first (0.3 s of CPU before the first batch, bench/profiles/cold_start.txt)."""
    LOGGER.info(colorstr("engine/trainer: ") + ", ".join(f"{key}={value}" for key, value in sorted(arguments.items())))


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def accuracy_fitness(accuracy: float, val_loss: float | None, val_images: int) -> float:
    """Accuracy, with equal accuracies ordered by validation loss (lower is fitter). The loss term stays under half
    an accuracy step (1 / val_images), so it never outweighs one more correct image."""
    if val_loss is None or not np.isfinite(val_loss) or val_images <= 0:
        return accuracy
    return accuracy + 1 / (1 + max(float(val_loss), 0.0)) / (2 * (val_images + 1))
