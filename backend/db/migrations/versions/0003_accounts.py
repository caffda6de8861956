"""Accounts: users, their API tokens, and project members with roles.

Existing projects get no members: the administrator, owner of every project, reaches them and adds people.

Revision ID: 0003_accounts
Revises: 0002_run_projections
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_accounts"
down_revision: str | None = "0002_run_projections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sa.String()


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("password_hash", TEXT, nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_user_account_name", "user_account", ["name"], unique=True)
    op.create_table(
        "api_token",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("user_id", TEXT, sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("token_hash", TEXT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])
    op.create_index("ix_api_token_token_hash", "api_token", ["token_hash"], unique=True)
    op.create_table(
        "project_member",
        sa.Column("project_id", TEXT, sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", TEXT, sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", TEXT, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_project_member_user_id", "project_member", ["user_id"])


def downgrade() -> None:
    op.drop_table("project_member")
    op.drop_table("api_token")
    op.drop_table("user_account")
