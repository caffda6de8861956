"""Fan-out to many sockets holds: the bus encodes each event once for every subscriber, a client that stops reading
is dropped with a reason once it is past the bound (the server keeps nothing for it), the others still get every
event in order, and the dropped client reconnecting with `?after=` gets exactly what it missed.

The server is the real app served by uvicorn (in a thread: a subprocess would cost seconds to start); events are
stored and published the way the run service does it (store, then publish on the loop)."""

import asyncio
import base64
import contextlib
import json
import re
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
import websockets
from sqlalchemy import insert, update

from backend.app import create_app
from backend.db.models import Run, RunEvent
from backend.db.session import make_engine
from backend.events.bus import EventBus, TooSlow
from backend.events.models import Finished, Log, WorkerEvent, stored_event
from backend.settings import Settings
from tests.api.event_log import QUEUED_RUN, write_runs

MAX_BEHIND = 20
EVENTS = 100
# 6.4 MB in all: well past what the socket buffers between the server and a client that stops reading hold (~3 MB)
MESSAGE = "x" * 64_000
PUBLISH_EVERY_S = 0.005


def _event(run_id: str, seq: int) -> object:
    return stored_event(run_id, seq, WorkerEvent.of(Log(message=f"event {seq}"), 1.0))


async def test_the_bus_encodes_each_event_once_for_all_its_subscribers():
    bus = EventBus()
    first, second, other_run = bus.subscribe("a"), bus.subscribe("a"), bus.subscribe("b")
    event = _event("a", 0)
    bus.publish(event)
    got = await first.get()
    assert got is await second.get()  # the same encoded object, not one encoding per subscriber
    assert json.loads(got.text) == event.model_dump(mode="json") and (got.seq, got.type) == (0, "log")
    assert other_run.pending == 0


async def test_a_subscriber_past_its_bound_is_dropped_and_holds_nothing_while_the_others_get_everything():
    bus = EventBus(max_behind_events=3, max_behind_bytes=1_000_000)
    dropped_at: list[int] = []
    stalled = bus.subscribe("a", on_drop=lambda: dropped_at.append(stalled.latest_seq))
    reader = bus.subscribe("a")
    got = []
    for seq in range(10):
        bus.publish(_event("a", seq))
        got.append((await reader.get()).seq)
    assert got == list(range(10))
    assert stalled.dropped and stalled.pending == 0 and dropped_at == [3]  # the 4th event found it 3 behind
    with pytest.raises(TooSlow):
        await stalled.get()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server:
    """The app (accounts off, no run started) served by uvicorn in a thread, as `visionflow serve` serves it."""

    def __init__(self, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        write_runs(data_dir, long_run=False)  # the queued run: its log holds `queued` (seq 0)
        monkeypatch.setenv("VISIONFLOW_AUTH", "off")
        settings = Settings(data_dir=data_dir, max_concurrent_runs=0, ws_max_behind_events=MAX_BEHIND)
        app = create_app(settings)
        self.bus: EventBus = app.dependencies["bus"].dependency()
        self.engine = make_engine(settings.resolved_database_url)
        self.port = _free_port()
        self.url = f"ws://127.0.0.1:{self.port}/ws/runs/{QUEUED_RUN}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", ws="websockets")
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self.server.serve(),), daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)

    def store_and_publish(self, payloads: list[object]) -> None:
        """Store the events, then publish them on the server's loop one at a time, as the run service does with a
        worker's (stored in one transaction here: one commit each would take seconds)."""
        events = [WorkerEvent.of(payload, time.time()) for payload in payloads]
        stored = [stored_event(QUEUED_RUN, seq, event) for seq, event in enumerate(events, start=1)]
        rows = [
            {"run_id": QUEUED_RUN, "seq": e.seq, "type": e.type, "ts": e.ts, "data": w.data.model_dump(mode="json")}
            for e, w in zip(stored, events, strict=True)
        ]
        with self.engine.begin() as connection:
            connection.execute(insert(RunEvent), rows)
            connection.execute(update(Run).where(Run.id == QUEUED_RUN).values(last_seq=len(rows), status="succeeded"))

        async def publish_one_at_a_time() -> None:
            for event in stored:
                self.bus.publish(event)
                await asyncio.sleep(PUBLISH_EVERY_S)

        asyncio.run_coroutine_threadsafe(publish_one_at_a_time(), self.loop).result(30)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.engine.dispose()


def _stalled_client(port: int) -> socket.socket:
    """A WebSocket client that opens the socket (tiny receive buffer) and then stops reading."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: the window stays small
    raw.connect(("127.0.0.1", port))
    key = base64.b64encode(b"0123456789abcdef").decode()
    raw.sendall(
        f"GET /ws/runs/{QUEUED_RUN}?after=0 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += raw.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return raw


def _read_frames(raw: socket.socket) -> tuple[list[int], int, str]:
    """Read the server's (unmasked) frames to the close: the seqs of the events, the close code and reason."""
    stream = raw.makefile("rb")
    seqs = []
    while True:
        opcode, length = stream.read(2)
        length &= 0x7F
        if length >= 126:
            length = int.from_bytes(stream.read(2 if length == 126 else 8), "big")
        payload = stream.read(length)
        if opcode & 0x0F == 8:
            raw.sendall(bytes([0x88, 0x82, 0, 0, 0, 0]) + payload[:2])  # the closing handshake (mask of zeros)
            return seqs, int.from_bytes(payload[:2], "big"), payload[2:].decode()
        seqs.append(json.loads(payload)["seq"])


async def _read_all(url: str) -> tuple[list[int], int | None]:
    """Every seq until the server closes the socket, and the close code."""
    seqs = []
    async with websockets.connect(url, max_size=None) as client:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in client:
                seqs.append(json.loads(message)["seq"])
        return seqs, client.close_code


async def test_a_client_that_stops_reading_is_closed_with_the_reason_and_loses_nothing_on_reconnect(
    tmp_path, monkeypatch
):
    server = _Server(tmp_path / "data", monkeypatch)
    try:
        stalled = await asyncio.to_thread(_stalled_client, server.port)
        readers = [asyncio.create_task(_read_all(f"{server.url}?after=0")) for _ in range(2)]
        while server.bus.watching(QUEUED_RUN) < 3:  # every socket subscribed (the run is queued: nothing to replay)
            await asyncio.sleep(0.01)
        payloads = [Log(message=f"{index} {MESSAGE}") for index in range(EVENTS)]
        await asyncio.to_thread(server.store_and_publish, [*payloads, Finished(status="succeeded")])
        for seqs, code in await asyncio.gather(*readers):  # the others: every event, in order, then 1000
            assert seqs == list(range(1, EVENTS + 2)) and code == 1000
        got, code, reason = await asyncio.to_thread(_read_frames, stalled)  # reads again: what got through, the close
        stalled.close()
        assert code == 1013, (code, reason)
        too_slow = re.fullmatch(r"too slow: (\d+) events behind; reconnect with after=(\d+)", reason)
        assert too_slow, reason
        behind, after = int(too_slow[1]), int(too_slow[2])
        # `after`: the last send that completed; the one it was stopped in may have reached the client too
        assert behind > MAX_BEHIND and after in (got[-1], got[-1] - 1) and got == list(range(1, len(got) + 1))
        assert len(got) < EVENTS  # dropped well before the end
        missed, code = await _read_all(f"{server.url}?after={got[-1]}")
        assert missed == list(range(got[-1] + 1, EVENTS + 2)) and code == 1000  # exactly the rest
    finally:
        server.stop()
