"""In-process publish/subscribe of stored events, per run. Used on the event loop's thread only.

A subscriber's queue yields events, then `None` once the bus is closed (server shutdown): every
WebSocket parked on a live run wakes and ends, so the server can stop at once."""

import asyncio
from collections import defaultdict

from backend.events.models import Event


class EventBus:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Event | None]]] = defaultdict(set)
        self._closed = False

    def subscribe(self, run_id: str) -> asyncio.Queue[Event | None]:
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        if self._closed:
            queue.put_nowait(None)
        else:
            self._subscribers[run_id].add(queue)
        return queue

    def unsubscribe(self, run_id: str, queue: asyncio.Queue[Event | None]) -> None:
        self._subscribers[run_id].discard(queue)
        if not self._subscribers[run_id]:
            del self._subscribers[run_id]

    def publish(self, event: Event) -> None:
        for queue in self._subscribers.get(event.run_id, ()):
            queue.put_nowait(event)

    def close(self) -> None:
        """End every subscriber (each gets `None`), now and from now on. Idempotent."""
        self._closed = True
        for queues in self._subscribers.values():
            for queue in queues:
                queue.put_nowait(None)
