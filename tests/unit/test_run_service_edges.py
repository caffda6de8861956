"""Run service branches a review found unguarded: nothing starts while the service stops, a cancel that comes while
a run's `queued` event is being written is not lost, and a run never stays `running` when its job's events end
without `finished` or when stopping a broken job fails too. Same FakeRunner harness as test_run_service.py."""

import asyncio
import time
from pathlib import Path

from backend.events.models import WorkerEvent
from backend.graph.spec import RunSettings
from tests.fakes.runner import FakeRunner, Script, finished, started
from tests.fakes.service_harness import Harness, batch, until


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
    run_id = service._pending[0].run_id if service._pending else creating.result().id
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
