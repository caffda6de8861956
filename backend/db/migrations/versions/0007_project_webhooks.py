"""Project webhooks: where a project's run ends are POSTed (with the secret that signs them), and the deliveries,
kept from the moment one is owed until it is delivered or given up, so a restart sends on the pending ones
(backend/notifications/, docs/notifications.md). Two new tables; no existing row changes.

Revision ID: 0007_project_webhooks
Revises: 0006_run_queue
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_project_webhooks"
down_revision: str | None = "0006_run_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sa.String()


def upgrade() -> None:
    op.create_table(
        "project_webhook",
        sa.Column("project_id", TEXT, sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("url", TEXT, nullable=False),
        sa.Column("secret", TEXT, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("project_id", TEXT, sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
        sa.Column("run_id", TEXT, nullable=True),
        sa.Column("event", TEXT, nullable=False),
        sa.Column("body", TEXT, nullable=False),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_ts", sa.Float(), nullable=False),
        sa.Column("last_http_status", sa.Integer(), nullable=True),
        sa.Column("last_error", TEXT, nullable=False),
        sa.Column("response_excerpt", TEXT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("project_id", "run_id"),
    )
    op.create_index("ix_webhook_delivery_project_id", "webhook_delivery", ["project_id"])
    op.create_index("ix_webhook_delivery_status", "webhook_delivery", ["status"])


def downgrade() -> None:
    op.drop_table("webhook_delivery")
    op.drop_table("project_webhook")
