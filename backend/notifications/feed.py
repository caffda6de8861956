"""Run ends for the browsers that are open: each `/ws/notifications` socket holds one `Listener`, which gets the
ends of runs in projects its caller can see. Run ends are rare and small, so a listener keeps at most
`MAX_WAITING` of them (the oldest go first): a browser that stopped reading costs the server a few hundred bytes."""

import asyncio
from collections import deque
from collections.abc import Collection

from backend.accounts.caller import Caller

MAX_WAITING = 20


class Listener:
    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self._waiting: deque[str] = deque(maxlen=MAX_WAITING)
        self._ended = False
        self._waiter: asyncio.Future[None] | None = None

    def sees(self, project_id: str | None, members: Collection[str]) -> bool:
        """An administrator sees every run; anyone else the runs of projects they are a member of."""
        if self.caller.is_admin:
            return True
        return project_id is not None and self.caller.user_id in members

    def put(self, text: str) -> None:
        self._waiting.append(text)
        self._wake()

    def end(self) -> None:
        self._ended = True
        self._wake()

    async def get(self) -> str | None:
        """The next notice (waiting for one); None once the feed is closed or the listener ended."""
        while not (self._waiting or self._ended):
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return None if self._ended else self._waiting.popleft()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class RunEndFeed:
    """Used on the event loop's thread only."""

    def __init__(self) -> None:
        self._listeners: set[Listener] = set()
        self._closed = False

    def listen(self, caller: Caller) -> Listener:
        listener = Listener(caller)
        if self._closed:
            listener.end()
        else:
            self._listeners.add(listener)
        return listener

    def leave(self, listener: Listener) -> None:
        self._listeners.discard(listener)
        listener.end()

    def publish(self, text: str, project_id: str | None, members: Collection[str]) -> None:
        for listener in self._listeners:
            if listener.sees(project_id, members):
                listener.put(text)

    def close(self) -> None:
        """Server shutdown: every socket parked on the feed ends."""
        self._closed = True
        for listener in self._listeners:
            listener.end()
