"""The event log of a long run, read back: the WebSocket replays all of it (not the first 10,000) and closes,
`/events` pages through it, artifacts and checkpoints come from the run's projections, and bad `after`
values are a clear refusal. Against a real `visionflow serve` (tests/api/event_log.py writes the runs)."""

import asyncio

import httpx
import pytest
import websockets

from tests.api.event_log import LONG_RUN, LONG_RUN_EVENTS, OLD_RESUMED_RUN, QUEUED_RUN, read_socket, write_runs
from tests.conftest import LiveServer

TOO_BIG = "99999999999999999999"  # past 64 bits


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("event-log") / "data"
    write_runs(data_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VISIONFLOW_MAX_CONCURRENT_RUNS", "0")  # the queued run stays queued
        server = LiveServer(data_dir, seed_demo=False)
    yield server
    server.stop()


async def test_a_finished_run_of_12022_events_replays_them_all_in_order_then_closes(server):
    events, code, _ = await read_socket(f"{server.ws_url}/ws/runs/{LONG_RUN}?after=-1", timeout=60)
    assert [e["seq"] for e in events] == list(range(LONG_RUN_EVENTS))
    assert events[-1]["type"] == "finished" and events[-1]["data"]["status"] == "succeeded"
    assert code == 1000


async def test_replay_from_the_middle_of_a_long_run_reaches_the_end(server):
    events, code, _ = await read_socket(f"{server.ws_url}/ws/runs/{LONG_RUN}?after=10500", timeout=60)
    assert [e["seq"] for e in events] == list(range(10501, LONG_RUN_EVENTS)) and code == 1000


async def test_after_at_or_past_the_end_of_a_finished_run_closes_at_once(server):
    for after in (LONG_RUN_EVENTS - 1, LONG_RUN_EVENTS + 50):
        events, code, _ = await read_socket(f"{server.ws_url}/ws/runs/{LONG_RUN}?after={after}", timeout=5)
        assert (events, code) == ([], 1000)


def test_events_come_a_page_of_1000_at_a_time_and_paging_reaches_the_end(server):
    url = f"{server.url}/api/runs/{LONG_RUN}/events"
    assert len(httpx.get(url).json()) == 1000
    seqs, after = [], -1
    while page := httpx.get(url, params={"after": after}).json():
        seqs += [e["seq"] for e in page]
        after = page[-1]["seq"]
    assert seqs == list(range(LONG_RUN_EVENTS))
    assert [e["seq"] for e in httpx.get(url, params={"after": 12_000, "limit": 5}).json()] == list(
        range(12_001, 12_006)
    )
    assert httpx.get(url, params={"limit": 1001}).status_code == 400


def test_artifacts_checkpoints_and_final_metrics_come_from_the_run_not_a_scan_of_the_log(server):
    artifacts = httpx.get(f"{server.url}/api/runs/{LONG_RUN}/artifacts").json()
    assert [(a["name"], a["url"]) for a in artifacts] == [("best.pt", f"/api/runs/{LONG_RUN}/artifacts/best.pt")]
    checkpoints = httpx.get(f"{server.url}/api/runs/{LONG_RUN}/checkpoints").json()
    assert [(c["kind"], c["seq"]) for c in checkpoints] == [("last", LONG_RUN_EVENTS - 3)]
    run = httpx.get(f"{server.url}/api/runs/{LONG_RUN}").json()
    assert run["status"] == "succeeded" and run["metrics"]["accuracy"] == 0.9


def test_an_after_or_limit_past_64_bits_is_a_400_naming_the_parameter(server):
    for parameter in ("after", "limit"):
        response = httpx.get(f"{server.url}/api/runs/{LONG_RUN}/events?{parameter}={TOO_BIG}")
        assert response.status_code == 400, response.text
        assert parameter in response.text
    assert httpx.get(f"{server.url}/api/runs/{LONG_RUN}/events?after=-2").status_code == 400


async def test_a_socket_with_an_after_past_64_bits_is_closed_with_1008_and_a_reason(server):
    for run_id in (LONG_RUN, QUEUED_RUN):
        events, code, reason = await read_socket(f"{server.ws_url}/ws/runs/{run_id}?after={TOO_BIG}", timeout=5)
        assert (events, code) == ([], 1008) and "after" in reason


async def test_a_client_leaving_mid_replay_ends_the_socket_quietly(server):
    async with websockets.connect(f"{server.ws_url}/ws/runs/{LONG_RUN}?after=-1", close_timeout=1) as socket:
        for _ in range(50):
            await socket.recv()
    for _ in range(3):  # a browser tab closed without a goodbye
        socket = await websockets.connect(f"{server.ws_url}/ws/runs/{LONG_RUN}?after=-1")
        await socket.recv()
        socket.transport.abort()
    await asyncio.sleep(1.5)
    events, code, _ = await read_socket(f"{server.ws_url}/ws/runs/{LONG_RUN}?after={LONG_RUN_EVENTS - 2}", timeout=5)
    assert [e["type"] for e in events] == ["finished"] and code == 1000  # the server is fine
    log = (server.data_dir / "server.log").read_text()
    assert "Traceback" not in log and "ClientDisconnected" not in log, log[-3000:]


async def test_a_run_resumed_in_place_by_an_older_version_replays_past_its_first_finished(server):
    events, code, _ = await read_socket(f"{server.ws_url}/ws/runs/{OLD_RESUMED_RUN}?after=-1", timeout=30)
    assert [e["seq"] for e in events] == list(range(7)) and code == 1000
    assert [e["data"]["status"] for e in events if e["type"] == "finished"] == ["interrupted", "succeeded"]


def test_a_stored_event_this_version_cannot_read_comes_back_as_a_warning_in_its_place(server):
    response = httpx.get(f"{server.url}/api/runs/{OLD_RESUMED_RUN}/events", timeout=30)
    assert response.status_code == 200, response.text
    events = response.json()
    assert [e["seq"] for e in events] == list(range(7))
    assert events[2]["type"] == "log" and events[2]["data"]["level"] == "warning"
    assert "'log' event stored by another version" in events[2]["data"]["message"]
