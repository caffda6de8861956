"""The run service's branches, driven by a scripted FakeRunner (tests/fakes/runner.py) on a real SQLite database,
EventStore and EventBus: a failed submit, a broken event pump, cancels before and during the start, the concurrency
limit, recovery after a restart, and resume as a new linked run. In every case the run's events keep a dense seq
and its row the status they explain. No worker process is started: the whole file runs in a few seconds."""

import asyncio
from pathlib import Path

import pytest
from sqlmodel import select

from backend.db.models import Run
from backend.db.session import session_for
from backend.graph.spec import RunSettings, TrainingJobSpec
from backend.runs.service import InvalidWorkflow, RunNotResumable
from tests.conftest import DATA, chain
from tests.fakes.runner import FakeRunner, Script, finished, started
from tests.fakes.service_harness import Harness, batch, until

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
