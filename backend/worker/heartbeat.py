"""Worker heartbeats: how a runner tells a worker that is training from one that hangs (stopped, deadlocked, swapped
to death) without waiting for an event a long epoch may not produce.

The worker sends `{"heartbeat": ts}` on the channel its events use, from a daemon thread, every
`heartbeat_interval_s`; the thread only sleeps and sends, so it beats while the main thread is busy in torch. One lock
(`LockedSender`) serialises the beats with the events, so their bytes never interleave on the pipe. The runner counts
any message as a sign of life (`HeartbeatWatch`) and never stores a beat as an event (`is_heartbeat`). A worker silent
for `heartbeat_timeout_s` is stopped and its run fails with `no_heartbeat_reason`.

Light on purpose: the server imports it, and it imports nothing but the standard library.
"""

import threading
import time
from collections.abc import Callable

_PREFIX = '{"heartbeat":'


def heartbeat_message(ts: float) -> str:
    return f"{_PREFIX} {ts}}}"


def is_heartbeat(message: object) -> bool:
    return isinstance(message, str) and message.startswith(_PREFIX)


def no_heartbeat_reason(timeout_s: float) -> str:
    return f"The worker stopped responding (no heartbeat for {timeout_s:g} s); it was stopped."


class LockedSender:
    """`send` (one message) under a lock, for the threads that share one channel."""

    def __init__(self, send: Callable[[str], None]) -> None:
        self._send = send
        self.lock = threading.Lock()  # also held to close the channel

    def __call__(self, message: str) -> None:
        with self.lock:
            self._send(message)


class Heartbeat:
    """A daemon thread that sends a beat at once and then every `interval_s` until stopped or until a send fails
    (the server is gone: nobody is left to beat for)."""

    def __init__(self, send: Callable[[str], None], interval_s: float) -> None:
        self._send, self._interval_s = send, interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="heartbeat", daemon=True)

    def start(self) -> "Heartbeat":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()

    def _beat(self) -> None:
        while not self._stopped.is_set():
            try:
                self._send(heartbeat_message(time.time()))
            except (OSError, EOFError, ValueError):  # a closed or broken channel
                return
            self._stopped.wait(self._interval_s)


# A spawned worker starts beating only once Python is up and multiprocessing has imported the parent's main module
# (spawn), which on a loaded machine takes seconds: its first message may take this long (or the timeout, if longer).
FIRST_MESSAGE_ALLOWANCE_S = 30.0


class HeartbeatWatch:
    """The runner's side: when the worker was last heard from. Counting starts when the watch is made (at submit),
    so a worker that never says anything is caught too, after FIRST_MESSAGE_ALLOWANCE_S."""

    def __init__(self, timeout_s: float, first_message_allowance_s: float = FIRST_MESSAGE_ALLOWANCE_S) -> None:
        self.timeout_s = timeout_s
        self._allowed = max(timeout_s, first_message_allowance_s)  # until the first message
        self._last = time.monotonic()

    def beat(self) -> None:
        self._last = time.monotonic()
        self._allowed = self.timeout_s

    @property
    def allowed_s(self) -> float:
        """How long the worker may be silent now: the timeout, or the start's allowance before its first message."""
        return self._allowed

    def expired(self) -> bool:
        return time.monotonic() - self._last > self._allowed
