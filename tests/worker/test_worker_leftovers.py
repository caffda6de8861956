"""Issue 12 reviewer leftovers in the worker: a cancel stops a decode cache build and leaves no partial file (nor do
builds killed earlier), the CPU thread count with the cache depends on the machine alone, the model card names the
device the run used, a warm worker at low priority while preparing trains at its normal one, and a warm worker whose
imports fail says which import."""

import multiprocessing
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import albumentations as A
import cv2
import numpy as np
import pytest

from backend.events.models import WorkerEvent
from backend.worker import decode_cache, device, model_card
from backend.worker.decode_cache import BuildStopped, CachedSteps, open_or_build
from backend.worker.device import cached_training_threads
from backend.worker.entry import WARM_READY
from tests.worker import warm_child

ROOT = Path(__file__).resolve().parents[2]


def _images(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    paths = []
    for n in range(count):
        path = folder / f"{n:03d}.png"
        cv2.imwrite(str(path), rng.integers(0, 256, (20, 30, 3), dtype=np.uint8))
        paths.append(str(path))
    return paths


def test_a_cancel_stops_the_build_and_no_partial_file_stays(tmp_path: Path):
    paths = _images(tmp_path / "data", 40)
    checks = iter(range(1000))
    with pytest.raises(BuildStopped):  # stop requested after ten images
        open_or_build(
            paths,
            A.Compose([A.Resize(8, 8)]),
            CachedSteps(1, 8),
            tmp_path / "cache",
            2,
            mock.Mock(),
            should_stop=lambda: next(checks) >= 10,
        )
    assert next(checks) <= 12  # it stopped at once, not after decoding the set
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_failed_build_removes_its_partial_file_and_a_dead_builds_partial_goes_at_the_next_build(tmp_path: Path):
    paths = _images(tmp_path / "data", 4)
    folder = tmp_path / "cache"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = folder / f".0123abcd.{int(dead.stdout)}.partial"  # a build killed mid-way (its pid is gone)
    orphan.write_bytes(b"half")
    resize = A.Compose([A.Resize(8, 8)])
    with mock.patch.object(decode_cache, "decode", side_effect=MemoryError), pytest.raises(MemoryError):
        open_or_build(paths, resize, CachedSteps(1, 8), folder, 1, mock.Mock())
    assert list(folder.iterdir()) == []
    assert open_or_build(paths, resize, CachedSteps(1, 8), folder, 1, mock.Mock()) is not None


def test_threads_with_the_cache_depend_on_the_cores_and_the_image_size_alone():
    assert [cached_training_threads(cores, 224) for cores in (1, 2, 4, 64)] == [1, 2, 4, 8]
    assert cached_training_threads(2, 32) is None  # small images: the worker's own choice stands


def _spawn_warm(target: Any, *args: Any) -> tuple[Any, Any, Any]:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    spec_receive, spec_send = context.Pipe(duplex=False)
    stop = context.Event()  # held until the child has it
    process = context.Process(target=target, args=(send, stop, spec_receive, *args), daemon=True)
    process.start()
    process.stop = stop
    send.close()
    spec_receive.close()
    return process, receive, spec_send


def test_a_warm_worker_prepares_at_low_priority_and_trains_at_its_normal_one(tmp_path: Path):
    process, events, specs = _spawn_warm(warm_child.warm_reporting_priorities, str(tmp_path), 7)
    assert events.recv() == WARM_READY
    specs.send(("{}", {}, None))
    start, preparing, training = events.recv()
    process.join(10)
    assert (preparing, training) == (start + 7, start)


def test_a_warm_worker_whose_imports_fail_says_which_import_on_the_run_it_gets(tmp_path: Path):
    process, events, specs = _spawn_warm(warm_child.warm_with_missing_package, str(tmp_path))
    assert events.recv() == WARM_READY  # waiting for a spec: the pool hands it one, as a cold worker would fail too
    specs.send(("{}", {}, None))
    finished = WorkerEvent.model_validate_json(events.recv())
    process.join(10)
    assert finished.type == "finished" and finished.data.status == "failed"
    assert finished.data.reason == "ModuleNotFoundError: No module named 'albumentations'"


def test_the_model_card_names_the_device_the_run_trained_on_not_the_request():
    auto = SimpleNamespace(overrides={"device": "auto"})
    with mock.patch.object(device, "gpu_names", return_value=([], "no CUDA")):
        assert model_card._device(auto, None) == {"device": "cpu", "device_requested": "auto"}
    with mock.patch.object(device, "gpu_names", return_value=(["NVIDIA A100"], "")):
        assert model_card._device(auto, None) == {"device": "cuda:0", "device_requested": "auto"}
    assert model_card._device(SimpleNamespace(overrides={"device": "cpu"}), "cpu") == {"device": "cpu"}
