"""In-process publish/subscribe of stored events, per run. Used on the event loop's thread only."""

import asyncio
from collections import defaultdict

from backend.events.models import Event


class EventBus:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)

    def subscribe(self, run_id: str) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._subscribers[run_id].add(queue)
        return queue

    def unsubscribe(self, run_id: str, queue: asyncio.Queue[Event]) -> None:
        self._subscribers[run_id].discard(queue)
        if not self._subscribers[run_id]:
            del self._subscribers[run_id]

    def publish(self, event: Event) -> None:
        for queue in self._subscribers.get(event.run_id, ()):
            queue.put_nowait(event)
