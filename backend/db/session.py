"""Engine, sessions and the schema. SQLite runs in WAL mode with foreign keys on; PostgreSQL via VISIONFLOW_DATABASE_URL.

The schema belongs to Alembic (backend/db/migrations/, docs/migrations.md): `upgrade_database` brings whatever a
data dir holds (nothing, a database made before Alembic, or an older revision) to the newest revision, once, under
a lock, so the server and the CLI can both open the same data dir as they start.
"""

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Index, MetaData, Table, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateColumn
from sqlmodel import Session, create_engine

from backend.db import models  # noqa: F401  (registers the tables)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BASELINE_REVISION = "0001_baseline"  # the schema before Alembic: a database without alembic_version is this one
WAL_SWITCH_WAIT_S = 30.0  # as long as a connection waits for a busy database
_POSTGRES_MIGRATION_LOCK = 7_466_102_007  # any fixed bigint: the advisory lock every starting server waits on


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
            _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _use_wal(cursor: sqlite3.Cursor, wait_s: float = WAL_SWITCH_WAIT_S) -> None:
    """Switch a database file to WAL (a no-op once it is). The switch needs the file to itself and SQLite does not
    wait for that (no busy timeout), so while another process holds a new database's write lock — two servers
    upgrading it at once — it is retried until that process is done."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's settings, built in code: no alembic.ini is read, so an installed package migrates on its own."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction that holds the schema to itself: a second process starting at once waits, then finds it done.

    SQLite: `BEGIN IMMEDIATE` takes the write lock before anything is read, and foreign keys are off meanwhile,
    because batch mode alters a table by copying it and dropping the old one, and with them on, dropping `run`
    would delete every run_event through ON DELETE CASCADE (the pragma only takes outside a transaction).
    PostgreSQL: a transaction-scoped advisory lock; its DDL is transactional, so a failed upgrade leaves nothing.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_MIGRATION_LOCK})
                yield connection
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (the newest by default). Idempotent; safe when two processes start at once.

    A database made before Alembic (tables, no alembic_version) is first given what the pre-Alembic server added
    on start (missing tables, missing nullable or defaulted columns), then stamped as the baseline, then upgraded.
    """
    with migration_connection(engine) as connection:
        config = alembic_config(connection)
        present = set(inspect(connection).get_table_names())
        current = MigrationContext.configure(connection).get_current_revision()
        baseline = baseline_metadata()
        if current is None and present & set(baseline.tables):
            catch_up_to_baseline(connection, baseline)
            command.stamp(config, BASELINE_REVISION)
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database or one made before Alembic."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision in backend/db/migrations/versions/."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no revisions in backend/db/migrations/versions/"
    return head


class _TableRecorder:
    """Stands in for alembic's `op` while the baseline's upgrade() runs: it keeps the tables instead of making them."""

    def __init__(self) -> None:
        self.metadata = MetaData()

    def f(self, name: str) -> str:
        return name

    def create_table(self, name: str, *items: Any, **options: Any) -> Table:
        return Table(name, self.metadata, *items, **options)

    def create_index(self, name: str, table_name: str, columns: list[str], unique: bool = False) -> None:
        table = self.metadata.tables[table_name]
        Index(name, *(table.c[column] for column in columns), unique=unique)


def baseline_metadata() -> MetaData:
    """The baseline revision's tables, read from the revision itself (so there is one definition of them)."""
    module = ScriptDirectory.from_config(alembic_config()).get_revision(BASELINE_REVISION).module
    recorder = _TableRecorder()
    real_op = module.op
    module.op = recorder
    try:
        module.upgrade()
    finally:
        module.op = real_op
    return recorder.metadata


def catch_up_to_baseline(connection: Connection, baseline: MetaData) -> list[str]:
    """What the server did on start before Alembic: create missing tables, add columns rows can do without.

    Only columns that can be added to rows already there: nullable ones, or ones with a server default; any other
    missing column is an error that names it. Returns "table.column" of each column added.
    """
    present = set(inspect(connection).get_table_names())
    baseline.create_all(connection)  # only the missing tables, with their indexes
    added: list[str] = []
    for table in baseline.sorted_tables:
        if table.name not in present:
            continue
        columns = {column["name"] for column in inspect(connection).get_columns(table.name)}
        for column in table.columns:
            if column.name in columns:
                continue
            if not column.nullable and column.server_default is None:
                raise RuntimeError(
                    f"database table {table.name!r} lacks column {column.name!r}, which has no default to fill "
                    "existing rows with: migrate the database by hand or start from a new data dir"
                )
            definition = CreateColumn(column).compile(dialect=connection.dialect)
            quoted = connection.dialect.identifier_preparer.quote(table.name)
            connection.execute(text(f"ALTER TABLE {quoted} ADD COLUMN {definition}"))
            added.append(f"{table.name}.{column.name}")
    return added


def session_for(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)
