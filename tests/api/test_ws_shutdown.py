"""Stopping the server ends every WebSocket: a page watching a queued run does not keep `visionflow serve` alive."""

import asyncio
import signal
import time

import pytest
import websockets

from backend.events.bus import EventBus
from backend.events.models import Finished, WorkerEvent, stored_event
from tests.api.event_log import QUEUED_RUN, write_runs
from tests.conftest import LiveServer


async def test_sigterm_stops_the_server_within_5_s_while_a_socket_waits_on_a_queued_run(tmp_path, monkeypatch):
    write_runs(tmp_path / "data", long_run=False)
    monkeypatch.setenv("VISIONFLOW_MAX_CONCURRENT_RUNS", "0")  # the queued run stays queued
    server = LiveServer(tmp_path / "data", seed_demo=False)
    try:
        async with websockets.connect(f"{server.ws_url}/ws/runs/{QUEUED_RUN}?after=-1") as socket:
            assert (await asyncio.wait_for(socket.recv(), 5)).find('"queued"') > 0
            with pytest.raises(TimeoutError):  # parked: the run has nothing more to say
                await asyncio.wait_for(socket.recv(), 0.5)
            started = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            while server.process.poll() is None and time.monotonic() - started < 5:
                await asyncio.sleep(0.05)
            assert server.process.poll() is not None, "the server was still running 5 s after SIGTERM"
    finally:
        server.stop()


async def test_closing_the_bus_ends_every_subscriber_and_later_ones():
    bus = EventBus()
    first, other = bus.subscribe("a"), bus.subscribe("b")
    bus.publish(stored_event("a", 0, WorkerEvent.of(Finished(status="succeeded"), 1.0)))
    bus.close()
    assert (await first.get()).seq == 0 and await first.get() is None and await other.get() is None
    assert await bus.subscribe("c").get() is None
