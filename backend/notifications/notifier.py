"""The webhook sender and the browsers' feed, hung off the event bus: on a `finished` event it writes what is owed
(on a worker thread) and wakes one sender task, which starts each due delivery as a task of its own and records
what came back. Nothing here runs on the run's path: the bus calls `_on_event`, which only schedules work. At most
`records.DUE_BATCH` attempts are under way at once, one per project, and each whole attempt (lookup, connecting,
sending, reading the answer) ends within `webhook_timeout_s`: a receiver that hangs or trickles its answer a byte
at a time costs its own project one attempt's timeout, never another project's deliveries, nor the loop.

Each attempt: the URL is checked again, the name resolved and every address checked (docs/security.md), then the
stored body is POSTed to that address with a fresh timestamp and signature; redirects are not followed, no proxy
from the environment is used, and at most a short excerpt of the answer is read. A 2xx is delivered; anything else
is tried again later, 1×, 3×, 9×… `webhook_retry_first_s` apart, up to `webhook_attempts` tries; a URL or address
that is refused is given up at once (retrying cannot help)."""

import asyncio
import contextlib
import logging
import time

import httpx
from sqlalchemy import Engine

from backend.events.bus import EventBus
from backend.events.models import Event
from backend.notifications import records
from backend.notifications.feed import RunEndFeed
from backend.notifications.signing import signed_headers
from backend.notifications.urls import Refused, check_url, resolve
from backend.settings import Settings

log = logging.getLogger(__name__)

IDLE_CHECK_S = 60.0  # the sender looks at the table at least this often, even when nobody wakes it
READ_AT_MOST = 4096  # bytes of an answer read before the connection is dropped
RETRY_FACTOR = 3


class Notifier:
    def __init__(self, engine: Engine, settings: Settings, bus: EventBus) -> None:
        self.engine, self.settings = engine, settings
        self.feed = RunEndFeed()
        self._wake = asyncio.Event()
        self._sender: asyncio.Task[None] | None = None
        self._sending: dict[asyncio.Task[None], str] = {}  # attempts under way → their project
        self._recording: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        bus.listen(self._on_event)

    # --- lifecycle ---------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Before the run service starts (its restart recovery publishes `finished` events)."""
        self._wake = asyncio.Event()  # of this loop (an app may be started again, in another loop)
        timeout = self.settings.webhook_timeout_s
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)), follow_redirects=False, trust_env=False
        )
        await asyncio.to_thread(records.catch_up, self.engine, self.settings.public_url)
        self._sender = asyncio.get_running_loop().create_task(self._send_forever())

    async def stop(self) -> None:
        """What is being recorded is let finish (a run's end is acknowledged once its delivery is written); the
        sender stops at once: an attempt cut short is sent again by the next start."""
        if self._recording:
            await asyncio.wait(set(self._recording), timeout=5)
        for task in [*([self._sender] if self._sender else []), *self._sending]:  # the sender first: it starts none
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()

    def wake(self) -> None:
        self._wake.set()

    # --- run ends (from the bus, on the loop) ------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.type != "finished":
            return
        task = asyncio.get_running_loop().create_task(self._run_ended(event.run_id))
        self._recording.add(task)
        task.add_done_callback(self._recording.discard)

    async def _run_ended(self, run_id: str) -> None:
        try:
            end, owed = await asyncio.to_thread(records.record_run_end, self.engine, run_id, self.settings.public_url)
        except Exception:  # the start-up catch-up owes it next time
            log.exception("recording the end of run %s for its notifications failed", run_id)
            return
        if end is not None:
            self.feed.publish(end.notice, end.project_id, end.members)
        if owed:
            self._wake.set()

    # --- sending -----------------------------------------------------------------------------------------------

    async def _send_forever(self) -> None:
        while True:
            self._wake.clear()  # before looking: a wake while we look (an attempt that ended) is not lost
            later = None
            free = records.DUE_BATCH - len(self._sending)
            if free > 0:
                busy = frozenset(self._sending.values())
                try:
                    batch, later = await asyncio.to_thread(records.due, self.engine, time.time(), busy, free)
                except Exception:  # the database went away for a moment: look again later
                    log.exception("webhook deliveries could not be read")
                    batch = []
                for item in batch:
                    self._start_attempt(item)
            wait = IDLE_CHECK_S if later is None else min(IDLE_CHECK_S, max(0.0, later - time.time()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    def _start_attempt(self, item: records.Due) -> None:
        task = asyncio.get_running_loop().create_task(self._attempt(item))
        self._sending[task] = item.project_id
        task.add_done_callback(self._attempt_ended)

    def _attempt_ended(self, task: asyncio.Task[None]) -> None:
        self._sending.pop(task, None)
        self._wake.set()  # a slot is free, and the project's next delivery may go

    async def _attempt(self, item: records.Due) -> None:
        try:
            outcome = await self._post(item)
        except Exception as error:  # a URL no check foresaw (a name IDNA cannot encode…): retrying will not help
            log.exception("webhook delivery %s could not be sent", item.id)
            outcome = (False, None, f"The URL cannot be sent to: {type(error).__name__}: {error}"[:500], "", True)
        delivered, http_status, error, excerpt, permanent = outcome
        attempts = item.attempts + 1
        retry_after = None
        if not delivered and not permanent and attempts < self.settings.webhook_attempts:
            retry_after = self.settings.webhook_retry_first_s * RETRY_FACTOR ** (attempts - 1)
        try:
            await asyncio.to_thread(
                records.save_attempt,
                self.engine,
                item.id,
                delivered=delivered,
                retry_after_s=retry_after,
                http_status=http_status,
                error=error,
                excerpt=excerpt,
            )
        except Exception:  # the database went away for a moment: the delivery stays due, tried again
            log.exception("the attempt at webhook delivery %s could not be recorded", item.id)

    async def _post(self, item: records.Due) -> tuple[bool, int | None, str, str, bool]:
        """(delivered, HTTP status, error, answer excerpt, permanent: retrying cannot help)."""
        if item.url is None:
            return False, None, "The project's webhook was removed or turned off.", "", True
        allow_private, timeout = self.settings.webhook_allow_private, self.settings.webhook_timeout_s
        deadline = asyncio.get_running_loop().time() + timeout  # of the whole attempt, lookup included
        try:
            parts = check_url(item.url, allow_private)
            address = await resolve(parts, allow_private, within_s=timeout)
        except Refused as refused:
            return False, None, str(refused), "", True
        except OSError as error:
            return False, None, f"{parts.hostname} could not be resolved: {error}", "", False
        body = item.body.encode()
        headers = signed_headers(item.secret, body, int(time.time()), item.id, item.event)
        headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
        target = httpx.URL(item.url).copy_with(host=address)  # the address just checked: no second lookup
        extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
        assert self._client is not None
        try:
            async with asyncio.timeout_at(deadline):  # httpx's timeouts bound each read, not the whole answer
                async with self._client.stream(
                    "POST", target, content=body, headers=headers, extensions=extensions
                ) as r:
                    excerpt = await _excerpt(r)
                    status = r.status_code
        except (TimeoutError, httpx.TimeoutException):
            return False, None, f"No complete answer within {timeout:g} s.", "", False
        except httpx.HTTPError as error:
            return False, None, f"{type(error).__name__}: {error}"[:500], "", False
        if 200 <= status < 300:
            return True, status, "", excerpt, False
        if 300 <= status < 400:
            where = r.headers.get("location", "")[:200]
            return False, status, f"HTTP {status}: redirects are not followed (to {where!r}).", excerpt, False
        return False, status, f"HTTP {status}", excerpt, False


async def _excerpt(response: httpx.Response) -> str:
    """The start of the answer, as text a person can read in the deliveries list; the rest is never read."""
    read = b""
    async for chunk in response.aiter_bytes():
        read += chunk
        if len(read) >= READ_AT_MOST:
            break
    text = read[:READ_AT_MOST].decode("utf-8", errors="replace")
    return "".join(ch if ch.isprintable() or ch == " " else " " for ch in text)[: records.EXCERPT_CHARS].strip()
