"""The Ray runner in the runner contract suite (tests/worker/runner_contract.py KIT_BUILDERS) and in
tests/worker/test_ray_runner.py: one local Ray per test session, started inside the tests (8 logical CPUs on the 2
real cores, so the suite's runs train side by side as the local runner's do; a small object store, no dashboard),
shut down when the session ends. Starting Ray costs seconds (~13 s on the shared 2-core machine), so every test that
needs it shares the one cluster; each kit kills the actors its tests left behind. The kit's runner is the app's
(`RayRunner.from_settings`, the real SQL count of stored worker events) that also keeps each run's whole event buffer
as its actor held it when the run ended, read just before the actor is killed, for the contract suite to compare."""

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

import ray

from backend.db.session import make_engine
from backend.events.models import WorkerEvent
from backend.runners.base import JobHandle
from backend.runners.ray import LOCAL_OBJECT_STORE_BYTES, NAMESPACE, RayRunner
from backend.settings import Settings
from backend.storage import LocalStorage

if TYPE_CHECKING:
    from tests.worker.runner_contract import RunnerKit

RUN_ACTOR_PREFIX = "visionflow-run-"


def local_ray() -> None:
    """Start the session's local Ray once (a short temp dir: Ray's socket paths must stay under 108 bytes)."""
    if ray.is_initialized():
        return
    temp_dir = Path(tempfile.mkdtemp(prefix="vf-ray-"))
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # offline, and nothing to report
    ray.init(
        num_cpus=8,  # logical CPUs: the contract suite trains several runs at once, as the local runner does
        object_store_memory=LOCAL_OBJECT_STORE_BYTES,
        include_dashboard=False,
        namespace=NAMESPACE,
        _temp_dir=str(temp_dir),
        logging_level="WARNING",
        log_to_driver=False,
    )
    atexit.register(shutil.rmtree, temp_dir, ignore_errors=True)  # registered first: runs after the shutdown
    atexit.register(ray.shutdown)


def kill_run_actors() -> None:
    for entry in ray.util.list_named_actors(all_namespaces=True):
        if entry["namespace"] == NAMESPACE and entry["name"].startswith(RUN_ACTOR_PREFIX):
            with suppress(ValueError):  # gone meanwhile
                ray.kill(ray.get_actor(entry["name"], namespace=NAMESPACE), no_restart=True)


def ray_worker_pid(handle: JobHandle) -> int:
    pid = ray.get(handle.state["actor"].worker_pid.remote(), timeout=60)
    assert pid is not None, "the run's worker never started"
    return pid


class BufferKeepingRayRunner(RayRunner):
    """The app's runner; before it kills a run's actor (on its Ray-call thread, in order), it reads the actor's buffer."""

    buffers: dict[str, list[WorkerEvent]]

    def _release(self, handle: JobHandle) -> None:
        self._ray_calls.submit(self._keep_buffer, handle.run_id, handle.state["actor"])
        super()._release(handle)

    def _keep_buffer(self, run_id: str, actor: object) -> None:
        with suppress(ray.exceptions.RayError):  # already dead: nothing kept, and the comparison says so
            answer = ray.get(actor.events_after.remote(-1, 0), timeout=30)  # type: ignore[attr-defined]
            self.buffers[run_id] = [WorkerEvent.model_validate_json(text) for text in answer["events"]]


@contextmanager
def ray_kit(settings: Settings, config_dir: Path) -> Iterator["RunnerKit"]:
    from tests.worker.runner_contract import RunnerKit  # here: that module imports this one for KIT_BUILDERS

    local_ray()
    engine = make_engine(settings.resolved_database_url)
    buffers: dict[str, list[WorkerEvent]] = {}

    def new_runner() -> RayRunner:  # as backend/app.py builds it
        runner = BufferKeepingRayRunner.from_settings(settings, LocalStorage(settings.data_dir), engine, config_dir)
        runner.buffers = buffers
        return runner

    try:
        yield RunnerKit(
            name="ray",
            runner=new_runner(),
            new_server=new_runner,
            worker_pid=ray_worker_pid,
            after_restart="reattached",  # the actor trains on while the server restarts
            worker_heard=lambda handle: handle.state.get("heard", False),  # as of the runner's last poll
            job_events=buffers.get,
        )
    finally:
        kill_run_actors()
        engine.dispose()
