"""Run one TrainingJobSpec with Ultralytics and report it as events.

Every run ends with exactly one `finished` event: succeeded, cancelled (`should_stop()` became true; the last
completed epoch's weights remain) or failed (any exception, reason "ExceptionType: message").

Images, weights and the run folder come from a Storage (backend/storage.py): the spec names only content hashes,
weights keys and its run id, so a worker that can reach the store runs it on any machine.

The run folder (storage.run_folder(spec.run_id)) holds, besides Ultralytics' own output:
    spec.json                 the spec, so a predictor can rebuild the validation pipeline without the server
    data/                     the snapshot as an ImageFolder tree of links
    weights/best.pt, last.pt  checkpoints; weights/best.onnx after training
    predictions.json          every validation image ranked by loss, and the likely mislabelled ones
    cam/<item>.png            Eigen-CAM overlays of the preview images
    model_card.json, .md      what the model is, how it did, how to run it
"""

import logging
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any

from backend.events.models import FinalStatus, Finished, Log, WorkerEvent
from backend.graph.spec import ModelSpec, TrainingJobSpec, run_of_weights_key, run_weights_key
from backend.storage import Storage
from backend.worker.device import AUTO, Machine, machine_device, machine_workers, use_torch_threads
from backend.worker.materialise import MaterialisedDataset, materialise
from backend.worker.reporter import Cancelled, Reporter, Send
from backend.worker.review import preview_sample


def run_job(
    spec: TrainingJobSpec, storage: Storage, emit: Callable[[WorkerEvent], None], should_stop: Callable[[], bool]
) -> FinalStatus:
    """Train `spec` in this process, reading and writing through `storage`, emitting events; returns the final
    status (also sent as `finished`)."""
    if spec.cross_validation is not None:  # a label check: k trainings, one `finished`
        from backend.worker.crossval import run_cross_validation

        return run_cross_validation(spec, storage, emit, should_stop)

    def send(payload: Any) -> None:
        emit(WorkerEvent.of(payload, time.time()))

    try:
        output_dir = storage.run_folder(spec.run_id)
    except Exception as error:  # nowhere to write: still one `finished`
        send(Finished(status="failed", reason=_concise(error)))
        return "failed"
    reporter = Reporter(spec, storage, output_dir, send, should_stop)
    try:
        status, reason = guarded(lambda: _train(spec, reporter), send, should_stop)
    finally:
        reporter.close_loaders()
    reporter.send_artifacts()
    send(Finished(status=status, reason=reason, metrics=reporter.summary()))
    return status


def guarded(work: Callable[[], None], send: Send, should_stop: Callable[[], bool]) -> tuple[FinalStatus, str]:
    """Run `work` with Ultralytics' warnings as `log` events; a cancel or any exception becomes the final status
    (and the traceback a log), never an escaping error: every job ends with exactly one `finished`."""
    try:
        with _ultralytics_warnings_as_logs(send):
            if should_stop():
                raise Cancelled
            work()
    except Cancelled:
        return "cancelled", "stopped on request"
    except Exception as error:
        send(Log(level="error", message=traceback.format_exc()[-4000:]))
        return "failed", _concise(error)
    return "succeeded", ""


def train_arguments(
    spec: TrainingJobSpec, data_root: Path, output_dir: Path, machine: Machine, pretrained: Path | None = None
) -> dict[str, Any]:
    """Ultralytics train arguments: the spec's overrides, then what the worker itself depends on (the device,
    AMP and loader processes chosen on this machine, worker/device.py)."""
    output_dir = output_dir.resolve()
    arguments = dict(spec.overrides)
    device, loading = machine
    arguments.update(
        device=device.device,
        amp=device.amp,
        workers=loading.workers,
        data=str(data_root),
        imgsz=spec.model.imgsz,
        project=str(output_dir.parent),
        name=output_dir.name,
        exist_ok=True,
        pretrained=str(pretrained) if pretrained else False,
        resume=spec.resume_from is not None,  # the checkpoint's own arguments then replace most of these
        val=True,  # the trainer skips validations itself, every `evaluation.every` epochs
        save=True,
        plots=False,
        verbose=False,
    )
    return arguments


def choose_machine(spec: TrainingJobSpec) -> Machine:
    """The device (a missing GPU fails the run here, at once) and loader processes for this spec on this machine."""
    device = machine_device(str(spec.overrides.get("device") or AUTO))
    workers = spec.overrides.get("workers")
    return device, machine_workers(None if workers is None else int(workers), device.on_cuda)


def _train(spec: TrainingJobSpec, reporter: Reporter) -> None:
    data, plan = train_model(spec, reporter)
    if reporter.final:
        from backend.worker.finish import finish

        reporter.check_stop()
        finish(spec, reporter, _val_items(spec, data), plan.val_transforms, plan.inference_transforms is not None)


def train_model(spec: TrainingJobSpec, reporter: Reporter) -> tuple[MaterialisedDataset, Any]:
    """Materialise the snapshot and train it, reporting through `reporter`: no export, no model card.
    Returns the materialised dataset and the TrainingPlan it trained with. Label checks train their folds here."""
    storage, output_dir = reporter.storage, reporter.output_dir
    reporter.machine = machine = choose_machine(spec)
    pretrained = _pretrained_weights(spec.model, storage)
    from ultralytics import YOLO
    from ultralytics.data.utils import IMG_FORMATS

    from backend.worker.pipeline import build_transforms, torchvision_equivalent
    from backend.worker.trainer import TrainingPlan, VisionflowTrainer

    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "spec.json").write_text(spec.model_dump_json())
    resume_from = _resume_checkpoint(spec, storage, output_dir)
    data = materialise(spec.dataset, output_dir / "data", IMG_FORMATS, storage)
    if data.skipped:
        reporter.log("warning", f"{len(data.skipped)} images skipped: file type not readable by the trainer")
    for split, count in data.counts.items():
        if count == 0:
            raise ValueError(f"the {split} split has no images")
    reporter.counts = data.counts

    arguments = train_arguments(spec, data.root, output_dir, machine, pretrained)
    seed = int(arguments.get("seed", 0))
    imgsz = spec.model.imgsz
    val_transforms = build_transforms(spec.pipeline, "val", imgsz, seed)
    plan = TrainingPlan(
        class_names=list(spec.dataset.class_names),
        train_transforms=build_transforms(spec.pipeline, "train", imgsz, seed),
        val_transforms=val_transforms,
        eval_every=spec.evaluation.every,
        checkpoint=spec.evaluation.checkpoint,
        workers=machine[1].workers,
        inference_transforms=torchvision_equivalent(val_transforms),
        balance=spec.dataset.balance,
        decode_cache_dir=storage.cache_folder("decoded"),
        log=reporter.log,
        should_stop=reporter.should_stop,
    )
    reporter.preview_items = preview_sample(spec.dataset, spec.evaluation.preview_size, seed, exclude=data.skipped)
    reporter.val_transforms = val_transforms
    model = YOLO(str(resume_from or spec.model.architecture), task="classify", verbose=False)
    model.add_callback("on_pretrain_routine_start", lambda _: use_torch_threads(machine[1]))  # after select_device
    for event, callback in reporter.callbacks().items():
        model.add_callback(event, callback)
    if spec.model.pretrained and not resume_from:
        reporter.log("info", f"starting from the weights {spec.model.pretrained}")
    model.train(trainer=partial(VisionflowTrainer, plan), **arguments)
    trainer = model.trainer
    if reporter.epochs_done < trainer.epochs and not trainer.args.time:
        reporter.log(
            "info",
            f"stopped early after epoch {reporter.epochs_done}: no improvement in {trainer.args.patience} epochs",
        )
    return data, plan


def _val_items(spec: TrainingJobSpec, data: MaterialisedDataset) -> list[int]:
    skipped = set(data.skipped)
    return [i for i, item in enumerate(spec.dataset.items) if item.split == "val" and i not in skipped]


def _pretrained_weights(model: ModelSpec, storage: Storage) -> Path | None:
    """The local file of the spec's starting weights, if it names any."""
    if not model.architecture.endswith((".yaml", ".yml")):
        raise ValueError(f"model architecture {model.architecture!r} must be an Ultralytics model yaml")
    if not model.pretrained:
        return None
    try:
        return storage.weights(model.pretrained)
    except FileNotFoundError:
        raise FileNotFoundError(f"pretrained weights not found: {model.pretrained}") from None


def _resume_checkpoint(spec: TrainingJobSpec, storage: Storage, output_dir: Path) -> Path | None:
    """The parent's last.pt, copied into this run's folder with its arguments pointing here, so Ultralytics
    continues it (optimiser state, epoch count) while writing only to this run; the parent's folder is only read.
    Its best.pt comes along (the best weights so far, unless a later epoch beats them) and its results.csv is
    rebuilt from the checkpoint (a best epoch before the resume keeps its validation loss)."""
    if spec.resume_from is None:
        return None
    try:
        source = storage.weights(spec.resume_from)
    except FileNotFoundError:
        raise FileNotFoundError(f"checkpoint to resume from not found: {spec.resume_from}") from None
    import torch

    saved = torch.load(source, map_location="cpu", weights_only=False)  # a checkpoint our own worker wrote
    if saved.get("optimizer") is None:  # Ultralytics strips the optimiser from a finished run's checkpoints
        raise ValueError(f"{source.name} is from a run that finished training: nothing to resume (extend it instead)")
    weights = output_dir / "weights"
    weights.mkdir(parents=True, exist_ok=True)
    parent = run_of_weights_key(spec.resume_from)
    assert parent is not None  # the spec validates resume_from as a run's checkpoint
    with suppress(FileNotFoundError):  # none when no epoch was evaluated yet: the resumed run writes its first
        shutil.copyfile(storage.weights(run_weights_key(parent, "best")), weights / "best.pt")
    results = saved.get("train_results") or {}
    if results:
        import polars as pl  # an Ultralytics dependency; it reads results.csv with it

        pl.DataFrame(results).write_csv(output_dir / "results.csv")
    here = str(output_dir.resolve())
    saved["train_args"] = {
        **saved.get("train_args", {}),
        "project": str(Path(here).parent),
        "name": Path(here).name,
        "save_dir": here,
    }
    checkpoint = weights / "last.pt"
    torch.save(saved, checkpoint)
    return checkpoint


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
