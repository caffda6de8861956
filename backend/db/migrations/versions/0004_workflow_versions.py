"""Workflow versions: every save that changes a workflow's graph keeps the graph it saved, and each run names the
version it trained.

Every existing workflow gets its current graph as version 1 (dated by its last save, by nobody). Existing runs link
to no version: which graph they trained was not recorded.

Revision ID: 0004_workflow_versions
Revises: 0003_accounts
Create Date: 2026-11-30
"""

import json
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004_workflow_versions"
down_revision: str | None = "0003_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sa.String()
RUN_VERSION_FK = "fk_run_workflow_version_id"
BATCH = 500


def upgrade() -> None:
    op.create_table(
        "workflow_version",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("workflow_id", TEXT, sa.ForeignKey("workflow.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("graph", sa.JSON(), nullable=False),
        sa.Column("node_count", sa.Integer(), nullable=False),
        sa.Column("edge_count", sa.Integer(), nullable=False),
        sa.Column("name", TEXT, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", TEXT, sa.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
        sa.UniqueConstraint("workflow_id", "number"),
    )
    op.create_index("ix_workflow_version_workflow_id", "workflow_version", ["workflow_id"])
    with op.batch_alter_table("run") as batch:
        batch.add_column(sa.Column("workflow_version_id", TEXT, nullable=True))
        batch.create_foreign_key(
            RUN_VERSION_FK, "workflow_version", ["workflow_version_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_run_workflow_version_id", ["workflow_version_id"])
    _first_versions(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_index("ix_run_workflow_version_id")
        batch.drop_constraint(RUN_VERSION_FK, type_="foreignkey")
        batch.drop_column("workflow_version_id")
    op.drop_table("workflow_version")


def _count(graph: dict[str, Any], key: str) -> int:
    items = graph.get(key) if isinstance(graph, dict) else None
    return len(items) if isinstance(items, list) else 0


def _first_versions(connection: sa.Connection) -> None:
    """Version 1 of every workflow: its graph as it stands. `updated_at` is copied as stored (untyped columns), so
    the date reads back exactly as the workflow's own."""
    workflow = sa.table("workflow", sa.column("id", sa.String), sa.column("graph", sa.JSON), sa.column("updated_at"))
    version = sa.table(
        "workflow_version",
        sa.column("id", sa.String),
        sa.column("workflow_id", sa.String),
        sa.column("number", sa.Integer),
        sa.column("graph", sa.JSON),
        sa.column("node_count", sa.Integer),
        sa.column("edge_count", sa.Integer),
        sa.column("created_at"),
    )
    rows = connection.execute(sa.select(workflow.c.id, workflow.c.graph, workflow.c.updated_at)).all()
    values = []
    for workflow_id, stored, updated_at in rows:
        graph = json.loads(stored) if isinstance(stored, str) else stored
        values.append(
            {
                "id": uuid.uuid4().hex[:12],  # as backend/db/models.py new_id
                "workflow_id": workflow_id,
                "number": 1,
                "graph": graph,
                "node_count": _count(graph, "nodes"),
                "edge_count": _count(graph, "edges"),
                "created_at": updated_at,
            }
        )
    for start in range(0, len(values), BATCH):
        connection.execute(version.insert(), values[start : start + BATCH])
