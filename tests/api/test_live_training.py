"""Real training through the API of a real server, watched over a real WebSocket (1 epoch, 32 px digits)."""

import asyncio
import json
import re

import httpx
import pytest
import websockets

pytestmark = pytest.mark.train


def demo(server) -> tuple[str, str]:
    project = next(p for p in httpx.get(f"{server.url}/api/projects").json() if "digits" in p["name"])
    workflow = httpx.get(f"{server.url}/api/projects/{project['id']}/workflows").json()[0]
    return project["id"], workflow["id"]


def start_run(server, **settings) -> str:
    _, workflow_id = demo(server)
    response = httpx.post(f"{server.url}/api/workflows/{workflow_id}/runs", json={"epochs": 1, "batch": 64, **settings})
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def read_events(server, run_id, after=-1, stop_after=None, until=None) -> list[dict]:
    """Events from the WebSocket until it closes (after `finished`), `stop_after` events, or `until(event)`."""
    events = []
    async with websockets.connect(f"{server.ws_url}/ws/runs/{run_id}?after={after}") as socket:
        async for message in socket:
            events.append(json.loads(message))
            if len(events) == stop_after or (until and until(events[-1])):
                break
    return events


def wait_for_status(server, run_id, statuses, timeout=60.0) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = httpx.get(f"{server.url}/api/runs/{run_id}").json()
        if run["status"] in statuses:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} never reached {statuses}: {run}")


async def read_in_two_connections(server, run_id) -> list[dict]:
    """The events of `run_id` read as a page that reconnects does: until the first batch, then `after` that."""
    first = await read_events(server, run_id, until=lambda e: e["type"] == "batch")
    return first + await read_events(server, run_id, after=first[-1]["seq"])


async def test_a_run_streams_in_order_and_a_reconnect_with_after_gets_exactly_the_missed_events(live_server):
    # One run, two watchers at once: one connection from start to end, and one that reconnects after a batch.
    run_id = start_run(live_server)
    events, combined = await asyncio.wait_for(
        asyncio.gather(read_events(live_server, run_id), read_in_two_connections(live_server, run_id)), 120
    )
    assert [e["seq"] for e in events] == list(range(len(events)))
    types = [e["type"] for e in events]
    assert types[0] == "queued" and "started" in types and types[-1] == "finished"
    assert types.index("started") < types.index("batch") < types.index("evaluation") < types.index("finished")
    started = next(e for e in events if e["type"] == "started")["data"]  # device "auto": the worker says what it chose
    assert started["device_reason"].startswith(("No CUDA GPU on this machine", "CUDA GPU found")), started
    assert events[-1]["data"]["status"] == "succeeded", events[-1]
    batch = next(e for e in events if e["type"] == "batch")["data"]
    assert batch["loss"] > 0 and batch["of"] >= 1 and batch["images_per_s"] > 0
    evaluation = next(e for e in events if e["type"] == "evaluation")["data"]
    assert evaluation["class_names"] == [str(d) for d in range(10)]
    assert sum(map(sum, evaluation["confusion_matrix"])) == sum(c["support"] for c in evaluation["per_class"]) > 0
    run = httpx.get(f"{live_server.url}/api/runs/{run_id}").json()
    assert run["status"] == "succeeded" and run["last_seq"] == events[-1]["seq"] and run["snapshot_hash"]
    assert httpx.get(f"{live_server.url}/api/runs/{run_id}/events").json() == events
    artifacts = {a["name"]: a for a in httpx.get(f"{live_server.url}/api/runs/{run_id}/artifacts").json()}
    assert {"best.pt", "last.pt"} <= set(artifacts)
    weights = httpx.get(live_server.url + artifacts["best.pt"]["url"])
    assert weights.status_code == 200 and len(weights.content) == artifacts["best.pt"]["bytes"]
    # a name a shell takes as it is: the workflow's name without spaces or commas, the run, the file
    assert re.fullmatch(
        rf'attachment; filename="[A-Za-z0-9._-]+-{run_id}-best\.pt"', weights.headers["content-disposition"]
    )
    assert httpx.get(f"{live_server.url}/api/runs/{run_id}/artifacts/..%2Fvisionflow.db").status_code == 404

    # The watcher that reconnected with `after` got exactly the events it missed: none lost, none twice.
    assert [e["seq"] for e in combined] == list(range(len(combined)))
    assert combined == httpx.get(f"{live_server.url}/api/runs/{run_id}/events").json()
    tail = httpx.get(f"{live_server.url}/api/runs/{run_id}/events", params={"after": combined[-3]["seq"]}).json()
    assert tail == combined[-2:]


async def test_cancel_a_running_job_and_a_queued_one(live_server):
    running = start_run(live_server, epochs=200)
    queued = start_run(live_server)  # the concurrency limit is 1: this one waits its turn
    await asyncio.wait_for(read_events(live_server, running, until=lambda e: e["type"] == "batch"), 120)
    assert httpx.get(f"{live_server.url}/api/runs/{queued}").json()["status"] == "queued"
    assert httpx.post(f"{live_server.url}/api/runs/{queued}/cancel").status_code == 202
    assert wait_for_status(live_server, queued, {"cancelled"})["reason"] == "Cancelled before it started."
    assert httpx.post(f"{live_server.url}/api/runs/{running}/cancel").status_code == 202
    run = wait_for_status(live_server, running, {"cancelled"}, timeout=20)
    again = httpx.post(f"{live_server.url}/api/runs/{running}/cancel")
    assert again.status_code == 202 and again.json()["status"] == "cancelled"
    events = httpx.get(f"{live_server.url}/api/runs/{running}/events").json()
    assert [e["type"] for e in events].count("finished") == 1 and run["finished_at"]
