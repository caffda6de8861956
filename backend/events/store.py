"""Events are stored before they are published: each gets the run's next `seq` in the same transaction
that updates the run's projections (status, metrics, warnings, artifacts, checkpoints), so a reader never
sees a run its events don't explain, and no route has to scan the log to answer.

The log is read one page at a time (`after`, `iter_after`): a run may have any number of events."""

from collections.abc import Iterator

from sqlalchemy.engine import Engine
from sqlalchemy.orm import defer
from sqlmodel import select

from backend.db.models import Run, RunEvent, now
from backend.db.session import session_for
from backend.events.models import (
    Artifact,
    Checkpoint,
    Evaluation,
    Event,
    Finished,
    QualityWarning,
    Queued,
    Started,
    Waiting,
    WorkerEvent,
    read_event,
    stored_event,
)

PAGE = 1000  # events per read of the log
MAX_SEQ = 2**63 - 1  # a seq is a signed 64-bit integer in every database


class EventStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append(self, run_id: str, event: WorkerEvent) -> Event:
        data = event.data.model_dump(mode="json")
        with session_for(self._engine) as session:
            # Never the spec: a 15,000-image spec is megabytes of JSON, parsed for nothing on every event.
            run = session.exec(select(Run).options(defer(Run.spec)).where(Run.id == run_id).with_for_update()).one()
            seq = run.last_seq + 1
            session.add(RunEvent(run_id=run_id, seq=seq, type=event.type, ts=event.ts, data=data))
            run.last_seq = seq
            apply_to_run(run, event)
            session.add(run)
            session.commit()
        return stored_event(run_id, seq, event)

    def after(self, run_id: str, after: int = -1, limit: int = PAGE) -> list[Event]:
        """One page: at most `limit` events with seq > `after`, in seq order."""
        with session_for(self._engine) as session:
            rows = session.exec(
                select(RunEvent)
                .where(RunEvent.run_id == run_id, RunEvent.seq > after)
                .order_by(RunEvent.seq)
                .limit(limit)
            ).all()
        return [
            read_event({"run_id": r.run_id, "seq": r.seq, "type": r.type, "ts": r.ts, "data": r.data}) for r in rows
        ]

    def iter_after(self, run_id: str, after: int = -1, page: int = PAGE) -> Iterator[Event]:
        """Every event with seq > `after`, read a page at a time until caught up with the log."""
        while True:
            events = self.after(run_id, after, page)
            yield from events
            if len(events) < page:
                return
            after = events[-1].seq


def apply_to_run(run: Run, event: WorkerEvent) -> None:
    """The run row is a projection of its events (called with `run.last_seq` already the event's seq).

    Every JSON column gets a new value, never an in-place change, so the ORM sees it changed."""
    match event.data:
        case Queued():
            run.status, run.reason, run.finished_at = "queued", "", None
        case Waiting() as waiting:  # still queued, now with the runner's reason
            run.reason = waiting.reason
        case Started():
            run.status = "running"
            run.reason = ""
            run.started_at = now()
        case Evaluation() as evaluation:
            run.metrics = evaluation.model_dump(
                include={"accuracy", "top5", "precision", "recall", "f1", "avg_confidence", "val_loss", "epoch"}
            )
            # Warnings that no longer hold go; those that do stay (their `warning` event came once, or follows).
            holding = set(evaluation.quality)
            run.quality_warnings = [w for w in run.quality_warnings or [] if w.get("code") in holding]
        case QualityWarning() as warning:  # one entry per code, the latest
            kept = [w for w in run.quality_warnings or [] if w.get("code") != warning.code]
            run.quality_warnings = [*kept, warning.model_dump(mode="json", include={"code", "message", "epoch"})]
        case Checkpoint() as checkpoint:
            run.checkpoints = [*(run.checkpoints or []), checkpoint.model_dump(mode="json") | {"seq": run.last_seq}]
        case Artifact() as artifact:  # one entry per name, the latest, where the name first appeared
            artifacts = {a["name"]: a for a in run.artifacts or []}
            artifacts[artifact.name] = artifact.model_dump(mode="json")
            run.artifacts = list(artifacts.values())
        case Finished() as finished:
            run.status = finished.status
            run.reason = finished.reason
            run.finished_at = now()
            run.metrics = {**run.metrics, **finished.metrics}
