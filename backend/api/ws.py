"""`/ws/runs/{id}?after=SEQ`: the stored events after SEQ, then live ones, closing (1000) after `finished`.

The subscription starts before the replay, and events are forwarded strictly after the last seq sent,
so a client that reconnects gets exactly what it missed: nothing lost, nothing twice. The replay reads the
log a page at a time until it has caught up, however long the run. A socket asking for events after the
end of a finished run is closed at once. A socket also ends when its client leaves (quietly: leaving is
normal) and when the server shuts down (the bus closes: code 1001), so no handler outlives its server.
"""

import asyncio
import contextlib

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.status_codes import (
    WS_1000_NORMAL_CLOSURE,
    WS_1001_GOING_AWAY,
    WS_1008_POLICY_VIOLATION,
    WS_1011_INTERNAL_ERROR,
)

from backend.api.access import Access
from backend.db.models import Run
from backend.events.bus import EventBus
from backend.events.models import Event
from backend.events.store import MAX_SEQ, PAGE
from backend.runs.service import RunService

FINAL_STATUSES = {"succeeded", "failed", "cancelled", "interrupted"}
GONE = (WebSocketDisconnect, OSError)  # OSError: the server's ClientDisconnected, a send to a closed connection


class _Ended(Exception):
    """The socket is done: close it with this code (or not at all when the client has already left)."""

    def __init__(self, code: int = WS_1000_NORMAL_CLOSURE, reason: str = "") -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@websocket("/ws/runs/{run_id:str}")
async def run_events_socket(
    socket: WebSocket, access: Access, runs: RunService, bus: EventBus, run_id: str, after: int = -1
) -> None:
    await asyncio.to_thread(access.run, run_id)  # an unknown run is refused before the handshake
    await socket.accept()
    if not -1 <= after <= MAX_SEQ:
        await socket.close(WS_1008_POLICY_VIOLATION, f"after must be an event seq between -1 and {MAX_SEQ}")
        return
    live = bus.subscribe(run_id)
    gone = asyncio.ensure_future(_until_client_leaves(socket))
    ending = _Ended(WS_1011_INTERNAL_ERROR, "the server could not read this run's events")  # unless it ends well
    try:
        run: Run = await asyncio.to_thread(access.run, run_id)  # read after subscribing: no `finished` slips by
        access.session.close()
        if run.status in FINAL_STATUSES and after >= run.last_seq:
            raise _Ended(reason="nothing after this seq: the run has finished")
        # Runs resumed in place by versions before 0.2 hold an earlier `finished`: only the one at the end closes.
        end_at = run.last_seq
        last = await _replay(socket, runs, run_id, after, end_at)
        if run.status in FINAL_STATUSES:  # a finished run has nothing more to say, even without its `finished`
            raise _Ended()
        while True:
            event = await _next_live(live, gone)
            if event.seq <= last:
                continue
            if event.seq > last + 1:  # published while the replay read the store: fill the gap from there
                last = await _replay(socket, runs, run_id, last, end_at, until=event.seq)
            last = await _send(socket, event, end_at)
    except _Ended as ended:
        ending = ended
    except GONE:
        ending = _Ended(code=0)
    finally:
        gone.cancel()
        bus.unsubscribe(run_id, live)
        if ending.code and socket.connection_state != "disconnect":
            with contextlib.suppress(*GONE):
                await socket.close(ending.code, ending.reason)


async def _replay(
    socket: WebSocket, runs: RunService, run_id: str, after: int, end_at: int, until: int | None = None
) -> int:
    """Send the stored events after `after` (and before `until`), a page at a time; the last seq sent."""
    last = after
    while True:
        page = await asyncio.to_thread(runs.store.after, run_id, last, PAGE)
        for event in page:
            if until is not None and event.seq >= until:
                return last
            last = await _send(socket, event, end_at)
        if len(page) < PAGE:
            return last


async def _send(socket: WebSocket, event: Event, end_at: int) -> int:
    """Send one event; a `finished` at or after `end_at` (the run's last seq when the socket opened) ends the socket."""
    await socket.send_json(event.model_dump(mode="json"))
    if event.type == "finished" and event.seq >= end_at:
        raise _Ended()
    return event.seq


async def _next_live(live: asyncio.Queue[Event | None], gone: asyncio.Future[None]) -> Event:
    getter = asyncio.ensure_future(live.get())
    await asyncio.wait({getter, gone}, return_when=asyncio.FIRST_COMPLETED)
    if not getter.done():
        getter.cancel()
        raise WebSocketDisconnect(detail="the client left")
    event = getter.result()
    if event is None:
        raise _Ended(WS_1001_GOING_AWAY, "the server is shutting down")
    return event


async def _until_client_leaves(socket: WebSocket) -> None:
    """Read (and ignore) what the client sends, until it disconnects."""
    with contextlib.suppress(*GONE):
        while (await socket.receive())["type"] != "websocket.disconnect":
            pass
