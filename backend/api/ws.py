"""`/ws/runs/{id}?after=SEQ`: the stored events after SEQ, then live ones, closing after `finished`.

The subscription starts before the replay, and events are forwarded strictly after the last seq sent,
so a client that reconnects gets exactly what it missed: nothing lost, nothing twice.
"""

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from backend.api.access import Access
from backend.events.bus import EventBus
from backend.events.models import Event
from backend.runs.service import RunService

FINAL_STATUSES = {"succeeded", "failed", "cancelled", "interrupted"}


@websocket("/ws/runs/{run_id:str}")
async def run_events_socket(
    socket: WebSocket, access: Access, runs: RunService, bus: EventBus, run_id: str, after: int = -1
) -> None:
    run = access.run(run_id)
    access.session.close()
    await socket.accept()
    live = bus.subscribe(run.id)
    last = after
    try:
        for event in runs.store.after(run.id, after):
            last = await _send(socket, event, last)
            if event.type == "finished" and event.seq >= run.last_seq:  # an earlier `finished` of a resumed run goes on
                return
        while True:
            event = await live.get()
            if event.seq <= last:
                continue
            if event.seq > last + 1:  # missed while replaying: fill the gap from the store
                for missed in runs.store.after(run.id, last):
                    if missed.seq < event.seq:
                        last = await _send(socket, missed, last)
            last = await _send(socket, event, last)
            if event.type == "finished":
                return
    except WebSocketDisconnect:
        pass
    finally:
        bus.unsubscribe(run.id, live)
        if socket.connection_state != "disconnect":
            await socket.close()


async def _send(socket: WebSocket, event: Event, last: int) -> int:
    await socket.send_json(event.model_dump(mode="json"))
    return event.seq
