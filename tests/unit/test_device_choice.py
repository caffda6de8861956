"""Device choice: "auto" by default, resolved by the worker (CUDA when present, else the CPU) with a reason in plain
words; AMP on CUDA only; loader processes chosen from the machine. Pure functions: no torch, no GPU needed."""

import re

import pytest

from backend.catalogue import build_catalogue
from backend.events.models import Started, read_event
from backend.graph.compile import ultralytics_overrides
from backend.graph.spec import RunSettings, TrainingJobSpec, read_spec
from backend.recommend import run_defaults, summarise
from backend.templates import run_defaults_for
from backend.worker import device as device_module
from backend.worker.device import DeviceUnavailable, amp_safe, choose_device, choose_workers
from backend.worker.job import choose_machine
from tests.unit.test_recommend import images

H200 = "NVIDIA H200"


def test_auto_takes_the_first_cuda_gpu_with_amp():
    choice = choose_device("auto", [H200])
    assert (choice.device, choice.amp, choice.on_cuda) == ("0", True, True)
    assert choice.reason.startswith("CUDA GPU found: NVIDIA H200 (1 of 1)")
    assert "(1 of 2)" in choose_device("auto", [H200, H200]).reason


def test_auto_without_cuda_trains_on_the_cpu_and_says_why():
    choice = choose_device("auto", [])
    assert (choice.device, choice.amp, choice.on_cuda) == ("cpu", False, False)
    assert choice.reason == "No CUDA GPU on this machine (torch.cuda.is_available() is False): training on the CPU"
    assert choose_device("", []).device == "cpu"  # an empty request is auto too


def test_the_cpu_when_chosen_even_with_a_gpu():
    choice = choose_device("cpu", [H200])
    assert (choice.device, choice.amp, choice.reason) == ("cpu", False, "You chose the CPU")


@pytest.mark.parametrize(("requested", "index"), [("cuda", "0"), ("cuda:1", "1"), ("1", "1"), ("CUDA:0", "0")])
def test_a_chosen_gpu_that_exists(requested, index):
    choice = choose_device(requested, [H200, "NVIDIA A100"])
    assert choice.device == index and choice.amp and f"You chose GPU {index}" in choice.reason


@pytest.mark.parametrize(
    ("requested", "gpus", "said"),
    [
        ("cuda:0", [], "this machine has no CUDA GPU (torch.cuda.is_available() is False); choose Auto or CPU"),
        ("0", [], "no CUDA GPU"),
        ("cuda:2", [H200], "there is no GPU 2 on this machine, only 1: 0 (NVIDIA H200)"),
        ("0,1", [H200, H200], "several GPUs at once is not supported"),
        ("0,1", [], "several GPUs at once is not supported"),
    ],
)
def test_a_device_the_machine_cannot_train_on_is_refused_with_a_reason(requested, gpus, said):
    with pytest.raises(DeviceUnavailable, match=re.escape(said)):
        choose_device(requested, gpus)


def test_amp_stays_off_on_gpus_where_it_gives_nan_losses():
    assert amp_safe(H200) and not amp_safe("NVIDIA GeForce GTX 1660 Ti")
    choice = choose_device("auto", ["NVIDIA GeForce GTX 1650"])
    assert choice.on_cuda and not choice.amp and "AMP) off" in choice.reason


@pytest.mark.parametrize(
    ("cpus", "memory", "on_cuda", "workers", "threads"),
    [
        (2, 16.0, False, 1, 1),  # this machine: one core computes, one loads
        (1, 16.0, False, 0, 1),  # one core: load in the training process
        (16, 64.0, False, 8, 8),  # torch's 8 threads leave 8 cores
        (16, 64.0, True, 8, None),  # on a GPU the cores only load: min(cores - 1, 8)
        (4, 64.0, True, 3, None),
        (1, 64.0, True, 0, None),
        (16, 2.5, True, 2, None),  # one process per GiB of free memory
    ],
)
def test_loader_processes_follow_the_machine(cpus, memory, on_cuda, workers, threads):
    choice = choose_workers(None, cpus, memory, on_cuda)
    assert (choice.workers, choice.torch_threads) == (workers, threads)
    assert f"{workers} loader process(es) for {cpus} CPU core(s)" in choice.reason
    assert ("free memory" in choice.reason) == (memory < 8)


def test_a_chosen_number_of_workers_is_kept_and_torch_gets_the_cores_left():
    assert (choose_workers(3, 2, 16.0, False).workers, choose_workers(3, 2, 16.0, False).torch_threads) == (3, 1)
    assert choose_workers(0, 16, 64.0, False).torch_threads == 8
    assert choose_workers(4, 16, 64.0, True).reason == "4 loader process(es), as chosen"


def test_settings_default_to_auto_and_compile_keeps_it():
    settings = RunSettings()
    assert (settings.device, settings.workers) == ("auto", None)
    overrides = ultralytics_overrides(settings, imgsz=32)
    assert (overrides["device"], overrides["workers"]) == ("auto", None)
    for device in ("cpu", "cuda", "cuda:1", "0", "0,1"):
        assert RunSettings(device=device).device == device
    with pytest.raises(ValueError, match="device"):
        RunSettings(device="tpu")


def test_runs_from_before_still_read():
    old_settings = RunSettings.model_validate({"device": "cpu", "workers": 1, "epochs": 3})
    assert (old_settings.device, old_settings.workers) == ("cpu", 1)
    old_started = {"pid": 7, "device": "cpu", "epochs": 1, "train_images": 4, "val_images": 2, "class_names": ["a"]}
    event = read_event({"run_id": "r1", "seq": 1, "type": "started", "ts": 1.0, "data": old_started})
    assert isinstance(event.data, Started) and (event.data.device_reason, event.data.amp, event.data.workers) == (
        "",
        None,
        None,
    )


def _spec(device: str, workers: int | None) -> TrainingJobSpec:
    return read_spec(
        {
            "spec_version": 2,
            "workflow_name": "w",
            "dataset": {"class_names": ["a"], "items": [], "snapshot_hash": "0" * 64},
            "pipeline": [],
            "model": {"architecture": "yolo11n-cls.yaml", "imgsz": 32},
            "overrides": {"epochs": 1, "device": device, "workers": workers},
            "evaluation": {"every": 1, "checkpoint": "latest"},
            "run_id": "r1",
        }
    )


def test_the_worker_resolves_a_stored_spec_on_its_machine(monkeypatch):
    monkeypatch.setattr(device_module, "gpu_names", lambda: ([], device_module.NO_CUDA_NOTE))
    monkeypatch.setattr(device_module, "cpu_count", lambda: 2)
    monkeypatch.setattr(device_module, "free_memory_gib", lambda: 16.0)
    device, loading = choose_machine(_spec("cpu", 1))  # a spec stored before the device choice
    assert (device.device, device.reason, loading.workers) == ("cpu", "You chose the CPU", 1)
    device, loading = choose_machine(_spec("auto", None))
    assert (device.device, loading.workers, loading.torch_threads) == ("cpu", 1, 1)
    with pytest.raises(DeviceUnavailable, match="no CUDA GPU"):
        choose_machine(_spec("cuda:0", None))


def test_the_data_aware_defaults_plan_auto_for_the_cpu_and_say_a_gpu_is_faster():
    summary = summarise(images(2_000, 640))
    auto = run_defaults(summary, imgsz=320, size="n")
    cpu = run_defaults(summary, imgsz=320, size="n", device="cpu")
    assert auto.settings.device == "auto" and auto.settings.epochs == cpu.settings.epochs
    assert "on a CPU (less if the worker finds a GPU)" in auto.explanation and "less if" not in cpu.explanation
    assert run_defaults_for(None, build_catalogue(), None).settings.device == "auto"  # a graph with errors too
