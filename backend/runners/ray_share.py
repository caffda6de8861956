"""What a run asks of a Ray cluster, and what it is told while it waits or when its worker is gone: plain Python
without Ray (backend/runners/ray.py uses it), so that each rule is tested without a cluster."""

import signal
from dataclasses import dataclass
from typing import Any

from backend.events.models import Finished
from backend.graph.spec import TrainingJobSpec
from backend.runners.base import JobHandle

MULTI_GPU_REFUSED = (
    "Training on several GPUs at once is not supported on a Ray cluster: Ultralytics' multi-GPU (DDP) launcher "
    "starts processes of its own, which Ray neither places nor accounts for. Choose one GPU ('cuda'), Auto or CPU."
)

AUTO_LOADERS = 4  # loader processes of a run that leaves them to Auto (fewer on a node with fewer cores)
PLACED = "Starting: the cluster has placed this run; its worker is loading."


@dataclass(frozen=True)
class RunResources:
    num_cpus: float
    num_gpus: float
    device: str  # what the worker is told: Ray hands the actor its GPU as device 0
    workers: int  # the loader processes the worker is told to start: what num_cpus reserves for them


def run_resources(spec: TrainingJobSpec, cluster_gpus: float, node_cpus: float) -> RunResources:
    """What a run asks Ray for: one GPU when it asks for a GPU, or for Auto on a cluster that has any; else CPUs only.
    CPUs: one for the training loop plus its loader processes: those the person chose, or for Auto AUTO_LOADERS, at
    most the cores of the cluster's largest node (`node_cpus`) but one; the worker is told that number, so it never
    starts more than the run holds. Raises ValueError for several GPUs."""
    requested = str(spec.overrides.get("device") or "auto").strip().lower()
    workers = spec.overrides.get("workers")
    if not isinstance(workers, int) or workers < 0:
        workers = max(0, min(AUTO_LOADERS, int(node_cpus) - 1))
    if "," in requested:
        raise ValueError(MULTI_GPU_REFUSED)
    if requested == "cpu" or (requested == "auto" and cluster_gpus <= 0):
        return RunResources(1 + workers, 0, requested, workers)
    # "cuda", "cuda:N", "N": the GPU Ray assigns is the only one the actor sees
    return RunResources(1 + workers, 1, "auto" if requested == "auto" else "cuda:0", workers)


def waiting_reason(resources: RunResources, available: dict[str, float], total: dict[str, float]) -> str:
    """Why Ray cannot place the run's actor now, in plain words; "" when it has what the run asks for."""
    if resources.num_gpus > available.get("GPU", 0):
        free, whole = available.get("GPU", 0), total.get("GPU", 0)
        return f"Waiting for a GPU: the cluster has {free:g} free of {whole:g} GPUs."
    if resources.num_cpus > available.get("CPU", 0):
        free, whole = available.get("CPU", 0), total.get("CPU", 0)
        wanted = f"{resources.num_cpus:g} CPU" + ("s" if resources.num_cpus != 1 else "")
        return f"Waiting for {wanted}: the cluster has {free:g} free of {whole:g} CPUs."
    return ""


def ended_without_finish(handle: JobHandle, answer: dict[str, Any]) -> Finished:
    """The worker is gone and never said `finished`: why, in plain words."""
    if handle.cancel_requested:
        return Finished(status="cancelled", reason="Cancelled; the worker was stopped.")
    if answer.get("start_error"):
        return Finished(status="failed", reason=f"The worker could not start: {answer['start_error']}")
    code = answer.get("exitcode")
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        reason = f"The worker process was killed by {name}" + (" (out of memory?)." if name == "SIGKILL" else ".")
    else:
        reason = f"The worker process exited with code {code} without finishing the run."
    return Finished(status="failed", reason=reason)
