"""The visible queue through real requests, accounts on: a queued run's position and why it waits (on the run, in the
runs list and in GET /api/queue), the runner's own reason for a run it holds, move to front (owners; a viewer 403),
cancel of a queued run, and 404 / 409 for runs that are missing or not waiting; a member row with a role the server
does not know shows nothing, as on every other route. The runner is scripted
(tests/fakes/runner.py): the first run says it waits for a GPU and holds its slot, so the others stay queued."""

import asyncio

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.db.models import ProjectMember
from backend.db.session import make_engine, session_for
from backend.events.models import Waiting
from tests.api.accounts import add_user, auth_settings
from tests.api.helpers import labelled_project
from tests.conftest import DATA, MODEL, chain
from tests.fakes.runner import FakeRunner, Script, event, finished, started

GPU = "Waiting for a GPU: the cluster has 0 free of 1."


async def until_reason(client: AsyncTestClient, run_id: str, reason: str) -> dict:
    for _ in range(500):
        run = (await client.get(f"/api/runs/{run_id}")).json()
        if run["waiting_reason"] == reason:
            return run
        await asyncio.sleep(0.01)
    raise AssertionError(f"run {run_id} never said {reason!r}: {run}")


@pytest.fixture
async def queue_app(tmp_path):
    settings = auth_settings(tmp_path / "data").model_copy(update={"max_concurrent_runs": 1})
    hold = asyncio.Event()
    runner = FakeRunner(Script(events=[event(Waiting(reason=GPU)), started(), finished()], hold=hold, hold_at=1))
    async with AsyncTestClient(app=create_app(settings, runner=runner)) as client:
        owner, viewer, stranger = (add_user(settings, name) for name in ("olive", "vera", "eve"))
        client.headers.update(owner.headers)
        project, _ = await labelled_project(client, per_class=2)
        added = await client.put(f"/api/projects/{project['id']}/members/{viewer.id}", json={"role": "viewer"})
        assert added.status_code == 200, added.text
        workflow = await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL)})
        runs = []
        for _ in range(3):
            started_run = await client.post(f"/api/workflows/{workflow.json()['id']}/runs", json={"epochs": 1})
            assert started_run.status_code == 202, started_run.text
            runs.append(started_run.json()["id"])
        yield client, project["id"], runs, viewer, stranger, settings
        hold.set()


async def test_queued_runs_show_their_place_move_to_the_front_and_cancel(queue_app):
    client, project, (first, second, third), viewer, stranger, settings = queue_app
    held = await until_reason(client, first, GPU)  # the runner has it: no place in the queue, the runner's reason
    assert (held["status"], held["queue_position"]) == ("queued", None)
    run = (await client.get(f"/api/runs/{second}")).json()
    assert (run["queue_position"], run["waiting_reason"]) == (1, "Waiting for a free slot: 1 run training, limit 1.")
    listed = {r["id"]: r for r in (await client.get(f"/api/projects/{project}/runs")).json()}
    assert (listed[third]["queue_position"], listed[third]["waiting_reason"]) == (
        2,
        "1 run ahead; 1 run training, limit 1.",
    )

    refused = await client.post(f"/api/runs/{third}/move-to-front", headers=viewer.headers)
    assert refused.status_code == 403, refused.text
    moved = await client.post(f"/api/runs/{third}/move-to-front")
    assert moved.status_code == 200 and moved.json()["queue_position"] == 1, moved.text
    queue = (await client.get("/api/queue")).json()
    assert [(r["id"], r["queue_position"]) for r in queue["runs"]] == [(first, None), (third, 1), (second, 2)]
    assert (queue["max_concurrent_runs"], queue["max_concurrent_runs_per_project"]) == (1, None)
    viewed = (await client.get(f"/api/queue?project_id={project}", headers=viewer.headers)).json()
    assert [r["id"] for r in viewed["runs"]] == [first, third, second]
    assert (await client.get("/api/queue", headers=stranger.headers)).json()["runs"] == []
    assert (await client.get(f"/api/queue?project_id={project}", headers=stranger.headers)).status_code == 404
    engine = make_engine(settings.resolved_database_url)
    with session_for(engine) as session:  # a role no version of the server gave: no role at all
        session.add(ProjectMember(project_id=project, user_id=stranger.id, role="ghost"))
        session.commit()
    engine.dispose()
    assert (await client.get("/api/queue", headers=stranger.headers)).json()["runs"] == []
    assert (await client.get(f"/api/queue?project_id={project}", headers=stranger.headers)).status_code == 404

    not_waiting = await client.post(f"/api/runs/{first}/move-to-front")
    assert not_waiting.status_code == 409 and "not waiting" in not_waiting.json()["detail"], not_waiting.text
    assert (await client.post("/api/runs/000000000000/move-to-front")).status_code == 404

    cancelled = await client.post(f"/api/runs/{third}/cancel")
    assert cancelled.status_code == 202, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["queue_position"]) == ("cancelled", None)
    assert cancelled.json()["waiting_reason"] is None
    run = (await client.get(f"/api/runs/{second}")).json()
    assert run["queue_position"] == 1
