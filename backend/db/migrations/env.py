"""Alembic's entry point: run the revisions in versions/ on the connection upgrade_database hands over.

The server never calls this through the `alembic` command: backend/db/session.py builds the Config in code and
passes an open, locked connection in `config.attributes["connection"]`. Developers may run the `alembic` command
with `-c backend/db/migrations/alembic.ini` (docs/migrations.md); then the database is the one the usual settings
name (VISIONFLOW_DATA_DIR / VISIONFLOW_DATABASE_URL).
"""

from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from backend.db import models  # noqa: F401  (registers the tables on SQLModel.metadata)


def render_plain_types(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write sqlmodel's column types as the plain SQLAlchemy types they store, so revisions don't import sqlmodel."""
    if type_ == "type" and isinstance(obj, AutoString):
        return "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_on(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # SQLite alters most columns by copying the table: batch mode does that
        compare_type=True,
        render_item=render_plain_types,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    if context.is_offline_mode():
        raise SystemExit("offline (--sql) migrations are not supported: run them against a database")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from backend.db.session import make_engine, migration_connection
    from backend.settings import Settings

    settings = Settings()
    settings.ensure_dirs()
    engine = make_engine(settings.resolved_database_url)
    with migration_connection(engine) as locked:
        run_on(locked)
    engine.dispose()


run()
