"""A restart with a runner whose jobs outlive the server (Ray's actors): a run still `queued` whose job the runner has
(it logged before `started`) holds a slot again and is pumped on, never submitted twice; a waiting run cancelled is
handed to the runner's `forget`; a runner that cannot tell says why the run was interrupted. FakeRunner, real SQLite."""

import asyncio

from backend.events.models import Log
from tests.fakes.runner import FakeRunner, Script, event, finished, started
from tests.fakes.service_harness import Harness, batch, until


async def test_a_queued_run_whose_job_runs_is_reattached_and_holds_its_slot(harness: Harness) -> None:
    materialising = harness.stored_run(events=(event(Log(message="copying images")),))
    behind = harness.stored_run()
    runner = FakeRunner()
    runner.scripts[materialising] = Script(events=[started(), batch(1), finished()], reattach=True)
    await harness.service(runner, slots=1).start()

    assert (await harness.settled(materialising)).status == "succeeded"
    assert (await harness.settled(behind)).status == "succeeded"
    assert runner.reattached == [materialising, behind]
    assert runner.events_after[materialising] == 1  # on from its last stored seq, not from the job's first event
    assert runner.submit_calls == [behind]  # the found job is not started again; the run behind it waited its turn
    assert harness.types(materialising) == ["queued", "log", "started", "batch", "finished"]


async def test_a_waiting_run_cancelled_after_a_restart_is_forgotten_by_the_runner(harness: Harness) -> None:
    training = harness.stored_run(status="running", events=(started(),))
    waiting = harness.stored_run()
    runner = FakeRunner()
    hold = asyncio.Event()  # it trains until the end of the test
    runner.scripts[training] = Script(events=[batch(1), finished()], reattach=True, hold=hold, hold_at=0)
    service = harness.service(runner, slots=1)
    await service.start()

    await service.cancel(waiting)
    await until(lambda: runner.forgotten == [waiting], "the runner is told to forget the run")
    assert harness.run(waiting).status == "cancelled" and runner.submit_calls == []
    hold.set()
    assert (await harness.settled(training)).status == "succeeded"


async def test_a_running_run_the_runner_cannot_find_is_interrupted_with_its_reason(harness: Harness) -> None:
    run_id = harness.stored_run(status="running", events=(started(),))
    runner = FakeRunner(Script(lost="The server restarted and could not reach this run's Ray actor: it was stopped."))
    await harness.service(runner).start()

    run = await harness.settled(run_id)
    assert run.status == "interrupted" and run.reason.endswith("it was stopped."), run.reason
    assert runner.submit_calls == [] and harness.types(run_id) == ["queued", "started", "finished"]
