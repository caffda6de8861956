"""The run queue: its rules (backend/runs/queue.py, pure) and the service acting on them on a real SQLite database
with a scripted runner: order, the global and per-project limits, a run whose project is full skipped (it keeps its
place), move to the front, and a restart starting queued runs in their stored order."""

import asyncio

import pytest
from sqlmodel import update

from backend.db.models import Project, Run
from backend.db.session import session_for
from backend.runs.queue import STARTING, QueuedRun, front_order, plan, waiting_reason
from backend.runs.service import NotWaiting
from tests.fakes.runner import FakeRunner, Script
from tests.fakes.service_harness import Harness, until


def waiting(*runs: tuple[int, str, str | None]) -> list[QueuedRun]:
    return [QueuedRun(order, run_id, project) for order, run_id, project in runs]


def test_runs_start_in_queue_order_and_the_rest_say_where_they_stand():
    queue = waiting((30, "c", "p"), (10, "a", "p"), (20, "b", "p"), (40, "d", "p"))
    decided = plan(queue, {}, limit=1)
    assert [run.run_id for run in decided.starts] == ["a"]
    assert {run_id: (place.position, place.reason) for run_id, place in decided.places.items()} == {
        "b": (1, "Waiting for a free slot: 1 run training, limit 1."),
        "c": (2, "1 run ahead; 1 run training, limit 1."),
        "d": (3, "2 runs ahead; 1 run training, limit 1."),
    }


def test_a_run_whose_project_is_at_its_limit_waits_while_a_later_run_of_another_project_starts():
    queue = waiting((1, "a2", "A"), (2, "b1", "B"), (3, "b2", "B"), (4, "c1", "C"))
    decided = plan(queue, {"a1": "A"}, limit=3, per_project=1)
    assert [run.run_id for run in decided.starts] == ["b1", "c1"]
    assert decided.places["a2"].position == 1
    assert decided.places["a2"].reason == (
        "Waiting for a free slot in its project: 1 run of this project training, limit 1 per project."
    )
    # a2 does not compete for the next global slot (its project is full): nobody is ahead of b2 for it
    assert decided.places["b2"].position == 2
    assert "in its project" in decided.places["b2"].reason
    full = plan(waiting((1, "a2", "A"), (2, "d1", "D")), {"a1": "A", "b1": "B"}, limit=2, per_project=1)
    assert full.starts == [] and full.places["d1"].reason == "Waiting for a free slot: 2 runs training, limit 2."


def test_no_run_starts_while_the_server_stops_and_a_run_that_fits_says_it_is_starting():
    decided = plan(waiting((1, "a", None)), {}, limit=1, may_start=False)
    assert decided.starts == [] and decided.places["a"].reason == STARTING


def test_a_run_the_runner_holds_gives_the_runners_reason_and_a_run_not_queued_none():
    place = plan(waiting((1, "a", None)), {"b": None}, limit=1).places["a"]
    assert waiting_reason(place, "queued", "") == place.reason
    assert waiting_reason(None, "queued", "Waiting for a GPU…") == "Waiting for a GPU…"
    assert waiting_reason(None, "queued", "") == STARTING
    assert waiting_reason(None, "running", "") is None


def test_move_to_front_gives_one_less_than_the_lowest_other_order():
    queue = waiting((5, "a", None), (9, "b", None), (12, "c", None))
    assert front_order(queue, "c") == 4
    assert front_order(queue, "a") is None  # first already
    with pytest.raises(KeyError):
        front_order(queue, "zzz")


def _in_project(harness: Harness, run_id: str, project: str) -> None:
    with session_for(harness.engine) as session:
        if session.get(Project, project) is None:
            session.add(Project(id=project, name=project))
        session.exec(update(Run).where(Run.id == run_id).values(project_id=project))
        session.commit()


async def test_a_moved_run_keeps_its_place_after_a_restart_and_queued_runs_start_in_stored_order(harness: Harness):
    first, second, third = (harness.stored_run() for _ in range(3))
    held = FakeRunner(Script(hold=asyncio.Event()))
    before = harness.service(held, slots=0)  # nothing starts: all three wait
    await before.start()
    assert [before.place_of(run_id).position for run_id in (first, second, third)] == [1, 2, 3]
    await before.move_to_front(third)
    assert [before.place_of(run_id).position for run_id in (third, first, second)] == [1, 2, 3]
    with pytest.raises(NotWaiting):
        await before.move_to_front("no-such-run")
    await harness.stop(before)

    after = harness.service(held, slots=1)
    await after.start()
    await until(lambda: held.submit_calls == [third], "the moved run starts first")
    assert after.place_of(first).reason == "Waiting for a free slot: 1 run training, limit 1."
    assert after.place_of(second).reason == "1 run ahead; 1 run training, limit 1."
    assert after.place_of(third) is None  # the runner has it: the runner's reason (tests/api/test_queue.py)
    with pytest.raises(NotWaiting):
        await after.move_to_front(third)  # it holds a slot now
    await after.cancel(first)
    assert (await harness.settled(first)).status == "cancelled" and after.place_of(second).position == 1
    await after.cancel(third)
    await until(lambda: held.submit_calls == [third, second], "the next run takes the freed slot")


async def test_the_service_skips_a_run_whose_project_is_full(harness: Harness):
    a1, a2, b1 = (harness.stored_run() for _ in range(3))
    for run_id, project in ((a1, "A"), (a2, "A"), (b1, "B")):
        _in_project(harness, run_id, project)
    harness.settings = harness.settings.model_copy(update={"max_concurrent_runs_per_project": 1})
    held = FakeRunner(Script(hold=asyncio.Event()))
    service = harness.service(held, slots=2)
    await service.start()
    await until(lambda: sorted(held.submit_calls) == sorted([a1, b1]), "one run of each project starts")
    assert service.place_of(a2).position == 1 and "in its project" in service.place_of(a2).reason
    await service.cancel(a1)
    await until(lambda: held.submit_calls[-1] == a2, "its project's slot frees and it starts")
