"""What only the Ray runner does (the runner contract suite, tests/worker/test_runner_contract.py, runs it through
what every runner does): a run Ray cannot place says why it waits; a restarted server finds a run's actor, placed or
not, and goes on reading its events from where its store ends (by reattach, or by a submit that finds the actor),
without a gap or a duplicate; a cluster that cannot say whether an actor runs gets it killed; a run cancelled while
it waited in the server's queue leaves no actor; several GPUs for one run are refused; what a run reserves is what its
worker is told. A real local Ray (tests/worker/ray_kit.py) and tiny real trainings; nothing of Ray is mocked but one
lookup made to fail, as an unreachable cluster's would."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
import ray

from backend.events.models import WorkerEvent
from backend.runners import ray as ray_runner
from backend.runners.base import JobHandle, JobLost
from backend.runners.ray import NOT_THE_WORKERS, RayRunner, actor_name
from backend.runners.ray_share import MULTI_GPU_REFUSED, PLACED, RunResources, run_resources, waiting_reason
from backend.storage import LocalStorage
from tests.worker.ray_kit import local_ray

pytestmark = pytest.mark.train
READ_TIMEOUT_S = 120.0


class ListStore:
    """What the server's event store does for a runner: gives each event the run's next seq, once."""

    def __init__(self) -> None:
        self.events: list[WorkerEvent] = []

    def append(self, event: WorkerEvent) -> int:
        self.events.append(event)
        return len(self.events) - 1

    def count_job_events(self, run_id: str, through_seq: int) -> int:
        return sum(1 for e in self.events[: through_seq + 1] if e.type not in NOT_THE_WORKERS)


def runner_on(store: LocalStorage, config_dir: Path, events: ListStore) -> RayRunner:
    return RayRunner(config_dir, store, events.count_job_events, heartbeat_interval_s=1.0, heartbeat_timeout_s=30.0)


def test_several_gpus_are_refused_with_the_reason_and_one_gpu_is_asked_as_device_0(make_spec):
    with pytest.raises(ValueError, match="several GPUs") as refused:
        run_resources(make_spec(overrides={"device": "0,1"}), cluster_gpus=4, node_cpus=16)
    assert str(refused.value) == MULTI_GPU_REFUSED and "DDP" in MULTI_GPU_REFUSED
    cuda = make_spec(overrides={"device": "cuda:3", "workers": 2})
    assert run_resources(cuda, 4, 16) == RunResources(3, 1, "cuda:0", 2)
    assert run_resources(make_spec(overrides={"device": "auto"}), 2, 16).num_gpus == 1  # Auto on a cluster with GPUs
    assert run_resources(make_spec(overrides={"device": "cpu"}), 2, 16).num_gpus == 0


def test_a_run_leaving_its_loaders_to_auto_reserves_the_cpus_its_worker_is_told_to_use(make_spec):
    auto = make_spec(overrides={"device": "auto", "workers": None})
    assert run_resources(auto, 0, node_cpus=16) == RunResources(5, 0, "auto", 4)  # AUTO_LOADERS, plus the loop's
    assert run_resources(auto, 0, node_cpus=2) == RunResources(2, 0, "auto", 1)  # a node's cores bound them
    assert run_resources(auto, 0, node_cpus=1) == RunResources(1, 0, "auto", 0)
    assert run_resources(make_spec(overrides={"workers": 0}), 0, 16).num_cpus == 1  # chosen: kept


def test_waiting_reasons_say_what_is_missing_in_plain_words():
    gpu, cpus = RunResources(1, 1, "cuda:0", 0), RunResources(3, 0, "cpu", 2)
    assert waiting_reason(gpu, {"CPU": 2}, {"CPU": 2}) == "Waiting for a GPU: the cluster has 0 free of 0 GPUs."
    assert waiting_reason(cpus, {"CPU": 1}, {"CPU": 4}) == "Waiting for 3 CPUs: the cluster has 1 free of 4 CPUs."
    assert waiting_reason(gpu, {"CPU": 2, "GPU": 1}, {"CPU": 2, "GPU": 2}) == ""


async def test_a_run_asking_for_a_gpu_on_a_cpu_cluster_says_it_waits_then_is_cancelled(make_spec, store, tmp_path):
    local_ray()
    spec = make_spec(overrides={"device": "cuda"})
    runner = runner_on(store, tmp_path, ListStore())
    handle = await runner.submit(spec.run_id, spec)
    events = runner.events(handle)

    first = await asyncio.wait_for(anext(events), READ_TIMEOUT_S)

    assert first.type == "waiting"
    assert first.data.reason == "Waiting for a GPU: the cluster has 0 free of 0 GPUs."
    await runner.cancel(handle, grace_s=5)
    last = await asyncio.wait_for(anext(events), READ_TIMEOUT_S)  # the reason did not change: said once
    assert (last.type, last.data.status, last.data.reason) == ("finished", "cancelled", "Cancelled before it started.")
    await events.aclose()
    with pytest.raises(ValueError):  # killed: its (never granted) GPU is nobody's
        ray.get_actor(actor_name(spec.run_id), namespace="visionflow")


class CpuHolder:
    def ready(self) -> bool:
        return True


async def test_a_run_placed_after_waiting_replaces_its_reason_with_starting(make_spec, store, tmp_path):
    local_ray()
    holder = ray.remote(num_cpus=8)(CpuHolder).remote()  # every CPU of the session's cluster
    ray.get(holder.ready.remote(), timeout=READ_TIMEOUT_S)
    spec = make_spec(overrides={"device": "cpu", "workers": 1})
    runner = runner_on(store, tmp_path, ListStore())
    events = runner.events(handle := await runner.submit(spec.run_id, spec))

    waiting = await asyncio.wait_for(anext(events), READ_TIMEOUT_S)
    ray.kill(holder)
    placed = await asyncio.wait_for(anext(events), READ_TIMEOUT_S)

    assert waiting.data.reason == "Waiting for 2 CPUs: the cluster has 0 free of 8 CPUs."
    assert (placed.type, placed.data.reason) == ("waiting", PLACED)  # not the stale reason until `started`
    await runner.cancel(handle, grace_s=0)
    while (event := await asyncio.wait_for(anext(events), READ_TIMEOUT_S)).type != "finished":
        assert event.type != "waiting"
    await events.aclose()


async def test_a_restarted_server_finds_an_actor_ray_has_not_placed_and_kills_what_it_must_not_leave(
    make_spec, store, tmp_path, monkeypatch
):
    """Actors that wait for a GPU on this CPU-only cluster: found after a restart (they hold the run's slot), killed
    by `forget` (the run was cancelled in the server's queue), and killed when the cluster cannot say."""
    local_ray()
    waiting, unclear = make_spec(overrides={"device": "cuda"}), make_spec(overrides={"device": "cuda"})
    before = runner_on(store, tmp_path, ListStore())
    for spec in (waiting, unclear):
        await before.submit(spec.run_id, spec)
    after = runner_on(store, tmp_path, ListStore())

    found = JobHandle(run_id=waiting.run_id)
    assert await after.reattach(found) and found.state["placed"] is False
    assert not await after.reattach(JobHandle(run_id=make_spec().run_id))  # no such actor
    await after.forget(waiting.run_id)
    with pytest.raises(ValueError):
        ray.get_actor(actor_name(waiting.run_id), namespace="visionflow")

    real_get_actor, lookups = ray.get_actor, []

    def unreachable_at_first(name: str, namespace: str | None = None):  # the reattach's 3 lookups; then the kill's
        lookups.append(name)
        if len(lookups) <= ray_runner.REATTACH_TRIES:
            raise ConnectionError("GCS unavailable")
        return real_get_actor(name, namespace=namespace)

    monkeypatch.setattr(ray_runner, "REATTACH_RETRY_S", 0.0)
    monkeypatch.setattr(ray, "get_actor", unreachable_at_first)
    with pytest.raises(JobLost, match=r"could not reach this run's Ray actor \(GCS unavailable\): it was stopped"):
        await after.reattach(JobHandle(run_id=unclear.run_id))
    monkeypatch.undo()
    assert len(lookups) == ray_runner.REATTACH_TRIES + 1
    with pytest.raises(ValueError):
        ray.get_actor(actor_name(unclear.run_id), namespace="visionflow")


async def test_a_restarted_server_reads_on_from_its_last_stored_seq_without_gap_or_duplicate(
    make_spec, store, tmp_path
):
    local_ray()
    spec = make_spec()
    stored = ListStore()
    stored.append(WorkerEvent.model_validate({"type": "queued", "ts": 0.0, "data": {"position": 0}}))
    before = runner_on(store, tmp_path, stored)
    handle = await before.submit(spec.run_id, spec)
    events = before.events(handle)
    while (event := await asyncio.wait_for(anext(events), READ_TIMEOUT_S)).type != "batch":
        stored.append(event)
    await events.aclose()  # the server stops with a batch handed over but not stored; the actor trains on
    await before.shutdown()
    # a queued again before the restart (as the service writes after a requeue): seq and the worker's count differ
    stored.append(WorkerEvent.model_validate({"type": "queued", "ts": 1.0, "data": {"position": 0}}))

    # a server that queued it again submits it: get_if_exists finds the actor, read on after what is stored
    again = runner_on(store, tmp_path, stored)
    submitted = await again.submit(spec.run_id, spec)
    resubmitted = again.events(submitted)
    stored.append(await asyncio.wait_for(anext(resubmitted), READ_TIMEOUT_S))
    await resubmitted.aclose()
    await again.shutdown()

    after = runner_on(store, tmp_path, stored)
    reattached = JobHandle(run_id=spec.run_id)
    assert await after.reattach(reattached)
    resumed = after.events(reattached, after=len(stored.events) - 1)
    while (event := await asyncio.wait_for(anext(resumed), READ_TIMEOUT_S)).type != "finished":
        stored.append(event)
    stored.append(event)
    everything = ray.get(reattached.state["actor"].events_after.remote(-1, 0))["events"]
    await resumed.aclose()

    assert [e for e in stored.events if e.type not in NOT_THE_WORKERS] == [
        WorkerEvent.model_validate_json(text) for text in everything
    ]
    assert stored.events[-1].data.status == "succeeded", stored.events[-1].data.reason
    await asyncio.sleep(1)  # the kill after `finished` reaches Ray
    with pytest.raises(ValueError):
        ray.get_actor(actor_name(spec.run_id), namespace="visionflow")


def test_the_server_imports_ray_only_when_it_runs_on_ray(tmp_path):
    script = (
        "import json, sys; from backend.app import create_app; from backend.settings import Settings\n"
        "create_app(Settings(data_dir=sys.argv[1] + '/local', auth=False)); local = 'ray' in sys.modules\n"
        "create_app(Settings(data_dir=sys.argv[1] + '/ray', auth=False, runner='ray')); import ray\n"
        "print(json.dumps([local, 'ray' in sys.modules, ray.is_initialized()]))\n"
    )
    answer = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True)
    assert json.loads(answer.stdout) == [False, True, False]  # building the Ray runner started no Ray: that is lazy
