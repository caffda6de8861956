"""`/ws/runs/{id}?after=SEQ`: the stored events after SEQ, then live ones, closing (1000) after `finished`.

The subscription starts before the replay, and events are forwarded strictly after the last seq sent,
so a client that reconnects gets exactly what it missed: nothing lost, nothing twice. The replay reads the
log a page at a time until it has caught up, however long the run. A socket asking for events after the
end of a finished run is closed at once. A socket also ends when its client leaves (quietly: leaving is
normal) and when the server shuts down (the bus closes: code 1001), so no handler outlives its server.

Live events come from the bus already encoded (once for every socket) and each socket sends from its own task, so
one slow client never holds up the others. One that falls more than the bus's bound behind (it stopped reading) is
closed with 1013 and the seq to reconnect after ("too slow: N events behind; reconnect with after=SEQ"), even when
its handler is stuck in a send: the server keeps nothing for it, and the reconnect loses nothing.
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
    WS_1013_TRY_AGAIN_LATER,
)
from sqlalchemy.orm import defer
from sqlmodel import select

from backend.api.access import Access
from backend.db.models import Run
from backend.events.bus import EventBus, Subscription, TooSlow
from backend.events.store import MAX_SEQ, PAGE
from backend.runs.service import RunService

FINAL_STATUSES = {"succeeded", "failed", "cancelled", "interrupted"}
GONE = (WebSocketDisconnect, OSError)  # OSError: the server's ClientDisconnected, a send to a closed connection


class _Ended(Exception):
    """The socket is done: close it with this code (or not at all when the client has already left)."""

    def __init__(self, code: int = WS_1000_NORMAL_CLOSURE, reason: str = "") -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


class _Sent:
    """The last seq sent on this socket, and the seq of the `finished` that ends it."""

    def __init__(self, after: int) -> None:
        self.last, self.end_at = after, MAX_SEQ
        self.sending = False  # awaiting a send (or a replay): where a dropped socket's handler is cancelled


@websocket("/ws/runs/{run_id:str}")
async def run_events_socket(
    socket: WebSocket, access: Access, runs: RunService, bus: EventBus, run_id: str, after: int = -1
) -> None:
    await asyncio.to_thread(_check, access, run_id)  # an unknown run is refused before the handshake
    await socket.accept()
    if not -1 <= after <= MAX_SEQ:
        await socket.close(WS_1008_POLICY_VIOLATION, f"after must be an event seq between -1 and {MAX_SEQ}")
        return
    handler, sent = asyncio.current_task(), _Sent(after)

    def stop_the_send() -> None:  # dropped while a send waits on a client that does not read: it may never end
        if sent.sending and handler is not None:
            handler.cancel()

    live = bus.subscribe(run_id, on_drop=stop_the_send)
    gone = asyncio.ensure_future(_until_client_leaves(socket, live))
    ending = _Ended(WS_1011_INTERNAL_ERROR, "the server could not read this run's events")  # unless it ends well
    try:
        status, last_seq = await asyncio.to_thread(_state, access, run_id)  # after subscribing: no `finished` slips by
        if status in FINAL_STATUSES and after >= last_seq:
            raise _Ended(reason="nothing after this seq: the run has finished")
        # Runs resumed in place by versions before 0.2 hold an earlier `finished`: only the one at the end closes.
        sent.end_at = last_seq
        sent.sending = True
        await _replay(socket, runs, run_id, sent)
        sent.sending = False
        if status in FINAL_STATUSES:  # a finished run has nothing more to say, even without its `finished`
            raise _Ended()
        while True:
            item = await live.get()
            if item is None:
                if gone.done():
                    raise WebSocketDisconnect(detail="the client left")
                raise _Ended(WS_1001_GOING_AWAY, "the server is shutting down")
            if item.seq <= sent.last:
                continue
            sent.sending = True
            if item.seq > sent.last + 1:  # published while the replay read the store: fill the gap from there
                await _replay(socket, runs, run_id, sent, until=item.seq)
            await socket.send_text(item.text)
            sent.sending = False
            _sent(sent, item.seq, item.type)
    except _Ended as ended:
        ending = ended
    except TooSlow:
        ending = _too_slow(live, sent)
    except asyncio.CancelledError:
        if not (live.dropped and handler and handler.uncancel() == 0):  # a cancel of ours, not the server's
            raise
        ending = _too_slow(live, sent)
    except GONE:
        ending = _Ended(code=0)
    finally:
        gone.cancel()
        bus.unsubscribe(run_id, live)
        if ending.code and socket.connection_state != "disconnect":
            with contextlib.suppress(*GONE):
                await socket.close(ending.code, ending.reason)


def _check(access: Access, run_id: str) -> None:
    """The caller may watch the run. The row is loaded without its spec first, so the check finds it loaded: a socket
    never parses a spec (megabytes for a 15,000-image run) nor keeps one while it stays open."""
    access.session.exec(select(Run).options(defer(Run.spec)).where(Run.id == run_id)).first()
    access.run(run_id)
    access.session.close()


def _state(access: Access, run_id: str) -> tuple[str, int]:
    """The run's status and last seq, read now."""
    try:
        status, last_seq = access.session.exec(select(Run.status, Run.last_seq).where(Run.id == run_id)).one()
        return status, last_seq
    finally:
        access.session.close()


def _too_slow(live: Subscription, sent: _Sent) -> _Ended:
    behind = max(live.latest_seq - sent.last, live.pending)
    return _Ended(WS_1013_TRY_AGAIN_LATER, f"too slow: {behind} events behind; reconnect with after={sent.last}")


async def _replay(socket: WebSocket, runs: RunService, run_id: str, sent: _Sent, until: int | None = None) -> None:
    """Send the stored events after the last sent (and before `until`), a page at a time."""
    while True:
        page = await asyncio.to_thread(runs.store.after, run_id, sent.last, PAGE)
        for event in page:
            if until is not None and event.seq >= until:
                return
            await socket.send_text(event.model_dump_json())
            _sent(sent, event.seq, event.type)
        if len(page) < PAGE:
            return


def _sent(sent: _Sent, seq: int, kind: str) -> None:
    """Note one event sent; a `finished` at or after `end_at` (the run's last seq when the socket opened) ends it."""
    sent.last = seq
    if kind == "finished" and seq >= sent.end_at:
        raise _Ended()


async def _until_client_leaves(socket: WebSocket, live: Subscription) -> None:
    """Read (and ignore) what the client sends, until it disconnects; then wake the handler if it waits."""
    with contextlib.suppress(*GONE):
        while (await socket.receive())["type"] != "websocket.disconnect":
            pass
    live.interrupt()
