"""Decode once (backend/worker/decode_cache.py): the cache holds what decoding and the pipeline's fixed resize
make, the rest of a pipeline gives the very tensors the whole one gives, it is read every epoch without decoding
again and reused by the next run, it falls back to files when it cannot be built, and training through it learns."""

import math
from pathlib import Path
from unittest import mock

import albumentations as A
import cv2
import numpy as np
import torch
from albumentations.pytorch import ToTensorV2
from ultralytics.cfg import get_cfg

from backend.events.models import WorkerEvent
from backend.graph.spec import DatasetSpec, PipelineStep
from backend.storage import LocalStorage
from backend.worker import decode_cache
from backend.worker.decode_cache import CachedSteps, after_prefix, open_or_build, shared_prefix
from backend.worker.trainer import PipelineDataset
from tests.worker.conftest import LIGHT_PIPELINE, TrainedRun, _digits_spec

IMGSZ = 24
TAIL = [A.Normalize(mean=0.0, std=1.0, max_pixel_value=255.0), ToTensorV2()]


def _images(root: Path, count: int = 6) -> list[str]:
    """ImageFolder files of different sizes and formats, in two classes."""
    rng = np.random.default_rng(0)
    paths = []
    for n in range(count):
        path = root / f"c{n % 2}" / f"{n:02d}.{'jpg' if n % 3 else 'png'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), rng.integers(0, 256, (40 + 7 * n, 60 - 3 * n, 3), dtype=np.uint8))
        paths.append(str(path))
    return sorted(paths)


def _pipelines(seed: int = 0) -> tuple[A.Compose, A.Compose]:
    train = A.Compose([A.Resize(IMGSZ, IMGSZ), A.Affine(rotate=(-20, 20), p=0.5), A.HueSaturationValue(p=0.5), *TAIL])
    val = A.Compose([A.Resize(IMGSZ, IMGSZ), *TAIL])
    train.set_random_seed(seed)
    return train, val


def _rgb(path: str) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)


def test_the_cache_holds_the_resized_pixels_and_the_rest_of_the_pipeline_makes_the_same_tensors(tmp_path: Path):
    paths = _images(tmp_path / "data")
    train, val = _pipelines()
    steps = CachedSteps(shared_prefix(train, val), IMGSZ)
    assert steps.count == 1 and steps.exact  # the Resize both splits start with; the Affine is random
    cache = open_or_build(paths, train, steps, tmp_path / "cache", threads=2, log=mock.Mock())

    assert cache is not None and len(cache) == len(paths)
    for i, path in enumerate(paths):
        assert np.array_equal(cache.image(i), cv2.resize(_rgb(path), (IMGSZ, IMGSZ), interpolation=cv2.INTER_LINEAR))
    whole, _ = _pipelines(seed=7)
    rest = after_prefix(_pipelines(seed=7)[0], steps.count)
    for _ in range(3):  # several epochs: the random draws stay in step
        for i, path in enumerate(paths):
            assert torch.equal(rest(image=cache.image(i))["image"], whole(image=_rgb(path))["image"])


def test_without_fixed_resize_steps_images_are_shrunk_to_a_margin_never_enlarged(tmp_path: Path):
    paths = _images(tmp_path / "data")
    augment_only = A.Compose([A.Affine(rotate=(-20, 20), p=0.5), *TAIL])
    steps = CachedSteps(shared_prefix(augment_only, A.Compose(TAIL)), imgsz=16)
    assert steps.count == 0 and not steps.exact
    cache = open_or_build(paths, augment_only, steps, tmp_path / "cache", threads=1, log=mock.Mock())

    side = math.ceil(16 * decode_cache.MARGIN)
    for i, path in enumerate(paths):
        original = _rgb(path)
        assert min(cache.image(i).shape[:2]) == min(side, min(original.shape[:2]))
        assert abs(cache.image(i).shape[0] / cache.image(i).shape[1] - original.shape[0] / original.shape[1]) < 0.05


def test_each_image_is_decoded_once_across_epochs_and_runs_and_again_when_a_file_changes(tmp_path: Path):
    paths = _images(tmp_path / "data")
    train, val = _pipelines()
    steps = CachedSteps(shared_prefix(train, val), IMGSZ)
    with mock.patch.object(decode_cache, "imread", wraps=decode_cache.imread) as reads:
        dataset = PipelineDataset(str(tmp_path / "data"), get_cfg(overrides={"imgsz": IMGSZ}), train, prefix="train")
        dataset.use_decode_cache(open_or_build(paths, train, steps, tmp_path / "cache", 2, mock.Mock()))
        with mock.patch.object(PipelineDataset, "imread", side_effect=AssertionError("decoded a file")):
            for _ in range(3):
                assert [tuple(dataset[i]["img"].shape) for i in range(len(dataset))] == [(3, IMGSZ, IMGSZ)] * 6
        assert reads.call_count == len(paths)

        assert open_or_build(paths, train, steps, tmp_path / "cache", 2, mock.Mock()) is not None  # the next run
        assert reads.call_count == len(paths)

        cv2.imwrite(paths[0], np.zeros((30, 30, 3), np.uint8))  # a changed file is a different snapshot
        changed = open_or_build(paths, train, steps, tmp_path / "cache", 2, mock.Mock())
        assert reads.call_count == 2 * len(paths) and changed is not None and not changed.image(0).any()


def test_a_cache_that_cannot_be_built_falls_back_to_decoding_files_with_a_log_line(tmp_path: Path):
    paths = _images(tmp_path / "data")
    train, val = _pipelines()
    log = mock.Mock()
    full_disk = mock.Mock(free=1000)
    with mock.patch.object(decode_cache.shutil, "disk_usage", return_value=full_disk):
        cache = open_or_build(paths, train, CachedSteps(1, IMGSZ), tmp_path / "cache", 2, log)

    assert cache is None
    level, message = log.call_args.args
    assert level == "warning" and "decode cache not built" in message and "MiB free" in message
    assert list((tmp_path / "cache").iterdir()) == []  # no partial file left behind
    dataset = PipelineDataset(str(tmp_path / "data"), get_cfg(overrides={"imgsz": IMGSZ}), val, prefix="val")
    dataset.use_decode_cache(cache)
    assert tuple(dataset[0]["img"].shape) == (3, IMGSZ, IMGSZ)  # decoded from its file


def _decoded(run_events: list) -> int:
    return sum(
        e.data.message.startswith("decoded ") and "once into" in e.data.message for e in run_events if e.type == "log"
    )


def test_a_run_that_starts_with_a_fixed_resize_trains_through_the_cache_and_learns(
    digits_dataset: DatasetSpec, store: LocalStorage, trained_run: TrainedRun
):
    """worker/job.py gives every run the store's cache folder; the trainer uses it when the pipeline starts with a
    fixed resize (the recommended workflows and the demo do). The shared run's pipeline does not: it decodes files,
    as a margin-sized cache would change what its random crops and validation see."""
    from backend.worker.job import run_job

    resize = PipelineStep(
        node_id="resize", transform="Resize", params={"height": 32, "width": 32}, splits=["train", "val"]
    )
    spec = _digits_spec(digits_dataset, "cached", pipeline=[resize, *LIGHT_PIPELINE], overrides={"epochs": 3})
    events: list[WorkerEvent] = []
    assert run_job(spec, store, events.append, lambda: False) == "succeeded"
    evaluations = [e.data for e in (event.validated() for event in events) if e.type == "evaluation"]
    assert evaluations[-1].accuracy >= 0.9
    assert _decoded([event.validated() for event in events]) == 2  # train, val
    assert len(list(store.cache_folder("decoded").glob("*.u8"))) >= 2
    assert _decoded(trained_run.events) == 0 and trained_run.data("evaluation")[-1]["accuracy"] >= 0.9
