"""Events are stored before they are published: each gets the run's next `seq` in the same transaction
that updates the run's status, so a reader never sees a status its events don't explain."""

from sqlalchemy.engine import Engine
from sqlmodel import select

from backend.db.models import Run, RunEvent, now
from backend.db.session import session_for
from backend.events.models import Event, WorkerEvent


class EventStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append(self, run_id: str, event: WorkerEvent) -> Event:
        with session_for(self._engine) as session:
            run = session.exec(select(Run).where(Run.id == run_id).with_for_update()).one()
            seq = run.last_seq + 1
            session.add(RunEvent(run_id=run_id, seq=seq, type=event.type, ts=event.ts, data=event.data))
            run.last_seq = seq
            apply_to_run(run, event)
            session.add(run)
            session.commit()
        return Event(run_id=run_id, seq=seq, type=event.type, ts=event.ts, data=event.data)

    def after(self, run_id: str, after: int = -1, limit: int = 10_000) -> list[Event]:
        with session_for(self._engine) as session:
            rows = session.exec(
                select(RunEvent)
                .where(RunEvent.run_id == run_id, RunEvent.seq > after)
                .order_by(RunEvent.seq)
                .limit(limit)
            ).all()
        return [Event(run_id=r.run_id, seq=r.seq, type=r.type, ts=r.ts, data=r.data) for r in rows]


def apply_to_run(run: Run, event: WorkerEvent) -> None:
    """The run row is a projection of its events."""
    match event.type:
        case "queued":  # a new run, or a stopped one resumed
            run.status, run.reason, run.finished_at = "queued", "", None
        case "started":
            run.status = "running"
            run.started_at = now()
        case "evaluation":
            run.metrics = {
                k: event.data[k]
                for k in ("accuracy", "top5", "precision", "recall", "f1", "avg_confidence", "val_loss")
            } | {"epoch": event.data["epoch"]}
            # Warnings that no longer hold go; those that do stay (their `warning` event came once, or follows).
            holding = set(event.data.get("quality") or [])
            run.quality_warnings = [w for w in run.quality_warnings or [] if w.get("code") in holding]
        case "warning":  # one entry per code, the latest; a new list, so the JSON column sees the change
            kept = [warning for warning in run.quality_warnings or [] if warning.get("code") != event.data["code"]]
            run.quality_warnings = [*kept, {k: event.data[k] for k in ("code", "message", "epoch")}]
        case "finished":
            run.status = event.data["status"]
            run.reason = event.data.get("reason", "")
            run.finished_at = now()
            run.metrics = {**run.metrics, **event.data.get("metrics", {})}
