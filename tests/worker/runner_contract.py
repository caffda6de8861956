"""What the runner contract suite (tests/worker/test_runner_contract.py) runs every runner through, and how a runner
plugs in: a `RunnerKit` built from the suite's settings by a builder in KIT_BUILDERS.

The suite drives a real RunService, EventStore and EventBus on SQLite (tests/fakes/service_harness.py), with tiny
real trainings (a project of 8 generated 16 px images, 32 px model input). Its settings make heartbeats quick
(HEARTBEAT_INTERVAL_S / HEARTBEAT_TIMEOUT_S) so that a silent worker is caught within seconds.
"""

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from backend.db.models import Run
from backend.events.models import Event, WorkerEvent
from backend.graph.spec import RunSettings
from backend.runners.base import JobHandle, JobRunner
from backend.runners.local import LocalRunner
from backend.runs.service import RunService
from backend.settings import Settings
from backend.storage import LocalStorage
from tests.conftest import TEST_CLIENT_HOSTS
from tests.fakes.service_harness import FINAL, Harness

HEARTBEAT_INTERVAL_S = 0.3
# Not tighter: C code that holds the GIL (torch's and OpenCV's start-up) delays beats, by 0.9 s for one worker on the
# shared 2-core machine at load 5 and by up to 5.6 s for four at once at load 12. The healthy workers of the scenario
# (three importing at once, 7 s of CPU each) show that beats keep them alive; the silenced one waits this long.
HEARTBEAT_TIMEOUT_S = 10.0
START_TIMEOUT_S = 200.0  # a cold worker imports torch and Ultralytics (~7 s of CPU; minutes on a loaded machine)


@dataclass
class RunnerKit:
    name: str
    runner: JobRunner  # the runner the server builds, with the suite's settings
    new_server: Callable[[], JobRunner]  # the runner a restarted server builds (same settings, same cluster)
    worker_pid: Callable[[JobHandle], int]  # the OS pid of the process that trains the handle's run (on this machine)
    after_restart: Literal["reattached", "interrupted"]  # what a server restart does to a run that trains
    # whether the handle's worker runs and has been heard from (so stopping it silences a beating worker); the
    # default suits a runner whose worker_pid answers only once the worker runs
    worker_heard: Callable[[JobHandle], bool] = lambda handle: True
    # run id → every event its job sent, as the job kept them (None: this runner's jobs keep none: the local runner's)
    job_events: Callable[[str], list[WorkerEvent] | None] = lambda run_id: None


@contextmanager
def local_kit(settings: Settings, config_dir: Path) -> Iterator[RunnerKit]:
    def new_runner() -> LocalRunner:  # as backend/app.py builds it
        return LocalRunner(
            config_dir,
            LocalStorage(settings.data_dir),
            warm_workers=0,
            heartbeat_interval_s=settings.heartbeat_interval_s,
            heartbeat_timeout_s=settings.heartbeat_timeout_s,
        )

    yield RunnerKit(
        name="local",
        runner=new_runner(),
        new_server=new_runner,
        worker_pid=lambda handle: handle.state["process"].pid,
        after_restart="interrupted",  # a local worker dies with its server
        worker_heard=lambda handle: handle.state.get("heard", False),
    )


# name → builder(settings, config_dir): `config_dir` is the workers' offline Ultralytics/Matplotlib configuration,
# shared by the session's worker tests (a fresh one costs every worker seconds: Matplotlib builds its font cache)
from tests.worker.ray_kit import ray_kit  # noqa: E402  (after RunnerKit, which it uses)

KIT_BUILDERS: dict[str, Callable[[Settings, Path], AbstractContextManager[RunnerKit]]] = {
    "local": local_kit,
    "ray": ray_kit,
}


@pytest.fixture(name="kit_name", scope="module", params=list(KIT_BUILDERS))
def kit_name_fixture(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(name="contract_settings", scope="module")
def contract_settings_fixture(kit_name: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return suite_settings(tmp_path_factory.mktemp(f"contract-{kit_name}"))


def suite_settings(folder: Path) -> Settings:
    return Settings(
        data_dir=folder / "data",
        allowed_hosts=TEST_CLIENT_HOSTS,
        auth=False,
        warm_workers=0,
        heartbeat_interval_s=HEARTBEAT_INTERVAL_S,
        heartbeat_timeout_s=HEARTBEAT_TIMEOUT_S,
        cancel_grace_s=5.0,
    )


def short_run(**options: object) -> RunSettings:
    """One epoch on the CPU, no loader processes: seconds once the worker has imported."""
    return RunSettings(**{"epochs": 1, "batch": 8, "device": "cpu", "workers": 0, **options})


def long_run() -> RunSettings:
    """Trains far longer than any test waits: it ends only by cancel, kill or restart."""
    return short_run(epochs=5000, eval_every=1000)


class Contract:
    """One data dir with a labelled project and a workflow, the runner kit under test, and the run services on them
    (each test makes its own; all are stopped at the end of the module)."""

    def __init__(self, kit: RunnerKit, harness: Harness, images_dir: Path) -> None:
        self.kit, self.harness = kit, harness
        self.workflow = harness.labelled_workflow(images_dir)

    def service(self, runner: JobRunner | None = None, slots: int = 1) -> RunService:
        return self.harness.service(runner or self.kit.runner, slots)  # type: ignore[arg-type]

    def run(self, run_id: str) -> Run:
        return self.harness.run(run_id)

    def events(self, run_id: str) -> list[Event]:
        """The run's stored events, after checking their seqs are dense from 0 and the row's last_seq among them."""
        last_seq = self.run(run_id).last_seq  # read first: events may be stored meanwhile
        events = self.harness.store.after(run_id)
        assert [e.seq for e in events] == list(range(len(events)))
        assert last_seq <= len(events) - 1
        return events

    def types(self, run_id: str) -> list[str]:
        return [e.type for e in self.events(run_id)]

    async def wait_until(self, condition: Callable[[], bool], what: str, timeout_s: float = START_TIMEOUT_S) -> float:
        """Seconds it took `condition` to hold (polled every 0.1 s); fails after `timeout_s`."""
        started = time.monotonic()
        while not condition():
            assert time.monotonic() - started < timeout_s, f"timed out after {timeout_s} s waiting until {what}"
            await asyncio.sleep(0.1)
        return time.monotonic() - started

    async def started(self, run_id: str) -> None:
        """Until the run's `started` is stored (its worker has imported everything and trains)."""
        await self.wait_until(lambda: self.run(run_id).status != "queued", f"run {run_id} starts")
        assert self.run(run_id).status == "running", (self.run(run_id).reason, self.types(run_id))

    async def finished(self, run_id: str, timeout_s: float = START_TIMEOUT_S) -> Run:
        """The run once it is final, its row's last_seq its last event's."""
        await self.wait_until(lambda: self.run(run_id).status in FINAL, f"run {run_id} finishes", timeout_s)
        assert self.run(run_id).last_seq == self.events(run_id)[-1].seq
        return self.run(run_id)

    async def handle(self, service: RunService, run_id: str) -> JobHandle:
        """The runner's handle once submit returned it (the service keeps it while the run is under way)."""
        await self.wait_until(lambda: run_id in service._handles, f"run {run_id} is submitted")
        return service._handles[run_id]


@pytest.fixture(name="runner_kit", scope="module")
def runner_kit_fixture(kit_name: str, contract_settings: Settings, offline_ultralytics: Path) -> Iterator[RunnerKit]:
    with KIT_BUILDERS[kit_name](contract_settings, offline_ultralytics) as kit:
        yield kit


@pytest.fixture(name="contract", scope="module")
async def contract_fixture(runner_kit: RunnerKit, contract_settings: Settings) -> AsyncIterator[Contract]:
    async with _contract(runner_kit, contract_settings) as contract:
        yield contract


@pytest.fixture(name="restart_contract", scope="module")
async def restart_contract_fixture(
    kit_name: str, tmp_path_factory: pytest.TempPathFactory, offline_ultralytics: Path
) -> AsyncIterator[Contract]:
    """A second data dir, database and kit for the restart, so that it can happen while the other runs train: a run
    service that starts ends or re-attaches every run its database has as running."""
    settings = suite_settings(tmp_path_factory.mktemp(f"contract-restart-{kit_name}"))
    with KIT_BUILDERS[kit_name](settings, offline_ultralytics) as kit:
        async with _contract(kit, settings) as contract:
            yield contract


@asynccontextmanager
async def _contract(kit: RunnerKit, settings: Settings) -> AsyncIterator[Contract]:
    harness = Harness(settings)
    try:
        yield Contract(kit, harness, settings.data_dir.parent / "images")
    finally:
        for service in list(harness.services):
            await harness.stop(service)
        harness.engine.dispose()


@dataclass(frozen=True)
class Lives:
    """The runs of the scenario the tests share, all under way at once so that their workers start side by side:
    one trained to the end, one cancelled once it ran (`started`), one cancelled in the queue behind them, one whose worker
    was killed (SIGKILL), one whose worker was stopped (SIGSTOP) and went silent, and one that trained while its
    server restarted (in `restart_contract`: its own data dir, database and runner)."""

    streamed: str
    cancelled_running: str
    cancelled_queued: str
    killed: str
    silenced: str
    silenced_pid: int
    silent_for_s: float  # from SIGSTOP until the run was failed
    restarted: str
    stored_before_restart: int  # events of `restarted` stored when its server stopped
    status_while_stopped: str  # its status between the stop and the restart


@pytest.fixture(name="lives", scope="module")
async def lives_fixture(contract: Contract, restart_contract: Contract) -> Lives:
    service = contract.service(slots=4)
    streamed, running, killed, silenced = [
        await service.create(contract.workflow, settings) for settings in (short_run(), *[long_run()] * 3)
    ]
    queued = await service.create(contract.workflow, short_run())  # behind the four
    await service.cancel(queued.id)

    async def cancel_while_training() -> None:
        await contract.started(running.id)  # it checks for a cancel from its first callback on
        await service.cancel(running.id)

    async def kill() -> None:  # as soon as the worker is there: a kill needs no training
        pid = contract.kit.worker_pid(await contract.handle(service, killed.id))
        await asyncio.sleep(0.5)
        os.kill(pid, signal.SIGKILL)

    async def silence() -> tuple[int, float]:  # once it has been heard from: it beats while it imports
        handle = await contract.handle(service, silenced.id)
        await contract.wait_until(lambda: contract.kit.worker_heard(handle), "the worker is heard from")
        pid = contract.kit.worker_pid(handle)
        try:
            os.kill(pid, signal.SIGSTOP)  # alive, its channel open, saying nothing
            stopped = time.monotonic()
            await contract.finished(silenced.id, timeout_s=HEARTBEAT_TIMEOUT_S + 30)
            return pid, time.monotonic() - stopped
        finally:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)  # the runner killed it: a no-op; else it must not stay stopped

    async def restart() -> tuple[str, int, str]:
        other = restart_contract
        server = other.service()
        run = await server.create(other.workflow, long_run())
        await other.started(run.id)
        await other.harness.stop(server)  # the server stops
        stored, status = len(other.events(run.id)), other.run(run.id).status
        restarted = other.service(other.kit.new_server())
        await restarted.start()
        if other.kit.after_restart == "reattached":  # its events go on; then it is cancelled
            await other.wait_until(lambda: len(other.events(run.id)) > stored + 1, "events after the restart")
            await restarted.cancel(run.id)
        await other.finished(run.id)
        return run.id, stored, status

    _, _, (pid, silent_for_s), (restarted, stored, status) = await asyncio.gather(
        cancel_while_training(), kill(), silence(), restart()
    )
    for run in (running, killed, streamed):
        await contract.finished(run.id)
    return Lives(
        streamed=streamed.id,
        cancelled_running=running.id,
        cancelled_queued=queued.id,
        killed=killed.id,
        silenced=silenced.id,
        silenced_pid=pid,
        silent_for_s=silent_for_s,
        restarted=restarted,
        stored_before_restart=stored,
        status_while_stopped=status,
    )
