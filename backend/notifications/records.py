"""The deliveries table's side of webhooks (called on worker threads): what is owed when a run ends, what is due now,
what an attempt did. A delivery row is written before anything is sent and changes only by an attempt's result, so a
server that stops at any moment resumes exactly the pending ones when it starts again."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from backend.db.models import Project, ProjectMember, ProjectWebhook, Run, WebhookDelivery
from backend.db.session import session_for
from backend.notifications import payload

EXCERPT_CHARS = 300  # of a receiver's answer: enough to see its error, never its whole page
DUE_BATCH = 16  # deliveries under way at once, each to another project


@dataclass(frozen=True)
class RunEnd:
    """What the browsers' feed needs of a run that ended."""

    notice: str  # JSON: the webhook's document, less nothing (a viewer of the project may read all of it)
    project_id: str | None
    members: frozenset[str]  # user ids of the project's members


@dataclass(frozen=True)
class Due:
    id: str
    project_id: str
    event: str
    body: str
    attempts: int
    url: str | None  # None: the webhook is gone or turned off
    secret: str


def record_run_end(engine: Engine, run_id: str, public_url: str | None) -> tuple[RunEnd | None, bool]:
    """The run's end for the feed, and whether a webhook delivery is now owed (written here, once per run)."""
    with session_for(engine) as session:
        run = session.exec(select(Run).options(defer(Run.spec)).where(Run.id == run_id)).first()
        if run is None or run.status not in payload.FINAL_STATUSES:
            return None, False
        project = session.get(Project, run.project_id) if run.project_id else None
        document = payload.run_finished(run, project, public_url)
        members = frozenset(
            session.exec(select(ProjectMember.user_id).where(ProjectMember.project_id == run.project_id)).all()
            if project
            else ()
        )
        end = RunEnd(payload.encode(document), run.project_id, members)
        hook = session.get(ProjectWebhook, project.id) if project else None
        if hook is None or not hook.enabled:
            return end, False
        return end, _owe(session, project.id, run.id, "run.finished", payload.encode(document))


def _owe(session: Session, project_id: str, run_id: str | None, event: str, body: str) -> bool:
    session.add(WebhookDelivery(project_id=project_id, run_id=run_id, event=event, body=body, next_attempt_ts=0.0))
    try:
        session.commit()
    except IntegrityError:  # owed already (the start-up catch-up and the live event met)
        session.rollback()
        return False
    return True


def owe_test(engine: Engine, project_id: str, public_url: str | None) -> WebhookDelivery:
    with session_for(engine) as session:
        project = session.get(Project, project_id)
        body = payload.encode(payload.test_message(project, public_url))
        delivery = WebhookDelivery(project_id=project_id, run_id=None, event="test", body=body)
        session.add(delivery)
        session.commit()
        session.refresh(delivery)
        return delivery


def catch_up(engine: Engine, public_url: str | None) -> int:
    """Deliveries owed for runs that ended while no notifier listened (the server stopped between storing a
    `finished` and writing its delivery): runs of a project with a webhook on, ended since it was last changed."""
    with session_for(engine) as session:
        missed = session.exec(
            select(Run.id)
            .join(ProjectWebhook, col(ProjectWebhook.project_id) == Run.project_id)
            .join(
                WebhookDelivery,
                (col(WebhookDelivery.project_id) == Run.project_id) & (col(WebhookDelivery.run_id) == Run.id),
                isouter=True,
            )
            .where(
                col(ProjectWebhook.enabled).is_(True),
                col(Run.status).in_(payload.FINAL_STATUSES),
                col(Run.finished_at) >= ProjectWebhook.updated_at,
                col(WebhookDelivery.id).is_(None),
            )
        ).all()
    return sum(record_run_end(engine, run_id, public_url)[1] for run_id in missed)


def due(
    engine: Engine, now: float, busy_projects: frozenset[str] = frozenset(), limit: int = DUE_BATCH
) -> tuple[list[Due], float | None]:
    """The deliveries whose time has come, at most `limit`: the oldest of each project, leaving out projects with an
    attempt under way (a project's deliveries go one at a time, so one slow receiver holds only its own); and when the
    next of the others is due."""
    pending = (WebhookDelivery.status == "pending", col(WebhookDelivery.next_attempt_ts) <= now)
    order = (col(WebhookDelivery.next_attempt_ts), col(WebhookDelivery.created_at), col(WebhookDelivery.id))
    place = func.row_number().over(partition_by=WebhookDelivery.project_id, order_by=order).label("place")
    firsts = (
        select(WebhookDelivery.id, place)
        .where(*pending, col(WebhookDelivery.project_id).not_in(busy_projects))
        .subquery()
    )
    with session_for(engine) as session:
        rows = session.exec(
            select(WebhookDelivery, ProjectWebhook)
            .join(firsts, (firsts.c.id == WebhookDelivery.id) & (firsts.c.place == 1))
            .join(ProjectWebhook, col(ProjectWebhook.project_id) == WebhookDelivery.project_id, isouter=True)
            .order_by(*order)
            .limit(limit)
        ).all()
        later = session.exec(
            select(WebhookDelivery.next_attempt_ts)
            .where(WebhookDelivery.status == "pending", col(WebhookDelivery.next_attempt_ts) > now)
            .order_by(col(WebhookDelivery.next_attempt_ts))
            .limit(1)
        ).first()
    found = [
        Due(
            d.id,
            d.project_id,
            d.event,
            d.body,
            d.attempts,
            hook.url if hook is not None and hook.enabled else None,
            hook.secret if hook is not None else "",
        )
        for d, hook in rows
    ]
    return found, later


def save_attempt(
    engine: Engine,
    delivery_id: str,
    *,
    delivered: bool,
    retry_after_s: float | None,
    http_status: int | None,
    error: str,
    excerpt: str,
) -> None:
    """One attempt's result: delivered, pending again in `retry_after_s`, or (None) given up."""
    with session_for(engine) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:  # its project was deleted meanwhile
            return
        delivery.attempts += 1
        delivery.last_http_status = http_status
        delivery.last_error = error[:500]
        delivery.response_excerpt = excerpt[:EXCERPT_CHARS]
        if delivered:
            delivery.status = "delivered"
            delivery.delivered_at = datetime.now(UTC)
        elif retry_after_s is None:
            delivery.status = "failed"
        else:
            delivery.next_attempt_ts = time.time() + retry_after_s
        session.add(delivery)
        session.commit()


def recent(engine: Engine, project_id: str, limit: int) -> list[WebhookDelivery]:
    with session_for(engine) as session:
        return list(
            session.exec(
                select(WebhookDelivery)
                .where(WebhookDelivery.project_id == project_id)
                .order_by(col(WebhookDelivery.created_at).desc())
                .limit(limit)
            ).all()
        )
