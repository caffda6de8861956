"""The run queue is kept in the database: each run has a `queue_order` (lower starts first), so a restart starts the
queued runs in the order people left them, and "move to front" is one row's new number (backend/runs/queue.py).

New runs number themselves from the clock (microseconds, backend/db/models.py), so existing queued runs are numbered
1, 2, 3… in the order they were created: they stay ahead of every run queued after the upgrade. Other runs keep 0.

Revision ID: 0006_run_queue
Revises: 0005_run_names
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_run_queue"
down_revision: str | None = "0005_run_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.add_column(sa.Column("queue_order", sa.BigInteger(), nullable=False, server_default=sa.text("0")))
    run = sa.table(
        "run",
        sa.column("id", sa.String),
        sa.column("status", sa.String),
        sa.column("created_at", sa.DateTime),
        sa.column("queue_order", sa.BigInteger),
    )
    connection = op.get_bind()
    queued = (
        connection.execute(sa.select(run.c.id).where(run.c.status == "queued").order_by(run.c.created_at, run.c.id))
        .scalars()
        .all()
    )
    if queued:
        update = run.update().where(run.c.id == sa.bindparam("run_id")).values(queue_order=sa.bindparam("order"))
        connection.execute(update, [{"run_id": run_id, "order": number} for number, run_id in enumerate(queued, 1)])


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_column("queue_order")
