"""In-process publish/subscribe of stored events, per run. Used on the event loop's thread only.

Hundreds of sockets may watch one live run, so publishing does as little per subscriber as it can: the event is
encoded to JSON once (`Encoded`, shared by every subscriber) and appended to each subscriber's own bounded queue;
nothing waits on any socket. A subscriber that falls further behind than its bound (a client that stopped reading)
is dropped: its queue is emptied, it takes no more events, and the next `get` raises `TooSlow` (its `on_drop`
callback runs at once, so a socket stuck in a send can be ended too). It loses nothing: the events are stored, and it
reconnects with `?after=` the last seq it got. Memory per subscriber is bounded in events and in bytes.

A subscriber's `get` returns None once the bus is closed (server shutdown) and its queue is empty, or at once when
it is `interrupt`ed (its client left): every WebSocket parked on a live run wakes and ends, so the server can stop."""

import asyncio
import logging
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from backend.events.models import Event

log = logging.getLogger(__name__)

MAX_BEHIND_EVENTS = 1000  # ~100 s of a busy run's events
MAX_BEHIND_BYTES = 4 * 1024 * 1024  # evaluations with a confusion matrix and previews run to tens of KB each


@dataclass(frozen=True, slots=True)
class Encoded:
    """One event as the JSON text every socket sends (the same object for all of them)."""

    seq: int
    type: str
    text: str


def encode(event: Event) -> Encoded:
    return Encoded(event.seq, event.type, event.model_dump_json())


class TooSlow(Exception):
    """The subscriber fell more than its bound behind and was dropped."""


class Subscription:
    def __init__(self, max_events: int, max_bytes: int, on_drop: Callable[[], None] | None = None) -> None:
        self.max_events, self.max_bytes = max_events, max_bytes
        self.on_drop = on_drop
        self.latest_seq = -1  # of the last event published to it, taken or not
        self.dropped = False
        self._pending: deque[Encoded] = deque()
        self._bytes = 0
        self._ended = False  # the bus closed: None once the queue is empty
        self._interrupted = False  # None at once
        self._waiter: asyncio.Future[None] | None = None

    def put(self, item: Encoded) -> None:
        self.latest_seq = item.seq
        if self.dropped:
            return
        full = len(self._pending) >= self.max_events or self._bytes + len(item.text) > self.max_bytes
        if self._pending and full:  # one event alone always fits, however large
            self.dropped = True
            self._pending.clear()
            self._bytes = 0
            if self._waiter is None and self.on_drop is not None:  # busy elsewhere (a send that may never end)
                self.on_drop()
        else:
            self._pending.append(item)
            self._bytes += len(item.text)
        self._wake()

    def end(self) -> None:
        self._ended = True
        self._wake()

    def interrupt(self) -> None:
        self._interrupted = True
        self._wake()

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def get(self) -> Encoded | None:
        """The next event (waiting for one); None when ended or interrupted. Raises `TooSlow` once dropped."""
        while not (self._pending or self._ended or self._interrupted or self.dropped):
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self.dropped:
            raise TooSlow(f"{self.latest_seq} published")
        if self._interrupted or not self._pending:
            return None
        item = self._pending.popleft()
        self._bytes -= len(item.text)
        return item

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class EventBus:
    def __init__(self, max_behind_events: int = MAX_BEHIND_EVENTS, max_behind_bytes: int = MAX_BEHIND_BYTES) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self._listeners: list[Callable[[Event], None]] = []
        self._closed = False
        self.max_behind_events, self.max_behind_bytes = max_behind_events, max_behind_bytes

    def subscribe(self, run_id: str, on_drop: Callable[[], None] | None = None) -> Subscription:
        subscription = Subscription(self.max_behind_events, self.max_behind_bytes, on_drop)
        if self._closed:
            subscription.end()
        else:
            self._subscribers[run_id].add(subscription)
        return subscription

    def unsubscribe(self, run_id: str, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(run_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[run_id]

    def watching(self, run_id: str) -> int:
        """How many subscribers the run has."""
        return len(self._subscribers.get(run_id, ()))

    def listen(self, listener: Callable[[Event], None]) -> None:
        """`listener(event)` for every event of every run published from now on (backend/notifications/ watches the
        `finished` ones). It is called on the loop, after the run's subscribers, and must return at once."""
        self._listeners.append(listener)

    def publish(self, event: Event) -> None:
        subscribers = self._subscribers.get(event.run_id)
        if subscribers:
            encoded = encode(event)  # once, however many watch
            for subscription in list(subscribers):  # an `on_drop` may unsubscribe
                subscription.put(encoded)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a listener's bug never stops the run's own events
                log.exception("event listener %r failed on %s of run %s", listener, event.type, event.run_id)

    def close(self) -> None:
        """End every subscriber (each gets `None` after what it holds), now and from now on. Idempotent."""
        self._closed = True
        for subscriptions in self._subscribers.values():
            for subscription in subscriptions:
                subscription.end()
