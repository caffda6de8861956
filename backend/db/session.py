"""Engine and sessions. SQLite runs in WAL mode with foreign keys on; PostgreSQL via VISIONFLOW_DATABASE_URL."""

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateColumn
from sqlmodel import Session, SQLModel, create_engine

from backend.db import models  # noqa: F401  (registers the tables)


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=StaticPool if in_memory else None,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def create_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    add_missing_columns(engine)


def add_missing_columns(engine: Engine) -> list[str]:
    """Add columns the tables have gained since a database was created (create_all only creates missing tables).

    Only columns that can be added to rows already there: nullable ones, or ones with a server default; any other
    missing column is an error that names it. Idempotent. A stop-gap until migrations move to Alembic (another
    issue), which will take over from here. Returns "table.column" of each column added.
    """
    existing_tables = set(inspect(engine).get_table_names())
    added: list[str] = []
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            present = {column["name"] for column in inspect(connection).get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                if not column.nullable and column.server_default is None:
                    raise RuntimeError(
                        f"database table {table.name!r} lacks column {column.name!r}, which has no default to fill "
                        "existing rows with: migrate the database or start from a new one"
                    )
                definition = CreateColumn(column).compile(dialect=engine.dialect)
                quoted = engine.dialect.identifier_preparer.quote(table.name)
                connection.execute(text(f"ALTER TABLE {quoted} ADD COLUMN {definition}"))
                added.append(f"{table.name}.{column.name}")
    return added


def session_for(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)
