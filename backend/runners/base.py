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


class JobRunner(Protocol):
    async def submit(self, run_id: str, spec: TrainingJobSpec) -> JobHandle: ...

    def events(self, handle: JobHandle) -> AsyncIterator[WorkerEvent]:
        """The job's events as they happen, always ending with one `finished`."""
        ...

    async def cancel(self, handle: JobHandle, grace_s: float = 10) -> None: ...

    async def reattach(self, handle: JobHandle) -> bool: ...

    async def shutdown(self) -> None: ...
