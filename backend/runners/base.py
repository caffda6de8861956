"""How a job runs, behind one small interface: the server never knows which runner it talks to."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from backend.events.models import WorkerEvent
from backend.graph.spec import TrainingJobSpec


@dataclass
class JobHandle:
    run_id: str
    cancel_requested: bool = False
    state: dict[str, Any] = field(default_factory=dict)  # the runner's own bookkeeping


class JobLost(Exception):
    """`reattach` raises it when it cannot tell whether the job still runs (its cluster does not answer) and has done
    what it could so that it does not run on unseen; its message, for people, says so (the run's reason)."""


class JobRunner(Protocol):
    async def submit(self, run_id: str, spec: TrainingJobSpec) -> JobHandle: ...

    def events(self, handle: JobHandle, after: int = -1) -> AsyncIterator[WorkerEvent]:
        """The job's events as they happen, always ending with one `finished`. `after`: the run's last stored seq
        when the server pumps a reattached job again; the runner skips what the server already holds. The store's
        seq counts the server's own events too (the `queued` at seq 0, and one more per earlier queueing), so a runner
        that numbers its job's events must map them, not take `after` as an index into its own list."""
        ...

    async def reattach(self, handle: JobHandle) -> bool:
        """After a server restart: whether the job of `handle.run_id` still runs and its events can be pumped.
        Offered the runs stored `running` and the `queued` ones too: a runner whose jobs outlive the server (Ray's
        actors) may have started a job whose `started` was never stored. A job found holds a concurrency slot and its
        events are pumped from after the run's last stored seq. Raises JobLost when it cannot tell."""
        ...

    async def forget(self, run_id: str) -> None:
        """A run cancelled while it waited in the server's queue, never submitted by this server: make sure no job
        of it runs (an earlier server's may be left, as a Ray actor). A no-op for a runner whose jobs die with the
        server. Best effort: never raises."""
        ...

    async def cancel(self, handle: JobHandle, grace_s: float = 10) -> None: ...

    async def shutdown(self) -> None: ...
