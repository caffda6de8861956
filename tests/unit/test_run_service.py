"""The run service's branches, driven by a scripted FakeRunner (tests/fakes/runner.py) on a real SQLite database,
EventStore and EventBus: a failed submit, a broken event pump, cancels before and during the start, the concurrency
limit, recovery after a restart, and resume as a new linked run. In every case the run's events keep a dense seq
and its row the status they explain. No worker process is started: the whole file runs in a few seconds."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import SQLModel, select

from backend.catalogue import build_catalogue
from backend.datasets.library import import_folder
from backend.db.models import Project, Run, Workflow
from backend.db.session import make_engine, session_for
from backend.events.bus import EventBus
from backend.events.models import Batch, Queued, WorkerEvent
from backend.events.store import EventStore
from backend.graph.spec import DatasetSpec, EvaluationSpec, ModelSpec, RunSettings, TrainingJobSpec
from backend.runs.service import InvalidWorkflow, RunNotResumable, RunService
from backend.settings import Settings
from tests.conftest import DATA, MODEL, chain
from tests.fakes.runner import FakeRunner, Script, event, finished, started

FINAL = {"succeeded", "failed", "cancelled", "interrupted"}


class Harness:
    """One data dir: its engine, bus and store, and the services built on them (all stopped at the end)."""

    def __init__(self, settings: Settings) -> None:
        settings.ensure_dirs()
        self.settings = settings
        self.engine = make_engine(settings.resolved_database_url)
        SQLModel.metadata.create_all(self.engine)
        self.bus = EventBus()
        self.store = EventStore(self.engine)
        self.catalogue = build_catalogue(settings.model_store)
        self.services: list[RunService] = []

    def service(self, runner: FakeRunner, slots: int = 1) -> RunService:
        settings = self.settings.model_copy(update={"max_concurrent_runs": slots})
        service = RunService(self.engine, settings, self.catalogue, runner, self.bus)
        self.services.append(service)
        return service

    async def stop(self, service: RunService) -> None:
        self.services.remove(service)
        await asyncio.wait_for(service.stop(), 5)  # a test that failed half-way must not hang in teardown

    def run(self, run_id: str) -> Run:
        with session_for(self.engine) as session:
            return session.get(Run, run_id)

    def stored_run(self, status: str = "queued", events: tuple[WorkerEvent, ...] = ()) -> str:
        """A run row as a service before a restart left it: a queued event first, then `events`."""
        run = Run(workflow_name="fake", settings=RunSettings().model_dump(mode="json"), spec={})
        run.spec = tiny_spec(run.id)
        with session_for(self.engine) as session:
            session.add(run)
            session.commit()
        for stored in (event(Queued(position=0)), *events):
            self.store.append(run.id, stored)
        assert self.run(run.id).status == status
        return run.id

    def types(self, run_id: str) -> list[str]:
        """The run's event types, after checking their seqs are 0, 1, 2, … and the row's last_seq the last."""
        events = self.store.after(run_id)
        assert [e.seq for e in events] == list(range(len(events)))
        assert self.run(run_id).last_seq == len(events) - 1
        return [e.type for e in events]

    async def settled(self, run_id: str, timeout: float = 5.0) -> Run:
        await until(lambda: self.run(run_id).status in FINAL, f"run {run_id} finishes", timeout)
        return self.run(run_id)

    def labelled_workflow(self, tmp_path: Path, graph: dict | None = None) -> Workflow:
        """A project with classes blue and red, four tiny labelled PNGs each, and a workflow on it."""
        for name, colour in {"blue": (20, 20, 220), "red": (220, 20, 20)}.items():
            (tmp_path / "images" / name).mkdir(parents=True)
            for n in range(4):
                Image.new("RGB", (16, 16), (colour[0], colour[1] + 10 * n, colour[2])).save(
                    tmp_path / "images" / name / f"{n}.png"
                )
        with session_for(self.engine) as session:
            project = Project(name="Colours")
            session.add(project)
            session.commit()
            import_folder(session, self.settings, project, tmp_path / "images")
            workflow = Workflow(project_id=project.id, name="tiny", graph=graph or chain(DATA, MODEL))
            session.add(workflow)
            session.commit()
            return workflow


def tiny_spec(run_id: str) -> dict:
    """A valid spec for a run the fake runner plays (it never reads the dataset)."""
    return TrainingJobSpec(
        workflow_name="fake",
        dataset=DatasetSpec(class_names=["blue", "red"], items=[], snapshot_hash="0" * 64),
        pipeline=[],
        model=ModelSpec(architecture="yolov8n-cls.yaml", imgsz=32),
        overrides={"epochs": 1},
        evaluation=EvaluationSpec(every=1, checkpoint="latest"),
        run_id=run_id,
    ).model_dump(mode="json")


def batch(n: int) -> WorkerEvent:
    return event(Batch(epoch=1, epochs=1, batch=n, of=3, loss=1.0 / n, lr=0.001, images_per_s=100.0))


async def until(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.01)


@pytest.fixture
async def harness(settings: Settings) -> AsyncIterator[Harness]:
    harness = Harness(settings)
    yield harness
    for service in list(harness.services):
        await harness.stop(service)
    harness.engine.dispose()


# --- failures ------------------------------------------------------------------------------------------------------


async def test_a_failed_submit_fails_the_run_with_the_reason(harness: Harness) -> None:
    runner = FakeRunner(Script(fail_submit=RuntimeError("no GPU is free")))
    run_id = harness.stored_run()
    await harness.service(runner).start()

    run = await harness.settled(run_id)
    assert run.status == "failed"
    assert "no GPU is free" in run.reason
    assert runner.submit_calls == [run_id] and runner.submitted == [] and runner.cancels == []
    assert harness.types(run_id) == ["queued", "finished"]


async def test_a_broken_event_pump_fails_the_run_and_cancels_the_job(harness: Harness) -> None:
    runner = FakeRunner(Script(events=[started(), batch(1), finished()], raise_at=2))
    run_id = harness.stored_run()
    await harness.service(runner).start()

    run = await harness.settled(run_id)
    assert run.status == "failed"
    assert "lost the worker" in run.reason and "the pipe to the worker broke" in run.reason
    assert runner.cancels_of(run_id) == 1  # the job is not left running without anyone reading it
    assert harness.types(run_id) == ["queued", "started", "batch", "finished"]


# --- cancel --------------------------------------------------------------------------------------------------------


async def test_cancel_before_start_ends_a_queued_run_that_is_never_submitted(harness: Harness) -> None:
    runner = FakeRunner()
    long_job = asyncio.Event()
    first, second = harness.stored_run(), harness.stored_run()
    runner.scripts[first] = Script(hold=long_job)
    service = harness.service(runner, slots=1)
    await service.start()
    await until(lambda: first in runner.running, "the first run holds the only slot")
    assert harness.run(second).status == "queued"

    await service.cancel(second)
    run = await harness.settled(second)
    assert run.status == "cancelled"
    assert harness.types(second) == ["queued", "finished"]

    long_job.set()
    assert (await harness.settled(first)).status == "succeeded"
    await asyncio.sleep(0.05)  # the freed slot must not go to the cancelled run
    assert runner.submit_calls == [first] and runner.cancels == []
    assert harness.types(second) == ["queued", "finished"]


async def test_cancel_during_the_start_cancels_the_job_once_it_has_a_handle(harness: Harness) -> None:
    runner = FakeRunner()
    slow_start = asyncio.Event()
    run_id = harness.stored_run()
    runner.scripts[run_id] = Script(submit_gate=slow_start, hold=asyncio.Event())
    service = harness.service(runner)
    await service.start()
    await until(lambda: runner.submit_calls == [run_id], "submit is under way")

    await service.cancel(run_id)
    await service.cancel(run_id)  # a second click changes nothing
    assert runner.cancels == []  # there is no handle to cancel yet
    slow_start.set()

    run = await harness.settled(run_id)
    assert run.status == "cancelled"
    assert runner.cancels_of(run_id) == 1
    types = harness.types(run_id)
    assert types[0] == "queued" and types[-1] == "finished" and types.count("finished") == 1


async def test_cancel_of_a_running_run_asks_the_runner_once(harness: Harness) -> None:
    runner = FakeRunner(Script(hold=asyncio.Event()))
    run_id = harness.stored_run()
    service = harness.service(runner)
    await service.start()
    await until(lambda: harness.run(run_id).status == "running", "the run is running")

    await service.cancel(run_id)
    await service.cancel(run_id)
    run = await harness.settled(run_id)
    assert run.status == "cancelled"
    assert runner.cancels_of(run_id) == 1
    assert harness.types(run_id) == ["queued", "started", "finished"]
    await service.cancel(run_id)  # cancelling a finished run does nothing
    assert runner.cancels_of(run_id) == 1 and harness.types(run_id) == ["queued", "started", "finished"]


# --- restart -------------------------------------------------------------------------------------------------------


async def test_restart_reattaches_a_live_job_and_continues_its_seq(harness: Harness) -> None:
    run_id = harness.stored_run(status="running", events=(started(), batch(1)))
    runner = FakeRunner()
    runner.scripts[run_id] = Script(events=[batch(2), batch(3), finished()], reattach=True)
    await harness.service(runner).start()

    run = await harness.settled(run_id)
    assert run.status == "succeeded"
    assert runner.reattached == [run_id] and runner.submit_calls == []
    assert runner.events_after[run_id] == 2  # from the last stored seq
    assert harness.types(run_id) == ["queued", "started", "batch", "batch", "batch", "finished"]


async def test_a_stopped_service_leaves_its_running_run_for_the_next_one_to_reattach(harness: Harness) -> None:
    run_id = harness.stored_run()
    before = FakeRunner(Script(events=[started(), batch(1), finished()], hold=asyncio.Event(), hold_at=1))
    service = harness.service(before)
    await service.start()
    await until(lambda: harness.run(run_id).status == "running", "the run is running")
    await harness.stop(service)
    assert before.shut_down and harness.run(run_id).status == "running"

    after = FakeRunner()
    after.scripts[run_id] = Script(events=[batch(1), finished()], reattach=True)
    await harness.service(after).start()
    assert (await harness.settled(run_id)).status == "succeeded"
    assert after.reattached == [run_id] and after.events_after[run_id] == 1 and after.submit_calls == []
    assert harness.types(run_id) == ["queued", "started", "batch", "finished"]


async def test_restart_interrupts_a_run_whose_job_is_gone(harness: Harness) -> None:
    run_id = harness.stored_run(status="running", events=(started(),))
    runner = FakeRunner(Script(reattach=False))
    await harness.service(runner).start()

    run = await harness.settled(run_id)
    assert run.status == "interrupted"
    assert run.reason
    assert runner.reattached == [run_id] and runner.submit_calls == [] and run_id not in runner.events_after
    assert harness.types(run_id) == ["queued", "started", "finished"]


async def test_queued_runs_left_in_the_database_start_after_a_restart_in_order(harness: Harness) -> None:
    gone = harness.stored_run(status="running", events=(started(),))
    first, second = harness.stored_run(), harness.stored_run()
    runner = FakeRunner()
    await harness.service(runner, slots=1).start()

    assert (await harness.settled(first)).status == "succeeded"
    assert (await harness.settled(second)).status == "succeeded"
    assert (await harness.settled(gone)).status == "interrupted"
    assert runner.submit_calls == [first, second]
    assert harness.types(first) == harness.types(second) == ["queued", "started", "finished"]


# --- create, the queue, resume (the contract's async API) ----------------------------------------------------------


async def test_create_queues_a_run_that_runs_to_the_end(harness: Harness, tmp_path: Path) -> None:
    workflow = harness.labelled_workflow(tmp_path)
    runner = FakeRunner(Script(events=[started(), batch(1), finished()]))
    service = harness.service(runner)
    await service.start()

    run = await service.create(workflow, RunSettings(epochs=1))
    assert run.status == "queued" and run.workflow_id == workflow.id
    assert (await harness.settled(run.id)).status == "succeeded"
    assert runner.submitted == [run.id]
    assert harness.types(run.id) == ["queued", "started", "batch", "finished"]


async def test_create_refuses_a_workflow_with_errors_and_stores_nothing(harness: Harness, tmp_path: Path) -> None:
    workflow = harness.labelled_workflow(tmp_path, graph=chain(DATA, name="no model"))
    runner = FakeRunner()
    service = harness.service(runner)
    await service.start()

    with pytest.raises(InvalidWorkflow) as refused:
        await service.create(workflow, RunSettings(epochs=1))
    assert refused.value.issues
    assert runner.submit_calls == []
    with session_for(harness.engine) as session:
        assert session.exec(select(Run)).all() == []


async def test_runs_beyond_the_limit_wait_for_a_free_slot_first_in_first_out(harness: Harness, tmp_path: Path) -> None:
    workflow = harness.labelled_workflow(tmp_path)
    holds = [asyncio.Event() for _ in range(4)]
    runner = FakeRunner()
    service = harness.service(runner, slots=2)
    await service.start()

    runner.upcoming.extend(Script(hold=hold) for hold in holds)  # in the order they are submitted
    runs = [(await service.create(workflow, RunSettings(epochs=1))).id for _ in holds]
    await until(lambda: len(runner.running) == 2, "two runs hold the two slots")
    await asyncio.sleep(0.05)
    assert runner.submit_calls == runs[:2]
    assert [harness.run(run_id).status for run_id in runs[2:]] == ["queued", "queued"]

    holds[0].set()
    assert (await harness.settled(runs[0])).status == "succeeded"
    await until(lambda: runs[2] in runner.running, "the third run takes the freed slot")
    assert runner.submit_calls == runs[:3] and harness.run(runs[3]).status == "queued"
    holds[1].set()
    await until(lambda: runs[3] in runner.running, "the fourth run takes the next freed slot")
    assert runner.submit_calls == runs
    for hold in holds[2:]:
        hold.set()
    for run_id in runs:
        assert (await harness.settled(run_id)).status == "succeeded"
        assert harness.types(run_id) == ["queued", "started", "finished"]


async def test_resume_creates_a_new_linked_run_and_leaves_the_parent_as_it_was(
    harness: Harness, tmp_path: Path
) -> None:
    workflow = harness.labelled_workflow(tmp_path)
    runner = FakeRunner(Script(events=[started(), batch(1), finished("failed", "out of memory")]))
    service = harness.service(runner)
    await service.start()
    parent = await service.create(workflow, RunSettings(epochs=1))
    parent = await harness.settled(parent.id)
    assert parent.status == "failed"
    with pytest.raises(RunNotResumable):  # no checkpoint yet
        await service.resume(parent)
    last = harness.settings.runs_dir / parent.id / "weights" / "last.pt"
    last.parent.mkdir(parents=True, exist_ok=True)
    last.write_bytes(b"a checkpoint")
    parent_events = harness.types(parent.id)

    runner.default = Script()
    child = await service.resume(parent)
    assert child.id != parent.id and child.parent_run_id == parent.id
    child_spec = TrainingJobSpec.model_validate(child.spec)
    assert child_spec.resume_from == f"runs/{parent.id}/weights/last.pt"
    assert child_spec.run_id == child.id and child_spec.parent_run_id == parent.id
    assert (await harness.settled(child.id)).status == "succeeded"
    assert harness.types(child.id) == ["queued", "started", "finished"]

    unchanged = harness.run(parent.id)
    assert (unchanged.status, unchanged.reason, unchanged.spec) == ("failed", parent.reason, parent.spec)
    assert harness.types(parent.id) == parent_events
    with pytest.raises(RunNotResumable):  # a finished, successful run is not resumed
        await service.resume(harness.run(child.id))


# --- found in review: nothing starts while stopping, no cancel lost, no run left running ------------------------


async def test_stop_starts_no_queued_run_when_it_frees_a_slot(harness: Harness) -> None:
    runner = FakeRunner(Script(hold=asyncio.Event()))
    first, second = harness.stored_run(), harness.stored_run()
    service = harness.service(runner, slots=1)
    await service.start()
    await until(lambda: first in runner.running, "the first run holds the only slot")

    await harness.stop(service)
    await asyncio.sleep(0.05)
    assert runner.submit_calls == [first]  # the freed slot went to nobody: the server is stopping
    assert harness.run(first).status == "running" and harness.run(second).status == "queued"


async def test_a_cancel_while_the_queued_event_is_written_is_not_lost(harness: Harness, tmp_path: Path) -> None:
    runner = FakeRunner(Script(hold=asyncio.Event()))
    workflow = harness.labelled_workflow(tmp_path)
    service = harness.service(runner, slots=1)
    await service.start()
    append = service.store.append

    def slow(run_id: str, stored: WorkerEvent):  # the queued event takes a while to reach the database
        time.sleep(0.3)
        return append(run_id, stored)

    service.store.append = slow  # type: ignore[method-assign]
    creating = asyncio.ensure_future(service.create(workflow, RunSettings(epochs=1)))
    await until(lambda: bool(service._pending) or creating.done(), "the run joins the queue")
    run_id = service._pending[0] if service._pending else creating.result().id
    await service.cancel(run_id)
    service.store.append = append  # type: ignore[method-assign]
    await creating

    run = await harness.settled(run_id)
    assert run.status == "cancelled" and runner.submit_calls == []
    assert harness.types(run_id) == ["queued", "finished"]


async def test_a_job_whose_events_end_without_finished_fails_the_run(harness: Harness) -> None:
    runner = FakeRunner(Script(events=[started(), batch(1)]))
    run_id = harness.stored_run()
    await harness.service(runner).start()

    run = await harness.settled(run_id)
    assert run.status == "failed" and "without saying how the run ended" in run.reason
    assert harness.types(run_id) == ["queued", "started", "batch", "finished"]


async def test_a_broken_pump_fails_the_run_even_when_stopping_the_job_fails(harness: Harness) -> None:
    runner = FakeRunner(Script(events=[started(), finished()], raise_at=1, fail_cancel=OSError("no such process")))
    run_id = harness.stored_run()
    await harness.service(runner).start()

    run = await harness.settled(run_id)
    assert run.status == "failed" and "lost the worker" in run.reason
    assert runner.cancels_of(run_id) == 1
    assert harness.types(run_id) == ["queued", "started", "finished"]
