"""Run projections: `artifacts` and `checkpoints` kept on the run row, so no route scans the event log.

Older runs are filled in from their stored `artifact` and `checkpoint` events (the same rules as
backend/events/store.py apply_to_run), so their artifacts and checkpoints stay listed.

Revision ID: 0002_run_projections
Revises: 0001_baseline
Create Date: 2026-11-30
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002_run_projections"
down_revision: str | None = "0001_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPTY_LIST = sa.text("'[]'")
PAGE = 1000


def upgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.add_column(sa.Column("artifacts", sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch.add_column(sa.Column("checkpoints", sa.JSON(), nullable=False, server_default=EMPTY_LIST))
    _project_stored_events(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_column("checkpoints")
        batch.drop_column("artifacts")


def _project_stored_events(connection: sa.Connection) -> None:
    """Each run's artifact (one per name, the latest) and checkpoint (with its seq) events, read a page at a time."""
    event = sa.table(
        "run_event",
        sa.column("run_id", sa.String),
        sa.column("seq", sa.Integer),
        sa.column("type", sa.String),
        sa.column("data", sa.JSON),
    )
    run = sa.table(
        "run", sa.column("id", sa.String), sa.column("artifacts", sa.JSON), sa.column("checkpoints", sa.JSON)
    )
    artifacts: dict[str, dict[str, Any]] = {}
    checkpoints: dict[str, list[dict[str, Any]]] = {}
    after: tuple[str, int] = ("", -1)
    while True:
        rows = connection.execute(
            sa.select(event.c.run_id, event.c.seq, event.c.type, event.c.data)
            .where(event.c.type.in_(("artifact", "checkpoint")))
            .where(sa.tuple_(event.c.run_id, event.c.seq) > sa.tuple_(*after))
            .order_by(event.c.run_id, event.c.seq)
            .limit(PAGE)
        ).all()
        for run_id, seq, kind, data in rows:
            payload = json.loads(data) if isinstance(data, str) else data
            if kind == "artifact":
                artifacts.setdefault(run_id, {})[payload["name"]] = payload
            else:
                checkpoints.setdefault(run_id, []).append({**payload, "seq": seq})
        if len(rows) < PAGE:
            break
        after = (rows[-1][0], rows[-1][1])
    for run_id in artifacts.keys() | checkpoints.keys():
        connection.execute(
            run.update()
            .where(run.c.id == run_id)
            .values(
                artifacts=list(artifacts.get(run_id, {}).values()),
                checkpoints=checkpoints.get(run_id, []),
            )
        )
