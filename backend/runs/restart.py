"""After a server restart: the runs the database holds as under way, and whether the runner still has each one's job.

Apart from the run service (backend/runs/service.py), which acts on the answers, so that its start stays short: a run
stored `running`, or `queued` whose job a runner that outlives the server had already started (a Ray actor emits
`log` events before the worker's `started`), is re-attached and holds a slot again; a running run the runner has lost
is interrupted with the reason; the other queued runs go back in the queue.
"""

import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import select

from backend.db.models import Run
from backend.db.session import session_for
from backend.runners.base import JobHandle, JobLost, JobRunner
from backend.runs.queue import QueuedRun

log = logging.getLogger(__name__)

LOST = "The server stopped while this run was training."


@dataclass(frozen=True)
class Unfinished:
    run: QueuedRun  # its queue order (that of a running run is its old one), id and project
    last_seq: int
    running: bool


def unfinished_runs(engine: Engine) -> list[Unfinished]:
    """The running runs, then the queued ones in their queue order."""
    with session_for(engine) as session:
        rows = session.exec(
            select(Run.queue_order, Run.id, Run.project_id, Run.last_seq, Run.status)
            .where(Run.status.in_(("running", "queued")))
            .order_by(Run.queue_order, Run.created_at, Run.id)
        ).all()
    found = [
        Unfinished(QueuedRun(order, run_id, project), seq, status == "running")
        for order, run_id, project, seq, status in rows
    ]
    return [run for run in found if run.running] + [run for run in found if not run.running]


async def lost_reason(runner: JobRunner, handle: JobHandle) -> str | None:
    """None when the runner still has the job of `handle.run_id` (then `handle` is its handle); else why not."""
    try:
        return None if await runner.reattach(handle) else LOST
    except JobLost as lost:
        log.warning("run %s: %s", handle.run_id, lost)
        return str(lost)
    except Exception:
        log.exception("reattaching run %s failed", handle.run_id)
        return LOST
