"""A JobRunner with no processes: each run follows a script, so tests of the run service can reach the branches a
real worker seldom shows (a submit that fails, an event stream that breaks, a cancel that lands mid-start, a
restart that finds the job alive or gone) in milliseconds. The real local runner keeps its own tests."""

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from backend.events.models import Finished, Started, WorkerEvent
from backend.graph.spec import TrainingJobSpec
from backend.runners.base import JobHandle, JobLost


def event(payload: object) -> WorkerEvent:
    return WorkerEvent.of(payload, time.time())


def started() -> WorkerEvent:
    return event(Started(device="cpu", epochs=1, train_images=4, val_images=2, class_names=["blue", "red"]))


def finished(status: str = "succeeded", reason: str = "") -> WorkerEvent:
    return event(Finished(status=status, reason=reason))


@dataclass
class Script:
    """What one run's job does. The events are emitted in order; with `hold`, the job pauses before
    `events[hold_at]` until `hold` is set (a long training) or the run is cancelled (it then ends with
    finished(cancelled)). `submit_gate` keeps submit() waiting until it is set (a slow start); `fail_submit`
    is raised by submit(); `raise_at` raises `error` from the stream before `events[raise_at]`; `fail_cancel` is
    raised by cancel(). `reattach` is what reattach() answers after a restart (`lost`: it raises JobLost with that
    reason instead); a reattached job's `events` are what it emits after what the server already holds (the fake
    records `after` in `events_after` rather than skipping by it)."""

    events: list[WorkerEvent] = field(default_factory=lambda: [started(), finished()])
    hold: asyncio.Event | None = None
    hold_at: int = 1
    submit_gate: asyncio.Event | None = None
    fail_submit: Exception | None = None
    raise_at: int | None = None
    error: Exception = field(default_factory=lambda: ConnectionResetError("the pipe to the worker broke"))
    reattach: bool = False
    lost: str = ""
    fail_cancel: Exception | None = None  # raised by cancel() (after it is recorded)


class FakeRunner:
    """Each run follows `scripts[run_id]`; a run without one takes the next of `upcoming` when it is submitted (for
    runs whose id a test learns too late), else `default`. Every call is recorded for the tests to check."""

    def __init__(self, default: Script | None = None) -> None:
        self.default = default or Script()
        self.scripts: dict[str, Script] = {}
        self.upcoming: deque[Script] = deque()
        self.submit_calls: list[str] = []  # run ids, when submit() was entered
        self.submitted: list[str] = []  # run ids whose submit() returned a handle
        self.cancels: list[tuple[str, float]] = []  # (run id, grace_s)
        self.reattached: list[str] = []  # run ids offered to reattach()
        self.forgotten: list[str] = []  # run ids handed to forget()
        self.events_after: dict[str, int] = {}  # run id → `after` of its latest events() call
        self.running: set[str] = set()  # run ids whose event stream is open now
        self.shut_down = False
        self._cancelled: dict[str, asyncio.Event] = {}

    def script_for(self, run_id: str) -> Script:
        return self.scripts.get(run_id, self.default)

    async def submit(self, run_id: str, spec: TrainingJobSpec) -> JobHandle:
        assert isinstance(spec, TrainingJobSpec), "the service hands the runner a parsed spec"
        self.submit_calls.append(run_id)
        if run_id not in self.scripts and self.upcoming:
            self.scripts[run_id] = self.upcoming.popleft()
        script = self.script_for(run_id)
        if script.submit_gate is not None:
            await script.submit_gate.wait()
        if script.fail_submit is not None:
            raise script.fail_submit
        self.submitted.append(run_id)
        return JobHandle(run_id=run_id)

    async def events(self, handle: JobHandle, after: int = -1) -> AsyncIterator[WorkerEvent]:
        script = self.script_for(handle.run_id)
        cancelled = self._cancelled.setdefault(handle.run_id, asyncio.Event())
        self.events_after[handle.run_id] = after
        self.running.add(handle.run_id)
        try:
            for index, worker_event in enumerate(script.events):
                if script.hold is not None and index == script.hold_at:
                    await _first_of(script.hold, cancelled)
                if cancelled.is_set():
                    yield finished("cancelled", "Cancelled.")
                    return
                if index == script.raise_at:
                    raise script.error
                yield worker_event
                await asyncio.sleep(0)  # let the service (and a test) act between events, as a real pipe would
        finally:
            self.running.discard(handle.run_id)

    async def cancel(self, handle: JobHandle, grace_s: float = 10) -> None:
        self.cancels.append((handle.run_id, grace_s))
        if (failure := self.script_for(handle.run_id).fail_cancel) is not None:
            raise failure
        handle.cancel_requested = True
        self._cancelled.setdefault(handle.run_id, asyncio.Event()).set()

    async def reattach(self, handle: JobHandle) -> bool:
        self.reattached.append(handle.run_id)
        if lost := self.script_for(handle.run_id).lost:
            raise JobLost(lost)
        return self.script_for(handle.run_id).reattach

    async def forget(self, run_id: str) -> None:
        self.forgotten.append(run_id)

    async def shutdown(self) -> None:
        self.shut_down = True

    def cancels_of(self, run_id: str) -> int:
        return sum(1 for cancelled_id, _ in self.cancels if cancelled_id == run_id)


async def _first_of(*signals: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(signal.wait()) for signal in signals]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
