"""Where a run trains (CPU or one CUDA GPU), whether it uses mixed precision, and how many loader processes and
torch threads it gets, each with a reason in plain words for the run page.

The server never imports torch, so a spec carries the person's request ("auto" by default) and the worker resolves
it here, on the machine that trains. `choose_device` and `choose_workers` are pure (tested on every case without a
GPU); `machine_device` and `machine_workers` ask torch and the operating system and call them. A request this
machine cannot honour fails the run at once with a reason (`DeviceUnavailable`), before Ultralytics' own check
would end it with a traceback.
"""

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

AUTO = "auto"
MAX_WORKERS = 8  # loader processes beyond this rarely feed one GPU faster and each costs memory
MAX_TORCH_THREADS = 8  # Ultralytics' own cap on CPU training threads (ultralytics.utils.NUM_THREADS)
CACHED_ALL_CORES_IMGSZ = 128  # from this image size a run reading the decode cache computes on every core
MEMORY_PER_WORKER_GIB = 1.0  # a loader process with its prefetched batches; the cap on small machines
# GPUs on which Ultralytics' own AMP check turns AMP off (NaN losses): the same list, without its download.
AMP_UNSAFE_GPU = re.compile(
    r"(nvidia|geforce|quadro|tesla).*?(1660|1650|1630|t400|t550|t600|t1000|t1200|t2000|k40m)", re.IGNORECASE
)
NO_CUDA_NOTE = "torch.cuda.is_available() is False"


class DeviceUnavailable(ValueError):
    """The device the run asked for is not on this machine (or not one this worker can train on)."""


@dataclass(frozen=True)
class DeviceChoice:
    device: str  # what Ultralytics gets: "cpu" or a CUDA index such as "0"
    amp: bool  # mixed precision: on CUDA only
    reason: str  # plain words for the run page

    @property
    def on_cuda(self) -> bool:
        return self.device != "cpu"


@dataclass(frozen=True)
class WorkerChoice:
    workers: int  # DataLoader processes
    torch_threads: int | None  # intra-op threads for CPU training; None: leave torch's default (on a GPU)
    reason: str


Machine = tuple[DeviceChoice, WorkerChoice]  # what a run trains on, chosen once per training


def amp_safe(gpu_name: str) -> bool:
    """Whether mixed precision trains correctly on this GPU (Ultralytics' list of GPUs where it gives NaN losses)."""
    return not AMP_UNSAFE_GPU.search(gpu_name)


def choose_device(requested: str, gpu_names: Sequence[str], no_cuda_note: str = NO_CUDA_NOTE) -> DeviceChoice:
    """The device for a run that asked for `requested` ("auto", "cpu", "cuda", "cuda:N", "N" or "N,M") on a
    machine whose CUDA GPUs are `gpu_names` (empty: none; `no_cuda_note` says why). Raises DeviceUnavailable for
    a GPU that is not there and for several GPUs at once."""
    request = (requested or AUTO).strip().lower()
    if request == AUTO:
        if not gpu_names:
            return DeviceChoice("cpu", False, f"No CUDA GPU on this machine ({no_cuda_note}): training on the CPU")
        return _on_gpu(0, gpu_names, f"CUDA GPU found: {gpu_names[0]} (1 of {len(gpu_names)})")
    if request == "cpu":
        return DeviceChoice("cpu", False, "You chose the CPU")
    if "," in request:
        raise DeviceUnavailable(
            f"device {requested!r}: training on several GPUs at once is not supported (Ultralytics would start its "
            "own multi-GPU processes, which this worker does not run); choose one GPU, Auto or CPU"
        )
    index_text = request.removeprefix("cuda").removeprefix(":") or "0"
    if not index_text.isdigit():
        raise DeviceUnavailable(f"device {requested!r} is not one of auto, cpu, cuda, cuda:N or a GPU number")
    index = int(index_text)
    if not gpu_names:
        raise DeviceUnavailable(
            f"device {requested!r}: this machine has no CUDA GPU ({no_cuda_note}); choose Auto or CPU"
        )
    if index >= len(gpu_names):
        have = ", ".join(f"{i} ({name})" for i, name in enumerate(gpu_names))
        raise DeviceUnavailable(
            f"device {requested!r}: there is no GPU {index} on this machine, only {len(gpu_names)}: {have}"
        )
    return _on_gpu(index, gpu_names, f"You chose GPU {index}: {gpu_names[index]}")


def _on_gpu(index: int, gpu_names: Sequence[str], reason: str) -> DeviceChoice:
    name = gpu_names[index]
    if amp_safe(name):
        return DeviceChoice(str(index), True, reason + "; mixed precision (AMP) on")
    return DeviceChoice(str(index), False, reason + f"; mixed precision (AMP) off: it gives NaN losses on a {name}")


def choose_workers(requested: int | None, cpus: int, memory_gib: float, on_cuda: bool) -> WorkerChoice:
    """Loader processes and CPU training threads for a machine with `cpus` cores and `memory_gib` free memory.

    On a GPU the cores only load data: min(cores − 1, 8) processes (one core stays for the training loop).
    On the CPU the cores also compute: torch gets min(cores − 1, 8) threads, as Ultralytics gives it, and the loader
    the cores left over (1 of 2 cores here), at most 8. Either way one core → 0 (loading in the training process),
    and at most one process per GiB of free memory. A number the person chose is kept; on the CPU torch then gets
    the cores it leaves."""
    cpus = max(1, cpus)
    if on_cuda:
        threads, rule = None, "on a GPU, min(CPU cores − 1, 8)"
        auto = min(cpus - 1, MAX_WORKERS)
    else:
        threads = min(cpus - 1, MAX_TORCH_THREADS) or 1
        rule = f"on the CPU, the cores torch's {threads} training thread(s) leave, at most 8"
        auto = min(cpus - threads, MAX_WORKERS) if cpus > 1 else 0
    if requested is not None:
        if not on_cuda:
            threads = max(1, min(cpus - requested, MAX_TORCH_THREADS))
        return WorkerChoice(requested, threads, f"{requested} loader process(es), as chosen")
    memory_cap = max(0, int(memory_gib / MEMORY_PER_WORKER_GIB))
    workers = max(0, min(auto, memory_cap))
    reason = f"{workers} loader process(es) for {cpus} CPU core(s): {rule}"
    if workers < auto:
        reason += f", capped at one per {MEMORY_PER_WORKER_GIB:g} GiB of free memory ({memory_gib:.1f} GiB)"
    return WorkerChoice(workers, threads, reason)


def cached_training_threads(cpus: int, imgsz: int) -> int | None:
    """CPU training threads when images load from the decode cache (worker/decode_cache.py), from the machine's cores
    and the run's image size alone, never from the machine's current load (a run's numbers must not depend on what
    else was running). From CACHED_ALL_CORES_IMGSZ px: every core, at most MAX_TORCH_THREADS, since loading a cached
    image costs a few percent of its compute (bench/profiles/train_224_compute.txt). Smaller: None, the worker's own
    choice (`choose_workers`) stands: a batch of small images computes in tens of milliseconds, where two threads'
    synchronisation costs more than it gains (the 32 px demo's click → first batch: 7.2 s with one thread, 10.5 s
    with two, bench/profiles/cold_start.txt)."""
    if imgsz < CACHED_ALL_CORES_IMGSZ:
        return None
    return max(1, min(cpus, MAX_TORCH_THREADS))


def gpu_names() -> tuple[list[str], str]:
    """This machine's CUDA GPUs as torch sees them, and (when there are none) why, in torch's words."""
    import torch

    if not torch.cuda.is_available():
        return [], NO_CUDA_NOTE
    names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return names, "" if names else "torch.cuda.device_count() is 0"


def machine_device(requested: str) -> DeviceChoice:
    names, note = gpu_names()
    return choose_device(requested, names, note or NO_CUDA_NOTE)


def cpu_count() -> int:
    """Cores this process may run on (a container's or taskset's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def free_memory_gib() -> float:
    import psutil  # an Ultralytics dependency

    return psutil.virtual_memory().available / 2**30


def machine_workers(requested: int | None, on_cuda: bool) -> WorkerChoice:
    return choose_workers(requested, cpu_count(), free_memory_gib(), on_cuda)


def use_torch_threads(loading: WorkerChoice) -> None:
    """Apply the CPU thread count (after Ultralytics' select_device, which sets its own)."""
    if loading.torch_threads is not None:
        import torch

        torch.set_num_threads(loading.torch_threads)


def amp_works(model: Any) -> bool:
    """Stands in for Ultralytics' check_amp, which downloads a model to compare outputs: AMP on a CUDA GPU that
    is not on its list of GPUs where AMP gives NaN losses; never on the CPU."""
    import torch

    device = next(model.parameters()).device
    return device.type == "cuda" and amp_safe(torch.cuda.get_device_name(device))
